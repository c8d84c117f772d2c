// `carbon-sim report <run-or-sweep-output> -o report.html`, and the report of `run --report`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { InputError } from '../errors.js';
import { clusterChartData, runChartData, TIMELINE_JOBS, type BarDatum, type RunChartData } from '../report/charts.js';
import { renderReport, type ReportInput, type ReportTable } from '../report/html.js';
import type { RunSummary } from '../report/summary.js';
import { runWorkload, type RunOutput } from '../app/run.js';
import { executeRun } from '../sweep/execute.js';
import { writeFilesAtomically } from '../io/files.js';
import { specOf } from '../sweep/plan.js';
import { readResults, runValues, SUMMARY_HEADERS, summaryCells, summaryLines, type ResultRow, type SummaryLine } from '../sweep/results.js';
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
  if (!existsSync(target)) throw new InputError('unreadable_file', 'no such file or folder', { file: target });
  const dir = statSync(target).isDirectory() ? target : dirname(target);
  let input: ReportInput;
  if (existsSync(join(dir, SWEEP_RECORD))) input = await sweepReportInput(dir, count(flags.group, 1, 'group', 0), jobs);
  else if (existsSync(join(dir, RUN_SUMMARY))) input = await runDirReportInput(dir, jobs);
  else throw new InputError('not_an_output', `neither a bench output (${SWEEP_RECORD}) nor a run --out folder (${RUN_SUMMARY})`, { file: target });
  await writeReport(flags.output, input);
}

/** Write the HTML and each chart as `<name>-<chart>.svg` next to it; nothing is written if rendering fails. */
export async function writeReport(file: string, input: ReportInput): Promise<void> {
  const { html, svgs } = await renderReport(input);
  const base = basename(file, extname(file));
  writeFilesAtomically(dirname(file), { [basename(file)]: html, ...Object.fromEntries(svgs.map((s) => [`${base}-${s.name}.svg`, s.svg])) });
}

const SUMMARY_ROWS: [keyof RunSummary, string][] = [
  ['jobs', 'jobs'],
  ['completed', 'completed'],
  ['missed_deadlines', 'missed deadlines'],
  ['energy_kwh', 'energy (kWh)'],
  ['carbon_g', 'carbon (g CO2)'],
  ['overhead_energy_kwh', 'overhead energy (kWh)'],
  ['mean_wait_s', 'mean wait (s)'],
  ['interruptions', 'interruptions'],
];

/** The report of one run: its timeline, power, one bar and its summary. */
export function runReportInput(out: RunOutput, inputs: Record<string, string>, jobs = TIMELINE_JOBS): ReportInput {
  const label = [inputs.scheduler, inputs.carbon, inputs.deadline].filter((x) => x !== undefined && x !== '').join(' | ');
  const group = [inputs.carbon, inputs.deadline].filter((x) => x !== undefined && x !== '').join(' | ');
  const s = out.summary;
  return {
    title: `carbon-sim run: ${label}`,
    notes: [],
    runs: [{ ...runChartData(label, out.simulation.results, out.carbon, jobs), ...(out.simulation.cluster && { cluster: clusterChartData(out.simulation.cluster, out.carbon.epochMs) }) }],
    bars: [{ group, scheduler: inputs.scheduler ?? '', carbon_kg: s.carbon_g / 1000, mean_wait_h: s.mean_wait_s / 3600 }],
    schedulers: [inputs.scheduler ?? ''],
    tables: [
      { title: 'Summary', headers: ['metric', 'value'], rows: SUMMARY_ROWS.map(([k, name]) => [name, String(s[k])]) },
      ...(s.cluster ? [{ title: 'Cluster', headers: ['metric', 'value'], rows: Object.entries(s.cluster).map(([k, v]) => [k, String(v)]) }] : []),
      { title: 'Inputs', headers: ['input', 'value'], rows: Object.entries(inputs).map(([k, v]) => [k, v]) },
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
  return runReportInput(out, shown, jobs);
}

/** The inputs that vary across a sweep's groups, scheduler aside, joined as a label. */
function groupLabel(line: { carbon: string; max_wait: string; workload: string; forecast: string }, varying: (keyof typeof line)[]): string {
  return varying.length === 0 ? line.carbon : varying.map((k) => line[k]).join(' | ');
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
  const bars: BarDatum[] = lines.map((l: SummaryLine) => ({ group: groupLabel(l, varying), scheduler: l.scheduler, carbon_kg: l.carbon_kg, mean_wait_h: l.mean_wait_h }));

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
  const notes = [suite.description, `${results.filter((r) => r.role === 'suite').length} runs; full results in results.csv next to ${SWEEP_RECORD}.`];
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
  const table: ReportTable = { title: 'Summary (means over seeds)', headers: SUMMARY_HEADERS, rows: lines.map(summaryCells) };
  return { title: `carbon-sim bench: ${suite.name}`, notes: notes.filter((n) => n !== ''), runs, bars, schedulers: record.schedulers, tables: [table] };
}
