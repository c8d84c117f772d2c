// GAIA's start-time and suspend-resume policies on hand-built hourly traces, each choice computed
// by hand in the comments (issue 6). Hour h holds on [h x 3600, (h + 1) x 3600).
import { describe, expect, it } from 'vitest';
import {
  CarbonSignal,
  carbonTimeScheduler,
  compileProfile,
  constantProfile,
  createScheduler,
  ecovisorScheduler,
  InputError,
  lowestSlotScheduler,
  lowestWindowScheduler,
  runPlanner,
  simulate,
  timeQuantile,
  type ExtendMode,
  type Job,
  type PlanContext,
  type Scheduler,
} from '../src/index.js';

const H = 3600;

function hourly(values: number[], extend: ExtendMode = 'none'): CarbonSignal {
  return new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values: Float64Array.from(values), extend });
}

/** A GAIA job: constant power (1 W per cpu), deadline = arrival + length + wait. */
function job(arrival: number, lengthS: number, waitS: number, id = 'j', cpus = 1): Job {
  return { id, type: 'constant', arrival, deadline: arrival + lengthS + waitS, cpus, profile: compileProfile(constantProfile(lengthS, cpus)) };
}

function ctx(j: Job, carbon: CarbonSignal): PlanContext {
  return { now: j.arrival, deadline: j.deadline, carbon, slot: H, slotOrigin: 0, rng: () => 0 };
}

const plan = (s: Scheduler, j: Job, carbon: CarbonSignal) => s.plan(j, ctx(j, carbon));

describe('lowest-slot: the earliest instant of least intensity in [arrival, arrival + W]', () => {
  it('starts at the arrival itself when its own hour is the cheapest', () => {
    // window [1800, 9000] touches hours 0 (10), 1 (20), 2 (30): hour 0 holds at the arrival
    expect(plan(lowestSlotScheduler(), job(1800, 600, 2 * H), hourly([10, 20, 30, 40])).intervals).toEqual([[1800, 2400]]);
  });

  it('else starts at the beginning of the earliest cheapest hour (ties: the earliest)', () => {
    // window [1800, 16200] touches hours 0..4 = 50, 20, 40, 20, 60: 20 first holds at 3600
    expect(plan(lowestSlotScheduler(), job(1800, 600, 4 * H), hourly([50, 20, 40, 20, 60, 70])).intervals).toEqual([[3600, 4200]]);
  });

  it('includes the window end: an hour starting exactly at arrival + W counts', () => {
    const carbon = hourly([50, 40, 30, 10, 5, 5]);
    // W = 3 h: [0, 10800] includes the instant 10800, where hour 3 (10) begins
    expect(plan(lowestSlotScheduler(), job(0, 600, 3 * H), carbon).intervals).toEqual([[3 * H, 3 * H + 600]]);
    // one second less and hour 3 is out of reach: the cheapest is hour 2 (30)
    expect(plan(lowestSlotScheduler(), job(0, 600, 3 * H - 1), carbon).intervals).toEqual([[2 * H, 2 * H + 600]]);
  });

  it('runs at arrival when the job may not wait or cannot meet its deadline', () => {
    const carbon = hourly([50, 1, 1]);
    expect(plan(lowestSlotScheduler(), job(100, 600, 0), carbon)).toEqual({ intervals: [[100, 700]] });
    expect(plan(lowestSlotScheduler(), job(100, 600, -1), carbon)).toEqual({ intervals: [[100, 700]] });
  });
});

describe('lowest-window: the candidate start with the least emissions of the full run', () => {
  // hours: 40, 10, 30, 20, 50, 5, ...; a 2-hour job arriving at 1800 that may wait 3 h
  const carbon = hourly([40, 10, 30, 20, 50, 5, 60, 60]);
  const j = job(1800, 2 * H, 3 * H);

  it('clock grid: the arrival and every hour boundary in [1800, 12600]', () => {
    // run emissions in intensity-hours: s=1800: .5x40 + 10 + .5x30 = 45; 3600: 10 + 30 = 40;
    // 7200: 30 + 20 = 50; 10800: 20 + 50 = 70 -> 3600
    expect(plan(lowestWindowScheduler(), j, carbon).intervals).toEqual([[3600, 3600 + 2 * H]]);
  });

  it("arrival grid (GAIA's): arrival + whole hours, the tie going to the earliest", () => {
    // s=1800: 45; 5400: .5x10 + 30 + .5x20 = 45; 9000: .5x30 + 20 + .5x50 = 60; 12600: .5x20 + 50 + .5x5 = 62.5
    expect(plan(lowestWindowScheduler({ startGrid: 'arrival' }), j, carbon).intervals).toEqual([[1800, 1800 + 2 * H]]);
  });

  it('equal windows tie to the earliest', () => {
    expect(plan(lowestWindowScheduler(), job(0, H, 3 * H), hourly([7, 7, 7, 7, 7])).intervals).toEqual([[0, H]]);
  });
});

describe('carbon-time: the start maximising (C(arrival) - C(s)) / (s - arrival + L)', () => {
  it('trades carbon for completion time: an earlier, smaller saving can win', () => {
    // L = 1 h, W = 2 h; hours 100, 40, 30: s=3600 saves 60 over 2 h = 30/h; s=7200 saves 70 over 3 h = 23.3/h
    const carbon = hourly([100, 40, 30, 90]);
    expect(plan(carbonTimeScheduler(), job(0, H, 2 * H), carbon).intervals).toEqual([[H, 2 * H]]);
    expect(plan(lowestWindowScheduler(), job(0, H, 2 * H), carbon).intervals).toEqual([[2 * H, 3 * H]]);
  });

  it('equal rates tie to the earliest', () => {
    // hours 100, 60, 40: s=3600 saves 40 over 2 h = 20/h; s=7200 saves 60 over 3 h = 20/h
    expect(plan(carbonTimeScheduler(), job(0, H, 2 * H), hourly([100, 60, 40, 90])).intervals).toEqual([[H, 2 * H]]);
  });

  it('stays at arrival when no later start saves carbon (arrival scores 0)', () => {
    expect(plan(carbonTimeScheduler(), job(0, H, 2 * H), hourly([10, 20, 10, 5])).intervals).toEqual([[0, H]]);
  });

  it('arrival grid: candidates are arrival + whole hours', () => {
    // arrival 1800, L = 1 h, W = 2 h, hours 100, 100, 10, 10:
    // clock: s=3600 saves 0; s=7200 saves 90 in [1800, 5400] vs [7200, 10800]: (100 - 10)/(1.5 + 1) = 36/h
    // arrival: s=5400 covers .5x100 + .5x10 = 55, saves 45 over 2 h = 22.5/h; s=9000 saves 90 over 3 h = 30/h
    const carbon = hourly([100, 100, 10, 10, 10]);
    const j = job(1800, H, 2 * H);
    expect(plan(carbonTimeScheduler(), j, carbon).intervals).toEqual([[7200, 10800]]);
    expect(plan(carbonTimeScheduler({ startGrid: 'arrival' }), j, carbon).intervals).toEqual([[9000, 12600]]);
  });
});

describe('--length average: plan with the mean length of the queue so far, charge the real one', () => {
  it('keeps one running mean per queue (shorter than 2 h, or not), this job included', () => {
    const planner = runPlanner('average');
    const length = (j: Job) => {
      const o = planner(j).offsets;
      return o[o.length - 1];
    };
    expect(length(job(0, 1000, 0))).toBe(1000);
    expect(length(job(0, 10000, 0))).toBe(10000); // long queue
    expect(length(job(0, 3000, 0))).toBe(2000); // short: (1000 + 3000) / 2
    expect(length(job(0, 7200, 0))).toBe(8600); // 2 h is long: (10000 + 7200) / 2
    expect(planner(job(0, 3000, 0, 'p', 4)).powers[0]).toBe(4); // the job's own power
  });

  // Hours 9, 1, 9, 9, 3, 3, 9, ...: a 1-hour run is cheapest at hour 1, a 6600-s run from 14400
  // (3x3600 + 3x3000 = 19800) rather than from 3600 (1x3600 + 9x3000 = 30600).
  const carbon = hourly([9, 1, 9, 9, 3, 3, 9, 9, 9, 9, 9, 9]);
  const first = job(0, 600, 6 * H, 'a');
  const second = job(0, 6600, 6 * H, 'b');

  it('a short job after a shorter one plans with their mean: (600 + 6600) / 2 = 3600 s', () => {
    const actual = simulate([first, second], { scheduler: lowestWindowScheduler(), carbon, slotS: H });
    expect(actual.results[1]!.execution.intervals).toEqual([[4 * H, 4 * H + 6600]]);
    const average = simulate([first, second], { scheduler: lowestWindowScheduler({ length: 'average' }), carbon, slotS: H });
    expect(average.results[1]!.execution.intervals).toEqual([[H, H + 6600]]);
    // charged for the real 6600 s: 1 W x (1 x 3600 + 9 x 3000) gCO2/kWh s / 3.6e6
    expect(average.results[1]!.carbonG).toBeCloseTo(30600 / 3.6e6, 15);
  });

  it('no look-ahead: a job plans the same whatever arrives after it', () => {
    const alone = simulate([second], { scheduler: lowestWindowScheduler({ length: 'average' }), carbon, slotS: H });
    const followed = simulate([second, first], { scheduler: lowestWindowScheduler({ length: 'average' }), carbon, slotS: H });
    expect(followed.results[0]!.execution.intervals).toEqual(alone.results[0]!.execution.intervals);
    expect(alone.results[0]!.execution.intervals).toEqual([[4 * H, 4 * H + 6600]]);
  });

  it('carbon-time plans its rate with the mean length too', () => {
    // In intensity-seconds. Real 6600 s: C(0) = 9x3600 + 1x3000 = 35400; s=3600 saves 4800 over
    // 3600 + 6600 s (0.47/s); s=14400 saves 15600 over 21000 s (0.74/s) -> 14400.
    // Planned 3600 s: C(0) = 9 h; s=3600 saves 8 over 2 h (4/h); s=14400 saves 6 over 5 h -> 3600.
    const actual = simulate([first, second], { scheduler: carbonTimeScheduler(), carbon, slotS: H });
    expect(actual.results[1]!.execution.intervals).toEqual([[4 * H, 4 * H + 6600]]);
    const average = simulate([first, second], { scheduler: carbonTimeScheduler({ length: 'average' }), carbon, slotS: H });
    expect(average.results[1]!.execution.intervals).toEqual([[H, H + 6600]]);
  });
});

describe('ecovisor: run while intensity < the next day 0.3 quantile, until the pause budget W is spent', () => {
  // 24 hours: 5 x2 (h1, h5), 8 x6 (h2, h6..h10), 9 x10 (h11..h20), 50 x6 (h0, h3, h4, h21..h23).
  // Sorted, the 0.3 x 24 h = 7.2 h mark falls inside the 8s (hours 2 to 8 of the order): threshold 8.
  const day = [50, 5, 8, 50, 50, 5, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 50, 50, 50];
  const carbon = hourly([...day, ...new Array<number>(24).fill(9)]);

  it('(the hand-built day has 24 hours)', () => expect(day).toHaveLength(24));

  it('fixes the threshold at the time-weighted 0.3 quantile of [arrival, arrival + 24 h)', () => {
    expect(timeQuantile(carbon, 0, 24 * H, 0.3)).toBe(8);
    // from 1800: half of hour 0 (50) and half of hour 24 (9) replace hour 0; the 8s still hold 7.2 h
    expect(timeQuantile(carbon, 1800, 1800 + 24 * H, 0.3)).toBe(8);
  });

  it('interpolates linearly where the quantile falls exactly between two values', () => {
    // 0.25 x 24 h = 6 h: the 5s hold 2 h and the 8s 6 h, so 6 h is inside the 8s: 8
    expect(timeQuantile(carbon, 0, 24 * H, 0.25)).toBe(8);
    // 1/12 x 24 h = 2 h: exactly where the 5s end and the 8s begin: q x 5 + (1 - q) x 8
    const q = 1 / 12;
    expect(timeQuantile(carbon, 0, 24 * H, q)).toBeCloseTo(q * 5 + (1 - q) * 8, 12);
    expect(timeQuantile(carbon, 0, 24 * H, 0)).toBe(5);
    expect(timeQuantile(carbon, 0, 24 * H, 1)).toBe(50);
  });

  it('pauses at an intensity equal to the threshold (strict <) and runs once the budget is spent', () => {
    // L = 2 h, W = 3 h: h0 (50) pause [budget 2 h], h1 (5) run, h2 (8 = threshold) pause [1 h],
    // h3 (50) pause [0], h4: budget spent, run to the end
    const p = plan(ecovisorScheduler(), job(0, 2 * H, 3 * H), carbon);
    expect(p).toEqual({ intervals: [[H, 2 * H], [4 * H, 5 * H]] });
  });

  it('runs from the instant the budget runs out, mid-hour', () => {
    // arrival 1800, L = 1 h, W = 900 s: pause [1800, 2700) in hour 0 (50), then run 1 h straight
    expect(plan(ecovisorScheduler(), job(1800, H, 900), carbon).intervals).toEqual([[2700, 2700 + H]]);
  });

  it('merges contiguous running into one interval and never waits with W = 0', () => {
    // threshold 8: hours 5, 5 run back to back from 3600 after pausing hour 0
    const c = hourly([50, 5, 5, ...day.slice(3), ...new Array<number>(24).fill(9)]);
    expect(plan(ecovisorScheduler(), job(0, 2 * H, 5 * H), c).intervals).toEqual([[H, 3 * H]]);
    expect(plan(ecovisorScheduler(), job(0, 2 * H, 0), c).intervals).toEqual([[0, 2 * H]]);
  });

  it('--threshold-quantile moves the threshold', () => {
    // q = 0.5: 12 h lands inside the 9s, so the 8 at hour 2 now runs: h0 pause, h1 run, h2 run
    expect(plan(ecovisorScheduler({ thresholdQuantile: 0.5 }), job(0, 2 * H, 3 * H), carbon).intervals).toEqual([[H, 3 * H]]);
    expect(() => ecovisorScheduler({ thresholdQuantile: 1.5 })).toThrow(InputError);
    expect(() => ecovisorScheduler({ thresholdQuantile: Number.NaN })).toThrow(/not in \[0, 1\]/);
  });

  it('a threshold window past the end of the trace is an error unless the trace is extended', () => {
    const short = hourly(day);
    expect(() => plan(ecovisorScheduler(), job(1800, H, H), short)).toThrow(/ecovisor threshold window.*--extend/);
    const repeated = hourly(day, 'repeat');
    // repeating, [1800, 88200) holds half of hour 0 twice: the same 8s, threshold 8
    expect(timeQuantile(repeated, 1800, 1800 + 24 * H, 0.3)).toBe(8);
    expect(plan(ecovisorScheduler(), job(1800, H, H), repeated).intervals).toEqual([[H, 2 * H]]);
  });
});

describe('registry', () => {
  it('creates every GAIA policy by its CLI name', () => {
    for (const name of ['lowest-slot', 'lowest-window', 'carbon-time', 'ecovisor', 'waitawhile']) {
      expect(createScheduler(name).name).toBe(name);
    }
  });

  it('rejects a tuning option the scheduler does not read, and unknown values', () => {
    expect(() => createScheduler('oracle', { startGrid: 'arrival' })).toThrow(/--start-grid does not apply to scheduler "oracle"/);
    expect(() => createScheduler('lowest-slot', { length: 'average' })).toThrow(/--length/);
    expect(() => createScheduler('carbon-time', { thresholdQuantile: 0.3 })).toThrow(/--threshold-quantile/);
    expect(() => createScheduler('lowest-window', { startGrid: 'hourly' as never })).toThrow(/unknown start grid "hourly"/);
    expect(createScheduler('lowest-window', { startGrid: 'arrival', length: 'average' }).name).toBe('lowest-window');
  });
});
