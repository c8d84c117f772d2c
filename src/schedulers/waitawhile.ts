import type { Interval } from '../model/execution.js';
import type { Job } from '../model/jobs.js';
import { TIME_EPS_S } from '../model/profile.js';
import { runAtArrival, type Plan, type PlanContext, type Scheduler } from './types.js';

/**
 * WaitAWhile (Wiesner et al., Middleware 2021; GAIA's suspend-resume): run in the cheapest slots
 * of [arrival, deadline) until the job's uninterrupted duration L is covered, assuming constant
 * power and free interruption. Slots are the window cut at the slot grid; each costs its mean
 * forecast intensity. Cheapest first, ties to the earliest; the last slot needed is used from its
 * start. Adjacent chosen slots form one interval. With the default slot (the carbon resolution)
 * the slots are the carbon steps clipped to the window, so this is GAIA's rule exactly: the L
 * cheapest seconds of [arrival, arrival + L + W). The engine still charges the real startups and
 * lost work: that gap is what the comparison with overhead-aware schedulers measures.
 */
export function waitAWhileScheduler(): Scheduler {
  return {
    name: 'waitawhile',
    plan(job: Job, ctx: PlanContext): Plan {
      const need = job.profile.durationS;
      if (ctx.deadline - ctx.now < need) return runAtArrival(job, false);
      return { intervals: cheapestSlots(ctx, ctx.now, ctx.deadline, need), feasible: true };
    },
  };
}

/** The intervals of the cheapest slots of [from, to) that add up to `need` seconds. */
export function cheapestSlots(ctx: PlanContext, from: number, to: number, need: number): Interval[] {
  const { carbon, slot, slotOrigin } = ctx;
  const first = Math.floor((from - slotOrigin) / slot);
  const starts: number[] = [];
  const ends: number[] = [];
  const costs: number[] = [];
  for (let m = first; ; m++) {
    const s = Math.max(from, slotOrigin + m * slot);
    const e = Math.min(to, slotOrigin + (m + 1) * slot);
    if (s >= to) break;
    if (e <= s) continue;
    starts.push(s);
    ends.push(e);
    // Within one carbon step the mean is the step's value exactly, so equal steps tie exactly.
    const v = carbon.intensityAt(s);
    let within = true;
    carbon.forEachBoundary(s, e, () => {
      within = false;
    });
    costs.push(within ? v : carbon.meanIntensity(s, e));
  }
  const order = starts.map((_, i) => i);
  order.sort((a, b) => costs[a]! - costs[b]! || a - b);
  const take = new Float64Array(starts.length); // seconds used of each slot, from its start
  let left = need;
  for (const i of order) {
    if (left <= TIME_EPS_S) break; // a float residue is not a slot
    const len = ends[i]! - starts[i]!;
    const used = Math.min(len, left);
    take[i] = used;
    left -= used;
  }
  const intervals: [number, number][] = [];
  for (let i = 0; i < starts.length; i++) {
    const used = take[i]!;
    if (used <= 0) continue;
    const s = starts[i]!;
    const e = s + used;
    const last = intervals[intervals.length - 1];
    if (last && last[1] === s) last[1] = e;
    else intervals.push([s, e]);
  }
  return intervals;
}
