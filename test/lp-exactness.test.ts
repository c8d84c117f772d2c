// The dynamic program is exact: on thousands of random small instances it equals a brute force
// that enumerates every plan of the plan space (on the slot grid, and with one free instant) and
// charges each one with the engine (chargePlan).
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { freeProgressValues } from '../src/solvers/problem.js';
import { loadMilpBackend, solveByMilp } from '../src/solvers/milp.js';
import {
  CarbonSignal,
  chargePlan,
  compileProfile,
  slotBoundaries,
  solveByDp,
  TIME_EPS_S,
  type CheckpointResumeProblem,
  type Interval,
  type Job,
  type Phase,
  type PowerProfile,
} from '../src/index.js';

const H = 3600;
const REL = 1e-9;

function jobOf(profile: PowerProfile, arrival: number, deadline: number): Job {
  return { id: 'j', type: 'phases', arrival, deadline, cpus: 1, profile: compileProfile(profile) };
}

function problemOf(job: Job, carbon: CarbonSignal, slot: number, origin: number, maxStarts = Infinity, freeInstant = false): CheckpointResumeProblem {
  return { profile: job.profile, boundaries: slotBoundaries(job.arrival, job.deadline, slot, origin), carbon, maxStarts, freeInstant };
}

/** The distinct checkpoint progress values below the finish: where a checkpointed job may stop. */
function cutPoints(job: Job): number[] {
  const out: number[] = [];
  let progress = 0;
  for (const ph of job.profile.work) {
    progress += ph.duration;
    if (ph.isCheckpoint && (out.length === 0 || progress - out[out.length - 1]! > TIME_EPS_S)) out.push(progress);
  }
  return out.filter((c) => c < job.profile.workDurationS - TIME_EPS_S);
}

/**
 * The free positions V of docs/lp.md, written out from the definition (not the solver's code):
 * mu - D + n S within (-S, W], mu a phase end in progress coordinates, D a distance b_k - b_1 or
 * b_T - b_l, n up to min(K - 1, T, 16) restarts for a continuous job with a startup, else 0.
 */
function freeValues(job: Job, b: Float64Array, maxStarts: number): number[] {
  const prof = job.profile;
  const S = prof.startupDurationS;
  const W = prof.workDurationS;
  const T = b.length - 1;
  const marks = [0];
  let o = 0;
  for (const ph of prof.startup) {
    o += ph.duration;
    if (ph.duration > 0 && o < S - TIME_EPS_S) marks.push(o - S);
  }
  let q = 0;
  for (const ph of prof.work) {
    q += ph.duration;
    if (ph.duration > 0) marks.push(q);
  }
  const D: number[] = [];
  for (let k = 1; k <= T; k++) for (let l = 1; l <= k; l++) if (l === 1 || k === T) D.push(b[k]! - b[l]!);
  const N = prof.savesContinuously && S > 0 ? Math.min((maxStarts === Infinity ? T : maxStarts) - 1, T, 16) : 0;
  const out: number[] = [];
  for (const mu of marks) for (const d of D) for (let n = 0; n <= N; n++) {
    const v = mu - d + n * S;
    if (v > -S + TIME_EPS_S && v <= W + TIME_EPS_S) out.push(Math.min(v, W));
  }
  out.sort((x, y) => x - y);
  return out.filter((v, i) => i === 0 || v - out[i - 1]! > 1e-6);
}

/**
 * The least emissions over every plan in the plan space, each charged by the engine. Independent
 * of the DP: it builds each plan's intervals itself (checkpoint ends, free starts and ends) and
 * lets chargePlan price them. Intervals that save nothing are skipped: dropping one leaves the rest
 * of the run unchanged and removes a non-negative cost, so the minimum is the same (and the
 * enumeration stays small).
 */
class TooManyPlans extends Error {}

function bruteForce(job: Job, carbon: CarbonSignal, b: Float64Array, maxStarts: number, free = false, limit = 4_000): { best: number; plans: number; freePlans: number } | undefined {
  const prof = job.profile;
  const S = prof.startupDurationS;
  const W = prof.workDurationS;
  const T = b.length - 1;
  const deadline = b[T]!;
  const Q = 1e-6;
  const V = free ? freeValues(job, b, maxStarts) : [];
  const cuts = cutPoints(job);
  let best = Infinity;
  let plans = 0;
  let freePlans = 0;
  const charge = (plan: Interval[], usedFree: boolean): void => {
    const charged = chargePlan(job, plan, carbon);
    if (charged.execution.finish > deadline + TIME_EPS_S) throw new Error(`brute force built a late plan ${JSON.stringify(plan)}`);
    if (++plans > limit) throw new TooManyPlans();
    if (usedFree) freePlans++;
    if (charged.carbonG < best) best = charged.carbonG;
  };
  const atOrAfter = (t: number): number => {
    let i = 0;
    while (i < T && b[i]! < t - TIME_EPS_S) i++;
    return i;
  };
  /** every way to run one interval from progress p starting at s (in slot j), then go on */
  const interval = (s: number, j: number, p: number, plan: Interval[], usedFree: boolean): void => {
    const finish = s + S + (W - p);
    if (finish <= deadline + TIME_EPS_S) charge([...plan, [s, finish]], usedFree);
    if (prof.savesContinuously) {
      for (let e = j + 1; e <= T; e++) {
        const run = b[e]! - s - S;
        if (W - p <= run + TIME_EPS_S) break;
        if (run > 0) rec(e, p + run, [...plan, [s, b[e]!]], usedFree);
      }
      // free ends: where the progress is in V, strictly inside a slot that begins at or after s
      for (const v of V) {
        if (!(v > p + Q && v < W - Q)) continue;
        const x = s + S + (v - p);
        let m = 0;
        while (m < T && b[m + 1]! <= x) m++;
        if (m >= T || b[m]! < s || x - b[m]! < Q || b[m + 1]! - x < Q) continue;
        rec(m + 1, v, [...plan, [s, x]], true);
      }
    } else {
      for (const c of cuts) {
        if (!(c > p + TIME_EPS_S)) continue;
        const end = s + S + (c - p);
        if (end > deadline + TIME_EPS_S) break;
        rec(atOrAfter(end), c, [...plan, [s, end]], usedFree);
      }
    }
  };
  const rec = (from: number, p: number, plan: Interval[], usedFree: boolean): void => {
    if (plan.length >= maxStarts) return;
    for (let si = from; si < T; si++) interval(b[si]!, si, p, plan, usedFree);
    // free starts: inside a slot that begins at or after the previous end, virtual progress in V
    for (let j = from; j < T; j++) {
      const L = b[j + 1]! - b[j]!;
      for (const v of V) {
        if (!(v > p - S + Q && v < Math.min(W + Q, p + L - S - Q))) continue;
        interval(b[j + 1]! - S - (v - p), j, p, plan, true);
      }
    }
  };
  try {
    rec(0, 0, [], false);
  } catch (err) {
    if (err instanceof TooManyPlans) return undefined; // too big to enumerate: the caller skips it
    throw err;
  }
  return { best, plans, freePlans };
}

/** A random carbon signal from `from` covering `span` seconds with steps of mixed lengths. */
function randomCarbon(rng: () => number, from: number, span: number): CarbonSignal {
  const stepChoices = [900, 1800, H, H, H, 5400];
  const step = stepChoices[Math.floor(rng() * stepChoices.length)]!;
  const times: number[] = [];
  const values: number[] = [];
  for (let t = from; t < from + span + step; t += step) {
    times.push(t);
    // few distinct levels so that exact ties happen too
    values.push(rng() < 0.2 ? 100 : Math.round(50 + rng() * 500));
  }
  return new CarbonSignal({ times: Float64Array.from(times), values: Float64Array.from(values) });
}

function pick<T>(rng: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)]!;
}

/** A random small instance: T <= 14 slots, constant or phased, with or without checkpoints. */
function randomInstance(rng: () => number): { job: Job; carbon: CarbonSignal; slot: number; origin: number; maxStarts: number } {
  const slot = pick(rng, [H, H, 1800]);
  const origin = 0;
  const offGrid = rng() < 0.4;
  const arrival = Math.floor(rng() * 4) * slot + (offGrid ? Math.round(rng() * slot * 100) / 100 : 0);
  // startup: none, shorter or longer than a slot
  const startupKind = pick(rng, ['none', 'short', 'slot', 'long', 'random']);
  const startupS =
    startupKind === 'none' ? 0 : startupKind === 'short' ? slot / 4 : startupKind === 'slot' ? slot : startupKind === 'long' ? 1.5 * slot : Math.round(rng() * 1.2 * slot);
  const startup: Phase[] = [];
  if (startupS > 0) {
    const split = rng() < 0.5 ? startupS : Math.round(startupS * 0.4);
    startup.push({ name: 'Start', duration: split, power: pick(rng, [20, 100, 300]) });
    if (split < startupS) startup.push({ name: 'Load', duration: startupS - split, power: pick(rng, [50, 150]) });
  }
  const work: Phase[] = [];
  const shape = pick(rng, ['constant', 'phased', 'epochs', 'epochs', 'phased-cp']);
  const workBudget = (1 + rng() * 5) * slot;
  if (shape === 'constant') {
    work.push({ name: 'Work', duration: Math.round(workBudget), power: 200 });
  } else if (shape === 'phased') {
    for (let used = 0; used < workBudget; ) {
      const d = pick(rng, [slot / 2, slot, slot / 3, Math.round(rng() * slot) + 60]);
      work.push({ name: 'Phase', duration: d, power: pick(rng, [100, 200, 250]) });
      used += d;
    }
  } else if (shape === 'epochs') {
    const epoch = pick(rng, [slot / 2, slot, 0.7 * slot, 1.5 * slot, Math.round(rng() * slot) + 300]);
    const epochs = Math.max(1, Math.round(workBudget / epoch));
    for (let e = 0; e < epochs; e++) {
      work.push({ name: 'Train', duration: epoch * 0.8, power: 220 });
      work.push({ name: 'Evaluate', duration: epoch * 0.15, power: 130 });
      work.push({ name: 'Save', duration: epoch * 0.05, power: 100, isCheckpoint: true });
    }
  } else {
    for (let used = 0; used < workBudget; ) {
      const d = pick(rng, [slot / 2, slot, Math.round(rng() * slot) + 60]);
      work.push({ name: 'Phase', duration: d, power: pick(rng, [100, 200]), isCheckpoint: rng() < 0.5 });
      used += d;
    }
  }
  const profile = compileProfile({ startup, work });
  const slack = rng() * 8 * slot;
  const deadline = arrival + profile.durationS + slack + (rng() < 0.3 ? Math.round(rng() * 1000) : 0);
  const maxStarts = rng() < 0.3 ? 1 + Math.floor(rng() * 3) : Infinity;
  const job = jobOf({ startup, work }, arrival, deadline);
  const carbon = randomCarbon(rng, 0, deadline + 2 * slot);
  return { job, carbon, slot, origin, maxStarts };
}

const close = (a: number, b: number, rel = REL) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1e-12, Math.abs(b)));

describe('lp dynamic program: hand-computed cases', () => {
  // Three 1 h slots at 300, 100, 200 g/kWh; one 1 h job at 1000 W: 1 kWh in the cheapest slot.
  const carbon = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H]), values: Float64Array.from([300, 100, 200]) });

  it('a constant job without startup runs in the cheapest slot', () => {
    const job = jobOf({ startup: [], work: [{ name: 'Work', duration: H, power: 1000 }] }, 0, 3 * H);
    const sol = solveByDp(problemOf(job, carbon, H, 0))!;
    expect(sol.intervals).toEqual([[H, 2 * H]]);
    close(sol.emissionsG, 100);
  });

  it('a 2 h job without startup splits into the two cheapest slots (free interruption)', () => {
    const job = jobOf({ startup: [], work: [{ name: 'Work', duration: 2 * H, power: 1000 }] }, 0, 3 * H);
    const sol = solveByDp(problemOf(job, carbon, H, 0))!;
    expect(sol.intervals).toEqual([[H, 3 * H]]);
    close(sol.emissionsG, 300);
  });

  it('a startup makes a split plan pay twice: 0.5 h at 2000 W, then the 2 h job', () => {
    // Slots 100, 400, 100, 400 g/kWh. Split: [0, 1.5h) + [2h, 3.5h), each 0.5 h startup + 1 h work:
    // startup 1 kWh x 100 twice = 200, work 1 kWh x (0.5 x 100 + 0.5 x 400) twice = 500 -> 700.
    // Uninterrupted from 0: startup 100, work 2 kWh over [0.5h, 2.5h): 0.5 x 100 + 1 x 400 + 0.5 x 100 = 500 -> 600.
    const c = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H, 3 * H]), values: Float64Array.from([100, 400, 100, 400]) });
    const job = jobOf({ startup: [{ name: 'Start', duration: H / 2, power: 2000 }], work: [{ name: 'Work', duration: 2 * H, power: 1000 }] }, 0, 4 * H);
    const sol = solveByDp(problemOf(job, c, H, 0))!;
    expect(sol.intervals).toEqual([[0, 2.5 * H]]);
    close(sol.emissionsG, 600);
  });

  it('an immediate restart at the same boundary is a legal plan, and optimal with a low-power startup', () => {
    // Phase 1 (1 h, 1000 W, checkpoint) then phase 2 (1 h, 10 W). Startup 1 h at 0 W. Slots 0 .. 4 h:
    // 500, 10, 500, 10 g/kWh. Best: start at 0 (free startup in the 500 slot), phase 1 in the 10 slot
    // [1h, 2h) -> 10; stop there and restart at 2h (free startup), phase 2 in [3h, 4h): 0.1 kWh x 10 = 1.
    const c = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H, 3 * H]), values: Float64Array.from([500, 10, 500, 10]) });
    const job = jobOf(
      {
        startup: [{ name: 'Start', duration: H, power: 0 }],
        work: [
          { name: 'A', duration: H, power: 1000, isCheckpoint: true },
          { name: 'B', duration: H, power: 100 },
        ],
      },
      0,
      4 * H,
    );
    const sol = solveByDp(problemOf(job, c, H, 0))!;
    expect(sol.intervals).toEqual([
      [0, 2 * H],
      [2 * H, 4 * H],
    ]);
    close(sol.emissionsG, 10 + 1);
    close(chargePlan(job, sol.intervals, c).carbonG, sol.emissionsG);
  });

  it('a job with checkpoints is cut at the end of its last checkpoint, not at the slot boundary', () => {
    // Epochs of 40 min (checkpoint at the end), 2 epochs; slots 1 h at 100, 900, 100.
    const c = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H]), values: Float64Array.from([100, 900, 100]) });
    const epoch: Phase = { name: 'Epoch', duration: 2400, power: 1000, isCheckpoint: true };
    const job = jobOf({ startup: [], work: [epoch, { ...epoch }] }, 0, 3 * H);
    const sol = solveByDp(problemOf(job, c, H, 0))!;
    expect(sol.intervals).toEqual([
      [0, 2400],
      [2 * H, 2 * H + 2400],
    ]);
    close(sol.emissionsG, 2 * (2400 / 3600) * 100);
  });

  it('a cap of one start forces one uninterrupted run', () => {
    const job = jobOf({ startup: [], work: [{ name: 'Work', duration: 2 * H, power: 1000 }] }, 0, 3 * H);
    const c = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H]), values: Float64Array.from([100, 900, 100]) });
    expect(solveByDp(problemOf(job, c, H, 0))!.intervals).toEqual([
      [0, H],
      [2 * H, 3 * H],
    ]);
    const capped = solveByDp(problemOf(job, c, H, 0, 1))!;
    expect(capped.intervals).toEqual([[0, 2 * H]]);
    close(capped.emissionsG, 1000);
  });

  it('a job with checkpoints may stop at any checkpoint it reaches, not only the last one before a boundary', () => {
    // Slots 150, 900, 100, 900 g/kWh. Work: A 20 min at 100 W (checkpoint), B 30 min at 2000 W
    // (checkpoint), C 50 min at 100 W. Stopping after A (20 min into the first slot, where B's
    // checkpoint at 50 min is the last one reached) and resuming at 2 h: A 5 + B 100 + C 5 + 30 = 140.
    // Cutting only at the last checkpoint before a boundary (at 50 min) costs at least 163.3.
    const c = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H, 3 * H]), values: Float64Array.from([150, 900, 100, 900]) });
    const job = jobOf(
      {
        startup: [],
        work: [
          { name: 'A', duration: 1200, power: 100, isCheckpoint: true },
          { name: 'B', duration: 1800, power: 2000, isCheckpoint: true },
          { name: 'C', duration: 3000, power: 100 },
        ],
      },
      0,
      4 * H,
    );
    const sol = solveByDp(problemOf(job, c, H, 0))!;
    expect(sol.intervals).toEqual([
      [0, 1200],
      [2 * H, 2 * H + 4800],
    ]);
    close(sol.emissionsG, 140);
    close(chargePlan(job, sol.intervals, c).carbonG, 140);
  });

  it("the free instant: an uninterrupted start between boundaries (the oracle's)", () => {
    // Slots 500, 100, 500 g/kWh; startup 30 min at 0 W, then 1 h at 1000 W. On the grid the work
    // straddles a 500 slot either way (300 g); starting at 0.5 h puts all of it in the 100 slot.
    const c = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H]), values: Float64Array.from([500, 100, 500]) });
    const job = jobOf({ startup: [{ name: 'Start', duration: H / 2, power: 0 }], work: [{ name: 'Work', duration: H, power: 1000 }] }, 0, 3 * H);
    close(solveByDp(problemOf(job, c, H, 0))!.emissionsG, 300);
    const sol = solveByDp(problemOf(job, c, H, 0, Infinity, true))!;
    expect(sol.intervals).toEqual([[H / 2, 2 * H]]);
    close(sol.emissionsG, 100);
  });

  it("the free instant: waitawhile's partial slot ending an interval between boundaries", () => {
    // Slots 100, 300, 150, 120 g/kWh; 2.5 h at 1000 W, no startup. The cheapest 2.5 h are the first
    // and last slots and half of the third: 100 + 75 + 120 = 295. On the grid the best is 310.
    const c = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H, 3 * H]), values: Float64Array.from([100, 300, 150, 120]) });
    const job = jobOf({ startup: [], work: [{ name: 'Work', duration: 2.5 * H, power: 1000 }] }, 0, 4 * H);
    close(solveByDp(problemOf(job, c, H, 0))!.emissionsG, 310);
    const sol = solveByDp(problemOf(job, c, H, 0, Infinity, true))!;
    close(sol.emissionsG, 295);
    close(chargePlan(job, sol.intervals, c).carbonG, 295);
    expect(sol.intervals.length).toBeGreaterThan(1);
  });

  it('returns undefined when even one uninterrupted run misses the deadline', () => {
    const job = jobOf({ startup: [], work: [{ name: 'Work', duration: 2 * H, power: 1000 }] }, 0, 2 * H - 1);
    expect(solveByDp(problemOf(job, carbon, H, 0))).toBeUndefined();
  });
});

describe('lp dynamic program: equals a brute force over every plan on the grid', () => {
  it('on 2000 random small instances (T <= 10), to 1e-9 relative', () => {
    const rng = seedrandom('lp-exactness');
    let checked = 0;
    let capped = 0;
    let withCheckpoints = 0;
    let longStartup = 0;
    let multiStart = 0;
    let totalPlans = 0;
    let skipped = 0;
    while (checked < 2000) {
      const inst = randomInstance(rng);
      const problem = problemOf(inst.job, inst.carbon, inst.slot, inst.origin, inst.maxStarts);
      const T = problem.boundaries.length - 1;
      if (T > 10) continue;
      const dp = solveByDp(problem);
      if (inst.job.deadline - inst.job.arrival < inst.job.profile.durationS) {
        expect(dp).toBeUndefined();
        continue;
      }
      const brute = bruteForce(inst.job, inst.carbon, problem.boundaries, inst.maxStarts, false);
      if (!brute) {
        skipped++;
        continue;
      }
      expect(dp).toBeDefined();
      close(dp!.emissionsG, brute.best);
      // the plan itself, replayed through the engine, costs what the DP says and meets the deadline
      const charged = chargePlan(inst.job, dp!.intervals, inst.carbon);
      close(charged.carbonG, dp!.emissionsG);
      expect(charged.execution.finish).toBeLessThanOrEqual(inst.job.deadline + TIME_EPS_S);
      expect(dp!.intervals.length).toBeLessThanOrEqual(inst.maxStarts);
      checked++;
      totalPlans += brute.plans;
      if (inst.maxStarts !== Infinity) capped++;
      if (!inst.job.profile.savesContinuously) withCheckpoints++;
      if (inst.job.profile.startupDurationS > inst.slot) longStartup++;
      if (dp!.intervals.length > 1) multiStart++;
    }
    // the generator covers what it should
    expect(capped).toBeGreaterThan(450);
    expect(withCheckpoints).toBeGreaterThan(900);
    expect(checked - withCheckpoints).toBeGreaterThan(600);
    expect(longStartup).toBeGreaterThan(350);
    expect(multiStart).toBeGreaterThan(400);
    expect(totalPlans).toBeGreaterThan(80_000);
    expect(skipped).toBeLessThan(checked / 10); // instances too big to enumerate are few
  });
});

describe('lp dynamic program with free instants: equals a brute force over every such plan', () => {
  it('on 600 random small instances (T <= 5), to 1e-9 relative, and never above the grid optimum', () => {
    const rng = seedrandom('lp-exactness-free');
    let checked = 0;
    let freeWins = 0;
    let withCheckpoints = 0;
    let withStartup = 0;
    let totalFreePlans = 0;
    let skipped = 0;
    while (checked < 600) {
      const inst = randomInstance(rng);
      const problem = problemOf(inst.job, inst.carbon, inst.slot, inst.origin, inst.maxStarts, true);
      const T = problem.boundaries.length - 1;
      if (T > 5 || inst.job.deadline - inst.job.arrival < inst.job.profile.durationS) continue;
      if (freeValues(inst.job, problem.boundaries, inst.maxStarts).length > 24) continue;
      const dp = solveByDp(problem)!;
      const brute = bruteForce(inst.job, inst.carbon, problem.boundaries, inst.maxStarts, true, 6_000);
      if (!brute) {
        skipped++;
        continue;
      }
      close(dp.emissionsG, brute.best);
      const charged = chargePlan(inst.job, dp.intervals, inst.carbon);
      close(charged.carbonG, dp.emissionsG);
      expect(charged.execution.finish).toBeLessThanOrEqual(inst.job.deadline + TIME_EPS_S);
      expect(dp.intervals.length).toBeLessThanOrEqual(inst.maxStarts);
      const grid = solveByDp({ ...problem, freeInstant: false })!;
      expect(dp.emissionsG).toBeLessThanOrEqual(grid.emissionsG * (1 + 1e-12));
      if (dp.emissionsG < grid.emissionsG * (1 - 1e-9)) freeWins++;
      checked++;
      totalFreePlans += brute.freePlans;
      if (!inst.job.profile.savesContinuously) withCheckpoints++;
      if (inst.job.profile.startupDurationS > 0) withStartup++;
    }
    expect(freeWins).toBeGreaterThan(250); // free instants matter, so the comparison is not vacuous
    expect(withCheckpoints).toBeGreaterThan(200);
    expect(withStartup).toBeGreaterThan(300);
    expect(totalFreePlans).toBeGreaterThan(60_000);
    expect(skipped).toBeLessThan(checked / 10);
  });
});

describe('the free positions V', () => {
  it('are the values of their definition, on the uniform grid and on irregular boundaries', () => {
    const rng = seedrandom('lp-free-values');
    let uniform = 0;
    let irregular = 0;
    for (let n = 0; n < 400; n++) {
      const inst = randomInstance(rng);
      let b = slotBoundaries(inst.job.arrival, inst.job.deadline, inst.slot, inst.origin);
      if (n % 4 === 3 && b.length > 3) {
        // move one interior boundary: the distances are then no longer m L and delta + m L
        b = Float64Array.from(b);
        b[1] = (b[0]! + b[1]!) / 2;
        irregular++;
      } else uniform++;
      const problem: CheckpointResumeProblem = { profile: inst.job.profile, boundaries: b, carbon: inst.carbon, maxStarts: inst.maxStarts, freeInstant: true };
      const got = Array.from(freeProgressValues(problem));
      const want = freeValues(inst.job, b, inst.maxStarts);
      expect(got.length, `instance ${n}`).toBe(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-6));
    }
    expect(uniform).toBeGreaterThan(250);
    expect(irregular).toBeGreaterThan(80);
  });
});

describe('the MILP holds the slot-grid plan space only', () => {
  it('refuses free instants; on the grid it agrees with the DP, which with free instants is at or below it', async () => {
    const highs = await loadMilpBackend('highs');
    const rng = seedrandom('lp-free-milp');
    const times = Float64Array.from({ length: 40 }, (_, i) => i * H);
    const carbon = new CarbonSignal({ times, values: Float64Array.from({ length: 40 }, () => Math.round(20 + rng() * 600)) });
    const profiles: PowerProfile[] = [
      { startup: [{ name: 'Start', duration: 300, power: 50 }], work: [{ name: 'Work', duration: 4 * H, power: 150 }] },
      { startup: [{ name: 'Start', duration: 600, power: 30 }], work: Array.from({ length: 6 }, (_, i) => ({ name: 'Block', duration: 1800, power: i % 2 ? 100 : 200 })) },
      {
        startup: [{ name: 'Start', duration: 600, power: 60 }],
        work: Array.from({ length: 4 }, () => [
          { name: 'Train', duration: 2000, power: 220 },
          { name: 'Save', duration: 400, power: 100, isCheckpoint: true },
        ]).flat(),
      },
    ];
    let freeWins = 0;
    for (const profile of profiles) {
      for (const maxStarts of [Infinity, 2]) {
        const grid: CheckpointResumeProblem = { profile: compileProfile(profile), boundaries: slotBoundaries(1234, 1234 + 24 * H, H, 0), carbon, maxStarts };
        const dpGrid = solveByDp(grid)!;
        close(solveByMilp(grid, highs)!.emissionsG, dpGrid.emissionsG);
        expect(() => solveByMilp({ ...grid, freeInstant: true }, highs)).toThrow(/slot-grid plan space only/);
        const dpFree = solveByDp({ ...grid, freeInstant: true })!;
        expect(dpFree.emissionsG).toBeLessThanOrEqual(dpGrid.emissionsG * (1 + 1e-12));
        if (dpFree.emissionsG < dpGrid.emissionsG * (1 - 1e-9)) freeWins++;
      }
    }
    expect(freeWins).toBeGreaterThanOrEqual(3);
  });
});
