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
 * Carbon-Time (GAIA's "carbon saving per waiting time"; `cst_average` with `length: 'average'`):
 * among the candidate starts s in [arrival, arrival + W], the one maximising
 *   (C(arrival) - C(s)) / (s - arrival + L),
 * the carbon saved per second of completion time, where C(s) is the emissions of the run started
 * at s and L its length. Starting at arrival scores 0, so a job only waits for a real saving; ties
 * go to the earliest. Runs uninterrupted.
 *
 * @example carbonTimeScheduler({ startGrid: 'arrival', length: 'average' }) // GAIA's `cst_average`
 */
export function carbonTimeScheduler(options: StartChoiceOptions = {}): Scheduler {
  const { grid, length } = startChoice(options);
  const planRun = runPlanner(length);
  return {
    name: 'carbon-time',
    plan(job: Job, ctx: PlanContext): Plan {
      const shape = planRun(job);
      const waitS = allowedWaitS(job, ctx);
      if (waitS < 0) return runAtArrival(job, false);
      const lengthS = shape.offsets[shape.offsets.length - 1]!;
      const atArrival = runEmissionsG(shape, ctx.carbon, ctx.now);
      let bestS = ctx.now;
      let best = 0; // the score of starting at arrival
      for (const s of candidateStarts(ctx, ctx.now, ctx.now + waitS, grid)) {
        if (s === ctx.now) continue;
        const cost = runEmissionsG(shape, ctx.carbon, s);
        if (!clearlyLess(cost, atArrival)) continue; // no saving: cannot beat the arrival
        const score = (atArrival - cost) / (s - ctx.now + lengthS);
        if (clearlyLess(best, score)) {
          best = score;
          bestS = s;
        }
      }
      return { intervals: [[bestS, bestS + job.profile.durationS]], feasible: true };
    },
  };
}
