// A Gymnasium-style environment over the online engine: the agent picks which queued job starts
// next. `createEnv(options)` returns reset(seed) -> {observation, info} and step(action) ->
// {observation, reward, terminated, truncated, info}. Inside, a Policy pauses the Simulation at
// each decision point (a scheduling pass where one of the top-K queued jobs fits now); the agent's
// action goes through the Simulation's actions; run() continues to the next decision point.
//
// Actions: i < K starts the i-th observed queued job (queue order) now; K or "wait" waits for the
// next event (a finish or an arrival; when nothing runs, the next carbon-intensity step at the
// latest, so that waiting always moves time on). Reward of a step: minus the weighted kWh, kg CO2e,
// queued job-hours and bounded-slowdown excess accrued since the previous decision.
import { clusterSummary, SLOWDOWN_TAU_S, type ClusterSummary } from '../accounting/metrics.js';
import { emissionsWeight } from '../carbon/emissions.js';
import { loadCarbon } from '../carbon/load.js';
import { JOULES_PER_KWH, type CarbonSignal, type ExtendMode } from '../carbon/signal.js';
import { Simulation, type LifecycleKind, type SimulationListener, type SimulationResult } from '../cluster/simulate.js';
import { clusterCapacity, readClusterSpec } from '../cluster/spec.js';
import { ClusterState } from '../cluster/state.js';
import type { ClusterSpec } from '../cluster/types.js';
import type { SimEvent } from '../engine/events.js';
import { InputError } from '../errors.js';
import { readWorkloadFile, toJobs } from '../io/trace.js';
import { maxWaitRule } from '../model/deadlines.js';
import { cpuRequest, estimateOf, requestOf, type Job } from '../model/jobs.js';
import { seededRandom } from '../model/random.js';
import type { Actions, ClusterView, Policy } from '../policies/types.js';

export interface RewardWeights {
  /** per kWh the cluster draws (idle included) */
  kwh: number;
  /** per kg CO2e of that energy against the actual signal */
  co2_kg: number;
  /** per job-hour spent queued */
  wait_h: number;
  /** per unit of bounded slowdown above 1, counted when a job finishes */
  slowdown: number;
}

export const DEFAULT_REWARD: RewardWeights = { kwh: 0, co2_kg: 1, wait_h: 1, slowdown: 0 };

export const QUEUE_FEATURES = ['present', 'fits_now', 'size_fraction', 'log1p_estimate_h', 'log1p_waited_h', 'log1p_slack_h'] as const;
const QF = QUEUE_FEATURES.length;

export interface EnvOptions {
  /** workload file (SWF, GAIA CSV, typed, Batsim) or built jobs */
  workload: string | Job[];
  /** a finite cluster: spec text (`swf`, `procs:N`, ...), file, or built */
  cluster: string | ClusterSpec;
  /** carbon trace file, bundled name (`DE-2023`) or signal */
  carbon: string | CarbonSignal;
  /** past the end of a carbon trace given by name or file; default `repeat` */
  extend?: ExtendMode;
  /** queued jobs observed (and startable); default 8 */
  k?: number;
  /** hours of carbon forecast in the observation (hourly, from now); default 12 */
  horizonH?: number;
  reward?: Partial<RewardWeights>;
  /** steps after which an episode is truncated; default none */
  maxSteps?: number;
  /** jobs of one episode: a window drawn by the reset seed inside `jobRange`; default the whole range */
  episodeJobs?: number;
  /** [from, to) job indices (arrival order) episodes are drawn from; default all */
  jobRange?: [number, number];
  /** deadlines (for the slack feature): maximum wait, s; default 24 h */
  maxWaitS?: number;
}

export interface Observation {
  time_s: number;
  /** K slots x QUEUE_FEATURES, row-major; empty slots are zeros */
  queue: number[];
  backlog_jobs: number;
  /** processors asked for by all queued jobs / capacity */
  backlog_procs: number;
  /** processor-hours of all queued jobs by their estimates / capacity */
  backlog_work_h: number;
  free_fraction: number;
  running: number;
  /** carbon intensity the policies see (g/kWh) at now + h hours, h = 0 .. horizonH - 1 */
  carbon: number[];
}

export interface StepInfo {
  step: number;
  /** ids of the observed jobs, "" for an empty slot */
  jobs: string[];
  /** the action mask: which of the K + 1 actions are valid now */
  valid: boolean[];
  jobs_done: number;
  energy_kwh: number;
  carbon_g: number;
  queued_job_h: number;
  /** at the end of an episode: the cluster summary, as `carbon-sim run` reports it */
  summary?: ClusterSummary;
}

export interface ResetResult {
  observation: Observation;
  info: StepInfo;
}

export interface StepResult {
  observation: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

export interface Env {
  readonly k: number;
  readonly horizonH: number;
  /** K + 1: start slot i, or wait */
  readonly actionCount: number;
  readonly reward: RewardWeights;
  readonly queueFeatures: readonly string[];
  /** jobs of the whole workload (episodes are windows of it) */
  readonly jobs: readonly Job[];
  readonly cluster: ClusterSpec;
  readonly carbon: CarbonSignal;
  reset(seed?: number): ResetResult;
  step(action: number | 'wait'): StepResult;
  /** the episode's simulation result (complete once terminated) */
  result(): SimulationResult;
  /** the jobs of the current episode */
  episodeJobs(): readonly Job[];
  close(): void;
}

/** Jobs, cluster and carbon as `carbon-sim run --cluster` loads them (SWF: jobs larger than the machine skipped). */
export function loadEnvInputs(options: Pick<EnvOptions, 'workload' | 'cluster' | 'carbon' | 'extend' | 'maxWaitS'>): { jobs: Job[]; cluster: ClusterSpec; carbon: CarbonSignal } {
  const carbon = typeof options.carbon === 'string' ? loadCarbon(options.carbon, { extend: options.extend ?? 'repeat' }) : options.carbon;
  if (typeof options.workload !== 'string') {
    if (typeof options.cluster === 'string') return { jobs: options.workload, cluster: readClusterSpec(options.cluster), carbon };
    return { jobs: options.workload, cluster: options.cluster, carbon };
  }
  const file = options.workload;
  const isSwf = /\.swf(\.gz)?$/i.test(file);
  const workload = readWorkloadFile(file, { skipIncomplete: isSwf });
  const cluster = typeof options.cluster === 'string' ? readClusterSpec(options.cluster, { swfHeader: workload.header, swfFile: file }) : options.cluster;
  const state = new ClusterState(cluster);
  const fits = (cpus: number): boolean => {
    const req = cpuRequest(cpus);
    for (let n = 0; n < state.nodeCount; n++) if (state.couldFitOn(n, req)) return true;
    return false;
  };
  let specs = workload.specs;
  if (workload.format === 'swf') specs = specs.filter((s) => fits(s.size ?? s.cpus));
  else {
    const bad = specs.find((s) => !fits(s.size ?? s.cpus));
    if (bad) throw new InputError('job_too_large', `job "${bad.id}" needs ${bad.size ?? bad.cpus} cpus, more than any node of the cluster (${cluster.source}) has`, { file, line: bad.line, field: 'cpus' });
  }
  if (specs.length === 0) throw new InputError('no_jobs', `no job of ${file} fits the cluster (${cluster.source})`, { file, field: 'cluster' });
  return { jobs: toJobs(specs, maxWaitRule(options.maxWaitS ?? 24 * 3600)), cluster, carbon };
}

function checkPositiveInt(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError('bad_option', `${field} must be a positive whole number, got ${v}`, { field });
}

/** Build an environment; call reset() before the first step. */
export function createEnv(options: EnvOptions): Env {
  const { jobs, cluster, carbon } = loadEnvInputs(options);
  if (carbon.allowNegative) throw new InputError('bad_option', 'the env charges the actual carbon signal: pass it, not a forecast view', { field: 'carbon' });
  const K = options.k ?? 8;
  const H = options.horizonH ?? 12;
  checkPositiveInt(K, 'k');
  if (!Number.isInteger(H) || H < 0) throw new InputError('bad_option', `horizon must be a whole number of hours >= 0, got ${H}`, { field: 'horizon' });
  const weights: RewardWeights = { ...DEFAULT_REWARD, ...options.reward };
  for (const [key, v] of Object.entries(weights)) {
    if (!Number.isFinite(v)) throw new InputError('bad_option', `reward weight ${key} must be a finite number, got ${v}`, { field: 'reward' });
  }
  const maxSteps = options.maxSteps ?? Infinity;
  if (maxSteps !== Infinity) checkPositiveInt(maxSteps, 'max-steps');
  const [from, to] = options.jobRange ?? [0, jobs.length];
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= jobs.length && from < to)) {
    throw new InputError('bad_option', `job range [${from}, ${to}) is not inside the workload's ${jobs.length} jobs`, { field: 'jobs' });
  }
  const windowJobs = options.episodeJobs;
  if (windowJobs !== undefined) {
    checkPositiveInt(windowJobs, 'episode-jobs');
    if (windowJobs > to - from) throw new InputError('bad_option', `episodes of ${windowJobs} jobs do not fit in the ${to - from} jobs of the range`, { field: 'episode-jobs' });
  }
  const capacity = clusterCapacity(cluster).cpus;
  // On a signal of whole-hour steps on whole hours, now + h hours stays in the step h after now's
  // for as long as now's step lasts: the forecast is cached per step. Otherwise it is computed each time.
  const stepAligned = isHourGrid(carbon);

  // ---- episode state ----
  let sim: Simulation | null = null;
  let episode: readonly Job[] = [];
  let steps = 0;
  let done = false;
  let truncatedFlag = false;
  const slots = new Int32Array(K).fill(-1);
  let observed = 0;
  let wokenFor = -Infinity;

  // accounting between decisions, from the lifecycle events (the engine's own order)
  const acc = { started: false, lastT: 0, lastW: 0, lastQ: 0, energyJ: 0, carbonW: 0, queueS: 0, slowdown: 0, jobsDone: 0 };
  const backlog = { procs: 0, work: 0 };
  const taken = { energyJ: 0, carbonW: 0, queueS: 0, slowdown: 0 };
  const integrate = (t: number): void => {
    if (!acc.started || !(t > acc.lastT)) return;
    acc.energyJ += acc.lastW * (t - acc.lastT);
    acc.carbonW += emissionsWeight(acc.lastW, acc.lastT, t, carbon);
    acc.queueS += acc.lastQ * (t - acc.lastT);
    acc.lastT = t;
  };
  const listener: SimulationListener = {
    onEvent(kind: LifecycleKind, t: number, job: Job): void {
      if (!acc.started) {
        acc.started = true;
        acc.lastT = t;
      }
      integrate(t);
      const view = sim!.view;
      acc.lastW = view.powerW;
      acc.lastQ = view.queueLength;
      if (kind === 'submit') {
        const c = requestOf(job).cpus;
        backlog.procs += c;
        backlog.work += c * estimateOf(job);
      } else if (kind === 'start') {
        const c = requestOf(job).cpus;
        backlog.procs -= c;
        backlog.work -= c * estimateOf(job);
      } else if (kind === 'finish') {
        acc.jobsDone++;
        acc.slowdown += Math.max(1, (t - job.arrival) / Math.max(job.profile.durationS, SLOWDOWN_TAU_S)) - 1;
      }
    },
  };

  /** Fill `slots` with the first K queued jobs; true when one of them fits now. */
  const observe = (view: ClusterView): boolean => {
    const cs = view.cluster!;
    let any = false;
    let i = 0;
    for (let j = view.queueHead(); j !== -1 && i < K; j = view.queueNext(j)) {
      slots[i++] = j;
      if (!any && cs.firstFit(view.request(j)) >= 0) any = true;
    }
    observed = i;
    for (; i < K; i++) slots[i] = -1;
    return any;
  };

  const policy: Policy = {
    name: 'env',
    wantsPass: true,
    onEvent(e: SimEvent, view: ClusterView): void {
      if (e.kind === 'pass' && observe(view)) sim!.pause();
    },
  };

  // The forecast changes only when the signal steps (or the view is a forecast issued anew): it is
  // computed once per step and shared, frozen, by the observations of that step.
  let forecastKey = NaN;
  let forecastSignal: CarbonSignal | null = null;
  let forecastArr: readonly number[] = [];
  const forecast = (view: ClusterView): number[] => {
    const signal = view.carbon;
    const now = view.now;
    const key = nextStep(signal, now);
    if (key !== forecastKey || signal !== forecastSignal || !stepAligned || signal !== carbon) {
      const arr = new Array<number>(H);
      for (let h = 0; h < H; h++) arr[h] = intensityOr(signal, now + h * 3600);
      forecastArr = Object.freeze(arr);
      forecastKey = key;
      forecastSignal = signal;
    }
    return forecastArr as number[];
  };

  const observation = (view: ClusterView): Observation => {
    const now = view.now;
    const cs = view.cluster!;
    const queue = new Array<number>(K * QF).fill(0);
    for (let i = 0; i < observed; i++) {
      const j = slots[i]!;
      const job = view.job(j);
      const req = view.request(j);
      const est = view.estimateS(j);
      const b = i * QF;
      queue[b] = 1;
      queue[b + 1] = cs.firstFit(req) >= 0 ? 1 : 0;
      queue[b + 2] = req.cpus / capacity;
      queue[b + 3] = Math.log1p(est / 3600);
      queue[b + 4] = Math.log1p((now - job.arrival) / 3600);
      queue[b + 5] = Math.log1p(Math.max(0, job.deadline - est - now) / 3600);
    }
    let free = 0;
    const freeCpus = cs.freeCpus;
    for (let n = 0; n < freeCpus.length; n++) free += freeCpus[n]!;
    return {
      time_s: now,
      queue,
      backlog_jobs: view.queueLength,
      backlog_procs: backlog.procs / capacity,
      backlog_work_h: backlog.work / 3600 / capacity,
      free_fraction: free / capacity,
      running: view.runningCount,
      carbon: forecast(view),
    };
  };

  const info = (view: ClusterView): StepInfo => {
    const ids = new Array<string>(K);
    const valid = new Array<boolean>(K + 1);
    const cs = view.cluster!;
    for (let i = 0; i < K; i++) {
      const j = slots[i]!;
      ids[i] = j >= 0 ? view.job(j).id : '';
      valid[i] = j >= 0 && !done && cs.firstFit(view.request(j)) >= 0;
    }
    valid[K] = !done;
    return {
      step: steps,
      jobs: ids,
      valid,
      jobs_done: acc.jobsDone,
      energy_kwh: acc.energyJ / JOULES_PER_KWH,
      carbon_g: acc.carbonW / JOULES_PER_KWH,
      queued_job_h: acc.queueS / 3600,
    };
  };

  /** Run to the next decision point (or the end). */
  const advance = (): void => {
    const s = sim!;
    if (s.run()) {
      done = true;
      observed = 0;
      slots.fill(-1);
    }
  };

  const takeReward = (): number => {
    if (!done) integrate(sim!.view.now);
    const dE = acc.energyJ - taken.energyJ;
    const dC = acc.carbonW - taken.carbonW;
    const dQ = acc.queueS - taken.queueS;
    const dS = acc.slowdown - taken.slowdown;
    taken.energyJ = acc.energyJ;
    taken.carbonW = acc.carbonW;
    taken.queueS = acc.queueS;
    taken.slowdown = acc.slowdown;
    const r = -(weights.kwh * (dE / JOULES_PER_KWH) + weights.co2_kg * (dC / JOULES_PER_KWH / 1000) + weights.wait_h * (dQ / 3600) + weights.slowdown * dS);
    return r === 0 ? 0 : r; // no -0 in JSON
  };

  const finalInfo = (view: ClusterView): StepInfo => {
    const i = info(view);
    if (done) {
      const res = sim!.result();
      i.summary = clusterSummary(res.results, res.cluster!, cluster.source);
    }
    return i;
  };

  const env: Env = {
    k: K,
    horizonH: H,
    actionCount: K + 1,
    reward: weights,
    queueFeatures: QUEUE_FEATURES,
    jobs,
    cluster,
    carbon,

    reset(seed = 0): ResetResult {
      if (!Number.isInteger(seed)) throw new InputError('bad_request', `seed must be a whole number, got ${JSON.stringify(seed)}`, { field: 'seed' });
      let start = from;
      let end = to;
      if (windowJobs !== undefined) {
        const rng = seededRandom(`env-window:${seed}`);
        start = from + Math.floor(rng() * (to - from - windowJobs + 1));
        end = start + windowJobs;
      }
      episode = jobs.slice(start, end);
      Object.assign(acc, { started: false, lastT: 0, lastW: 0, lastQ: 0, energyJ: 0, carbonW: 0, queueS: 0, slowdown: 0, jobsDone: 0 });
      Object.assign(taken, { energyJ: 0, carbonW: 0, queueS: 0, slowdown: 0 });
      Object.assign(backlog, { procs: 0, work: 0 });
      forecastKey = NaN;
      steps = 0;
      done = false;
      truncatedFlag = false;
      wokenFor = -Infinity;
      sim = new Simulation(episode, { policy, cluster, carbon, seed, listeners: [listener] });
      advance();
      takeReward(); // what accrued before the first decision is not any action's doing
      const view = sim.view;
      return { observation: observation(view), info: finalInfo(view) };
    },

    step(action: number | 'wait'): StepResult {
      if (sim === null) throw new InputError('bad_request', 'call reset before step', { field: 'op' });
      if (done) throw new InputError('bad_request', 'the episode is over (terminated): call reset', { field: 'action' });
      if (truncatedFlag) throw new InputError('bad_request', 'the episode was truncated (max steps): call reset', { field: 'action' });
      const a = action === 'wait' ? K : action;
      if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a > K) {
        throw new InputError('bad_action', `action must be a whole number 0..${K} or "wait", got ${JSON.stringify(action)}`, { field: 'action' });
      }
      const view = sim.view;
      const act: Actions = sim.actions;
      if (a < K) {
        const j = slots[a]!;
        if (j < 0) throw new InputError('bad_action', `action ${a}: slot ${a} is empty (${observed} queued jobs observed)`, { field: 'action' });
        const req = view.request(j);
        if (!act.start(j)) {
          const free = view.cluster!.freeCpus.reduce((x, y) => x + y, 0);
          throw new InputError('bad_action', `action ${a}: job "${view.job(j).id}" needs ${req.cpus} cpus and does not fit now (${free} free)`, { field: 'action' });
        }
        // another job may fit at this same instant: decide again before time moves
        if (!observe(view)) advance();
      } else {
        const now = view.now;
        if (view.runningCount === 0) {
          // nothing runs: wake at the next carbon step at the latest, so that waiting moves time on
          const wake = nextStep(view.carbon, now);
          if (wake > now && wake !== wokenFor) {
            wokenFor = wake;
            act.wakeAt(wake, -1, 0);
          }
        }
        advance();
      }
      steps++;
      const reward = takeReward();
      if (!done && steps >= maxSteps) truncatedFlag = true;
      const v = sim.view;
      return { observation: observation(v), reward, terminated: done, truncated: truncatedFlag, info: finalInfo(v) };
    },

    result(): SimulationResult {
      if (sim === null) throw new InputError('bad_request', 'call reset first', { field: 'op' });
      return sim.result();
    },

    episodeJobs: () => episode,

    close(): void {
      sim = null;
    },
  };
  return env;
}

function isHourGrid(signal: CarbonSignal): boolean {
  if (signal.resolutionS !== 3600 || signal.start % 3600 !== 0) return false;
  for (let t = signal.start; t < signal.end; ) {
    const next = signal.stepEnd(t);
    if (next - t !== 3600 && next !== signal.end) return false;
    if (next === signal.end) return (signal.end - signal.start) % 3600 === 0;
    t = next;
  }
  return true;
}

function intensityOr(signal: CarbonSignal, t: number): number {
  if (signal.extend === 'none' && (t >= signal.end || t < signal.start)) return signal.intensityAt(Math.min(Math.max(t, signal.start), signal.end - 1));
  return signal.intensityAt(t);
}

function nextStep(signal: CarbonSignal, t: number): number {
  if (signal.extend === 'none' && t >= signal.end) return t + 3600;
  const s = signal.stepEnd(t);
  return Number.isFinite(s) ? s : t + 3600;
}
