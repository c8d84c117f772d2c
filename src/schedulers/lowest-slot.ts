import type { CarbonSignal } from '../carbon/signal.js';
import type { Job } from '../model/jobs.js';
import { allowedWaitS } from './candidates.js';
import { runAtArrival, type Plan, type PlanContext, type Scheduler } from './types.js';

/**
 * Lowest-Slot (GAIA's "lowest carbon slot"): start at the earliest instant of minimum intensity in
 * [arrival, arrival + W], the end included, and run uninterrupted. That instant is the arrival when
 * its own carbon step is the cheapest, else the start of the earliest cheapest step. The job's
 * length plays no part.
 */
export function lowestSlotScheduler(): Scheduler {
  return {
    name: 'lowest-slot',
    plan(job: Job, ctx: PlanContext): Plan {
      const waitS = allowedWaitS(job, ctx);
      if (waitS < 0) return runAtArrival(job);
      const s = cheapestInstant(ctx.carbon, ctx.now, ctx.now + waitS);
      return { intervals: [[s, s + job.profile.durationS]] };
    },
  };
}

/** The earliest instant of least intensity in [from, to] (both included). */
export function cheapestInstant(carbon: CarbonSignal, from: number, to: number): number {
  let bestT = from;
  let best = carbon.intensityAt(from);
  const consider = (t: number): void => {
    const v = carbon.intensityAt(t);
    if (v < best) {
      best = v;
      bestT = t;
    }
  };
  carbon.forEachBoundary(from, to, consider);
  // `to` itself: a step starting exactly there counts (inclusive end); otherwise its step began
  // at an earlier candidate, which wins the tie.
  if (to > from) consider(to);
  return bestT;
}
