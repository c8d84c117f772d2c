import type { Job } from '../model/jobs.js';
import {
  allowedWaitS,
  candidateStarts,
  clearlyLess,
  runEmissionsG,
  runPlanner,
  startChoice,
  type StartChoiceOptions,
} from './candidates.js';
import { runAtArrival, type Plan, type PlanContext, type Scheduler } from './types.js';

/**
 * Lowest-Window (GAIA's "lowest carbon window"; `waiting` with `length: 'average'`): among the
 * candidate starts in [arrival, arrival + W], the one whose full run emits the least; ties go to
 * the earliest. Runs uninterrupted. With `length: 'average'` the choice is made for a run of the
 * queue's mean length; the engine still charges the real one.
 *
 * @example lowestWindowScheduler({ startGrid: 'arrival', length: 'average' }) // GAIA's `waiting`
 */
export function lowestWindowScheduler(options: StartChoiceOptions = {}): Scheduler {
  const { grid, length } = startChoice(options);
  const planRun = runPlanner(length);
  return {
    name: 'lowest-window',
    plan(job: Job, ctx: PlanContext): Plan {
      const shape = planRun(job);
      const waitS = allowedWaitS(job, ctx);
      if (waitS < 0) return runAtArrival(job, false);
      let bestS = ctx.now;
      let best = runEmissionsG(shape, ctx.carbon, ctx.now);
      for (const s of candidateStarts(ctx, ctx.now, ctx.now + waitS, grid)) {
        if (s === ctx.now) continue;
        const cost = runEmissionsG(shape, ctx.carbon, s);
        if (clearlyLess(cost, best)) {
          best = cost;
          bestS = s;
        }
      }
      return { intervals: [[bestS, bestS + job.profile.durationS]], feasible: true };
    },
  };
}
