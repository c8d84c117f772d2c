import seedrandom from 'seedrandom';
import type { CarbonSignal } from '../carbon/signal.js';
import { JOULES_PER_KWH } from '../carbon/signal.js';
import { Engine } from './engine.js';
import { InputError } from '../errors.js';
import { executePlan, type Execution } from '../model/execution.js';
import type { Job } from '../model/jobs.js';
import { TIME_EPS_S } from '../model/profile.js';
import type { Plan, PlanContext, Scheduler } from '../schedulers/types.js';

export const LIFECYCLE = ['submit', 'start', 'suspend', 'resume', 'finish'] as const;
export type LifecycleKind = (typeof LIFECYCLE)[number];

/** What happened to one job, charged against the actual carbon signal. */
export interface JobResult {
  job: Job;
  plan: Plan;
  execution: Execution;
  /** emissions (g) of everything the job ran */
  carbonG: number;
  /** emissions (g) of the startup phases alone, over all starts */
  startupCarbonG: number;
  /** finished after its deadline */
  missed: boolean;
  /** completion delay: finish - arrival - uninterrupted duration (s) */
  waitS: number;
}

/** Receives lifecycle events in (time, sequence) order; `interval` is the run interval index. */
export interface SimulationListener {
  onEvent(kind: LifecycleKind, time: number, result: JobResult, interval: number): void;
}

export interface SimulationOptions {
  scheduler: Scheduler;
  /** the actual signal, used for charging */
  carbon: CarbonSignal;
  /** what schedulers see; default: the actual signal (oracle) */
  view?: CarbonSignal;
  /** slot length (s); default: the carbon resolution */
  slotS?: number;
  /** seed for the schedulers' random numbers */
  seed?: string | number;
  listeners?: SimulationListener[];
}

export interface SimulationResult {
  results: JobResult[];
  scheduler: string;
  slotS: number;
}

/**
 * Run the jobs through the event engine on an infinite-capacity cluster (as GAIA): at each
 * submission the scheduler plans the job, the plan is executed under the phased model and
 * charged against the actual carbon, and the job's start/suspend/resume/finish events are
 * scheduled for the listeners. Deterministic for a seed: ties in time keep submission order.
 */
export function simulate(jobs: readonly Job[], options: SimulationOptions): SimulationResult {
  const { scheduler, carbon } = options;
  // A forecast view may hold negative values; the engine charges only a real (non-negative) signal.
  if (carbon.allowNegative) throw new Error(`carbon signal ${carbon.name} is a forecast view: pass the actual signal as \`carbon\``);
  const view = options.view ?? carbon;
  const slotS = options.slotS ?? carbon.resolutionS;
  if (!(slotS > 0)) throw new InputError('bad_slot', `slot must be positive, got ${slotS} s`, { field: 'slot' });
  const rng = seedrandom(String(options.seed ?? 0));
  const listeners = options.listeners ?? [];
  const ctx: PlanContext = { now: 0, deadline: 0, carbon: view, slot: slotS, slotOrigin: carbon.start, rng: () => rng() };
  const results: JobResult[] = new Array(jobs.length);
  const cursor = new Int32Array(jobs.length); // next lifecycle event index per job
  const engine = new Engine();
  for (let j = 0; j < jobs.length; j++) engine.schedule(jobs[j]!.arrival, j);

  engine.run((time, j) => {
    const event = cursor[j]!++;
    if (event === 0) {
      const job = jobs[j]!;
      ctx.now = time;
      ctx.deadline = job.deadline;
      let plan: Plan;
      let charged: ChargedRun;
      try {
        plan = scheduler.plan(job, ctx);
        charged = chargePlan(job, plan.intervals, carbon);
      } catch (err) {
        if (err instanceof InputError) err.message = `job "${job.id}": ${err.message}`;
        throw err;
      }
      const { execution } = charged;
      const result: JobResult = {
        job,
        plan,
        execution,
        carbonG: charged.carbonG,
        startupCarbonG: charged.startupCarbonG,
        missed: execution.finish > job.deadline + TIME_EPS_S,
        waitS: completionDelay(job, execution.finish),
      };
      results[j] = result;
      for (const l of listeners) l.onEvent('submit', time, result, -1);
      engine.schedule(execution.intervals[0]![0], j);
      return;
    }
    const result = results[j]!;
    const intervals = result.execution.intervals;
    const k = (event - 1) >> 1;
    const isStart = (event - 1) % 2 === 0;
    let kind: LifecycleKind;
    if (isStart) kind = k === 0 ? 'start' : 'resume';
    else kind = k === intervals.length - 1 ? 'finish' : 'suspend';
    for (const l of listeners) l.onEvent(kind, time, result, k);
    if (kind !== 'finish') engine.schedule(isStart ? intervals[k]![1] : intervals[k + 1]![0], j);
  });

  return { results, scheduler: scheduler.name, slotS };
}

/** finish - arrival - duration; a difference within the engine's time tolerance is 0, not float noise. */
function completionDelay(job: Job, finish: number): number {
  const wait = finish - job.arrival - job.profile.durationS;
  return Math.abs(wait) < TIME_EPS_S ? 0 : wait;
}

export interface ChargedRun {
  execution: Execution;
  /** emissions (g) of everything that ran */
  carbonG: number;
  /** emissions (g) of the startup phases, over all starts */
  startupCarbonG: number;
}

/** Execute a plan and charge each constant-power piece exactly against the signal, in one pass. */
export function chargePlan(job: Job, intervals: Plan['intervals'], carbon: CarbonSignal): ChargedRun {
  let total = 0;
  let startup = 0;
  const execution = executePlan(job.profile, job.arrival, intervals, (a, b, p, isStartup) => {
    if (p === 0 || !(b > a)) return;
    const g = p * carbon.integrate(a, b);
    total += g;
    if (isStartup) startup += g;
  });
  return { execution, carbonG: total / JOULES_PER_KWH, startupCarbonG: startup / JOULES_PER_KWH };
}
