// `carbon-sim dr <scenario.json> --policy NAME`: plan a demand-response scenario with one of the
// four Emerald policies and print the plan (docs/demand-response.md). Optionally run it on the
// online engine too (--engine), charge carbon (--carbon), compose with a carbon-aware scheduler
// (--scheduler), take the events from a --dr file or a grid signal, and write an HTML report.
// Everything is computed before anything is written: bad input leaves no output behind.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { parseTimestamp } from '../carbon/csv.js';
import { loadCarbon } from '../carbon/load.js';
import { eventsFromGridSignal, parseDrEvents, parseGridSignal, parseTargetSpec, type DrEvent } from '../cluster/demand-response.js';
import { InputError } from '../errors.js';
import { parseDuration } from '../io/units.js';
import { runDrOnEngine, type DrEngineResult } from '../policies/dr/engine.js';
import { DR_POLICY_DESCRIPTIONS } from '../policies/dr/plan.js';
import { parseDrScenario, planJson, planScenario, planSummary, scenarioOptions, type DrScenario } from '../policies/dr/scenario.js';
import { DR_POLICY_NAMES, isDrPolicyName, type DrPlan, type DrPolicyName } from '../policies/dr/shared.js';
import { renderSvg } from '../report/charts.js';

export interface DrFlags {
  policy?: string;
  format?: string;
  dr?: string;
  engine?: boolean;
  carbon?: string;
  start?: string;
  scheduler?: string;
  report?: string;
  gridSignal?: string;
  gridColumn?: string;
  gridThreshold?: string;
  gridTarget?: string;
  gridRamp?: string;
  restartOnResize?: boolean;
}

export const DR_POLICY_HELP = DR_POLICY_NAMES.map((n) => `${n}: ${DR_POLICY_DESCRIPTIONS[n]}`).join('; ');

function readJson(path: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError('bad_json', `not JSON: ${(err as Error).message}`, { file: path });
  }
}

function readText(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field });
  }
}

function gridEvents(flags: DrFlags): { events: DrEvent[]; file: string } {
  const file = flags.gridSignal!;
  const signal = parseGridSignal(readText(file, 'grid-signal'), file, flags.gridColumn);
  const th = flags.gridThreshold;
  if (th === undefined) throw new InputError('bad_option', '--grid-signal needs --grid-threshold (a level, or a quantile such as p90)', { field: 'grid-threshold' });
  const q = /^p(\d+(?:\.\d+)?)$/.exec(th.trim());
  let threshold: { value: number } | { quantile: number };
  if (q && Number(q[1]) <= 100) threshold = { quantile: Number(q[1]) / 100 };
  else if (th.trim() !== '' && Number.isFinite(Number(th))) threshold = { value: Number(th) };
  else throw new InputError('bad_option', `"${th}" is not a level or a quantile (p90)`, { field: 'grid-threshold' });
  const targetText = flags.gridTarget ?? '75%';
  const target = parseTargetSpec(Number.isFinite(Number(targetText)) ? Number(targetText) : targetText, '--grid-target', 'grid-target');
  const rampS = flags.gridRamp === undefined ? 900 : parseDuration(flags.gridRamp, 'grid-ramp');
  const events = eventsFromGridSignal(signal, { threshold, target, rampS });
  if (events.length === 0) throw new InputError('bad_option', `the signal never reaches the threshold ${th}`, { file, field: 'grid-threshold' });
  return { events, file };
}

export interface DrOutput {
  scenario: DrScenario;
  plan: DrPlan;
  engine: DrEngineResult | undefined;
  json: string;
  text: string;
}

/** Everything the command prints, computed without writing anything. */
export function runDr(scenarioPath: string, flags: DrFlags): DrOutput {
  const policy = flags.policy ?? 'dvfs-fair';
  if (!isDrPolicyName(policy)) throw new InputError('unknown_policy', `unknown policy "${policy}" (${DR_POLICY_NAMES.join(', ')})`, { field: 'policy' });
  const format = flags.format ?? 'table';
  if (format !== 'json' && format !== 'table') throw new InputError('bad_option', `unknown format "${format}" (json or table)`, { field: 'format' });
  if (flags.dr !== undefined && flags.gridSignal !== undefined) throw new InputError('bad_option', 'give --dr or --grid-signal, not both', { field: 'grid-signal' });
  if ((flags.carbon !== undefined || flags.scheduler !== undefined) && !flags.engine) throw new InputError('bad_option', '--carbon and --scheduler apply to the engine run: add --engine', { field: flags.carbon !== undefined ? 'carbon' : 'scheduler' });
  if (flags.start !== undefined && flags.carbon === undefined) throw new InputError('bad_option', '--start places the scenario on the carbon trace: it needs --carbon', { field: 'start' });

  let overrides = {};
  if (flags.dr !== undefined) {
    const ev = parseDrEvents(readJson(flags.dr, 'dr'), flags.dr);
    overrides = { events: { ...ev, file: flags.dr } };
  } else if (flags.gridSignal !== undefined) overrides = { events: gridEvents(flags) };
  const scenario = parseDrScenario(readJson(scenarioPath, 'scenario'), scenarioPath, overrides);
  const plan = planScenario(scenario, policy);

  let engine: DrEngineResult | undefined;
  if (flags.engine) {
    // the always-running jobs start a minute before the first event, or before the earliest submission
    let leadS = 60;
    for (const sh of scenario.shiftable.values()) leadS = Math.max(leadS, scenario.timeline.events[0]!.startS - sh.arrivalS);
    let carbon;
    if (flags.carbon !== undefined) {
      let startMs: number | undefined;
      if (flags.start !== undefined) {
        const ms = parseTimestamp(flags.start);
        if (Number.isNaN(ms)) throw new InputError('bad_start', `"${flags.start}" is not an ISO 8601 instant`, { field: 'start' });
        startMs = ms + (scenario.timeline.events[0]!.startS - leadS) * 1000;
      }
      carbon = loadCarbon(flags.carbon, { ...(startMs !== undefined && { startMs }), extend: 'none' });
    }
    try {
      engine = runDrOnEngine(policy, scenario.jobs, scenario.timeline, plan, {
        ...scenarioOptions(scenario),
        leadS,
        restart: scenario.restart,
        shiftable: scenario.shiftable,
        ...(carbon && { carbon }),
        ...(flags.scheduler !== undefined && { scheduler: flags.scheduler }),
        ...(flags.restartOnResize === false && { restartOnResize: false }),
      });
    } catch (err) {
      if (err instanceof InputError) err.at({ file: scenarioPath });
      throw err;
    }
  } else if (scenario.shiftable.size > 0) {
    throw new InputError('bad_option', 'jobs with arrival and length are scheduled on the engine: add --engine', { file: scenarioPath, field: 'engine' });
  }

  const body: Record<string, unknown> = { ...planJson(plan) };
  if (engine) body.engine = engineJson(engine, plan);
  const json = JSON.stringify(body, null, 2) + '\n';
  return { scenario, plan, engine, json, text: format === 'json' ? json : renderTable(policy, scenario, plan, engine) };
}

function engineJson(e: DrEngineResult, plan: DrPlan): Record<string, unknown> {
  let maxDiff = 0;
  plan.segments.forEach((s, i) => {
    if (Number.isFinite(s.t1)) maxDiff = Math.max(maxDiff, Math.abs(e.segmentPowerW[i]! - s.powerW));
  });
  return {
    policy: e.policy,
    energy_kwh: e.energyJ / 3.6e6,
    carbon_g: e.carbonG,
    over_target_min: e.overTargetS / 60,
    max_excess_w: e.maxExcessW,
    max_segment_power_diff_w: maxDiff,
    segment_power: Array.from(e.segmentPowerW),
    jobs: Object.fromEntries(e.jobs.map((j) => [j.name, { energy_kwh: j.energyJ / 3.6e6, carbon_g: j.carbonG, starts: j.starts, event_ratio: j.eventRatio.length === 1 ? j.eventRatio[0] : j.eventRatio, queue_wait_min: j.queueWaitS / 60 }])),
    actions: e.actions.map((a) => ({ t: (a.t - e.shiftS) / 60, job: a.job, gpus: a.gpus, cap: a.cap })),
  };
}

const w = (x: number): string => (Number.isFinite(x) ? Math.round(x).toString() : '-');
const mins = (s: number): string => (Number.isFinite(s) ? (s / 60).toFixed(2).replace(/\.?0+$/, '') : 'open');

function renderTable(policy: DrPolicyName, s: DrScenario, plan: DrPlan, engine: DrEngineResult | undefined): string {
  const sum = planSummary(plan);
  const lines: string[] = [];
  lines.push(`${policy}: ${s.jobs.length} jobs, baseline ${w(s.baselineW)} W, margin ${w(s.timeline.marginW)} W, ${s.timeline.events.length} event(s)`);
  const names = s.jobs.map((j) => j.name);
  const header = ['t0 min', 't1 min', 'target W', 'budget W', 'power W', ...names];
  const rows = plan.segments.map((g) => [mins(g.t0), mins(g.t1), w(g.targetW), w(g.budgetW), w(g.powerW), ...s.jobs.map((j) => (g.gpus[j.index] === 0 ? 'paused' : `${g.gpus[j.index]}@${g.caps[j.index]}W`))]);
  lines.push(table(header, rows));
  lines.push('');
  const thr = plan.throughput;
  lines.push(table(['job', ...thr.flatMap((_, k) => (thr.length > 1 ? [`event ${k} ratio`, `min`] : ['event ratio', 'min']))], s.jobs.map((j) => [j.name, ...thr.flatMap((ev) => [ev[j.index]!.eventRatio.toFixed(4), ev[j.index]!.rMin.toFixed(4)])])));
  lines.push('');
  lines.push(`over target: ${mins(sum.overTargetS)} min (largest excess ${w(sum.maxExcessW)} W); over budget: ${mins(sum.overBudgetS)} min; event energy ${(sum.eventEnergyJ / 3.6e6).toFixed(3)} kWh`);
  if (engine) {
    lines.push(`engine (${engine.policy}): energy ${(engine.energyJ / 3.6e6).toFixed(3)} kWh, carbon ${engine.carbonG.toFixed(1)} g, over target ${mins(engine.overTargetS)} min, starts ${engine.jobs.map((j) => `${j.name} ${j.starts}`).join(', ')}`);
    lines.push(`engine event ratios: ${engine.jobs.map((j) => `${j.name} ${j.eventRatio.map((r) => r.toFixed(4)).join('/')}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => r.map((x, c) => x.padStart(widths[c]!)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

// ---- the report: power against the target band, per-job caps and GPUs ----

const WIDTH = 900;

export function powerChartSpec(plan: DrPlan, engine: DrEngineResult | undefined, measured?: { t: number[]; w: number[] }): TopLevelSpec {
  const end = Math.max(...plan.segments.filter((s) => Number.isFinite(s.t1)).map((s) => s.t1), plan.timeline.steps[0]!.t0) + 3600;
  const band = plan.segments.flatMap((s) => {
    const t1 = Number.isFinite(s.t1) ? s.t1 : end;
    return Number.isFinite(s.targetW) ? [{ t: s.t0 / 60, lo: s.budgetW, hi: s.targetW }, { t: t1 / 60, lo: s.budgetW, hi: s.targetW }] : [];
  });
  const series: { t: number; w: number; series: string }[] = [];
  for (const s of plan.segments) {
    const t1 = Number.isFinite(s.t1) ? s.t1 : end;
    series.push({ t: s.t0 / 60, w: s.powerW, series: 'plan' }, { t: t1 / 60, w: s.powerW, series: 'plan' });
  }
  if (engine) for (let i = 0; i < engine.powerT.length; i++) series.push({ t: engine.powerT[i]! / 60, w: engine.powerW[i]!, series: 'engine' });
  if (measured) for (let i = 0; i < measured.t.length; i++) series.push({ t: measured.t[i]! / 60, w: measured.w[i]!, series: 'measured' });
  return {
    title: { text: `Cluster power: ${plan.policy}`, subtitle: 'shaded: between budget (target - margin) and target' },
    width: WIDTH,
    height: 260,
    layer: [
      { data: { values: band }, mark: { type: 'area', opacity: 0.25, color: '#d62728' }, encoding: { x: { field: 't', type: 'quantitative', title: 'minutes' }, y: { field: 'lo', type: 'quantitative', title: 'power (W)' }, y2: { field: 'hi' } } },
      { data: { values: series }, mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'w', type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null } } },
    ],
  };
}

export function jobChartSpec(plan: DrPlan, field: 'cap' | 'gpus'): TopLevelSpec {
  const end = Math.max(...plan.segments.filter((s) => Number.isFinite(s.t1)).map((s) => s.t1)) + 3600;
  const values = plan.segments.flatMap((s) =>
    plan.jobs.flatMap((j) => {
      const v = field === 'cap' ? (s.gpus[j.index] === 0 ? 0 : s.caps[j.index]!) : s.gpus[j.index]!;
      return [{ t: s.t0 / 60, v, job: j.name }, { t: (Number.isFinite(s.t1) ? s.t1 : end) / 60, v, job: j.name }];
    }),
  );
  return {
    title: field === 'cap' ? 'Per-job GPU power cap (0: paused)' : 'Per-job GPUs (0: paused)',
    width: WIDTH,
    height: 200,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x: { field: 't', type: 'quantitative', title: 'minutes' }, y: { field: 'v', type: 'quantitative', title: field === 'cap' ? 'cap (W per GPU)' : 'GPUs' }, color: { field: 'job', type: 'nominal' } },
  };
}

export async function drReportHtml(out: DrOutput): Promise<string> {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const svgs = await Promise.all([renderSvg(powerChartSpec(out.plan, out.engine)), renderSvg(jobChartSpec(out.plan, 'cap')), renderSvg(jobChartSpec(out.plan, 'gpus'))]);
  const inline = (svg: string): string => svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>carbon-sim dr: ${esc(out.plan.policy)}</title>`,
    '<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222}pre{font-size:12px}svg{max-width:100%;height:auto}</style>',
    '</head><body>',
    `<h1>Demand response: ${esc(out.plan.policy)} (${esc(basename(out.scenario.file))})</h1>`,
    ...svgs.map((s) => `<figure>${inline(s)}</figure>`),
    `<pre>${esc(renderTable(out.plan.policy, out.scenario, out.plan, out.engine))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}

function writeAtomically(path: string, text: string, field: string): void {
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.carbon-sim-tmp-${process.pid}`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unwritable_file', `cannot write the output (${code ?? (err as Error).message})`, { file: path, field });
  }
}

export async function drCommand(scenarioPath: string, flags: DrFlags, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const out = runDr(scenarioPath, flags);
  if (flags.report !== undefined) writeAtomically(flags.report, await drReportHtml(out), 'report');
  write(out.text);
}

/** The `dr` command on the program (main.ts calls this; the options live here). */
export function registerDr(cli: Command): void {
  cli
    .command('dr')
    .description('plan a grid demand-response scenario with one of the Emerald policies (see docs/demand-response.md)')
    .argument('<scenario>', 'scenario JSON: {profiles, jobs: [[name, profile, gpus, bucket, {flex_window?, uses_dvfs?}?]], signal: {event_start, event_end, ramp_duration, target_power}, ramp_step, margin_frac, gpu_step, fair_mode}')
    .addOption(new Option('--policy <name>', DR_POLICY_HELP).choices(DR_POLICY_NAMES).default('dvfs-fair'))
    .addOption(new Option('--format <format>', 'output: the plan as JSON, or tables').choices(['table', 'json']).default('table'))
    .option('--dr <events.json>', 'demand-response events instead of the scenario\'s signal: {"events": [{"start", "end", "ramp", "target"}], "ramp_step", "margin"} (minutes; target in W or "75%")')
    .option('--grid-signal <file.csv>', 'derive the events from a grid series (time,value; H:MM, minutes or ISO): every run at or above --grid-threshold is a hold')
    .option('--grid-column <name>', 'value column of --grid-signal (default: the second)')
    .option('--grid-threshold <level|pNN>', 'level of --grid-signal that calls an event: a value or a quantile such as p90')
    .option('--grid-target <W|N%>', 'target of the derived events (default 75%)')
    .option('--grid-ramp <duration>', 'ramp of the derived events (default 15m)')
    .option('--engine', 'also run the policy online on the engine: restarts charged, per-segment power compared with the plan')
    .option('--no-restart-on-resize', 'engine: resize without the checkpoint-stop-restart the field used')
    .option('--carbon <trace>', 'engine: carbon intensity to charge (file or bundled name)')
    .option('--start <iso>', 'engine: the instant of scenario time 0 on the carbon trace (default: 1 min after the trace starts)')
    .option('--scheduler <name>', 'engine: a carbon-aware planner or batch policy that schedules the jobs (DR composes with it)')
    .option('--report <file.html>', 'write an HTML report: power against the target band, per-job caps and GPUs')
    .action((scenario: string, opts: DrFlags) => drCommand(scenario, opts));
}
