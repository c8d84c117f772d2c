import type { CarbonSignal } from '../carbon/signal.js';
import type { Interval } from '../model/execution.js';
import type { Job } from '../model/jobs.js';

/** What a scheduler sees when a job is submitted. */
export interface PlanContext {
  /** submission time (s since the epoch): the job's arrival */
  now: number;
  /** the job's deadline (s since the epoch) */
  deadline: number;
  /** the carbon view: a forecast or the actual signal; the engine always charges the actual one */
  carbon: CarbonSignal;
  /** slot length (s) for slot-based schedulers */
  slot: number;
  /** a slot boundary: slots are [slotOrigin + k x slot, slotOrigin + (k+1) x slot) */
  slotOrigin: number;
  /** seeded random numbers in [0, 1) */
  rng: () => number;
}

/** Run intervals for one job. */
export interface Plan {
  intervals: Interval[];
}

export interface Scheduler {
  readonly name: string;
  plan(job: Job, ctx: PlanContext): Plan;
}

/** The fallback every scheduler uses when the deadline cannot be met: run uninterrupted at arrival. */
export function runAtArrival(job: Job): Plan {
  return { intervals: [[job.arrival, job.arrival + job.profile.durationS]] };
}
