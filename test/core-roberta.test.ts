// Hand-computed charges for the RoBERTa job of the thesis's listing 4.9 (traces/workloads/roberta.csv).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CarbonSignal, chargePlan, executePlan, maxWaitRule, parseWorkload, toJobs, type Job } from '../src/index.js';
import { ROOT } from './helpers.js';

const file = join(ROOT, 'traces/workloads/roberta.csv');
const [job] = toJobs(parseWorkload(readFileSync(file, 'utf8'), { file }), maxWaitRule(24 * 3600)) as [Job];

// Listing 4.9 by hand: startup Start 5.34 s @ 59.9 W, Finish Imports 12.36 s @ 53.77 W, Data loaded 5.75 s @ 63.17 W;
// five epochs of Train 8.17 s @ 221.93 W, Evaluate 1.54 s @ 134.0 W, Save 2.72 s @ 105.1 W (checkpoint).
const STARTUP_S = 5.34 + 12.36 + 5.75; // 23.45
const STARTUP_J = 5.34 * 59.9 + 12.36 * 53.77 + 5.75 * 63.17; // 1347.6907
const TRAIN_J = 8.17 * 221.93;
const EVAL_J = 1.54 * 134.0;
const SAVE_J = 2.72 * 105.1;
const EPOCH_S = 8.17 + 1.54 + 2.72; // 12.43
const EPOCH_J = TRAIN_J + EVAL_J + SAVE_J; // 2305.4001
const FULL_J = STARTUP_J + 5 * EPOCH_J; // 12874.6912

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));

describe('RoBERTa job (listing 4.9)', () => {
  it('is read as 3 startup phases and 15 work phases with 5 checkpoints', () => {
    expect(job.type).toBe('phases');
    expect(job.profile.startup).toHaveLength(3);
    expect(job.profile.work).toHaveLength(15);
    expect(Array.from(job.profile.checkpoints)).toEqual([1, 2, 3, 4, 5].map((k) => expect.closeTo(k * EPOCH_S, 9)));
    close(job.profile.durationS, STARTUP_S + 5 * EPOCH_S);
    close(job.profile.energyJ, FULL_J);
    expect(job.profile.energyJ).toBeCloseTo(12874.6912, 6);
  });

  it('one uninterrupted run costs exactly the profile energy and no overhead', () => {
    const e = executePlan(job.profile, 0, [[0, 200]]);
    close(e.energyJ, FULL_J);
    close(e.overheadEnergyJ, 0);
    close(e.finish, 85.6);
    expect(e.starts).toBe(1);
    expect(e.lostWorkS).toBe(0);
    expect(e.intervals).toEqual([[0, e.finish]]);
  });

  it('stopped right after the second checkpoint: one extra startup, no lost work', () => {
    const stop = STARTUP_S + 2 * EPOCH_S; // 48.31: the end of the second Save
    const e = executePlan(job.profile, 0, [
      [0, stop],
      [100, 400],
    ]);
    close(e.energyJ, FULL_J + STARTUP_J);
    close(e.overheadEnergyJ, STARTUP_J);
    expect(e.lostWorkS).toBe(0);
    close(e.finish, 100 + STARTUP_S + 3 * EPOCH_S);
    expect(e.starts).toBe(2);
  });

  it('stopped one second before the second checkpoint ends: extra startup plus the lost epoch', () => {
    const stop = STARTUP_S + 2 * EPOCH_S - 1; // inside the second Save
    const e = executePlan(job.profile, 0, [
      [0, stop],
      [100, 400],
    ]);
    const lostJ = TRAIN_J + EVAL_J + (2.72 - 1) * 105.1; // the second epoch's work, redone
    const firstJ = STARTUP_J + EPOCH_J + lostJ;
    const secondJ = STARTUP_J + 4 * EPOCH_J;
    close(e.energyJ, firstJ + secondJ);
    close(e.overheadEnergyJ, STARTUP_J + lostJ);
    close(e.lostWorkS, EPOCH_S - 1);
    close(e.finish, 100 + STARTUP_S + 4 * EPOCH_S);
  });

  it('stopped just before the second Save starts: extra startup plus Train and Evaluate lost', () => {
    const stop = STARTUP_S + EPOCH_S + 8.17 + 1.54;
    const e = executePlan(job.profile, 0, [
      [0, stop],
      [stop, 400],
    ]);
    close(e.overheadEnergyJ, STARTUP_J + TRAIN_J + EVAL_J);
    close(e.lostWorkS, 8.17 + 1.54);
    expect(e.intervals[0]).toEqual([0, stop]);
  });

  it('an interval shorter than the startup makes no progress but is charged', () => {
    const e = executePlan(job.profile, 0, [
      [0, 10],
      [20, 400],
    ]);
    close(e.overheadEnergyJ, 5.34 * 59.9 + (10 - 5.34) * 53.77);
    expect(e.lostWorkS).toBe(0);
    close(e.finish, 20 + 85.6);
  });

  it('emissions over a two-step carbon trace match the hand integral', () => {
    // 100 g/kWh on [0, 50), 300 g/kWh on [50, 100)
    const carbon = new CarbonSignal({ times: Float64Array.of(0, 50), values: Float64Array.of(100, 300), end: 100 });
    const charged = chargePlan(job, [[0, 90]], carbon);
    // By 50 s: startup, two epochs and 50 - 23.45 - 24.86 = 1.69 s of the third Train.
    const before = STARTUP_J + 2 * EPOCH_J + (50 - STARTUP_S - 2 * EPOCH_S) * 221.93;
    const after = FULL_J - before;
    close(charged.carbonG, (before * 100 + after * 300) / 3.6e6);
    close(charged.startupCarbonG, (STARTUP_J * 100) / 3.6e6);
  });
});
