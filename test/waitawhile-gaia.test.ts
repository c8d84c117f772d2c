// waitawhile is GAIA's suspend-resume: the L cheapest seconds of [arrival, arrival + L + W), the
// carbon steps clipped to that window taken cheapest first (earliest on ties), the last one needed
// used from its start. Hand-computed on hourly traces (issue 6).
import { describe, expect, it } from 'vitest';
import { CarbonSignal, cheapestSlots, compileProfile, constantProfile, waitAWhileScheduler, type Job, type PlanContext } from '../src/index.js';

const H = 3600;

function setUp(values: number[], arrival: number, lengthS: number, waitS: number, slot = H): { job: Job; ctx: PlanContext } {
  const carbon = new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values: Float64Array.from(values) });
  const job: Job = { id: 'j', type: 'constant', arrival, deadline: arrival + lengthS + waitS, cpus: 1, profile: compileProfile(constantProfile(lengthS, 1)) };
  return { job, ctx: { now: arrival, deadline: job.deadline, carbon, slot, slotOrigin: 0, rng: () => 0 } };
}

const plan = (s: ReturnType<typeof setUp>) => waitAWhileScheduler().plan(s.job, s.ctx);

describe('waitawhile (GAIA suspend-resume)', () => {
  it('off the hour: a partial first piece, whole hours, the last needed piece from its start', () => {
    // arrival 1800, L = 1.5 h, W = 2 h: window [1800, 14400) = [1800, 3600) 30, [3600, 7200) 10,
    // [7200, 10800) 20, [10800, 14400) 10. Cheapest: hour 1 (10, 1 h), then hour 3 (10) for 0.5 h.
    expect(plan(setUp([30, 10, 20, 10, 40], 1800, 5400, 2 * H))).toEqual({ intervals: [[3600, 7200], [10800, 12600]] });
  });

  it('a partial last piece counts for what lies inside the window', () => {
    // arrival 1800, L = 1 h, W = 1 h: [1800, 3600) 30, [3600, 7200) 20, [7200, 9000) 10 (half an hour):
    // take the half hour at 10, then 0.5 h of hour 1 from its start
    expect(plan(setUp([30, 20, 10, 5], 1800, H, H)).intervals).toEqual([[3600, 5400], [7200, 9000]]);
  });

  it('equal intensities go to the earliest, and abutting chosen pieces form one interval', () => {
    expect(plan(setUp([10, 10, 10, 10], 0, H, 2 * H)).intervals).toEqual([[0, H]]);
    expect(plan(setUp([5, 5, 30, 30], 0, 2 * H, H)).intervals).toEqual([[0, 2 * H]]);
    // hours 1 and 3 are equally cheap: the earlier is taken first; hour 3 only for the rest
    expect(plan(setUp([9, 1, 9, 1, 9], 0, 1.5 * H, 3.5 * H)).intervals).toEqual([[H, 2 * H], [3 * H, 3 * H + 1800]]);
  });

  it('with W = 0 it runs at arrival, and an unreachable deadline falls back to arrival', () => {
    expect(plan(setUp([9, 1, 1], 600, H, 0))).toEqual({ intervals: [[600, 600 + H]] });
    expect(plan(setUp([9, 1, 1], 600, H, -1))).toEqual({ intervals: [[600, 600 + H]] });
  });

  it('cheapestSlots takes any window and amount', () => {
    const { ctx } = setUp([4, 3, 2, 1], 0, H, 0);
    expect(cheapestSlots(ctx, 0, 4 * H, 1.5 * H)).toEqual([[2 * H, 2.5 * H], [3 * H, 4 * H]]);
    expect(cheapestSlots(ctx, 900, 2 * H, 2 * H - 900)).toEqual([[900, 2 * H]]);
  });

  it('a coarser --slot prices each slot at its mean intensity', () => {
    // 2-hour slots: [0, 2h) mean 5 (9, 1), [2h, 4h) mean 4 (4, 4): the second wins although hour 1 is cheapest
    expect(plan(setUp([9, 1, 4, 4, 9, 9], 0, 2 * H, 2 * H, 2 * H)).intervals).toEqual([[2 * H, 4 * H]]);
  });
});
