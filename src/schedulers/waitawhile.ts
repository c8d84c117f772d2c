import type { CarbonSignal } from '../carbon/signal.js';
import { stepArgminOf, StepsByValue, type StepArgmin } from '../carbon/step-argmin.js';
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
  // Scratch arrays reused across this scheduler's jobs: planning 100k jobs allocates only the plans.
  const scratch = new SlotScratch();
  return {
    name: 'waitawhile',
    plan(job: Job, ctx: PlanContext): Plan {
      const need = job.profile.durationS;
      if (slackS(job, ctx.now, ctx.deadline) < 0) return runAtArrival(job);
      return { intervals: cheapestSlots(ctx, ctx.now, ctx.deadline, need, scratch) };
    },
  };
}

/** Slots of one window: start, end, mean intensity, seconds taken; grown on demand, owned by one scheduler. */
export class SlotScratch {
  start = new Float64Array(256);
  end = new Float64Array(256);
  cost = new Float64Array(256);
  take = new Float64Array(256);
  order = new Int32Array(256);
  /** the window's steps in pick order, and the steps picked with the seconds taken of each */
  readonly steps = new StepsByValue();
  picked = new Int32Array(64);
  pickedUse = new Float64Array(64);
  private readonly byCostThenTime = (a: number, b: number): number => this.cost[a]! - this.cost[b]! || a - b;

  reserve(n: number): void {
    if (n <= this.start.length) return;
    const size = Math.max(n, 2 * this.start.length);
    this.start = new Float64Array(size);
    this.end = new Float64Array(size);
    this.cost = new Float64Array(size);
    this.take = new Float64Array(size);
    this.order = new Int32Array(size);
  }

  private gridCarbon: CarbonSignal | undefined;
  private gridSlot = NaN;
  private gridOrigin = NaN;
  private grid = NOT_STEPS;

  /** stepGrid of the context, kept while the signal and grid stay (they do for a whole run without issued forecasts) */
  gridOf(ctx: PlanContext): number {
    const { carbon, slot, slotOrigin } = ctx;
    if (carbon !== this.gridCarbon || slot !== this.gridSlot || slotOrigin !== this.gridOrigin) {
      this.gridCarbon = carbon;
      this.gridSlot = slot;
      this.gridOrigin = slotOrigin;
      this.grid = stepGrid(carbon, slot, slotOrigin);
    }
    return this.grid;
  }

  private tableOf: Float64Array | undefined;
  private table: StepArgmin | undefined;

  /** stepArgminOf, with the last table at hand (one signal serves most windows) */
  argminOf(values: Float64Array): StepArgmin | undefined {
    if (values === this.tableOf) return this.table;
    const table = stepArgminOf(values);
    if (table !== undefined) {
      this.tableOf = values;
      this.table = table;
    }
    return table;
  }

  growPicked(): void {
    const size = 2 * this.picked.length;
    const picked = new Int32Array(size);
    picked.set(this.picked);
    this.picked = picked;
    const use = new Float64Array(size);
    use.set(this.pickedUse);
    this.pickedUse = use;
  }

  /** Slot indices 0..n-1 by cost, ties by time; insertion sort for the usual few dozen slots. */
  sort(n: number): Int32Array {
    const order = this.order.subarray(0, n);
    for (let k = 0; k < n; k++) order[k] = k;
    if (n > 64) return order.sort(this.byCostThenTime);
    const cost = this.cost;
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

  /**
   * Cut [from, to) at the slot grid, each slot with its mean intensity; returns the count. A piece
   * no longer than TIME_EPS_S (a window edge a float residue past a boundary, as arrival + length +
   * wait in hours gives) is not a slot: the engine could not run it, and a plan ending in it would
   * list an interval after the job's finish.
   */
  fill(ctx: PlanContext, from: number, to: number): number {
    const { carbon, slot, slotOrigin } = ctx;
    this.reserve(Math.ceil((to - from) / slot) + 2);
    const { start, end, cost } = this;
    let n = 0;
    const grid = carbon.uniformStepS;
    if (this.gridOf(ctx) !== NOT_STEPS && from >= carbon.start && to <= carbon.end) {
      // Fast path: slots on the carbon grid inside the trace are its steps; read their values in order.
      const { values } = carbon;
      let i = stepIndexAt(carbon, from);
      for (let s = from; s < to; i++) {
        const e = Math.min(to, carbon.start + (i + 1) * grid);
        if (e - s > TIME_EPS_S) {
          start[n] = s;
          end[n] = e;
          cost[n++] = values[i]!;
        }
        s = e;
      }
      return n;
    }
    for (let m = Math.floor((from - slotOrigin) / slot); ; m++) {
      const s = Math.max(from, slotOrigin + m * slot);
      const e = Math.min(to, slotOrigin + (m + 1) * slot);
      if (s >= to) return n;
      if (e - s <= TIME_EPS_S) continue;
      start[n] = s;
      end[n] = e;
      // Within one carbon step the mean is the step's value exactly, so equal steps tie exactly.
      cost[n++] = e <= carbon.stepEnd(s) ? carbon.intensityAt(s) : carbon.meanIntensity(s, e);
    }
  }
}

const NOT_STEPS = 0;
const STEPS = 1;
const STEPS_REPEATED = 2;

/**
 * How the slot grid sits on the signal: NOT_STEPS; STEPS, slots inside the trace are its steps
 * clipped to the window (the usual case); STEPS_REPEATED, also past its end under `--extend repeat`,
 * with whole steps on whole seconds, so that every bound and fold is exact and the slots the scan
 * cuts there are these steps to the bit.
 */
function stepGrid(carbon: CarbonSignal, slot: number, slotOrigin: number): number {
  const grid = carbon.uniformStepS;
  if (!(grid === slot && (slotOrigin - carbon.start) % grid === 0)) return NOT_STEPS;
  const exact = Number.isInteger(grid) && Number.isInteger(carbon.start) && Number.isInteger(slotOrigin) && carbon.end - carbon.start === carbon.values.length * grid;
  return carbon.extend === 'repeat' && exact ? STEPS_REPEATED : STEPS;
}

/** The step holding t, on a uniform grid (t inside the signal). */
function stepIndexAt(carbon: CarbonSignal, t: number): number {
  const { values, times } = carbon;
  let i = Math.floor((t - carbon.start) / carbon.uniformStepS);
  if (times[i]! > t) i--;
  else if (i + 1 < values.length && times[i + 1]! <= t) i++;
  return i;
}

/** Picks made by repeated minimum before the sorted order takes over (see cheapestSlots). */
const FEW_PICKS = 8;

/** The intervals of the cheapest slots of [from, to) that add up to `need` seconds. */
export function cheapestSlots(ctx: PlanContext, from: number, to: number, need: number, scratch = new SlotScratch()): Interval[] {
  const { carbon } = ctx;
  const grid = scratch.gridOf(ctx);
  const onSteps = grid !== NOT_STEPS && from >= carbon.start && (to <= carbon.end || grid === STEPS_REPEATED);
  const table = onSteps ? scratch.argminOf(carbon.values) : undefined;
  if (table !== undefined) return cheapestSteps(ctx.carbon, table, from, to, need, scratch);
  return cheapestSlotsByScan(ctx, from, to, need, scratch);
}

/** cheapestSlots by filling and scanning the window's slots (any slot grid). */
export function cheapestSlotsByScan(ctx: PlanContext, from: number, to: number, need: number, scratch = new SlotScratch()): Interval[] {
  const n = scratch.fill(ctx, from, to);
  const { start, end, cost, take } = scratch;
  take.fill(0, 0, n);
  let left = need;
  // Cheapest first, ties to the earliest. Most jobs need one or two slots of a window of a few dozen:
  // those are found by repeated minimum (n compares each, the earliest kept on ties), which picks
  // exactly the head of the sorted order; a job that needs more continues along that order.
  // A slot taken has take > 0 (slots are not empty and a float residue below TIME_EPS_S is not a slot).
  let picks = 0;
  while (left > TIME_EPS_S && picks < FEW_PICKS) {
    let best = -1;
    let bestCost = 0;
    for (let i = 0; i < n; i++) {
      if (take[i] === 0 && (best < 0 || cost[i]! < bestCost)) {
        best = i;
        bestCost = cost[i]!;
      }
    }
    if (best < 0) break;
    const used = Math.min(end[best]! - start[best]!, left);
    take[best] = used;
    left -= used;
    picks++;
  }
  if (left > TIME_EPS_S) {
    const order = scratch.sort(n);
    for (let k = 0; k < n && left > TIME_EPS_S; k++) {
      const i = order[k]!;
      if (take[i] !== 0) continue;
      const used = Math.min(end[i]! - start[i]!, left);
      take[i] = used;
      left -= used;
    }
  }
  const intervals: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const used = take[i]!;
    if (used <= 0) continue;
    const s = start[i]!;
    const e = s + used;
    const last = intervals[intervals.length - 1];
    if (last && last[1] === s) last[1] = e;
    else intervals.push([s, e]);
  }
  return intervals;
}

/**
 * cheapestSlots when the slots are the signal's steps (inside the trace, or repeated past its end):
 * the same picks in the same order, found by range argmins (StepsByValue) instead of a scan of the
 * window. Steps are absolute (step m of a repeated trace has the value of m mod n). Slot bounds and
 * sums are computed as fill and the scan compute them, so the intervals are equal to the bit
 * (test/waitawhile-slots.test.ts).
 */
export function cheapestSteps(carbon: CarbonSignal, table: StepArgmin, from: number, to: number, need: number, scratch: SlotScratch): Interval[] {
  const { start: origin, uniformStepS: grid } = carbon;
  const first = from < carbon.end ? stepIndexAt(carbon, from) : stepPast(carbon, from);
  // the last step the window reaches: the first m with origin + (m + 1) * grid >= to, as fill's loop ends
  let last = Math.max(first, Math.ceil((to - origin) / grid) - 1);
  while (last > first && origin + last * grid >= to) last--;
  while (origin + (last + 1) * grid < to) last++;
  // slot m is [m === first ? from : origin + m * grid, min(to, origin + (m + 1) * grid)), as fill cuts it;
  // only the window's first and last slot can be slivers
  let lo = first;
  let hi = last;
  if (Math.min(to, origin + (first + 1) * grid) - from <= TIME_EPS_S) lo++;
  if (hi >= lo && hi > first && to - (origin + hi * grid) <= TIME_EPS_S) hi--;
  if (hi < lo) return [];
  const steps = scratch.steps;
  steps.reset(table, lo, hi);
  let left = need;
  let count = 0;
  while (left > TIME_EPS_S) {
    const m = steps.next();
    if (m < 0) break;
    const s = m === first ? from : origin + m * grid;
    const used = Math.min(Math.min(to, origin + (m + 1) * grid) - s, left);
    if (count === scratch.picked.length) scratch.growPicked();
    scratch.picked[count] = m;
    scratch.pickedUse[count++] = used;
    left -= used;
  }
  // the picked steps in time order (insertion sort: a handful), adjacent ones merged
  const { picked, pickedUse } = scratch;
  for (let k = 1; k < count; k++) {
    const m = picked[k]!;
    const u = pickedUse[k]!;
    let i = k - 1;
    while (i >= 0 && picked[i]! > m) {
      picked[i + 1] = picked[i]!;
      pickedUse[i + 1] = pickedUse[i]!;
      i--;
    }
    picked[i + 1] = m;
    pickedUse[i + 1] = u;
  }
  const intervals: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    const m = picked[k]!;
    const s = m === first ? from : origin + m * grid;
    const e = s + pickedUse[k]!;
    const lastInterval = intervals[intervals.length - 1];
    if (lastInterval && lastInterval[1] === s) lastInterval[1] = e;
    else intervals.push([s, e]);
  }
  return intervals;
}

/** The absolute step holding t past the trace's end (whole-second grid: the products are exact). */
function stepPast(carbon: CarbonSignal, t: number): number {
  const { start, uniformStepS: grid } = carbon;
  let m = Math.floor((t - start) / grid);
  if (start + m * grid > t) m--;
  else if (start + (m + 1) * grid <= t) m++;
  return m;
}
