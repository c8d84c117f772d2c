// The library form of `carbon-sim run`: everything the CLI does, as one typed function.
import { readFileSync } from 'node:fs';
import { parseTimestamp, type CarbonColumn, type CarbonUnit } from '../carbon/csv.js';
import { forecastView, parseForecast } from '../carbon/forecast.js';
import { isIssuedForecastSpec, issuedForecast, parseIssuedSpec } from '../carbon/issued.js';
import { loadCarbonTrace } from '../carbon/load.js';
import { shapeCarbon, type FillMode, type FillReport } from '../carbon/transform.js';
import type { CarbonSignal, ExtendMode } from '../carbon/signal.js';
import { EventCollector, type LoggedEvent } from '../accounting/eventlog.js';
import { simulate, type SimulationListener, type SimulationResult } from '../cluster/simulate.js';
import { clusterSummary } from '../accounting/metrics.js';
import { readClusterSpec, type PowerOverrides } from '../cluster/spec.js';
import { ClusterState } from '../cluster/state.js';
import type { ClusterSpec } from '../cluster/types.js';
import { InputError } from '../errors.js';
import { createPolicy, isPolicyName } from '../policies/registry.js';
import { JobTable } from '../model/job-table.js';
import { cpuRequest, type Job } from '../model/jobs.js';
import { jobRecord, summarize, type JobRecord, type RunSummary } from '../report/summary.js';
import type { PlanLength, StartGrid } from '../schedulers/candidates.js';
import { createScheduler, schedulerReadsSlot, slotSchedulerNames } from '../schedulers/registry.js';
import { checkPlanBook, parsePlanBook } from '../schedulers/replay.js';
import { loadMilpBackend } from '../solvers/milp.js';
import type { SolverName } from '../solvers/solve.js';
import { chooseDeadlineRule } from '../model/deadlines.js';
import { noSkippedJobs, type SkippedJobs } from '../io/swf.js';
import { resolveWorkloadPath } from '../io/bundled.js';
import { fastJobTable, readWorkloadFile, toJobs, type JobSpec, type LoadedWorkload, type TimeUnit } from '../io/trace.js';
import { maxWaitRule, type DeadlineRule } from '../model/deadlines.js';

export interface RunOptions {
  /** workload file path, or already built jobs (a list or a table) */
  workload: string | readonly Job[] | JobTable;
  /** carbon file path, bundled name (`DE-2023`), or a signal */
  carbon: string | CarbonSignal;
  scheduler: string;
  /** how deadlines are set for jobs without their own; default: 24 h maximum wait */
  deadlineRule?: DeadlineRule;
  /** calendar deadline rule, `next-workday` or `semi-weekly`, built on the carbon epoch (not with deadlineRule) */
  deadline?: string;
  /** IANA time zone of the calendar deadline rule; default UTC */
  timeZone?: string;
  /** SWF: skip jobs without submit time, run time or processors, or with zero run time (counted in `skipped`) */
  skipIncomplete?: boolean;
  /** slot length (s); default: the carbon resolution */
  slotS?: number;
  seed?: string | number;
  /** ISO 8601 instant: the carbon trace is cut to begin here, simulation time 0; default: its first timestamp */
  start?: string;
  /** ISO 8601 instant: the carbon trace is cut to end here (exclusive); default: its end */
  end?: string;
  /** resample the carbon trace to this step (s), mean over each bucket */
  resampleS?: number;
  /** close gaps, duplicates and empty carbon values (`hold`, `linear`); default `none`: they are errors */
  fill?: FillMode;
  /** what schedulers see: `oracle` (default), `gaussian:E`, `uniform:E`; seeded by `seed` */
  forecast?: string;
  timeUnit?: TimeUnit;
  wattsPerCpu?: number;
  carbonColumn?: CarbonColumn;
  /** the carbon file's time column by header name (case-insensitive); default: recognised */
  carbonTimeColumn?: string;
  /** the carbon file's intensity column by header name (case-insensitive); default: recognised */
  carbonValueColumn?: string;
  /** unit of the carbon file's values, converted to gCO2/kWh; default g/kWh */
  carbonUnit?: CarbonUnit;
  extend?: ExtendMode;
  /** replay: plan file path */
  plan?: string;
  /** lowest-window, carbon-time: candidate starts (default `clock`) */
  startGrid?: StartGrid;
  /** lowest-window, carbon-time: plan with the real length or the queue's mean (default `actual`) */
  length?: PlanLength;
  /** ecovisor: threshold quantile (default 0.3) */
  thresholdQuantile?: number;
  /** lp: `dp` (default), `highs` or `jslp`; a MILP back-end is loaded here, before simulating */
  solver?: SolverName;
  /** lp: at most this many run intervals per job */
  maxStarts?: number;
  /** collect lifecycle events (for event logs); default true */
  events?: boolean;
  /**
   * A finite cluster: a spec (`procs:100`, `64x{cpus:32,mem:256G}`, `swf` for an SWF log's MaxProcs,
   * a JSON or openb node-list file) or a built one; default: infinite capacity
   */
  cluster?: string | ClusterSpec;
  /** device power in place of the defaults (processor, CPU package, GPUs by model) */
  power?: PowerOverrides;
  /** called as jobs finish, with the count so far and the total (for progress lines; keep it cheap) */
  onProgress?: (finished: number, total: number) => void;
}

export interface RunOutput {
  summary: RunSummary;
  /**
   * One record per job, in the order of `simulation.results`: built on first read (a getter), so a run
   * that only needs the summary never holds them; writers can stream `simulation.outcomes` instead
   * (`runJsonChunks`, `jobsCsvChunks`). Assignable, as a plain property.
   */
  jobs: JobRecord[];
  events: LoggedEvent[];
  simulation: SimulationResult;
  /** the actual signal, which the engine charges */
  carbon: CarbonSignal;
  /** what the schedulers saw (the forecast) */
  view: CarbonSignal;
  /** what `fill` changed in the carbon trace; undefined without a fill rule */
  carbonFill: FillReport | undefined;
  /** SWF records left out by skipIncomplete (or a replay on a cluster), by reason */
  skipped: SkippedJobs;
  /** the finite cluster, when one was given */
  cluster: ClusterSpec | undefined;
  /** jobs whose power is the per-cpu model (cpus x wattsPerCpu): the workload gave them no power */
  cpuPowerJobs: number;
}

export const DEFAULT_MAX_WAIT_S = 24 * 3600;

/**
 * Load inputs, simulate, summarise. Rejects with InputError (file, line, field) for bad input.
 * Async so that back-ends that load lazily (solvers, statistics) stay off the start-up path.
 */
export async function runWorkload(options: RunOptions): Promise<RunOutput> {
  const shape = {
    ...(options.start !== undefined && { startMs: instantMs(options.start, 'start') }),
    ...(options.end !== undefined && { endMs: instantMs(options.end, 'end') }),
    ...(options.resampleS !== undefined && { resampleS: options.resampleS }),
  };
  const forecastText = options.forecast ?? 'oracle';
  // `gaussian:E@24h`, `oracle,horizon=48h`, `file:F`: forecasts as issued; else one static view
  const issuedSpec = isIssuedForecastSpec(forecastText) ? parseIssuedSpec(forecastText) : undefined;
  const forecast = parseForecast(issuedSpec ? 'oracle' : forecastText);
  const { signal: carbon, fill: carbonFill } =
    typeof options.carbon === 'string'
      ? loadCarbonTrace(options.carbon, {
          column: options.carbonColumn ?? 'direct',
          extend: options.extend ?? 'none',
          fill: options.fill ?? 'none',
          ...shape,
          ...(options.carbonTimeColumn !== undefined && { timeColumn: options.carbonTimeColumn }),
          ...(options.carbonValueColumn !== undefined && { valueColumn: options.carbonValueColumn }),
          ...(options.carbonUnit !== undefined && { unit: options.carbonUnit }),
        })
      : { signal: shapeCarbon(options.carbon, shape), fill: undefined };
  const view = forecastView(carbon, forecast, options.seed ?? 0);
  const issued = issuedSpec ? issuedForecast(issuedSpec, carbon, options.seed ?? 0) : undefined;
  const replay = options.cluster !== undefined;
  // a bundled workload by name (`pai_1k`), like bundled carbon traces
  if (typeof options.workload === 'string') options = { ...options, workload: resolveWorkloadPath(options.workload) };
  let workload =
    typeof options.workload === 'string'
      ? readWorkloadFile(options.workload, {
          timeUnit: options.timeUnit ?? 's',
          wattsPerCpu: options.wattsPerCpu ?? 1,
          // a replay on a cluster skips (and counts) what the field's replays skip
          skipIncomplete: (options.skipIncomplete ?? false) || (replay && isSwfPath(options.workload)),
        })
      : undefined;
  const cluster = resolveCluster(options, workload);
  const skipped = workload?.skipped ?? noSkippedJobs();
  const rule = (): DeadlineRule => chooseDeadlineRule(options, carbon.epochMs, maxWaitRule(DEFAULT_MAX_WAIT_S));
  let jobs: readonly Job[] | JobTable;
  let cpuPowerJobs = 0;
  if (workload?.fast !== undefined && !cluster) {
    // an all-constant trace read into columns: the engine's job table straight from them, no specs or job objects
    const fast = workload.fast;
    jobs = fastJobTable(fast, rule());
    for (let r = 0; r < fast.rows; r++) cpuPowerJobs += fast.powerFromCpus[r]!;
  } else {
    let specs = workload && cluster ? fitToCluster(workload, cluster, options.workload as string) : workload?.specs;
    cpuPowerJobs = !workload || !specs ? 0 : workload.format === 'swf' || workload.format === 'batsim' ? specs.length : specs.filter((s) => s.powerFromCpus === true).length;
    jobs = specs ? toJobs(specs, rule()) : (options.workload as readonly Job[] | JobTable);
    specs = undefined;
  }
  // the parsed specs are garbage from here on (the jobs hold what simulating needs): 1M specs are ~100 MB
  workload = undefined;
  const plans = options.plan !== undefined ? parsePlanBook(readInput(options.plan, 'plan'), options.plan) : undefined;
  if (plans) checkPlanBook(plans, jobs instanceof JobTable ? jobs.toArray() : jobs, options.plan!);
  if (options.solver !== undefined && options.solver !== 'dp') await loadMilpBackend(options.solver);
  const schedulerSettings = {
    plans,
    startGrid: options.startGrid,
    length: options.length,
    thresholdQuantile: options.thresholdQuantile,
    solver: options.solver,
    maxStarts: options.maxStarts,
  };
  const online = isPolicyName(options.scheduler);
  if (online) rejectPlannerSettings(options.scheduler, schedulerSettings);
  const runner = online ? { policy: createPolicy(options.scheduler) } : { scheduler: createScheduler(options.scheduler, schedulerSettings) };
  // a slot length given to a scheduler that never looks at the slot grid would silently do nothing
  if (options.slotS !== undefined && (online || !schedulerReadsSlot(options.scheduler, schedulerSettings))) {
    const why = !online && options.startGrid === 'arrival' ? ' with --start-grid arrival (its candidate starts are the arrival plus whole hours)' : '';
    throw new InputError('bad_option', `--slot does not apply to scheduler "${options.scheduler}"${why}: only ${slotSchedulerNames().join(', ')} plan on the slot grid (lowest-window and carbon-time with --start-grid clock)`, { field: 'slot' });
  }
  const collector = options.events === false ? undefined : new EventCollector();
  const listeners: SimulationListener[] = collector ? [collector] : [];
  if (options.onProgress) {
    const report = options.onProgress;
    const total = jobs.length;
    let finished = 0;
    listeners.push({ onEvent: (kind) => void (kind === 'finish' && report(++finished, total)) });
  }
  let simulation: SimulationResult;
  try {
    simulation = simulate(jobs, {
      ...runner,
      ...(cluster && { cluster }),
      ...(issued && { issued }),
      carbon,
      view,
      ...(options.slotS !== undefined && { slotS: options.slotS }),
      seed: options.seed ?? 0,
      listeners,
    });
  } catch (err) {
    if (err instanceof InputError && options.plan !== undefined && err.code === 'bad_plan') err.at({ file: options.plan });
    throw err;
  }
  const summary = summarize(simulation.outcomes);
  if (cluster && simulation.cluster) summary.cluster = clusterSummary(simulation.outcomes, simulation.cluster, cluster.source);
  let records: JobRecord[] | undefined;
  return {
    summary,
    get jobs(): JobRecord[] {
      return (records ??= simulation.results.map(jobRecord));
    },
    set jobs(value: JobRecord[]) {
      records = value;
    },
    events: collector?.events ?? [],
    simulation,
    carbon,
    view,
    carbonFill,
    skipped,
    cluster,
    cpuPowerJobs,
  };
}

/** Settings of the planners (lp's solver, replay's plan, ...) mean nothing to an online policy. */
function rejectPlannerSettings(name: string, settings: Record<string, unknown>): void {
  const flags: Record<string, string> = { plans: 'plan', startGrid: 'start-grid', length: 'length', thresholdQuantile: 'threshold-quantile', solver: 'solver', maxStarts: 'max-starts' };
  for (const [key, flag] of Object.entries(flags)) {
    if (settings[key] !== undefined) throw new InputError('bad_option', `--${flag} does not apply to scheduler "${name}"`, { field: flag });
  }
}

function isSwfPath(path: string): boolean {
  return /\.swf(\.gz)?$/i.test(path);
}

function resolveCluster(options: RunOptions, workload: LoadedWorkload | undefined): ClusterSpec | undefined {
  if (options.cluster === undefined) return undefined;
  if (typeof options.cluster !== 'string') return options.cluster;
  const file = typeof options.workload === 'string' ? options.workload : undefined;
  try {
    return readClusterSpec(options.cluster, {
      ...(workload && { swfHeader: workload.header }),
      ...(file !== undefined && { swfFile: file }),
      ...(options.power && { powerOverrides: options.power }),
    });
  } catch (err) {
    // name the flags, not the library's option path
    if (err instanceof InputError && err.field?.startsWith('powerOverrides.')) {
      const key = err.field.slice('powerOverrides.'.length);
      err.field = key.startsWith('gpus') ? 'gpu-power' : key === 'processor' ? 'processor-power' : 'cpu-package-power';
    }
    throw err;
  }
}

/**
 * Jobs that no node could ever hold: an SWF replay skips and counts them (as the field's replays
 * do); any other workload names the first one, since its jobs were meant to run.
 */
function fitToCluster(workload: LoadedWorkload, cluster: ClusterSpec, file: string): JobSpec[] {
  const state = new ClusterState(cluster);
  const fits = (s: JobSpec): boolean => {
    const req = s.size !== undefined ? cpuRequest(s.size) : cpuRequest(s.cpus);
    for (let n = 0; n < state.nodeCount; n++) if (state.couldFitOn(n, req)) return true;
    return false;
  };
  if (workload.format !== 'swf') {
    const bad = workload.specs.find((s) => !fits(s));
    if (bad) {
      const size = bad.size ?? bad.cpus;
      throw new InputError('job_too_large', `job "${bad.id}" needs ${size} cpus, more than any node of the cluster (${cluster.source}) has`, { file, line: bad.line, field: 'cpus' });
    }
    return workload.specs;
  }
  const kept = workload.specs.filter(fits);
  workload.skipped.larger_than_cluster = workload.specs.length - kept.length;
  if (kept.length === 0) throw new InputError('no_jobs', `no job of ${file} fits the cluster (${cluster.source})`, { file, field: 'cluster' });
  return kept;
}

function instantMs(text: string, field: 'start' | 'end'): number {
  const ms = parseTimestamp(text);
  if (Number.isNaN(ms)) throw new InputError(`bad_${field}`, `"${text}" is not an ISO 8601 instant`, { field });
  return ms;
}

function readInput(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field });
  }
}
