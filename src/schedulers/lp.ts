import { slackS, type Job } from '../model/jobs.js';
import { checkMaxStarts, slotBoundaries, type CheckpointResumeProblem } from '../solvers/problem.js';
import { solveCheckpointResume, type SolverName } from '../solvers/solve.js';
import { loadedMilpBackend } from '../solvers/milp.js';
import { runAtArrival, type Plan, type PlanContext, type Scheduler } from './types.js';

/**
 * Options of the `lp` scheduler, e.g. `{ solver: 'highs', maxStarts: 3 }`.
 * The MILP back-ends must be loaded first (`await loadMilpBackend('highs')`; runWorkload does).
 */
export interface LpOptions {
  /** 'dp' (default), 'highs' or 'jslp': all exact, the DP is fastest */
  solver?: SolverName;
  /** at most this many run intervals; default: no cap */
  maxStarts?: number;
  /** MILP only: fail after this many seconds without a proven optimum */
  timeLimitS?: number;
}

/**
 * Checkpoint-resume, overhead-aware (thesis 4.3.3, solved exactly): the slot-aligned run intervals
 * in [arrival, deadline) with the least emissions under the forecast view, counting every startup
 * and all lost work as the engine charges them (docs/lp.md). A job that cannot meet its deadline
 * runs uninterrupted at arrival.
 */
export function lpScheduler(options: LpOptions = {}): Scheduler {
  const solver = options.solver ?? 'dp';
  const maxStarts = checkMaxStarts(options.maxStarts ?? Infinity);
  if (solver !== 'dp') loadedMilpBackend(solver); // fail at creation, not at the first job
  return {
    name: 'lp',
    plan(job: Job, ctx: PlanContext): Plan {
      if (slackS(job, ctx.now, ctx.deadline) < 0) return runAtArrival(job);
      const solution = solveCheckpointResume(lpProblem(job, ctx, maxStarts), {
        solver,
        ...(options.timeLimitS !== undefined && { timeLimitS: options.timeLimitS }),
      });
      if (!solution) return runAtArrival(job);
      return { intervals: solution.intervals };
    },
  };
}

/** The job's problem on the context's slot grid, against the forecast view. */
export function lpProblem(job: Job, ctx: PlanContext, maxStarts = Infinity): CheckpointResumeProblem {
  return {
    profile: job.profile,
    boundaries: slotBoundaries(ctx.now, ctx.deadline, ctx.slot, ctx.slotOrigin),
    carbon: ctx.carbon,
    maxStarts,
  };
}
