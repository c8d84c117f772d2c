// Report charts: plain data from a run, Vega-Lite specs over it, and SVG rendered in Node by vega
// (no canvas, no browser). vega and vega-lite load lazily: only reports pay for them.
import type { TopLevelSpec } from 'vega-lite';
import type { CarbonSignal } from '../carbon/signal.js';
import type { ClusterRecord } from '../accounting/meters.js';
import type { JobResult } from '../cluster/simulate.js';
import { executePlan } from '../model/execution.js';
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
  /** the shown jobs' arrival to deadline, in arrival order */
  waits: { job: string; arrival: number; deadline: number }[];
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
  for (const r of shown) {
    executePlan(r.job.profile, r.job.arrival, r.execution.intervals, (a, b, _p, isStartup) => {
      const kind: PieceKind = isStartup ? 'startup' : 'work';
      const last = pieces[pieces.length - 1];
      if (last && last.job === r.job.id && last.kind === kind && last.end === ms(a)) last.end = ms(b);
      else pieces.push({ job: r.job.id, start: ms(a), end: ms(b), kind });
    });
  }

  return {
    label,
    shown: `jobs ${shown.length} of ${results.length} (the earliest arrivals); power: all jobs`,
    window: [ms(from), ms(to)],
    intensity,
    pieces,
    waits: shown.map((r) => ({ job: r.job.id, arrival: ms(r.job.arrival), deadline: ms(r.job.deadline) })),
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

const KIND_COLOR = { field: 'kind', type: 'nominal', title: 'phase', scale: { domain: ['startup', 'work'], range: ['#e45756', '#4c78a8'] } } as const;
const WIDTH = 900;
const ROW_PX = 12;

/** A UTC time axis; its domain is the data's, which starts and ends at the window in every chart. */
function timeAxis(title: string | null) {
  return { type: 'temporal', scale: { type: 'utc' }, axis: { title, format: '%b %d %H:%M', labelOverlap: true } } as const;
}

/** Carbon intensity with the shown jobs' run intervals shaded, over a Gantt of those jobs. */
export function timelineSpec(d: RunChartData): TopLevelSpec {
  const jobs = d.waits.map((w) => w.job);
  return {
    title: { text: `Carbon intensity and run intervals: ${d.label}`, subtitle: d.shown },
    vconcat: [
      {
        width: WIDTH,
        height: 180,
        layer: [
          {
            data: { values: d.pieces },
            mark: { type: 'rect', opacity: 0.12 },
            encoding: { x: { field: 'start', ...timeAxis(null) }, x2: { field: 'end' }, color: KIND_COLOR },
          },
          {
            data: { values: d.intensity },
            mark: { type: 'line', interpolate: 'step-after', color: '#222', strokeWidth: 1.5 },
            encoding: { x: { field: 't', ...timeAxis(null) }, y: { field: 'v', type: 'quantitative', title: 'gCO2/kWh' } },
          },
        ],
      },
      {
        width: WIDTH,
        height: Math.max(1, jobs.length) * ROW_PX,
        layer: [
          {
            data: { values: d.waits },
            mark: { type: 'bar', color: '#e6e6e6', height: 4 },
            encoding: {
              y: { field: 'job', type: 'ordinal', sort: jobs, title: 'job (arrival to deadline in grey)' },
              x: { field: 'arrival', ...timeAxis('time (UTC)') },
              x2: { field: 'deadline' },
            },
          },
          {
            data: { values: d.pieces },
            mark: { type: 'bar', height: ROW_PX - 3 },
            encoding: { y: { field: 'job', type: 'ordinal', sort: jobs }, x: { field: 'start', ...timeAxis('time (UTC)') }, x2: { field: 'end' }, color: KIND_COLOR },
          },
        ],
      },
    ],
    resolve: { scale: { x: 'shared', y: 'independent' } },
    // the legend shows the Gantt's solid colours, not the faint shading
    config: { legend: { symbolOpacity: 1 } },
  };
}

/** Stepped total power of all jobs, startup and work stacked. */
export function powerSpec(d: RunChartData): TopLevelSpec {
  return {
    title: { text: `Power: ${d.label}`, subtitle: 'all jobs running in the window, startup and work stacked' },
    width: WIDTH,
    height: 180,
    data: { values: d.power },
    mark: { type: 'area', interpolate: 'step-after' },
    encoding: {
      x: { field: 't', ...timeAxis('time (UTC)') },
      y: { field: 'w', type: 'quantitative', stack: 'zero', title: 'power (W)' },
      color: KIND_COLOR,
      order: { field: 'kind', sort: 'ascending' },
    },
  };
}

export interface BarDatum {
  /** the sweep group: the inputs that vary, scheduler aside */
  group: string;
  scheduler: string;
  carbon_kg: number;
  mean_wait_h: number;
}

/** Per-scheduler bars of carbon and of mean waiting time, one band per group. */
export function barsSpec(bars: readonly BarDatum[], schedulers: readonly string[]): TopLevelSpec {
  const y = { field: 'group', type: 'nominal', title: null, sort: null } as const;
  const yOffset = { field: 'scheduler', type: 'nominal', sort: [...schedulers] } as const;
  const color = { field: 'scheduler', type: 'nominal', sort: [...schedulers], title: 'scheduler' } as const;
  const panel = (field: keyof BarDatum, title: string) =>
    ({
      width: 420,
      height: { step: ROW_PX },
      mark: 'bar',
      encoding: { y, yOffset, color, x: { field, type: 'quantitative', title } },
    }) as const;
  return {
    title: 'Carbon and waiting time by scheduler',
    data: { values: bars },
    hconcat: [panel('carbon_kg', 'carbon (kg CO2)'), panel('mean_wait_h', 'mean wait (h)')],
  };
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
