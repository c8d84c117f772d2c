// fast-check arbitraries shared by the engine's property tests.
import fc from 'fast-check';
import { CarbonSignal } from '../src/carbon/signal.js';
import type { Job } from '../src/model/jobs.js';
import { compileProfile, type Phase } from '../src/model/profile.js';

const H = 3600;

/** An hourly signal of random integer intensities 0..500 over `days`, repeated past its end. */
export const hourlyCarbonArb = (days: number): fc.Arbitrary<CarbonSignal> =>
  fc
    .array(fc.integer({ min: 0, max: 500 }), { minLength: 24 * days, maxLength: 24 * days })
    .map((v) => new CarbonSignal({ times: Float64Array.from(v, (_, i) => i * H), values: Float64Array.from(v), name: 'random', extend: 'repeat' }));

/**
 * Phased jobs: up to two startup phases (0-900 s, 0-300 W), one to four work phases (1 s-3 h,
 * 0-400 W, checkpoints at random), arrivals in the first `arrivalH` hours, waits up to `waitH`.
 */
export const phasedJobsArb = (o: { arrivalH: number; waitH: number; maxJobs: number }): fc.Arbitrary<Job[]> =>
  fc
    .array(
      fc.record({
        arrival: fc.integer({ min: 0, max: o.arrivalH * H }),
        startup: fc.array(fc.record({ d: fc.integer({ min: 0, max: 900 }), p: fc.integer({ min: 0, max: 300 }) }), { maxLength: 2 }),
        work: fc.array(fc.record({ d: fc.integer({ min: 1, max: 3 * H }), p: fc.integer({ min: 0, max: 400 }), c: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        wait: fc.integer({ min: 0, max: o.waitH * H }),
      }),
      { minLength: 1, maxLength: o.maxJobs },
    )
    .map((rows) =>
      rows.map((r, i): Job => {
        const startup: Phase[] = r.startup.map((s, k) => ({ name: `s${k}`, duration: s.d, power: s.p }));
        const work: Phase[] = r.work.map((w, k) => ({ name: `w${k}`, duration: w.d, power: w.p, isCheckpoint: w.c }));
        const profile = compileProfile({ startup, work });
        return { id: `p${i}`, type: 'phases', arrival: r.arrival, deadline: r.arrival + profile.durationS + r.wait, cpus: 1, profile };
      }),
    );
