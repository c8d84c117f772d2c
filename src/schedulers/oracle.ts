import { emissionsWeight } from '../carbon/emissions.js';
import type { CarbonSignal } from '../carbon/signal.js';
import { slackS, type Job } from '../model/jobs.js';
import { runAtArrival, type Plan, type PlanContext, type Scheduler } from './types.js';

/**
 * Uninterrupted oracle (thesis 4.3.2, listing 4.11, made exact in continuous time): the start in
 * [arrival, deadline - duration] with the least emissions for the job's real phase profile.
 *
 * With step carbon, E(s) = sum_j P_j x (C(s + o_{j+1}) - C(s + o_j)) is piecewise linear in s with
 * breakpoints where a phase boundary o_j meets a carbon step boundary b (s = b - o_j). A minimum of
 * a piecewise-linear function on an interval lies at a breakpoint or an end, so those candidates
 * are exhaustive. Ties go to the earliest start.
 */
export function oracleScheduler(): Scheduler {
  return {
    name: 'oracle',
    plan(job: Job, ctx: PlanContext): Plan {
      const duration = job.profile.durationS;
      const earliest = ctx.now;
      const latest = ctx.deadline - duration;
      if (slackS(job, ctx.now, ctx.deadline) < 0) return runAtArrival(job);
      const start = bestUninterruptedStart(job, ctx.carbon, earliest, latest);
      return { intervals: [[start, start + duration]] };
    },
  };
}

/** The least-emission start in [earliest, latest] for one uninterrupted run of the job. */
export function bestUninterruptedStart(job: Job, carbon: CarbonSignal, earliest: number, latest: number): number {
  const offsets = job.profile.runOffsets;
  const powers = job.profile.runPowers;
  const k = powers.length - 1; // phases with their own power; powers[k] = 0
  const cost = (s: number): number => {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const p = powers[j]!;
      sum += emissionsWeight(p, s + offsets[j]!, s + offsets[j + 1]!, carbon);
    }
    return sum;
  };
  let bestS = earliest;
  let best = cost(earliest);
  const consider = (s: number): void => {
    const c = cost(s);
    const tol = 1e-12 * Math.max(Math.abs(c), Math.abs(best));
    if (c < best - tol || (c <= best + tol && s < bestS)) {
      best = c;
      bestS = s;
    }
  };
  if (latest > earliest) {
    consider(latest);
    for (let j = 0; j <= k; j++) {
      const o = offsets[j]!;
      carbon.forEachBoundary(earliest + o, latest + o, (b) => consider(b - o));
    }
  }
  return bestS;
}
