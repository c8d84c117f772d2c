// JobRun runs a profile of one work phase without startup (singleWorkPowerW) from two scalars instead
// of its phase lists: it must do exactly what the general path does. The same profile with an
// explicit empty resume list means the same job but takes the general path, so the two runs are
// driven through the same random operations and compared field by field and piece by piece.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobRun } from '../src/model/jobrun.js';
import { compileProfile } from '../src/model/profile.js';

type Op = { kind: 'start' | 'advance' | 'stop' | 'rate' | 'near'; dt: number; rate: number; scale: number };

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('start', 'advance', 'stop', 'rate', 'near'),
  dt: fc.oneof(fc.double({ min: 0, max: 5000, noNaN: true }), fc.constantFrom(0, 1e-8, 1e-7, 2e-7)),
  rate: fc.double({ min: 0.1, max: 2, noNaN: true }),
  scale: fc.double({ min: 0, max: 2, noNaN: true }),
});

function state(run: JobRun) {
  return {
    progress: run.progress,
    energyJ: run.energyJ,
    startupEnergyJ: run.startupEnergyJ,
    lostWorkEnergyJ: run.lostWorkEnergyJ,
    lostWorkS: run.lostWorkS,
    starts: run.starts,
    finish: run.finish,
    running: run.running,
    done: run.done,
    powerW: run.powerW,
    overheadEnergyJ: run.overheadEnergyJ,
    projectedFinish: run.projectedFinish(),
    nextChange: run.nextChange(),
  };
}

describe('JobRun on a single-phase profile', () => {
  it('the scalar path equals the general path: every field and every piece, to the bit', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        fc.boolean(),
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        (duration, power, checkpoint, ops) => {
          const work = [{ name: 'w', duration, power, ...(checkpoint && { isCheckpoint: true }) }];
          const fast = compileProfile({ startup: [], work });
          const general = compileProfile({ startup: [], work, resume: [] });
          expect(fast.singleWorkPowerW).toBe(power);
          expect(general.singleWorkPowerW).toBeNaN();
          const a = new JobRun(fast);
          const b = new JobRun(general);
          const piecesA: number[][] = [];
          const piecesB: number[][] = [];
          const sinkA = (s: number, e: number, p: number, st: boolean): void => void piecesA.push([s, e, p, st ? 1 : 0]);
          const sinkB = (s: number, e: number, p: number, st: boolean): void => void piecesB.push([s, e, p, st ? 1 : 0]);
          let t = 0;
          for (const op of ops) {
            if (op.kind === 'near') {
              // to just before (or at) the projected end: the tolerance window of advance
              if (!a.running) continue;
              const delta = [0, 5e-8, 1e-7, 1.5e-7, 1e-6][Math.floor(op.scale * 2.49)]!;
              t = Math.max(t, a.projectedFinish() - delta);
              a.advance(t, sinkA);
              b.advance(t, sinkB);
              expect(state(a)).toEqual(state(b));
              continue;
            }
            t += op.dt;
            if (op.kind === 'start') {
              if (a.running || a.done) continue;
              a.start(t);
              b.start(t);
            } else if (op.kind === 'advance') {
              a.advance(t, sinkA);
              b.advance(t, sinkB);
            } else if (op.kind === 'stop') {
              if (!a.running) continue;
              a.stop(t, sinkA);
              b.stop(t, sinkB);
            } else {
              a.setRate(t, op.rate, op.scale, sinkA);
              b.setRate(t, op.rate, op.scale, sinkB);
            }
            expect(state(a)).toEqual(state(b));
          }
          if (a.running) {
            a.advance(Infinity, sinkA);
            b.advance(Infinity, sinkB);
            expect(state(a)).toEqual(state(b));
            expect(a.done).toBe(true);
          }
          expect(piecesA).toEqual(piecesB);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a checkpoint within the time tolerance of the end: the stop rolls forward to it, the next start finishes at once', () => {
    const work = [{ name: 'w', duration: 3600, power: 100, isCheckpoint: true }];
    for (const profile of [compileProfile({ startup: [], work }), compileProfile({ startup: [], work, resume: [] })]) {
      const run = new JobRun(profile);
      run.start(0);
      // at half speed the stop cuts the phase short (it would end 1.6e-7 s later) with 8e-8 s of work
      // left, within TIME_EPS_S of the checkpoint at the end: that checkpoint is kept
      run.setRate(0, 0.5, 1);
      run.stop(7200 - 1.6e-7);
      expect(run.progress).toBe(3600);
      expect(run.done).toBe(false);
      run.start(8000);
      expect(run.powerW).toBe(0); // no work left to draw for (this read past the phase list before)
      expect(run.nextChange()).toBe(8000);
      expect(run.projectedFinish()).toBe(8000);
      run.advance(9000);
      expect([run.done, run.finish, run.starts]).toEqual([true, 8000, 2]);
    }
  });
});
