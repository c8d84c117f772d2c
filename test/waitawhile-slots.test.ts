// WaitAWhile's slot choice: repeated minimum for the first picks, the sorted order after them, must
// be the plain rule (all slots sorted by cost, ties by time, taken greedily); float slivers at the
// window's edges are not slots (a job with one became an interval after its own finish).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CarbonSignal } from '../src/carbon/signal.js';
import { simulate } from '../src/cluster/simulate.js';
import type { Interval } from '../src/model/execution.js';
import { constantProfile, type Job } from '../src/model/jobs.js';
import { compileProfile, TIME_EPS_S } from '../src/model/profile.js';
import { StepArgmin } from '../src/carbon/step-argmin.js';
import { cheapestSlots, cheapestSlotsByScan, cheapestSteps, SlotScratch, waitAWhileScheduler } from '../src/schedulers/waitawhile.js';

const H = 3600;

/** The rule as GAIA states it: every slot of the window by (cost, time), taken until `need` is covered. */
function reference(values: readonly number[], from: number, to: number, need: number): Interval[] {
  const slots: { s: number; e: number; c: number }[] = [];
  for (let i = Math.floor(from / H); i * H < to; i++) {
    const s = Math.max(from, i * H);
    const e = Math.min(to, (i + 1) * H);
    // past the end the trace repeats (extend repeat)
    if (e - s > TIME_EPS_S) slots.push({ s, e, c: values[i % values.length]! });
  }
  const order = slots.map((_, k) => k).sort((a, b) => slots[a]!.c - slots[b]!.c || a - b);
  const take = new Float64Array(slots.length);
  let left = need;
  for (const k of order) {
    if (!(left > TIME_EPS_S)) break;
    take[k] = Math.min(slots[k]!.e - slots[k]!.s, left);
    left -= take[k]!;
  }
  const out: [number, number][] = [];
  slots.forEach((slot, k) => {
    if (take[k]! <= 0) return;
    const last = out[out.length - 1];
    if (last && last[1] === slot.s) last[1] = slot.s + take[k]!;
    else out.push([slot.s, slot.s + take[k]!]);
  });
  return out;
}

describe('StepArgmin', () => {
  it('is the earliest least value of every range (brute force, many ties)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 70 }), (values) => {
        const table = new StepArgmin(Float64Array.from(values));
        for (let lo = 0; lo < values.length; lo++) {
          let best = lo;
          for (let hi = lo; hi < values.length; hi++) {
            if (values[hi]! < values[best]!) best = hi;
            expect(table.argmin(lo, hi)).toBe(best);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('cheapestSlots', () => {
  it('equals the sorted greedy rule on random windows (few and many slots needed, ties, slivers)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 4, maxLength: 120 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(0, 4e-9, 3e-8, -4e-9),
        (values, a, span, needPermille, sliver) => {
          const n = values.length;
          const carbon = new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values: Float64Array.from(values) });
          const from = Math.max(0, Math.round((a / 1000) * (n - 2)) * H - sliver);
          const to = Math.min((n - 1) * H, Math.round(from / H + (span / 1000) * (n - 2) + 1) * H + sliver);
          if (!(to > from)) return;
          const need = ((to - from) * needPermille) / 1000;
          const ctx = { now: from, deadline: to, carbon, slot: H, slotOrigin: 0, rng: () => 0 };
          const want = reference(values, from, to, need);
          // both ways of finding the picks: scanning the window, and range argmins over the steps
          const scanned = cheapestSlotsByScan(ctx, from, to, need);
          const stepped = cheapestSteps(carbon, new StepArgmin(carbon.values), from, to, need, new SlotScratch());
          expect(scanned).toEqual(want);
          expect(stepped).toEqual(want);
          expect(cheapestSlots(ctx, from, to, need)).toEqual(want);
          for (const [s, e] of stepped) expect(e - s).toBeGreaterThan(TIME_EPS_S);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('equals it on a repeated trace (extend repeat), windows past the end and across copies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 2, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(0, 4e-9, 3e-8, -4e-9, 0.37),
        (values, a, hours, needPermille, sliver) => {
          const n = values.length;
          const carbon = new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values: Float64Array.from(values), extend: 'repeat' });
          const from = Math.max(0, Math.round(a * 4 * n) * H + (sliver === 0.37 ? sliver * H : -sliver));
          const to = from + hours * H + sliver;
          const need = ((to - from) * needPermille) / 1000;
          const ctx = { now: from, deadline: to, carbon, slot: H, slotOrigin: 0, rng: () => 0 };
          const want = reference(values, from, to, need);
          expect(cheapestSlotsByScan(ctx, from, to, need)).toEqual(want);
          expect(cheapestSteps(carbon, new StepArgmin(carbon.values), from, to, need, new SlotScratch())).toEqual(want);
          expect(cheapestSlots(ctx, from, to, need)).toEqual(want);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a window ending a float residue past an hour: no sliver interval, and the engine runs the plan', () => {
    // pai-100k row 55523 (hours): arrival 4921.230833333334 h, 0.7691666666666667 h, 6 h wait
    const arrival = 4921.230833333334 * H;
    const profile = compileProfile(constantProfile(0.7691666666666667 * H, 1));
    const job: Job = { id: 'j', type: 'constant', arrival, deadline: arrival + profile.durationS + 6 * H, cpus: 1, profile };
    expect(job.deadline % H).toBeGreaterThan(0); // the residue past the hour
    expect(job.deadline % H).toBeLessThan(TIME_EPS_S);
    // that last hour is the cheapest: before, its sliver was a slot and the plan's second interval
    const values = Array.from({ length: 4930 }, (_, i) => (i === Math.floor(job.deadline / H) ? 1 : 100));
    const carbon = new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values: Float64Array.from(values) });
    const plan = waitAWhileScheduler().plan(job, { now: arrival, deadline: job.deadline, carbon, slot: H, slotOrigin: 0, rng: () => 0 });
    for (const [s, e] of plan.intervals) expect(e - s).toBeGreaterThan(TIME_EPS_S);
    const result = simulate([job], { scheduler: waitAWhileScheduler(), carbon }).results[0]!;
    expect(result.execution.finish).toBeLessThanOrEqual(job.deadline + TIME_EPS_S);
    expect(result.missed).toBe(false);
  });
});
