import { InputError } from '../errors.js';
import { JobRun, type PieceSink } from './jobrun.js';
import { TIME_EPS_S, type CompiledProfile } from './profile.js';

export type { PieceSink };

/** A run interval [start, end) in seconds since the epoch. */
export type Interval = readonly [start: number, end: number];


/** What running a plan did to the job (times in seconds since the epoch). */
export interface Execution {
  /** the intervals as run: the last one cut at the finish, or extended to it (overrun) */
  intervals: Interval[];
  start: number;
  finish: number;
  energyJ: number;
  /** energy beyond one uninterrupted run: repeated startups plus lost work */
  overheadEnergyJ: number;
  /** number of times the job was started (intervals run) */
  starts: number;
  /** seconds of work progress rolled back to the last checkpoint, summed over interruptions */
  lostWorkS: number;
  /** seconds the last interval ran past its planned end because the work was not done */
  overrunS: number;
}

export class PlanError extends InputError {
  constructor(
    message: string,
    readonly intervalIndex: number,
  ) {
    super('bad_plan', message);
    this.name = 'PlanError';
  }
}

/** Check a plan's shape: ordered, disjoint (abutting allowed), non-empty intervals, none before arrival. */
export function validatePlan(intervals: readonly Interval[], arrival: number): void {
  if (intervals.length === 0) throw new PlanError('plan has no run interval', -1);
  let prevEnd = arrival;
  for (let i = 0; i < intervals.length; i++) {
    const [s, e] = intervals[i]!;
    if (!Number.isFinite(s) || !Number.isFinite(e)) {
      throw new PlanError(`interval ${i} [${s}, ${e}] is not finite`, i);
    }
    if (!(e > s)) throw new PlanError(`interval ${i} [${s}, ${e}] does not end after it starts`, i);
    if (s < prevEnd - TIME_EPS_S) {
      throw new PlanError(
        i === 0
          ? `interval 0 starts at ${s} s, before the arrival at ${arrival} s`
          : `interval ${i} starts at ${s} s, before interval ${i - 1} ends at ${prevEnd} s`,
        i,
      );
    }
    prevEnd = e;
  }
}

/**
 * Run a plan through the phased model (DESIGN.md, execution semantics), as a fold over JobRun:
 * - every interval runs the full startup phases, then continues the work from the saved progress;
 *   every interval after the first runs the profile's resume phases instead when it has a resume
 *   list (JobRun.start picks them; without one the startup phases, exactly as before);
 * - an interval that ends before the work is done rolls progress back to the last checkpoint
 *   (a job without checkpoint phases keeps all progress);
 * - the job finishes the instant its last work phase ends; the interval running then is cut there;
 * - if the plan's last interval ends before the work is done, it is extended until the job
 *   finishes (the cluster does not kill an unfinished job) and the extension is reported as overrun;
 * - an interval planned after the job finished is a plan error.
 * Abutting intervals are never merged: each pays the startup again.
 */
export function executePlan(
  profile: CompiledProfile,
  arrival: number,
  plan: readonly Interval[],
  onPiece?: PieceSink,
): Execution {
  validatePlan(plan, arrival);
  const run = new JobRun(profile);
  const intervals: Interval[] = [];
  let overrunS = 0;
  for (let k = 0; k < plan.length; k++) {
    const [s, plannedEnd] = plan[k]!;
    if (run.done) throw new PlanError(`interval ${k} starts at ${s} s, after the job finished at ${run.finish} s`, k);
    run.start(s);
    if (k < plan.length - 1) {
      run.stop(plannedEnd, onPiece);
      intervals.push(run.done ? [s, run.finish] : [s, plannedEnd]);
    } else {
      run.advance(Infinity, onPiece);
      intervals.push([s, run.finish]);
      if (run.finish > plannedEnd) overrunS = run.finish - plannedEnd;
    }
  }
  return executionOf(run, intervals, overrunS);
}

/** The summary of a finished (or abandoned) run: what executePlan returns. */
export function executionOf(run: JobRun, intervals: Interval[], overrunS: number): Execution {
  return {
    intervals,
    start: intervals.length > 0 ? intervals[0]![0] : NaN,
    finish: run.finish,
    energyJ: run.energyJ,
    overheadEnergyJ: run.overheadEnergyJ,
    starts: run.starts,
    lostWorkS: run.lostWorkS,
    overrunS,
  };
}
