import type { Interval } from '../model/execution.js';
import { slackS, type Job } from '../model/jobs.js';
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
      if (slackS(job, ctx.now, ctx.deadline) < 0) return runAtArrival(job);
      return { intervals: cheapestSlots(ctx, ctx.now, ctx.deadline, need) };
    },
  };
}

// Scratch arrays reused across jobs: planning 100k jobs allocates only the plans themselves.
let slotStart: Float64Array = new Float64Array(256);
let slotEnd: Float64Array = new Float64Array(256);
let slotCost: Float64Array = new Float64Array(256);
let slotTake: Float64Array = new Float64Array(256);
let slotOrder: Int32Array = new Int32Array(256);

function reserve(n: number): void {
  if (n <= slotStart.length) return;
  const size = Math.max(n, 2 * slotStart.length);
  slotStart = new Float64Array(size);
  slotEnd = new Float64Array(size);
  slotCost = new Float64Array(size);
  slotTake = new Float64Array(size);
  slotOrder = new Int32Array(size);
}

const byCostThenTime = (a: number, b: number): number => slotCost[a]! - slotCost[b]! || a - b;

/** Slot indices 0..n-1 by cost, ties by time; insertion sort for the usual few dozen slots. */
function sortSlots(n: number): Int32Array {
  const order = slotOrder.subarray(0, n);
  for (let k = 0; k < n; k++) order[k] = k;
  if (n > 64) return order.sort(byCostThenTime);
  const cost = slotCost;
  for (let k = 1; k < n; k++) {
    const i = order[k]!;
    const c = cost[i]!;
    let j = k - 1;
    // indices enter in time order, so a strict > keeps ties in time order
    while (j >= 0 && cost[order[j]!]! > c) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = i;
  }
  return order;
}

/** Cut [from, to) at the slot grid into the scratch arrays, each slot with its mean intensity; returns the count. */
function fillSlots(ctx: PlanContext, from: number, to: number): number {
  const { carbon, slot, slotOrigin } = ctx;
  reserve(Math.ceil((to - from) / slot) + 2);
  let n = 0;
  const grid = carbon.uniformStepS;
  if (grid === slot && (slotOrigin - carbon.start) % grid === 0 && from >= carbon.start && to <= carbon.end) {
    // Fast path: slots on the carbon grid inside the trace are its steps; read their values in order.
    const { values, times } = carbon;
    let i = Math.floor((from - carbon.start) / grid);
    if (times[i]! > from) i--;
    else if (i + 1 < values.length && times[i + 1]! <= from) i++;
    for (let s = from; s < to; i++) {
      const e = Math.min(to, carbon.start + (i + 1) * grid);
      slotStart[n] = s;
      slotEnd[n] = e;
      slotCost[n++] = values[i]!;
      s = e;
    }
    return n;
  }
  for (let m = Math.floor((from - slotOrigin) / slot); ; m++) {
    const s = Math.max(from, slotOrigin + m * slot);
    const e = Math.min(to, slotOrigin + (m + 1) * slot);
    if (s >= to) return n;
    if (e <= s) continue;
    slotStart[n] = s;
    slotEnd[n] = e;
    // Within one carbon step the mean is the step's value exactly, so equal steps tie exactly.
    slotCost[n++] = e <= carbon.stepEnd(s) ? carbon.intensityAt(s) : carbon.meanIntensity(s, e);
  }
}

/** The intervals of the cheapest slots of [from, to) that add up to `need` seconds. */
export function cheapestSlots(ctx: PlanContext, from: number, to: number, need: number): Interval[] {
  const n = fillSlots(ctx, from, to);
  const order = sortSlots(n);
  slotTake.fill(0, 0, n);
  let left = need;
  for (let k = 0; k < n && left > TIME_EPS_S; k++) {
    // a float residue below TIME_EPS_S is not a slot
    const i = order[k]!;
    const used = Math.min(slotEnd[i]! - slotStart[i]!, left);
    slotTake[i] = used;
    left -= used;
  }
  const intervals: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const used = slotTake[i]!;
    if (used <= 0) continue;
    const s = slotStart[i]!;
    const e = s + used;
    const last = intervals[intervals.length - 1];
    if (last && last[1] === s) last[1] = e;
    else intervals.push([s, e]);
  }
  return intervals;
}
