// The dynamic program is exact: on thousands of random small instances it equals a brute force
// that enumerates every plan on the slot grid and charges each one with the engine (chargePlan).
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
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

function problemOf(job: Job, carbon: CarbonSignal, slot: number, origin: number, maxStarts = Infinity): CheckpointResumeProblem {
  return { profile: job.profile, boundaries: slotBoundaries(job.arrival, job.deadline, slot, origin), carbon, maxStarts };
}

/**
 * The least emissions over every plan in the plan space, each charged by the engine. Independent
 * of the DP: it walks the phases itself to find where an interval's last checkpoint ends.
 * Intervals that save nothing are skipped: dropping one leaves the rest of the run unchanged and
 * removes a non-negative cost, so the minimum is the same (and the enumeration stays small).
 */
function bruteForce(job: Job, carbon: CarbonSignal, b: Float64Array, maxStarts: number): { best: number; plans: number } {
  const prof = job.profile;
  const S = prof.startupDurationS;
  const W = prof.workDurationS;
  const T = b.length - 1;
  const deadline = b[T]!;
  let best = Infinity;
  let plans = 0;
  const charge = (plan: Interval[]): void => {
    const charged = chargePlan(job, plan, carbon);
    if (charged.execution.finish > deadline + TIME_EPS_S) throw new Error(`brute force built a late plan ${JSON.stringify(plan)}`);
    plans++;
    if (charged.carbonG < best) best = charged.carbonG;
  };
  /** The checkpoints (progress, offset into the interval) reached by an interval from p lasting len. */
  const lastCheckpointBy = (p: number, len: number): number | undefined => {
    let progress = 0;
    let kept: number | undefined;
    for (const ph of prof.work) {
      progress += ph.duration;
      if (progress <= p) continue;
      if (S + (progress - p) > len + TIME_EPS_S) break;
      if (ph.isCheckpoint && progress > p + TIME_EPS_S) kept = progress;
    }
    return kept;
  };
  const rec = (from: number, p: number, plan: Interval[]): void => {
    if (plan.length >= maxStarts) return;
    for (let si = from; si < T; si++) {
      const s = b[si]!;
      const finish = s + S + (W - p);
      if (finish <= deadline + TIME_EPS_S) charge([...plan, [s, finish]]);
      let lastEnd = NaN;
      for (let ei = si + 1; ei <= T; ei++) {
        const len = b[ei]! - s;
        if (S + (W - p) <= len + TIME_EPS_S) break; // finished by then: that is the final interval above
        let end: number;
        let kept: number;
        if (prof.savesContinuously) {
          if (len <= S) continue;
          end = b[ei]!;
          kept = p + (len - S);
        } else {
          const c = lastCheckpointBy(p, len);
          if (c === undefined) continue;
          end = Math.min(s + S + (c - p), b[ei]!);
          kept = c;
        }
        if (end === lastEnd) continue; // the same cut as the previous end boundary: the same plan
        lastEnd = end;
        let next = si + 1;
        while (next < T && b[next]! < end - TIME_EPS_S) next++;
        rec(next, kept, [...plan, [s, end]]);
      }
    }
  };
  rec(0, 0, []);
  return { best, plans };
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

  it('returns undefined when even one uninterrupted run misses the deadline', () => {
    const job = jobOf({ startup: [], work: [{ name: 'Work', duration: 2 * H, power: 1000 }] }, 0, 2 * H - 1);
    expect(solveByDp(problemOf(job, carbon, H, 0))).toBeUndefined();
  });
});

describe('lp dynamic program: equals a brute force over every plan on the grid', () => {
  it('on 3000 random small instances (T <= 14), to 1e-9 relative', () => {
    const rng = seedrandom('lp-exactness');
    let checked = 0;
    let capped = 0;
    let withCheckpoints = 0;
    let longStartup = 0;
    let multiStart = 0;
    let totalPlans = 0;
    while (checked < 3000) {
      const inst = randomInstance(rng);
      const problem = problemOf(inst.job, inst.carbon, inst.slot, inst.origin, inst.maxStarts);
      const T = problem.boundaries.length - 1;
      if (T > 14) continue;
      const dp = solveByDp(problem);
      if (inst.job.deadline - inst.job.arrival < inst.job.profile.durationS) {
        expect(dp).toBeUndefined();
        continue;
      }
      const brute = bruteForce(inst.job, inst.carbon, problem.boundaries, inst.maxStarts);
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
    expect(capped).toBeGreaterThan(500);
    expect(withCheckpoints).toBeGreaterThan(1000);
    expect(checked - withCheckpoints).toBeGreaterThan(500);
    expect(longStartup).toBeGreaterThan(300);
    expect(multiStart).toBeGreaterThan(300);
    expect(totalPlans).toBeGreaterThan(100_000);
  });
});
