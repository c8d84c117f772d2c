// `carbon-sim report <run-or-sweep-output> -o report.html`, and the report of `run --report`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { InputError } from '../errors.js';
import { BASELINE_LABEL, clusterChartData, runChartData, TIMELINE_JOBS, type BarDatum, type RunChartData, type SavingDatum } from '../report/charts.js';
import { formatCarbonG, formatCount, formatEnergyKwh, formatHours, formatPct, significant } from '../report/format.js';
import { renderReport, type RenderedReport, type ReportInput, type ReportTable } from '../report/html.js';
import { describeSample } from '../report/stats.js';
import type { RunSummary } from '../report/summary.js';
import { runWorkload, type RunOptions, type RunOutput } from '../app/run.js';
import { executeRun } from '../sweep/execute.js';
import { checkOutputs, writeOutputs, type OutputTarget } from '../io/files.js';
import { BASELINE_SCHEDULER, specOf } from '../sweep/plan.js';
import { readResults, runValues, summaryLines, type ResultRow, type SummaryLine } from '../sweep/results.js';
import { readSweepRecord, RESULTS_JSONL, SWEEP_RECORD, type SweepRecord } from '../sweep/runner.js';
import { runOptionsFromFlags, type RunFlags } from '../app/options.js';

export interface ReportFlags {
  output: string;
  /** sweep: which group's runs to draw (1-based, as in the summary table); 0: none */
  group?: string;
  /** how many jobs the timelines draw */
  jobs?: string;
}

const RUN_SUMMARY = 'summary.json';

function count(text: string | undefined, fallback: number, field: string, min: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || v < min) throw new InputError('bad_option', `"${text}" must be a whole number >= ${min}`, { field });
  return v;
}

export async function reportCommand(target: string, flags: ReportFlags): Promise<void> {
  const jobs = count(flags.jobs, TIMELINE_JOBS, 'jobs', 1);
  checkOutputs(reportTargets(flags.output, 'output'));
  if (!existsSync(target)) throw new InputError('unreadable_file', 'no such file or folder', { file: target });
  const dir = statSync(target).isDirectory() ? target : dirname(target);
  let input: ReportInput;
  if (existsSync(join(dir, SWEEP_RECORD))) input = await sweepReportInput(dir, count(flags.group, 1, 'group', 0), jobs);
  else if (existsSync(join(dir, RUN_SUMMARY))) input = await runDirReportInput(dir, jobs);
  else throw new InputError('not_an_output', `neither a bench output (${SWEEP_RECORD}) nor a run --out folder (${RUN_SUMMARY})`, { file: target });
  writeOutputs(reportTargets(flags.output, 'output', await renderReportFor(flags.output, input)));
}

/** `report.html` -> `report-charts`: the folder beside the HTML that holds its charts as SVG files. */
export function chartsFolderOf(file: string): string {
  return join(dirname(file), `${basename(file, extname(file))}-charts`);
}

/** Render a report that will be written to `file` (the page names its charts folder). */
export function renderReportFor(file: string, input: ReportInput): Promise<RenderedReport> {
  return renderReport(input, basename(chartsFolderOf(file)));
}

/**
 * The outputs of a report: the HTML file and, beside it, one folder of its charts as SVG
 * (`r.html` -> `r-charts/bars.svg`, ...), replaced as a whole. Without `rendered`: for checking.
 */
export function reportTargets(file: string, field: string, rendered?: RenderedReport): OutputTarget[] {
  return [
    { kind: 'file', path: file, field, data: rendered?.html ?? '' },
    { kind: 'folder', dir: chartsFolderOf(file), field, files: Object.fromEntries((rendered?.svgs ?? []).map((s) => [`${s.name}.svg`, s.svg])), replaceable: /\.svg$/ },
  ];
}

/**
 * The carbon-agnostic baseline of a run: the same inputs, every job at arrival and uninterrupted
 * (on a finite cluster: queued as the cluster requires). The scheduler's own settings go.
 */
export function baselineOptions(options: RunOptions): RunOptions {
  const { startGrid: _g, length: _l, thresholdQuantile: _q, solver: _s, maxStarts: _m, plan: _p, slotS: _slot, onProgress: _progress, ...rest } = options;
  return { ...rest, scheduler: BASELINE_SCHEDULER, events: false };
}

/** Run the baseline of a run (the run itself when it is the baseline). */
export async function runBaseline(options: RunOptions, out: RunOutput): Promise<RunOutput> {
  return options.scheduler === BASELINE_SCHEDULER ? out : runWorkload(baselineOptions(options));
}

const SUMMARY_ROWS: [string, (s: RunSummary) => string][] = [
  ['jobs', (s) => String(s.jobs)],
  ['completed', (s) => String(s.completed)],
  ['missed deadlines', (s) => String(s.missed_deadlines)],
  ['energy', (s) => formatEnergyKwh(s.energy_kwh)],
  ['carbon', (s) => formatCarbonG(s.carbon_g)],
  ['overhead energy', (s) => formatEnergyKwh(s.overhead_energy_kwh)],
  ['mean wait', (s) => formatHours(s.mean_wait_s)],
  ['interruptions', (s) => String(s.interruptions)],
];

/** 100 x (baseline - value) / baseline; null when the baseline is 0. */
function savedPct(baseline: number, value: number): number | null {
  return baseline > 0 ? (100 * (baseline - value)) / baseline : null;
}

/** Change against the baseline: carbon and energy in % (the carbon saved named), the wait in hours. */
function versus(metric: string, s: RunSummary, b: RunSummary): string {
  const change = (x: number, base: number): string => {
    const pct = savedPct(base, x);
    return pct === null ? 'n/a' : `${pct > 0 ? '-' : '+'}${formatPct(Math.abs(pct))}`.replace(/^[-+]0\.0 %$/, '0.0 %');
  };
  if (metric === 'carbon') {
    const pct = savedPct(b.carbon_g, s.carbon_g);
    return `${change(s.carbon_g, b.carbon_g)}${pct !== null && pct > 0 ? ` (${formatPct(pct)} saved)` : ''}`;
  }
  if (metric === 'energy') return change(s.energy_kwh, b.energy_kwh);
  if (metric === 'mean wait') return `${s.mean_wait_s >= b.mean_wait_s ? '+' : '-'}${formatHours(Math.abs(s.mean_wait_s - b.mean_wait_s))}`;
  return '';
}

/** Cluster metrics by their key's unit: `_s` in hours, `_kwh` energy, `_g` carbon, fractions in %. */
function clusterValue(key: string, v: unknown): string {
  if (typeof v !== 'number') return String(v);
  if (key.endsWith('_s')) return formatHours(v);
  if (key.endsWith('_kwh')) return formatEnergyKwh(v);
  if (key.endsWith('_g')) return formatCarbonG(v);
  if (key === 'utilisation') return formatPct(100 * v);
  return Number.isInteger(v) ? String(v) : significant(v, 4);
}

/** The report of one run: the baseline and the saving, its timeline, power and summary. */
export function runReportInput(out: RunOutput, baseline: RunOutput, inputs: Record<string, string>, jobs = TIMELINE_JOBS): ReportInput {
  const label = [inputs.scheduler, inputs.carbon, inputs.deadline].filter((x) => x !== undefined && x !== '').join(' | ');
  const group = [inputs.carbon, inputs.deadline].filter((x) => x !== undefined && x !== '').join(' | ');
  const scheduler = inputs.scheduler ?? '';
  const s = out.summary;
  const b = baseline.summary;
  const isBaseline = scheduler === BASELINE_SCHEDULER;
  const saving = savedPct(b.carbon_g, s.carbon_g);
  const bars: BarDatum[] = [
    ...(isBaseline ? [] : [{ group, scheduler, carbon_g: s.carbon_g, mean_wait_h: s.mean_wait_s / 3600 }]),
    { group, scheduler: BASELINE_LABEL, carbon_g: b.carbon_g, mean_wait_h: b.mean_wait_s / 3600 },
  ];
  const notes = [
    isBaseline
      ? `This run is the carbon-agnostic baseline itself (every job at arrival, uninterrupted): ${formatCarbonG(s.carbon_g)}.`
      : `Carbon saved against the carbon-agnostic baseline (every job at arrival, uninterrupted, same inputs): ${formatPct(saving)} (${formatCarbonG(b.carbon_g)} -> ${formatCarbonG(s.carbon_g)}).`,
    'Numbers are rounded for reading; the exact values are in the JSON and CSV outputs.',
  ];
  return {
    title: `carbon-sim run: ${label}`,
    notes,
    runs: [{ ...runChartData(label, out.simulation.results, out.carbon, jobs), ...(out.simulation.cluster && { cluster: clusterChartData(out.simulation.cluster, out.carbon.epochMs) }) }],
    bars,
    schedulers: isBaseline ? [BASELINE_LABEL] : [scheduler, BASELINE_LABEL],
    savings: isBaseline || saving === null ? [] : [{ group, scheduler, saving_pct: saving, seeds: 1 }],
    tables: [
      {
        title: 'Summary',
        headers: ['metric', isBaseline ? `${scheduler} (the baseline)` : scheduler, 'agnostic baseline', 'change vs baseline'],
        rows: SUMMARY_ROWS.map(([name, f]) => [name, f(s), f(b), isBaseline ? '' : versus(name, s, b)]),
      },
      ...(s.cluster ? [{ title: 'Cluster', headers: ['metric', 'value'], rows: Object.entries(s.cluster).map(([k, v]) => [k, clusterValue(k, v)]) }] : []),
      { title: 'Inputs', headers: ['input', 'value'], rows: Object.entries(inputs).map(([k, v]) => [k, v]), after: true },
    ],
  };
}

/**
 * A `run --out` folder: re-run from the inputs in summary.json (deterministic) and check that the
 * re-run reproduces the recorded summary exactly, so the charts show the run that was recorded.
 */
async function runDirReportInput(dir: string, jobs: number): Promise<ReportInput> {
  const file = join(dir, RUN_SUMMARY);
  let record: { inputs?: Record<string, unknown>; summary?: RunSummary; repeat?: unknown };
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as typeof record;
  } catch (err) {
    throw new InputError('bad_summary', `not valid JSON: ${(err as Error).message}`, { file });
  }
  if (record.repeat !== undefined) throw new InputError('bad_summary', 'a --repeat output holds statistics over seeds, not one run: report one seed with run --report', { file });
  const inputs = record.inputs;
  if (!inputs || !record.summary) throw new InputError('bad_summary', 'expected {"inputs": ..., "summary": ...} as written by run --out', { file });
  const text = (k: string): string | undefined => (inputs[k] === null || inputs[k] === undefined ? undefined : String(inputs[k]));
  const need = (k: string): string => {
    const v = text(k);
    if (v === undefined) throw new InputError('bad_summary', `inputs has no "${k}"`, { file, field: k });
    return v;
  };
  const flags = inputs.flags;
  if (flags === null || typeof flags !== 'object') throw new InputError('bad_summary', 'inputs has no "flags" (written by an older carbon-sim): re-run with run --out or use run --report', { file, field: 'flags' });
  const options = runOptionsFromFlags(need('workload'), flags as RunFlags);
  options.events = false;
  const maxWait = text('max_wait');
  const out = await runWorkload(options);
  if (JSON.stringify(out.summary) !== JSON.stringify(record.summary)) {
    throw new InputError('not_reproduced', `re-running the inputs gives ${JSON.stringify(out.summary)}, not the recorded summary (inputs changed since?); use run --report instead`, { file });
  }
  const shown: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) if (v !== null && typeof v !== 'object') shown[k] = String(v);
  shown.deadline = maxWait !== undefined ? `max wait ${maxWait}` : `${text('deadline')} (${text('timezone') ?? 'UTC'})`;
  return runReportInput(out, await runBaseline(options, out), shown, jobs);
}

/** The inputs that vary across a sweep's groups, scheduler aside, joined as a label. */
function groupLabel(line: { carbon: string; max_wait: string; workload: string; forecast: string }, varying: readonly (keyof typeof line)[]): string {
  return varying.length === 0 ? line.carbon : varying.map((k) => line[k]).join(' | ');
}

const SWEEP_HEADERS = ['scheduler', 'carbon', 'max wait', 'workload', 'forecast', 'seeds', 'jobs', 'carbon', 'saved vs agnostic', 'mean wait', 'overhead energy', 'missed', 'interruptions'];

/** A summary line for reading: units on every number, the saving with its 95% interval over seeds. */
function sweepCells(l: SummaryLine, saving: SavingDatum | undefined): string[] {
  const saved = l.carbon_saved_pct === null ? 'n/a' : formatPct(l.carbon_saved_pct) + (saving?.ci95 ? ` ± ${((saving.ci95[1] - saving.ci95[0]) / 2).toFixed(1)}` : '');
  return [
    l.scheduler,
    l.carbon,
    l.max_wait,
    l.workload,
    l.forecast,
    String(l.seeds),
    String(l.jobs),
    formatCarbonG(l.carbon_kg * 1000),
    saved,
    formatHours(l.mean_wait_h * 3600),
    formatEnergyKwh(l.overhead_energy_kwh),
    formatCount(l.missed_deadlines),
    formatCount(l.interruptions),
  ];
}

async function sweepReportInput(dir: string, group: number, jobs: number): Promise<ReportInput> {
  const record = readSweepRecord(dir) as SweepRecord;
  const resultsFile = join(dir, RESULTS_JSONL);
  if (!existsSync(resultsFile)) throw new InputError('incomplete_sweep', `no ${RESULTS_JSONL}: the sweep has not finished (continue it with carbon-sim bench --resume)`, { file: dir });
  const results = readResults(resultsFile);
  const suite = record.suite;
  const lines = summaryLines(results, { ...suite, schedulers: record.schedulers });
  const dims = ['carbon', 'max_wait', 'workload', 'forecast'] as const;
  const varying = dims.filter((k) => new Set(lines.map((l) => l[k])).size > 1);
  const cellKey = (r: { carbon: string; max_wait: string; workload: string; forecast: string }): string => JSON.stringify([r.carbon, r.max_wait, r.workload, r.forecast]);

  // the baseline of each group: the agnostic runs (role baseline, or the suite's own agnostic)
  const baselineRows = new Map<string, ResultRow[]>();
  for (const r of results) {
    if (r.scheduler !== BASELINE_SCHEDULER) continue;
    const k = cellKey(r);
    baselineRows.set(k, [...(baselineRows.get(k) ?? []), r]);
  }
  const bars: BarDatum[] = [];
  const savings: SavingDatum[] = [];
  const savingOf = new Map<SummaryLine, SavingDatum>();
  const groupsSeen = new Set<string>();
  const suiteHasBaseline = record.schedulers.includes(BASELINE_SCHEDULER);
  for (const l of lines) {
    const label = groupLabel(l, varying);
    if (l.scheduler !== BASELINE_SCHEDULER) {
      bars.push({ group: label, scheduler: l.scheduler, carbon_g: l.carbon_kg * 1000, mean_wait_h: l.mean_wait_h });
      const pcts = results.filter((r) => r.role === 'suite' && r.scheduler === l.scheduler && cellKey(r) === cellKey(l)).map((r) => r.carbon_saved_pct);
      if (pcts.length > 0 && pcts.every((p) => p !== null)) {
        const d = await describeSample(pcts as number[]);
        const datum: SavingDatum = { group: label, scheduler: l.scheduler, saving_pct: d.mean, seeds: d.n, ...(d.ci95 && { ci95: d.ci95 }) };
        savings.push(datum);
        savingOf.set(l, datum);
      }
    }
    // the baseline bar closes each group, after its schedulers
    const next = lines[lines.indexOf(l) + 1];
    if (!groupsSeen.has(cellKey(l)) && (next === undefined || cellKey(next) !== cellKey(l))) {
      groupsSeen.add(cellKey(l));
      const base = baselineRows.get(cellKey(l)) ?? [];
      if (base.length > 0) {
        const mean = (f: (r: ResultRow) => number): number => base.reduce((a, r) => a + f(r), 0) / base.length;
        bars.push({ group: label, scheduler: BASELINE_LABEL, carbon_g: mean((r) => r.carbon_g), mean_wait_h: mean((r) => r.mean_wait_s) / 3600 });
      }
    }
  }
  const barSchedulers = [...record.schedulers.filter((s) => s !== BASELINE_SCHEDULER), BASELINE_LABEL];

  // groups of runs that share everything but the scheduler, in summary order (first seed first)
  const groupKey = (r: ResultRow): string => JSON.stringify([r.carbon, r.max_wait, r.workload, r.forecast, r.seed]);
  const groups: string[] = [];
  for (const l of lines) {
    for (const seed of suite.seeds) {
      const key = JSON.stringify([l.carbon, l.max_wait, l.workload, l.forecast, seed]);
      if (!groups.includes(key)) groups.push(key);
    }
  }
  if (group > groups.length) throw new InputError('bad_option', `--group ${group}: the sweep has ${groups.length} groups`, { field: 'group' });
  const notes = [
    suite.description,
    `${results.filter((r) => r.role === 'suite').length} runs; saved = (agnostic carbon - carbon) / agnostic carbon of the same carbon, wait, workload, forecast and seed${suiteHasBaseline ? '' : ' (the agnostic baseline runs are added to the sweep)'}; full results in results.csv next to ${SWEEP_RECORD}.`,
  ];
  if (record.schedulers_skipped.length > 0) notes.push(`Skipped optional schedulers (not registered): ${record.schedulers_skipped.join(', ')}.`);
  const runs: RunChartData[] = [];
  if (group > 0) {
    const key = groups[group - 1]!;
    // suite schedulers in suite order, then the baseline
    const rank = (r: ResultRow): number => (r.role === 'baseline' ? Infinity : record.schedulers.indexOf(r.scheduler));
    const members = results.filter((r) => groupKey(r) === key).sort((a, b) => rank(a) - rank(b));
    const [carbon, maxWait, workload, forecast, seed] = JSON.parse(key) as string[];
    notes.push(`Timelines and power: group ${group} of ${groups.length} (${carbon}, wait ${maxWait}, ${workload}, forecast ${forecast}, seed ${seed}), re-run from the suite and checked against results.jsonl; choose another with --group.`);
    for (const row of members) {
      const { row: again, output } = await executeRun(row.id, specOf(row), dirname(record.suite_file));
      if (runValues(again) !== runValues(row)) {
        throw new InputError('not_reproduced', `re-running run ${row.id} does not reproduce results.jsonl (inputs changed since?); report without timelines: --group 0`, { file: resultsFile, field: 'id' });
      }
      runs.push(runChartData(`${row.scheduler}${row.role === 'baseline' ? ' (baseline)' : ''} | ${carbon} | ${maxWait}`, output.simulation.results, output.carbon, jobs));
    }
  }
  const table: ReportTable = { title: 'Summary (means over seeds; saving ± half the 95% interval over seeds)', headers: SWEEP_HEADERS, rows: lines.map((l) => sweepCells(l, savingOf.get(l))) };
  return { title: `carbon-sim bench: ${suite.name}`, notes: notes.filter((n) => n !== ''), runs, bars, schedulers: barSchedulers, savings, tables: [table] };
}
