// Report charts: plain data from a run, Vega-Lite specs over it, and SVG rendered in Node by vega
// (no canvas, no browser). vega and vega-lite load lazily: only reports pay for them.
import type { TopLevelSpec } from 'vega-lite';
import type { CarbonSignal } from '../carbon/signal.js';
import type { ClusterRecord } from '../accounting/meters.js';
import type { JobResult } from '../cluster/simulate.js';
import { executePlan } from '../model/execution.js';
import { JobRun } from '../model/jobrun.js';
import { carbonScale } from './format.js';
import { Adder } from './sum.js';

/** How many jobs the timeline draws: the earliest arrivals, so a big workload stays readable. */
export const TIMELINE_JOBS = 30;

export type PieceKind = 'startup' | 'work';

/** A run interval piece of one job, in Unix ms. */
export interface Piece {
  job: string;
  start: number;
  end: number;
  kind: PieceKind;
}

export interface RunChartData {
  /** e.g. `oracle | DE-2023 | 24h` */
  label: string;
  /** which jobs the timeline shows */
  shown: string;
  /** [from, to] in Unix ms: the shown jobs' arrivals to their last finish or deadline */
  window: [number, number];
  /** intensity steps in the window (gCO2/kWh), the last point repeated at the window's end */
  intensity: { t: number; v: number }[];
  /** the shown jobs' pieces, consecutive pieces of one kind joined */
  pieces: Piece[];
  /** the shown jobs' work that an interruption threw away (ran, then rolled back to a checkpoint) */
  lost: { job: string; start: number; end: number }[];
  /** the shown jobs' arrival to deadline, in arrival order; `missed`: finished after the deadline */
  waits: { job: string; arrival: number; deadline: number; missed: boolean }[];
  /** total power of all jobs in the window, by kind, at its start, every change and its end (W) */
  power: { t: number; kind: PieceKind; w: number }[];
  /** finite clusters: the cluster's draw (idle devices included) and queue length over the run */
  cluster?: { power: { t: number; w: number }[]; queue: { t: number; n: number }[] };
}

/** At most this many steps per cluster chart: longer series keep every k-th step. */
const CLUSTER_STEPS = 4000;

function thinned<T>(n: number, at: (i: number) => T): T[] {
  const k = Math.max(1, Math.ceil(n / CLUSTER_STEPS));
  const out: T[] = [];
  for (let i = 0; i < n; i += k) out.push(at(i));
  if (n > 0 && (n - 1) % k !== 0) out.push(at(n - 1));
  return out;
}

/** The cluster's power and queue steps as chart data (Unix ms). */
export function clusterChartData(record: ClusterRecord, epochMs: number): NonNullable<RunChartData['cluster']> {
  const ms = (s: number): number => epochMs + s * 1000;
  const power = thinned(record.powerT.length, (i) => ({ t: ms(record.powerT[i]!), w: record.powerW[i]! }));
  power.push({ t: ms(record.endS), w: power[power.length - 1]?.w ?? 0 });
  const queue = thinned(record.queueT.length, (i) => ({ t: ms(record.queueT[i]!), n: record.queueN[i]! }));
  return { power, queue };
}

/** The cluster's draw over the run, idle devices included. */
export function clusterPowerSpec(d: RunChartData): TopLevelSpec {
  return {
    title: { text: `Cluster power: ${d.label}`, subtitle: 'every device, idle draw included' },
    width: WIDTH,
    height: 160,
    data: { values: d.cluster?.power ?? [] },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x: { field: 't', ...timeAxis('time (UTC)') }, y: { field: 'w', type: 'quantitative', title: 'cluster power (W)' } },
  };
}

/** Jobs waiting to start over the run. */
export function queueSpec(d: RunChartData): TopLevelSpec {
  return {
    title: { text: `Queue length: ${d.label}`, subtitle: 'jobs submitted and not yet started' },
    width: WIDTH,
    height: 140,
    data: { values: d.cluster?.queue ?? [] },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x: { field: 't', ...timeAxis('time (UTC)') }, y: { field: 'n', type: 'quantitative', title: 'queued jobs' } },
  };
}

/** Lost work below this (s) is float residue, not a piece worth drawing. */
const LOST_EPS_S = 1e-6;

/** Chart data of one run: the first `maxJobs` jobs by arrival, and the power of every job. */
export function runChartData(label: string, results: readonly JobResult[], carbon: CarbonSignal, maxJobs = TIMELINE_JOBS): RunChartData {
  const ms = (s: number): number => carbon.epochMs + s * 1000;
  const order = results.map((_, i) => i).sort((a, b) => results[a]!.job.arrival - results[b]!.job.arrival || a - b);
  const shown = order.slice(0, maxJobs).map((i) => results[i]!);
  let from = Infinity;
  let to = -Infinity;
  for (const r of shown) {
    from = Math.min(from, r.job.arrival);
    to = Math.max(to, r.execution.finish, r.job.deadline);
  }

  const intensity: RunChartData['intensity'] = [{ t: ms(from), v: carbon.intensityAt(from) }];
  carbon.forEachBoundary(from, to, (t) => intensity.push({ t: ms(t), v: carbon.intensityAt(t) }));
  intensity.push({ t: ms(to), v: intensity[intensity.length - 1]!.v });

  const pieces: Piece[] = [];
  const lost: RunChartData['lost'] = [];
  for (const r of shown) {
    const sink = (a: number, b: number, _p: number, isStartup: boolean): void => {
      const kind: PieceKind = isStartup ? 'startup' : 'work';
      const last = pieces[pieces.length - 1];
      if (last && last.job === r.job.id && last.kind === kind && last.end === ms(a)) last.end = ms(b);
      else pieces.push({ job: r.job.id, start: ms(a), end: ms(b), kind });
    };
    // executePlan's fold, step by step, to see the work each stop rolls back (at full speed the
    // lost seconds of work are the last seconds of the interval)
    const run = new JobRun(r.job.profile);
    const intervals = r.execution.intervals;
    intervals.forEach(([s, e], k) => {
      if (run.done) return;
      run.start(s);
      if (k < intervals.length - 1) {
        const before = run.lostWorkS;
        run.stop(e, sink);
        const gone = run.lostWorkS - before;
        if (gone > LOST_EPS_S) lost.push({ job: r.job.id, start: ms(Math.max(s, e - gone)), end: ms(e) });
      } else run.advance(Infinity, sink);
    });
  }

  const missed = shown.filter((r) => r.missed).length;
  const notes = [`jobs ${shown.length} of ${results.length} (the earliest arrivals); power: all jobs`];
  if (missed > 0) notes.push(`${missed} shown job${missed === 1 ? '' : 's'} missed the deadline`);
  if (lost.length > 0) notes.push(`${lost.length} interruption${lost.length === 1 ? '' : 's'} lost work`);
  return {
    label,
    shown: notes.join('; '),
    window: [ms(from), ms(to)],
    intensity,
    pieces,
    lost,
    waits: shown.map((r) => ({ job: r.job.id, arrival: ms(r.job.arrival), deadline: ms(r.job.deadline), missed: r.missed })),
    power: powerSteps(results, from, to).map((p) => ({ ...p, t: ms(p.t) })),
  };
}

/** Total power by kind over [from, to] (s): a point at the start, at every change and at the end. */
function powerSteps(results: readonly JobResult[], from: number, to: number): { t: number; kind: PieceKind; w: number }[] {
  const changes: { t: number; startup: number; work: number }[] = [];
  for (const r of results) {
    const e = r.execution;
    if (e.finish <= from || e.start >= to) continue;
    executePlan(r.job.profile, r.job.arrival, r.execution.intervals, (a, b, p, isStartup) => {
      const s = Math.max(a, from);
      const t = Math.min(b, to);
      if (!(t > s) || p === 0) return;
      changes.push({ t: s, startup: isStartup ? p : 0, work: isStartup ? 0 : p });
      changes.push({ t, startup: isStartup ? -p : 0, work: isStartup ? 0 : -p });
    });
  }
  changes.sort((a, b) => a.t - b.t);
  const startup = new Adder();
  const work = new Adder();
  const out: { t: number; kind: PieceKind; w: number }[] = [];
  const emit = (t: number): void => {
    out.push({ t, kind: 'startup', w: settled(+startup) }, { t, kind: 'work', w: settled(+work) });
  };
  if (changes.length === 0 || changes[0]!.t > from) emit(from);
  for (let i = 0; i < changes.length; ) {
    const t = changes[i]!.t;
    for (; i < changes.length && changes[i]!.t === t; i++) {
      startup.add(changes[i]!.startup);
      work.add(changes[i]!.work);
    }
    emit(t);
  }
  if (out[out.length - 1]!.t < to) emit(to);
  return out;
}

/** A running sum of +p and -p is exactly 0 in exact arithmetic; drop the rounding residue (< 1 uW). */
function settled(w: number): number {
  return Math.abs(w) < 1e-6 ? 0 : w;
}

/** Colours of the timeline's legend entries; an entry is listed only when the chart has it. */
const TIMELINE_COLORS = { startup: '#e45756', work: '#4c78a8', 'lost work': '#f58518', 'missed deadline': '#b10026' } as const;
type TimelineEntry = keyof typeof TIMELINE_COLORS;

function kindColor(entries: readonly TimelineEntry[]) {
  return { field: 'kind', type: 'nominal', title: null, scale: { domain: [...entries], range: entries.map((e) => TIMELINE_COLORS[e]) } } as const;
}

const WIDTH = 900;
const ROW_PX = 12;
/** Long labels are wrapped or shown whole, never cut with an ellipsis. */
const LABEL_LIMIT = 2000;

/** A UTC time axis; its domain is the data's, which starts and ends at the window in every chart. */
function timeAxis(title: string | null) {
  return { type: 'temporal', scale: { type: 'utc' }, axis: { title, format: '%b %d %H:%M', labelOverlap: true } } as const;
}

/** Carbon intensity with the shown jobs' run intervals shaded, over a Gantt of those jobs. */
export function timelineSpec(d: RunChartData): TopLevelSpec {
  const jobs = d.waits.map((w) => w.job);
  const hasStartup = d.pieces.some((p) => p.kind === 'startup');
  const missed = d.waits.filter((w) => w.missed).map((w) => ({ job: w.job, t: w.deadline, kind: 'missed deadline' }));
  const entries: TimelineEntry[] = [...(hasStartup ? (['startup'] as const) : []), 'work', ...(d.lost.length > 0 ? (['lost work'] as const) : []), ...(missed.length > 0 ? (['missed deadline'] as const) : [])];
  const color = kindColor(entries);
  const pieces = hasStartup ? d.pieces : d.pieces.filter((p) => p.kind !== 'startup');
  const gantt: unknown[] = [
    {
      data: { values: d.waits },
      mark: { type: 'bar', color: '#e6e6e6', height: 4 },
      encoding: {
        y: { field: 'job', type: 'ordinal', sort: jobs, title: 'job (arrival to deadline in grey)', axis: { labelLimit: LABEL_LIMIT } },
        x: { field: 'arrival', ...timeAxis('time (UTC)') },
        x2: { field: 'deadline' },
      },
    },
    {
      data: { values: pieces },
      mark: { type: 'bar', height: ROW_PX - 3 },
      encoding: { y: { field: 'job', type: 'ordinal', sort: jobs }, x: { field: 'start', ...timeAxis('time (UTC)') }, x2: { field: 'end' }, color },
    },
  ];
  if (d.lost.length > 0) {
    gantt.push({
      data: { values: d.lost.map((l) => ({ ...l, kind: 'lost work' })) },
      mark: { type: 'bar', height: ROW_PX - 7 },
      encoding: { y: { field: 'job', type: 'ordinal', sort: jobs }, x: { field: 'start', ...timeAxis('time (UTC)') }, x2: { field: 'end' }, color },
    });
  }
  if (missed.length > 0) {
    gantt.push({
      data: { values: missed },
      mark: { type: 'tick', thickness: 3, size: ROW_PX },
      encoding: { y: { field: 'job', type: 'ordinal', sort: jobs }, x: { field: 't', ...timeAxis('time (UTC)') }, color },
    });
  }
  return {
    title: { text: `Carbon intensity and run intervals: ${d.label}`, subtitle: d.shown },
    vconcat: [
      {
        width: WIDTH,
        height: 180,
        layer: [
          {
            data: { values: pieces },
            mark: { type: 'rect', opacity: 0.12 },
            encoding: { x: { field: 'start', ...timeAxis(null) }, x2: { field: 'end' }, color },
          },
          {
            data: { values: d.intensity },
            mark: { type: 'line', interpolate: 'step-after', color: '#222', strokeWidth: 1.5 },
            encoding: { x: { field: 't', ...timeAxis(null) }, y: { field: 'v', type: 'quantitative', title: 'gCO2/kWh' } },
          },
        ],
      },
      { width: WIDTH, height: Math.max(1, jobs.length) * ROW_PX, layer: gantt },
    ],
    resolve: { scale: { x: 'shared', y: 'independent' } },
    // the legend shows the Gantt's solid colours, not the faint shading
    config: { legend: { symbolOpacity: 1, symbolType: 'square' } },
  } as TopLevelSpec;
}

/** Stepped total power of all jobs, startup and work stacked (startup only when there is any). */
export function powerSpec(d: RunChartData): TopLevelSpec {
  const hasStartup = d.power.some((p) => p.kind === 'startup' && p.w !== 0);
  return {
    title: { text: `Power: ${d.label}`, subtitle: hasStartup ? 'all jobs running in the window, startup and work stacked' : 'all jobs running in the window (no startup phases)' },
    width: WIDTH,
    height: 180,
    data: { values: hasStartup ? d.power : d.power.filter((p) => p.kind !== 'startup') },
    mark: { type: 'area', interpolate: 'step-after' },
    encoding: {
      x: { field: 't', ...timeAxis('time (UTC)') },
      y: { field: 'w', type: 'quantitative', stack: 'zero', title: 'power (W)' },
      color: kindColor(hasStartup ? ['startup', 'work'] : ['work']),
      order: { field: 'kind', sort: 'ascending' },
    },
  };
}

/** The label and colour of the carbon-agnostic baseline in the bar charts. */
export const BASELINE_LABEL = 'agnostic (baseline)';
export const BASELINE_COLOR = '#9d9d9d';
/** The saving bars' colour (green); its error bars are black. */
export const SAVING_COLOR = '#54a24b';
/** Scheduler colours (tableau10 without its grey, the baseline's, and without the timeline's red and blue). */
const SCHEDULER_COLORS = ['#72b7b2', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#4c78a8', '#f58518', '#e45756'];

export interface BarDatum {
  /** the sweep group: the inputs that vary, scheduler aside */
  group: string;
  /** scheduler, or BASELINE_LABEL for the carbon-agnostic baseline */
  scheduler: string;
  /** mean over seeds */
  carbon_g: number;
  mean_wait_h: number;
}

export interface SavingDatum {
  group: string;
  scheduler: string;
  /** mean over seeds of 100 x (baseline carbon - carbon) / baseline carbon */
  saving_pct: number;
  /** 95% confidence interval of the mean over seeds; absent with one seed */
  ci95?: [number, number];
  seeds: number;
}

/** Group labels wrap at their ` | ` separators, one input per line. */
const WRAP = "split(datum.label, ' | ')";

function schedulerColor(schedulers: readonly string[]) {
  let k = 0;
  const range = schedulers.map((s) => (s === BASELINE_LABEL ? BASELINE_COLOR : SCHEDULER_COLORS[k++ % SCHEDULER_COLORS.length]!));
  return { field: 'scheduler', type: 'nominal', title: 'scheduler', sort: [...schedulers], scale: { domain: [...schedulers], range }, legend: { labelLimit: LABEL_LIMIT } } as const;
}

/** Per-scheduler bars of carbon and of mean waiting time, one band per group, the baseline in grey. */
export function barsSpec(bars: readonly BarDatum[], schedulers: readonly string[]): TopLevelSpec {
  const { unit, perG } = carbonScale(Math.max(0, ...bars.map((b) => b.carbon_g)));
  const values = bars.map((b) => ({ ...b, carbon: b.carbon_g * perG }));
  const y = { field: 'group', type: 'nominal', title: null, sort: null, axis: { labelExpr: WRAP, labelLimit: LABEL_LIMIT } } as const;
  const yOffset = { field: 'scheduler', type: 'nominal', sort: [...schedulers] } as const;
  const color = schedulerColor(schedulers);
  const panel = (field: string, title: string, format: string) => ({
    width: 420,
    height: { step: ROW_PX + 2 },
    layer: [
      { mark: 'bar', encoding: { y, yOffset, color, x: { field, type: 'quantitative', title } } },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: { y, yOffset, x: { field, type: 'quantitative' }, text: { field, type: 'quantitative', format } },
      },
    ],
  });
  return {
    title: { text: 'Carbon and waiting time by scheduler', subtitle: `the carbon-agnostic baseline (every job at arrival) in grey; means over seeds` },
    data: { values },
    hconcat: [panel('carbon', `carbon (${unit})`, '.4~r'), panel('mean_wait_h', 'mean wait (h)', '.3~r')],
  } as TopLevelSpec;
}

/** Saving against the carbon-agnostic baseline in %, per group and scheduler, with 95% intervals over seeds. */
export function savingSpec(savings: readonly SavingDatum[], schedulers: readonly string[]): TopLevelSpec {
  const values = savings.map((s) => ({
    ...s,
    low: s.ci95?.[0] ?? s.saving_pct,
    high: s.ci95?.[1] ?? s.saving_pct,
    text: `${s.saving_pct.toFixed(1)} %${s.ci95 ? ` ± ${((s.ci95[1] - s.ci95[0]) / 2).toFixed(1)}` : ''}`,
  }));
  const seeds = Math.max(...savings.map((s) => s.seeds));
  const y = { field: 'scheduler', type: 'nominal', title: null, sort: [...schedulers], axis: { labelLimit: LABEL_LIMIT } } as const;
  const x = { field: 'saving_pct', type: 'quantitative', title: 'carbon saved vs the agnostic baseline (%)' } as const;
  return {
    title: {
      text: 'Carbon saved against the carbon-agnostic baseline',
      subtitle: seeds > 1 ? 'mean over seeds; error bars: 95% confidence interval of the mean' : 'one seed per group (no error bars)',
    },
    data: { values },
    facet: { row: { field: 'group', type: 'nominal', sort: [...new Set(savings.map((x) => x.group))], title: null, header: { labelExpr: WRAP, labelAngle: 0, labelAlign: 'left', labelLimit: LABEL_LIMIT } } },
    spec: {
      width: 700,
      height: { step: ROW_PX + 6 },
      layer: [
        { mark: { type: 'bar', color: SAVING_COLOR }, encoding: { y, x } },
        { mark: { type: 'rule', color: '#222' }, encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y, x: { field: 'high', type: 'quantitative' }, text: { field: 'text' } } },
        { mark: { type: 'rule', color: '#444' }, encoding: { x: { datum: 0, type: 'quantitative' } } },
      ],
    },
  } as TopLevelSpec;
}

/** Collects vega's warnings: our specs are fixed, so any warning is a bug to fail on, not to print. */
class ChartLog {
  readonly problems: string[] = [];
  private current = 2;
  level(level?: number): number | this {
    if (level === undefined) return this.current;
    this.current = level;
    return this;
  }
  error(...args: unknown[]): this {
    this.problems.push(args.map(String).join(' '));
    return this;
  }
  warn(...args: unknown[]): this {
    return this.error(...args);
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/** Render a Vega-Lite spec to a standalone SVG string in Node. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const log = new ChartLog();
  const view = new vega.View(vega.parse(vl.compile(spec, { logger: log }).spec), { renderer: 'none', logger: log, logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    if (log.problems.length > 0) throw new Error(`chart "${JSON.stringify(spec.title)}": ${log.problems.join('; ')}`);
    return svg;
  } finally {
    view.finalize();
  }
}
