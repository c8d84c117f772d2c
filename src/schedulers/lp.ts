import { InputError } from '../errors.js';
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
  /**
   * 'dp' (default): the dynamic program, over the plan space with free instants; 'highs' or
   * 'jslp': the MILP, exact over the slot-grid plan space (no free instants: docs/lp.md)
   */
  solver?: SolverName;
  /** at most this many run intervals; default: no cap */
  maxStarts?: number;
  /** MILP only: fail after this many seconds without a proven optimum */
  timeLimitS?: number;
}

/**
 * Checkpoint-resume, overhead-aware (thesis 4.3.3, solved exactly): the run intervals in
 * [arrival, deadline) with the least emissions under the forecast view, counting every startup and
 * all lost work as the engine charges them (docs/lp.md). Intervals start and end on the slot grid
 * (a checkpointed job ends at a checkpoint) or, with the default solver, at free instants inside a
 * slot: so the plan space holds every uninterrupted run in continuous time (the oracle's) and
 * waitawhile's partial slot. A job that cannot meet its deadline runs uninterrupted at arrival.
 */
export function lpScheduler(options: LpOptions = {}): Scheduler {
  const solver = options.solver ?? 'dp';
  const maxStarts = checkMaxStarts(options.maxStarts ?? Infinity);
  if (solver !== 'dp') loadedMilpBackend(solver); // fail at creation, not at the first job
  return {
    name: 'lp',
    plan(job: Job, ctx: PlanContext): Plan {
      if (job.profile.hasResume) {
        // the solvers price every start with the startup phases; a resume list would be mispriced
        throw new InputError('bad_profile', `job ${job.id}: the lp scheduler does not model resume phases (every start runs the startup phases in its plan space)`, { field: 'resume' });
      }
      if (slackS(job, ctx.now, ctx.deadline) < 0) return runAtArrival(job);
      const solution = solveCheckpointResume(lpProblem(job, ctx, maxStarts, solver === 'dp'), {
        solver,
        ...(options.timeLimitS !== undefined && { timeLimitS: options.timeLimitS }),
      });
      if (!solution) return runAtArrival(job);
      return { intervals: solution.intervals };
    },
  };
}

/**
 * The job's problem on the context's slot grid, against the forecast view; `freeInstant` (default
 * true, the lp scheduler's plan space with the dp solver) lets starts and ends lie at free
 * instants between boundaries (problem.ts).
 */
export function lpProblem(job: Job, ctx: PlanContext, maxStarts = Infinity, freeInstant = true): CheckpointResumeProblem {
  return {
    profile: job.profile,
    boundaries: slotBoundaries(ctx.now, ctx.deadline, ctx.slot, ctx.slotOrigin),
    carbon: ctx.carbon,
    maxStarts,
    freeInstant,
  };
}
