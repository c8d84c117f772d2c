// Property tests of the execution semantics, the carbon integral and the schedulers, each against an
// independent brute force.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CarbonSignal,
  chargePlan,
  compileProfile,
  createScheduler,
  executePlan,
  simulate,
  cheapestSlots,
  type Interval,
  type Job,
  type Phase,
  type PowerProfile,
} from '../src/index.js';

const Q = 0.25; // the brute force's quantum (s): every duration and time below is a multiple of it

const phaseArb = (minQ: number, checkpoint: boolean) =>
  fc.record({
    q: fc.integer({ min: minQ, max: 8 }),
    power: fc.integer({ min: 0, max: 300 }),
    cp: checkpoint ? fc.boolean() : fc.constant(false),
  });

const profileArb = fc.record({
  startup: fc.array(phaseArb(0, false), { maxLength: 3 }),
  work: fc.array(phaseArb(1, true), { minLength: 1, maxLength: 6 }),
});

type QPhase = { q: number; power: number; cp: boolean };

function toProfile(p: { startup: QPhase[]; work: QPhase[] }): PowerProfile {
  const phase = (x: QPhase, i: number, kind: string): Phase => ({
    name: `${kind}${i}`,
    duration: x.q * Q,
    power: x.power,
    ...(x.cp && { isCheckpoint: true }),
  });
  return { startup: p.startup.map((x, i) => phase(x, i, 's')), work: p.work.map((x, i) => phase(x, i, 'w')) };
}

/** Plan on the quantum grid: arrival, then intervals with gaps >= 0 (abutting allowed). */
const planArb = fc.record({
  arrivalQ: fc.integer({ min: 0, max: 10 }),
  pieces: fc.array(fc.record({ gapQ: fc.integer({ min: 0, max: 10 }), lenQ: fc.integer({ min: 1, max: 24 }) }), { minLength: 1, maxLength: 5 }),
});

const carbonArb = fc.array(fc.record({ lenQ: fc.integer({ min: 1, max: 12 }), value: fc.integer({ min: 0, max: 600 }) }), {
  minLength: 1,
  maxLength: 40,
});

function toSignal(steps: { lenQ: number; value: number }[], extend: 'hold' | 'repeat' | 'none' = 'hold'): CarbonSignal {
  const times: number[] = [];
  let t = 0;
  for (const s of steps) {
    times.push(t * Q);
    t += s.lenQ;
  }
  return new CarbonSignal({ times: Float64Array.from(times), values: Float64Array.from(steps.map((s) => s.value)), end: t * Q, extend });
}

/** Brute force of the execution semantics, one quantum at a time, in integer quanta. */
function bruteForce(p: { startup: QPhase[]; work: QPhase[] }, plan: [number, number][], intensity: (tQ: number) => number) {
  const workQ = p.work.reduce((a, x) => a + x.q, 0);
  const powerAtProgress = (k: number): number => {
    let acc = 0;
    for (const x of p.work) {
      acc += x.q;
      if (k < acc) return x.power;
    }
    throw new Error('past the work');
  };
  const savedAt = (k: number): number => {
    if (!p.work.some((x) => x.cp)) return k;
    let acc = 0;
    let kept = 0;
    for (const x of p.work) {
      acc += x.q;
      if (x.cp && acc <= k) kept = acc;
    }
    return kept;
  };
  let energy = 0;
  let carbon = 0;
  let progress = 0;
  let lost = 0;
  let finishQ = -1;
  let afterFinish = false;
  for (let i = 0; i < plan.length; i++) {
    if (finishQ >= 0) {
      afterFinish = true; // an interval planned after the job finished: a plan error
      break;
    }
    const [s, e] = plan[i]!;
    const end = i === plan.length - 1 ? Infinity : e;
    let t = s;
    for (const x of p.startup) {
      for (let k = 0; k < x.q && t < end; k++, t++) {
        energy += x.power * Q;
        carbon += (x.power * Q * intensity(t)) / 3.6e6;
      }
    }
    while (t < end && progress < workQ) {
      const pw = powerAtProgress(progress);
      energy += pw * Q;
      carbon += (pw * Q * intensity(t)) / 3.6e6;
      progress++;
      t++;
    }
    if (progress >= workQ) finishQ = t;
    else {
      const kept = savedAt(progress);
      lost += progress - kept;
      progress = kept;
    }
  }
  return { energy, carbon, finishQ, lostQ: lost, afterFinish };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));

describe('execution semantics against a quantum-by-quantum brute force', () => {
  it('energy, emissions, finish and lost work agree (1e-9 relative)', () => {
    fc.assert(
      fc.property(profileArb, planArb, carbonArb, (qp, qplan, steps) => {
        const profile = compileProfile(toProfile(qp));
        const plan: [number, number][] = [];
        let t = qplan.arrivalQ;
        for (const piece of qplan.pieces) {
          t += piece.gapQ;
          plan.push([t, t + piece.lenQ]);
          t += piece.lenQ;
        }
        const carbon = toSignal(steps);
        const intensity = (tQ: number) => carbon.intensityAt(tQ * Q);
        const brute = bruteForce(qp, plan, intensity);
        const job: Job = { id: 'j', type: 'phases', arrival: qplan.arrivalQ * Q, deadline: Infinity, cpus: 1, profile };
        const seconds = plan.map(([s, e]) => [s * Q, e * Q] as Interval);
        if (brute.afterFinish) {
          expect(() => chargePlan(job, seconds, carbon)).toThrow(/after the job finished/);
          return;
        }
        const charged = chargePlan(job, seconds, carbon);
        const e = charged.execution;
        expect(rel(e.energyJ, brute.energy)).toBeLessThanOrEqual(1e-9);
        expect(rel(charged.carbonG, brute.carbon)).toBeLessThanOrEqual(1e-9);
        expect(e.finish).toBeCloseTo(brute.finishQ * Q, 9);
        expect(e.lostWorkS).toBeCloseTo(brute.lostQ * Q, 9);
        expect(rel(e.overheadEnergyJ + profile.energyJ, e.energyJ)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 1500 },
    );
  });

  it('energy equals power x duration of the pieces that ran, and the pieces tile the run intervals', () => {
    fc.assert(
      fc.property(profileArb, planArb, (qp, qplan) => {
        const profile = compileProfile(toProfile(qp));
        const qIntervals: [number, number][] = [];
        let t = qplan.arrivalQ;
        for (const piece of qplan.pieces) {
          t += piece.gapQ;
          qIntervals.push([t, t + piece.lenQ]);
          t += piece.lenQ;
        }
        const plan = qIntervals.map(([s, e]) => [s * Q, e * Q] as Interval);
        fc.pre(!bruteForce(qp, qIntervals, () => 0).afterFinish);
        let sum = 0;
        const pieces: [number, number][] = [];
        const e = executePlan(profile, qplan.arrivalQ * Q, plan, (a, b, p) => {
          sum += p * (b - a);
          pieces.push([a, b]);
        });
        expect(rel(sum, e.energyJ)).toBeLessThanOrEqual(1e-12);
        // Pieces cover each executed interval exactly, in order, with no overlap.
        let k = 0;
        for (const [s, end] of e.intervals) {
          let cursor = s;
          while (k < pieces.length && pieces[k]![0] < end - 1e-9) {
            expect(pieces[k]![0]).toBeCloseTo(cursor, 9);
            cursor = pieces[k]![1];
            k++;
          }
          expect(cursor).toBeCloseTo(end, 9);
        }
        expect(k).toBe(pieces.length);
        expect(e.intervals[0]![0]).toBeGreaterThanOrEqual(qplan.arrivalQ * Q);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('carbon integral against a step-by-step brute force', () => {
  it('integrate(a, b) equals the sum over the steps it overlaps (1e-9 relative), with every extend mode', () => {
    fc.assert(
      fc.property(
        carbonArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.constantFrom('hold' as const, 'repeat' as const),
        (steps, fa, fspan, extend) => {
          const signal = toSignal(steps, extend);
          const end = signal.end;
          const a = fa * end;
          const b = a + fspan * end;
          // brute force: walk the steps (and their repetitions) one by one
          let brute = 0;
          let t = 0;
          let i = 0;
          while (t < b) {
            const step = steps[i % steps.length]!;
            const next = t + step.lenQ * Q;
            const lo = Math.max(a, t);
            const hi = Math.min(b, next);
            const value = extend === 'hold' && t >= end ? steps[steps.length - 1]!.value : step.value;
            if (hi > lo) brute += value * (hi - lo);
            t = next;
            i++;
            if (extend === 'hold' && t >= end) {
              if (b > Math.max(a, t)) brute += steps[steps.length - 1]!.value * (b - Math.max(a, t));
              break;
            }
          }
          const got = signal.integrate(a, b);
          expect(Math.abs(got - brute)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(brute)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('without an extend mode, integrating past the end throws a range error naming --extend', () => {
    const signal = toSignal([{ lenQ: 4, value: 100 }], 'none');
    expect(() => signal.integrate(0, 2)).toThrow(/past the end of carbon trace .* --extend repeat\|hold/);
    expect(() => signal.integrate(-1, 0.5)).toThrow(/before the start/);
  });
});

describe('schedulers on random jobs and traces', () => {
  const jobArb = fc.record({ profile: profileArb, arrivalQ: fc.integer({ min: 0, max: 40 }), waitQ: fc.integer({ min: 0, max: 60 }) });

  it('nothing runs before arrival, and feasible deadlines are met (agnostic, oracle, waitawhile)', () => {
    fc.assert(
      fc.property(fc.array(jobArb, { minLength: 1, maxLength: 6 }), carbonArb, fc.constantFrom('agnostic', 'oracle', 'waitawhile'), (jobs, steps, name) => {
        const carbon = toSignal(steps, 'repeat');
        const js: Job[] = jobs.map((j, i) => {
          const profile = compileProfile(toProfile(j.profile));
          const arrival = j.arrivalQ * Q;
          return { id: String(i), type: 'phases', arrival, deadline: arrival + profile.durationS + j.waitQ * Q, cpus: 1, profile };
        });
        js.sort((a, b) => a.arrival - b.arrival);
        const out = simulate(js, { scheduler: createScheduler(name), carbon, slotS: Q * 3 });
        for (const r of out.results) {
          expect(r.execution.intervals[0]![0]).toBeGreaterThanOrEqual(r.job.arrival);
          // Uninterrupted schedulers plan the real duration, so their deadlines always hold.
          if (name !== 'waitawhile') expect(r.missed).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('oracle is never worse than a brute-force scan of start times', () => {
    fc.assert(
      fc.property(jobArb, carbonArb, (j, steps) => {
        const carbon = toSignal(steps, 'repeat');
        const profile = compileProfile(toProfile(j.profile));
        const arrival = j.arrivalQ * Q;
        const job: Job = { id: 'o', type: 'phases', arrival, deadline: arrival + profile.durationS + j.waitQ * Q, cpus: 1, profile };
        const out = simulate([job], { scheduler: createScheduler('oracle'), carbon });
        const got = out.results[0]!.carbonG;
        let best = Infinity;
        const fine = Q / 8;
        for (let s = arrival; s <= arrival + j.waitQ * Q + 1e-9; s += fine) {
          best = Math.min(best, chargePlan(job, [[s, s + profile.durationS]], carbon).carbonG);
        }
        expect(got).toBeLessThanOrEqual(best * (1 + 1e-9) + 1e-15);
        const [start, finish] = out.results[0]!.execution.intervals[0]!;
        expect(start).toBeGreaterThanOrEqual(arrival);
        expect(finish).toBeLessThanOrEqual(job.deadline + 1e-9);
      }),
      { numRuns: 500 },
    );
  });
});

describe('waitawhile slot costs: the fast path on the carbon grid equals the general path', () => {
  it('same plan from a uniform trace and from the same values on a non-uniform one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 4, maxLength: 60 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        (values, a, span, needPermille) => {
          const H = 3600;
          const n = values.length;
          const times = Float64Array.from(values, (_, i) => i * H);
          const uniform = new CarbonSignal({ times, values: Float64Array.from(values) });
          // A longer last step makes the grid non-uniform, which forces the general path.
          const general = new CarbonSignal({ times, values: Float64Array.from(values), end: (n + 1) * H });
          expect(uniform.uniformStepS).toBe(H);
          expect(general.uniformStepS).toBe(0);
          const from = (a / 1000) * (n - 2) * H;
          const to = Math.min((n - 1) * H, from + (span / 1000) * (n - 1) * H + 1);
          const need = ((to - from) * needPermille) / 1000;
          const ctx = (carbon: CarbonSignal) => ({ now: from, deadline: to, carbon, slot: H, slotOrigin: 0, rng: () => 0 });
          expect(cheapestSlots(ctx(uniform), from, to, need)).toEqual(cheapestSlots(ctx(general), from, to, need));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
