// GAIA's policies as GAIA computes them, on a tick grid (GAIA: 5 s; here 120 s, which resolves
// every instant below), against carbon-sim's continuous-time schedulers: with arrivals, lengths and
// waits on the tick grid the two must choose exactly the same seconds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CarbonSignal,
  carbonTimeScheduler,
  compileProfile,
  constantProfile,
  ecovisorScheduler,
  lowestSlotScheduler,
  lowestWindowScheduler,
  oracleScheduler,
  runEmissionsG,
  timeQuantile,
  waitAWhileScheduler,
  type Interval,
  type Job,
  type PlanContext,
  type Scheduler,
  type StartGrid,
} from '../src/index.js';

const H = 3600;
const TICK = 120;
const PER_HOUR = H / TICK;
const HOURS = 60;

const caseArb = fc.record({
  // small integers make ties common
  values: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: HOURS, maxLength: HOURS }),
  arrival: fc.integer({ min: 0, max: 10 * PER_HOUR }), // in ticks
  length: fc.integer({ min: 1, max: 6 * PER_HOUR }),
  wait: fc.integer({ min: 0, max: 24 * PER_HOUR }),
});
type Case = { values: number[]; arrival: number; length: number; wait: number };

function setUp(c: Case): { job: Job; ctx: PlanContext; tick: (i: number) => number } {
  const carbon = new CarbonSignal({ times: Float64Array.from(c.values, (_, i) => i * H), values: Float64Array.from(c.values) });
  const arrival = c.arrival * TICK;
  const lengthS = c.length * TICK;
  const job: Job = { id: 'j', type: 'constant', arrival, deadline: arrival + lengthS + c.wait * TICK, cpus: 1, profile: compileProfile(constantProfile(lengthS, 1)) };
  const ctx: PlanContext = { now: arrival, deadline: job.deadline, carbon, slot: H, slotOrigin: 0, rng: () => 0 };
  // GAIA's carbon sub-trace from the arrival, one value per tick
  const tick = (i: number) => c.values[Math.floor(((c.arrival + i) * TICK) / H)]!;
  return { job, ctx, tick };
}

/** Tick flags (1 = run) to intervals in seconds; contiguous ticks are one interval, as GAIA's sub-jobs. */
function toIntervals(run: boolean[], arrivalTick: number): Interval[] {
  const out: [number, number][] = [];
  for (let i = 0; i < run.length; i++) {
    if (!run[i]) continue;
    const s = (arrivalTick + i) * TICK;
    const last = out[out.length - 1];
    if (last && last[1] === s) last[1] = s + TICK;
    else out.push([s, s + TICK]);
  }
  return out;
}

const startAt = (c: Case, startTick: number): Interval[] => [[(c.arrival + startTick) * TICK, (c.arrival + startTick + c.length) * TICK]];

/** Emissions of a run starting `start` ticks after arrival, in intensity-ticks (GAIA's compute_carbon_consumption). */
function windowCost(tick: (i: number) => number, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += tick(i);
  return sum;
}

/** Candidate start offsets in ticks: GAIA's hours after arrival, or the arrival and the hour boundaries. */
function gridTicks(c: Case, grid: StartGrid): number[] {
  if (grid === 'arrival') return Array.from({ length: Math.floor(c.wait / PER_HOUR) + 1 }, (_, k) => k * PER_HOUR);
  const out = [0];
  for (let t = (Math.floor(c.arrival / PER_HOUR) + 1) * PER_HOUR; t <= c.arrival + c.wait; t += PER_HOUR) out.push(t - c.arrival);
  return out;
}

/** numpy / pandas quantile (linear interpolation between order statistics). */
function quantile7(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo]! + (h - lo) * (s[lo + 1]! - s[lo]!) : s[lo]!;
}

const gaia = {
  waitawhile(c: Case, tick: (i: number) => number): Interval[] {
    const n = c.length + c.wait;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => tick(a) - tick(b) || a - b);
    const run = new Array<boolean>(n).fill(false);
    for (const i of order.slice(0, c.length)) run[i] = true;
    return toIntervals(run, c.arrival);
  },
  lowestSlot(c: Case, tick: (i: number) => number): Interval[] {
    let best = 0;
    for (let i = 1; i <= c.wait; i++) if (tick(i) < tick(best)) best = i; // idxmin over [0, W] inclusive
    return startAt(c, best);
  },
  lowestWindow(c: Case, tick: (i: number) => number, grid: StartGrid): Interval[] {
    let best = 0;
    let bestCost = Infinity;
    for (const k of gridTicks(c, grid)) {
      const cost = windowCost(tick, k, c.length);
      if (cost < bestCost) [best, bestCost] = [k, cost];
    }
    return startAt(c, best);
  },
  carbonTime(c: Case, tick: (i: number) => number, grid: StartGrid): Interval[] {
    const ca = windowCost(tick, 0, c.length);
    // max of (CA - C) / (start + L), first on ties; compared exactly by cross-multiplication
    let best = 0;
    let num = 0;
    let den = c.length;
    for (const k of gridTicks(c, grid)) {
      const n = ca - windowCost(tick, k, c.length);
      const d = k + c.length;
      if (n * den > num * d) [best, num, den] = [k, n, d];
    }
    return startAt(c, best);
  },
  ecovisor(c: Case, tick: (i: number) => number, q: number): { threshold: number; intervals: Interval[] } {
    const threshold = quantile7(Array.from({ length: 24 * PER_HOUR }, (_, i) => tick(i)), q);
    const run = new Array<boolean>(c.length + c.wait).fill(false);
    let work = c.length;
    let budget = c.wait;
    for (let i = 0; i < run.length && work > 0; i++) {
      if (tick(i) < threshold || budget <= 0) {
        run[i] = true;
        work--;
      } else budget--;
    }
    return { threshold, intervals: toIntervals(run, c.arrival) };
  },
};

const plan = (s: Scheduler, job: Job, ctx: PlanContext) => s.plan(job, ctx).intervals;
const runs = { numRuns: 300 };

describe("carbon-sim matches GAIA's tick-level policies exactly on a tick grid", () => {
  it('waitawhile: the L cheapest seconds of [arrival, arrival + L + W), earliest on ties', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { job, ctx, tick } = setUp(c);
        expect(plan(waitAWhileScheduler(), job, ctx)).toEqual(gaia.waitawhile(c, tick));
      }),
      runs,
    );
  });

  it('lowest-slot: idxmin over [arrival, arrival + W], end included', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { job, ctx, tick } = setUp(c);
        expect(plan(lowestSlotScheduler(), job, ctx)).toEqual(gaia.lowestSlot(c, tick));
      }),
      runs,
    );
  });

  it('lowest-window and carbon-time on both start grids', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom<StartGrid>('arrival', 'clock'), (c, grid) => {
        const { job, ctx, tick } = setUp(c);
        expect(plan(lowestWindowScheduler({ startGrid: grid }), job, ctx)).toEqual(gaia.lowestWindow(c, tick, grid));
        expect(plan(carbonTimeScheduler({ startGrid: grid }), job, ctx)).toEqual(gaia.carbonTime(c, tick, grid));
      }),
      runs,
    );
  });

  it('ecovisor: the same threshold (numpy quantile over the ticks) and the same run', () => {
    // 0.3 x 720 ticks is a whole tick, so the tick quantile equals its continuous limit exactly
    fc.assert(
      fc.property(caseArb, fc.constantFrom(0, 0.1, 0.25, 0.3, 0.5, 0.9, 1), (c, q) => {
        const { job, ctx, tick } = setUp(c);
        const ref = gaia.ecovisor(c, tick, q);
        expect(timeQuantile(ctx.carbon, job.arrival, job.arrival + 24 * H, q)).toBeCloseTo(ref.threshold, 12);
        expect(plan(ecovisorScheduler({ thresholdQuantile: q }), job, ctx)).toEqual(ref.intervals);
      }),
      runs,
    );
  });
});

describe('start-choosing policies against the uninterrupted oracle', () => {
  it('oracle <= lowest-window <= running at arrival; carbon-time never emits more than at arrival', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom<StartGrid>('arrival', 'clock'), (c, grid) => {
        const { job, ctx } = setUp(c);
        const shape = { offsets: job.profile.runOffsets, powers: job.profile.runPowers };
        const cost = (s: Scheduler) => runEmissionsG(shape, ctx.carbon, s.plan(job, ctx).intervals[0]![0]);
        const atArrival = runEmissionsG(shape, ctx.carbon, job.arrival);
        const window = cost(lowestWindowScheduler({ startGrid: grid }));
        const slack = 1e-12 * atArrival;
        expect(cost(oracleScheduler())).toBeLessThanOrEqual(window + slack);
        expect(window).toBeLessThanOrEqual(atArrival + slack);
        expect(cost(carbonTimeScheduler({ startGrid: grid }))).toBeLessThanOrEqual(atArrival + slack);
        expect(cost(lowestSlotScheduler())).toBeGreaterThanOrEqual(cost(oracleScheduler()) - slack);
      }),
      runs,
    );
  });
});
