import { InputError } from '../errors.js';
import type { Interval } from '../model/execution.js';
import type { Job } from '../model/jobs.js';
import type { Plan, PlanContext, Scheduler } from './types.js';

/** Run intervals per job id, in seconds since the simulation epoch. */
export type PlanBook = ReadonlyMap<string, readonly Interval[]>;

/** Executes a given plan (measured or external schedules), so they are charged like any other. */
export function replayScheduler(plans: PlanBook): Scheduler {
  return {
    name: 'replay',
    plan(job: Job, ctx: PlanContext): Plan {
      const intervals = plans.get(job.id);
      if (!intervals) throw new InputError('missing_plan', `the plan has no intervals for job "${job.id}"`, { field: job.id });
      return { intervals: intervals.map(([s, e]) => [s, e] as const) };
    },
  };
}

/** Parse a plan file `{"jobs": {"<id>": [[start, end], ...]}}`. */
export function parsePlanBook(text: string, file = '<plan>'): PlanBook {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError('bad_plan_json', `plan is not JSON: ${(err as Error).message}`, { file });
  }
  const jobs = (doc as { jobs?: unknown } | null)?.jobs;
  if (jobs === null || typeof jobs !== 'object' || Array.isArray(jobs)) {
    throw new InputError('bad_plan', 'plan needs an object "jobs": {"<id>": [[start, end], ...]}', { file, field: 'jobs' });
  }
  const book = new Map<string, Interval[]>();
  for (const [id, list] of Object.entries(jobs as Record<string, unknown>)) {
    const field = `jobs.${id}`;
    if (!Array.isArray(list) || list.length === 0) throw new InputError('bad_plan', 'needs a non-empty list of [start, end] pairs', { file, field });
    book.set(
      id,
      list.map((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((x) => typeof x === 'number' && Number.isFinite(x))) {
          throw new InputError('bad_plan', `interval ${i} is not a [start, end] pair of finite numbers`, { file, field });
        }
        return [pair[0] as number, pair[1] as number] as const;
      }),
    );
  }
  return book;
}

/** Every plan entry must name a job of the workload: an entry for no job is a typo, not data to drop. */
export function checkPlanBook(plans: PlanBook, jobs: readonly Job[], file: string): void {
  const ids = new Set(jobs.map((j) => j.id));
  for (const id of plans.keys()) {
    if (!ids.has(id)) throw new InputError('unknown_plan_job', `the plan has intervals for job "${id}", which is not in the workload`, { file, field: `jobs.${id}` });
  }
}
