// Shared by the schedulers that pick one uninterrupted start among candidates (GAIA's
// lowest-window and carbon-time): the candidate starts, the run they plan with, its emissions.
import { emissionsWeight } from '../carbon/emissions.js';
import { JOULES_PER_KWH, type CarbonSignal } from '../carbon/signal.js';
import { InputError } from '../errors.js';
import { slackS, type Job } from '../model/jobs.js';
import { SHORT_QUEUE_LIMIT_S } from '../model/deadlines.js';
import { runAtArrival, type Plan, type PlanContext, type Scheduler } from './types.js';

export const HOUR_S = 3600;

/**
 * Where a job may start: `clock` = the arrival and every slot boundary within the wait;
 * `arrival` = the arrival plus whole hours (GAIA's grid).
 */
export type StartGrid = 'clock' | 'arrival';
export const START_GRIDS: readonly StartGrid[] = ['clock', 'arrival'];

/**
 * The length a scheduler plans with: `actual` = the job's real profile; `average` = the mean length
 * of the job's queue over the jobs arrived so far (GAIA's `waiting` and `cst_average`).
 */
export type PlanLength = 'actual' | 'average';
export const PLAN_LENGTHS: readonly PlanLength[] = ['actual', 'average'];

/** Options of the start-choosing schedulers, e.g. `{ startGrid: 'arrival', length: 'average' }` (GAIA's set-up). */
export interface StartChoiceOptions {
  /** default `clock` */
  startGrid?: StartGrid;
  /** default `actual` */
  length?: PlanLength;
}

/** The options with their defaults, checked (a library caller may pass any string). */
export function startChoice(options: StartChoiceOptions): { grid: StartGrid; length: PlanLength } {
  const grid = options.startGrid ?? 'clock';
  const length = options.length ?? 'actual';
  if (!START_GRIDS.includes(grid)) throw new InputError('bad_option', `unknown start grid "${grid}" (known: ${START_GRIDS.join(', ')})`, { field: 'start-grid' });
  if (!PLAN_LENGTHS.includes(length)) throw new InputError('bad_option', `unknown plan length "${length}" (known: ${PLAN_LENGTHS.join(', ')})`, { field: 'length' });
  return { grid, length };
}

/** The job's wait W: how long its start may be delayed (deadline - arrival - uninterrupted duration). */
export function allowedWaitS(job: Job, ctx: PlanContext): number {
  return slackS(job, ctx.now, ctx.deadline);
}

/** Candidate starts in [earliest, latest] (both included), ascending. */
export function candidateStarts(ctx: PlanContext, earliest: number, latest: number, grid: StartGrid): number[] {
  const starts = [earliest];
  if (grid === 'arrival') {
    for (let k = 1; earliest + k * HOUR_S <= latest; k++) starts.push(earliest + k * HOUR_S);
    return starts;
  }
  const { slot, slotOrigin } = ctx;
  for (let k = Math.floor((earliest - slotOrigin) / slot) + 1; slotOrigin + k * slot <= latest; k++) {
    const t = slotOrigin + k * slot;
    if (t > earliest) starts.push(t);
  }
  return starts;
}

/** A run as power steps: offsets[0] = 0 < ... < offsets[k] = length; powers[j] holds on [offsets[j], offsets[j+1]). */
export interface RunShape {
  offsets: ArrayLike<number>;
  powers: ArrayLike<number>;
}

/** Emissions (g) of a run of the given shape started at s. */
export function runEmissionsG(shape: RunShape, carbon: CarbonSignal, s: number): number {
  const { offsets, powers } = shape;
  let sum = 0;
  for (let j = 0; j + 1 < offsets.length; j++) {
    const p = powers[j]!;
    sum += emissionsWeight(p, s + offsets[j]!, s + offsets[j + 1]!, carbon);
  }
  return sum / JOULES_PER_KWH;
}

/** Planning-time view of a job's run; a stateful planner sees the jobs in arrival order. */
export type RunPlanner = (job: Job) => RunShape;

/**
 * `actual`: the job's real phase profile. `average`: a constant-power run (the job's mean power) as
 * long as the mean length of its queue (shorter than 2 h, or not) over the jobs planned so far,
 * this one included: no look-ahead. One planner per simulation, fed in arrival order.
 */
export function runPlanner(length: PlanLength): RunPlanner {
  if (length === 'actual') return (job) => ({ offsets: job.profile.runOffsets, powers: job.profile.runPowers });
  const sums = [0, 0];
  const counts = [0, 0];
  return (job) => {
    const q = job.profile.durationS < SHORT_QUEUE_LIMIT_S ? 0 : 1;
    sums[q]! += job.profile.durationS;
    counts[q]! += 1;
    const meanS = sums[q]! / counts[q]!;
    const powerW = job.profile.energyJ / job.profile.durationS;
    return { offsets: [0, meanS], powers: [powerW, 0] };
  };
}

/** a < b beyond rounding: equal costs summed in a different order must tie (ties go to the earliest). */
export function clearlyLess(a: number, b: number): boolean {
  return a < b - 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Scores a candidate start s (higher is better) from the emissions of the run started there, the
 * emissions of starting at arrival, and the run's length.
 */
export type StartScore = (emissionsG: number, atArrivalG: number, s: number, arrival: number, lengthS: number) => number;

/**
 * An uninterrupted scheduler that starts each job at the candidate start with the best score; the
 * arrival is a candidate too, and ties (within rounding) go to the earliest start.
 */
export function bestStartScheduler(name: string, options: StartChoiceOptions, score: StartScore): Scheduler {
  const { grid, length } = startChoice(options);
  const planRun = runPlanner(length);
  return {
    name,
    plan(job: Job, ctx: PlanContext): Plan {
      const shape = planRun(job);
      const waitS = allowedWaitS(job, ctx);
      if (waitS < 0) return runAtArrival(job);
      const lengthS = shape.offsets[shape.offsets.length - 1]!;
      const atArrival = runEmissionsG(shape, ctx.carbon, ctx.now);
      let bestS = ctx.now;
      let best = score(atArrival, atArrival, ctx.now, ctx.now, lengthS);
      for (const s of candidateStarts(ctx, ctx.now, ctx.now + waitS, grid)) {
        if (s === ctx.now) continue;
        const value = score(runEmissionsG(shape, ctx.carbon, s), atArrival, s, ctx.now, lengthS);
        if (clearlyLess(best, value)) {
          best = value;
          bestS = s;
        }
      }
      return { intervals: [[bestS, bestS + job.profile.durationS]] };
    },
  };
}
