import { runAtArrival, type PlanContext, type Plan, type Scheduler } from './types.js';
import type { Job } from '../model/jobs.js';

/** Carbon-agnostic baseline: run at arrival, uninterrupted. */
export function agnosticScheduler(): Scheduler {
  return {
    name: 'agnostic',
    plan(job: Job, ctx: PlanContext): Plan {
      return runAtArrival(job);
    },
  };
}
