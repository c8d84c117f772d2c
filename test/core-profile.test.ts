// Power and energy look-ups of a compiled profile agree with a second-by-second walk of its phases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkpointAt, compileProfile, powerAt, workEnergyBetween, type Phase } from '../src/index.js';

const phases = (kind: string, xs: { d: number; p: number; cp?: boolean }[]): Phase[] =>
  xs.map((x, i) => ({ name: `${kind}${i}`, duration: x.d, power: x.p, ...(x.cp && { isCheckpoint: true }) }));

describe('compiled profile look-ups', () => {
  const profile = compileProfile({
    startup: phases('s', [{ d: 2, p: 50 }, { d: 3, p: 60 }]),
    work: phases('w', [{ d: 4, p: 200 }, { d: 1, p: 100, cp: true }, { d: 5, p: 150 }, { d: 2, p: 80, cp: true }]),
  });

  it('powerAt walks startup then work, 0 outside the run', () => {
    expect([-1, 0, 1.9, 2, 4.9, 5, 8.99, 9, 10, 14.99, 15, 16.99, 17].map((t) => powerAt(profile, t))).toEqual([
      0, 50, 50, 60, 60, 200, 200, 100, 150, 150, 80, 80, 0,
    ]);
  });

  it('workEnergyBetween integrates the work phases between two progress values', () => {
    expect(workEnergyBetween(profile, 0, 12)).toBe(4 * 200 + 100 + 5 * 150 + 2 * 80);
    expect(workEnergyBetween(profile, 3, 6.5)).toBe(1 * 200 + 100 + 1.5 * 150);
    expect(workEnergyBetween(profile, 7, 7)).toBe(0);
  });

  it('checkpointAt keeps the end of the last checkpoint reached', () => {
    expect([0, 4.99, 5, 9.99, 10.5, 12].map((p) => checkpointAt(profile, p))).toEqual([0, 0, 5, 5, 5, 12]);
  });

  it('energy between any two progress values equals a fine walk over the phases', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ d: fc.integer({ min: 1, max: 8 }), p: fc.integer({ min: 0, max: 300 }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 64 }),
        (work, a, b) => {
          const prof = compileProfile({ startup: [], work: phases('w', work) });
          const W = prof.workDurationS;
          const [p0, p1] = [Math.min(a, b, W), Math.min(Math.max(a, b), W)];
          let walk = 0;
          for (let q = p0; q < p1; q += 0.5) walk += powerAt(prof, q + 0.25) * 0.5; // half-second steps, phases are whole seconds
          expect(workEnergyBetween(prof, p0, p1)).toBeCloseTo(walk, 9);
        },
      ),
      { numRuns: 500 },
    );
  });
});
