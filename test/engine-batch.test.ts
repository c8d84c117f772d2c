// Batch queueing on a finite cluster, by hand: FCFS and EASY on a 10-processor pool.
import { describe, expect, it } from 'vitest';
import { EventCollector } from '../src/accounting/eventlog.js';
import { runWorkload } from '../src/app/run.js';
import { CarbonSignal } from '../src/carbon/signal.js';
import { readClusterSpec } from '../src/cluster/spec.js';
import { simulate } from '../src/cluster/simulate.js';
import { compileProfile } from '../src/model/profile.js';
import { constantProfile, cpuRequest, type Job } from '../src/model/jobs.js';
import { easyPolicy, fcfsPolicy } from '../src/policies/batch.js';
import type { Policy } from '../src/policies/types.js';
import { inputErrorOf } from './helpers.js';

const FLAT = new CarbonSignal({ times: Float64Array.from([0]), values: Float64Array.from([100]), end: 1e7, name: 'flat-100' });
const POOL10 = readClusterSpec('procs:10');

/** A constant job of `size` processors (1 W each) running `run` s, estimated `est` s. */
function job(id: string, arrival: number, size: number, run: number, est = run): Job {
  return { id, type: 'constant', arrival, deadline: arrival + run + 1e6, cpus: size, profile: compileProfile(constantProfile(run, size)), request: cpuRequest(size), estimateS: est };
}

// A (6 x 100 s) holds the pool; B (9) blocks and is promised t = 100, with 1 processor spare then.
const CASE = [job('A', 0, 6, 100), job('B', 0, 9, 50), job('C', 0, 2, 100), job('D', 0, 2, 101), job('E', 0, 1, 500), job('F', 0, 1, 1000), job('G', 100, 1, 10)];

function starts(policy: Policy, jobs = CASE): Record<string, number> {
  const { results } = simulate(jobs, { policy, cluster: POOL10, carbon: FLAT });
  return Object.fromEntries(results.map((r) => [r.job.id, r.execution.start]));
}

describe('FCFS', () => {
  it('starts the head while it fits; the first that does not fit blocks the rest', () => {
    // t=0: A (4 free), B blocks. t=100: A ends, B starts (1 free), C blocks.
    // t=150: B ends: C, D, E, F, G start (2+2+1+1+1 = 7 of 10).
    expect(starts(fcfsPolicy())).toEqual({ A: 0, B: 100, C: 150, D: 150, E: 150, F: 150, G: 150 });
  });

  it('cluster energy by hand: busy x 190 W + idle x 95 W over the makespan, carbon at 100 g/kWh', () => {
    const sim = simulate(CASE, { policy: fcfsPolicy(), cluster: POOL10, carbon: FLAT });
    const c = sim.cluster!;
    // ends: A 100, B 150, C 250, D 251, G 160, E 650, F 1150 -> makespan 1150 s
    const busy = 6 * 100 + 9 * 50 + 2 * 100 + 2 * 101 + 1 * 500 + 1 * 1000 + 1 * 10; // 2962 processor-seconds
    expect(c.makespanS).toBe(1150);
    expect(c.energyJ).toBe(busy * 190 + (10 * 1150 - busy) * 95);
    expect(c.idleEnergyJ).toBe((10 * 1150 - busy) * 95);
    expect(c.carbonG).toBeCloseTo(((busy * 190 + (10 * 1150 - busy) * 95) / 3.6e6) * 100, 9);
    expect(c.utilisation).toBeCloseTo(busy / 11500, 12);
    // the power steps integrate to the same energy
    let e = 0;
    for (let i = 0; i < c.powerT.length; i++) e += c.powerW[i]! * ((c.powerT[i + 1] ?? c.endS) - c.powerT[i]!);
    expect(e).toBe(c.energyJ);
  });
});

describe('EASY backfilling', () => {
  it('backfills a job ending exactly at the reservation and one that fits the spare; forbids two that would delay the head', () => {
    const seen: [string, number][] = [];
    const policy = easyPolicy({ observe: (j, t) => seen.push([CASE[j]!.id, t]) });
    // t=0: A starts; B blocks, reserved at 100 (A's end frees 10 >= 9; spare 1).
    //   C (2 x 100) ends at 100 = the reservation: backfills.  D (2 x 101) ends later and 2 > 1 spare: forbidden.
    //   E (1 x 500) ends later but fits the 1 spare: backfills (spare 0).  F (1 x 1000): nothing free.
    // t=100: A and C end, then G arrives, then one pass: B starts (0 free); D blocks, reserved at 150.
    // t=150: B ends: D, F and G start.
    expect(starts(policy)).toEqual({ A: 0, B: 100, C: 0, D: 150, E: 0, F: 150, G: 150 });
    expect(seen).toEqual([
      ['B', 100],
      ['D', 150],
    ]);
  });

  it('at one instant all ends, then all submissions, then one pass (the event log shows it)', () => {
    const log = new EventCollector();
    simulate(CASE, { policy: easyPolicy(), cluster: POOL10, carbon: FLAT, listeners: [log] });
    const at100 = log.events.filter((e) => e.time === 100).map((e) => `${e.event} ${e.job}`);
    expect(at100).toEqual(['finish A', 'finish C', 'submit G', 'start B']);
  });

  it('an overdue job is predicted to end now: the reservation is now and the spare is what it then frees', () => {
    const seen: number[] = [];
    // X (8) was estimated at 50 s but runs 100; at t = 60 it is overdue, predicted to end at 60.
    const jobs = [job('X', 0, 8, 100, 50), job('Y', 60, 5, 10), job('Z', 60, 2, 30), job('Q', 60, 1, 1)];
    const policy = easyPolicy({ observe: (_j, t) => seen.push(t) });
    const s = starts(policy, jobs);
    // at 60: Y blocks (2 free), reserved at 60 with 10 - 5 = 5 spare; Z (2) fits now and in the spare; Q: none free
    expect(seen[0]).toBe(60);
    expect(s).toEqual({ X: 0, Y: 100, Z: 60, Q: 90 });
  });

  it('FCFS and EASY give the same starts when nothing is blocked', () => {
    const jobs = [job('a', 0, 3, 10), job('b', 5, 3, 10), job('c', 5, 4, 10)];
    expect(starts(easyPolicy(), jobs)).toEqual(starts(fcfsPolicy(), jobs));
  });
});

describe('bad input on a finite cluster', () => {
  it('a job larger than every node is an error naming the job, its file and line', async () => {
    const err = await runWorkload({ workload: 'traces/workloads/pai_1k.csv', carbon: 'DE-2023', scheduler: 'easy', cluster: 'procs:1', events: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const e = err as { code: string; file: string; line: number; field: string; message: string };
    expect(e.code).toBe('job_too_large');
    expect(e.file).toBe('traces/workloads/pai_1k.csv');
    expect(e.field).toBe('cpus');
    expect(e.line).toBeGreaterThan(1);
    expect(e.message).toMatch(/more than any node/);
  });

  it('a negative or non-numeric cluster size is one error naming the field', () => {
    expect(inputErrorOf(() => readClusterSpec('procs:-4')).field).toBeDefined();
    expect(inputErrorOf(() => readClusterSpec('4x{cpus:abc}')).message).toMatch(/abc/);
  });
});

describe('planners on a finite cluster (fromPlanner)', () => {
  it('a planned start that does not fit waits; a planned stop that comes while it waits drops that interval', async () => {
    const { replayScheduler } = await import('../src/schedulers/replay.js');
    const one = readClusterSpec('procs:1');
    const jobs = [job('A', 0, 1, 100), job('B', 10, 1, 60), job('C', 10, 1, 30)];
    const plans = new Map([
      ['A', [[0, 100]] as [number, number][]],
      ['B', [[50, 80], [120, 300]] as [number, number][]], // [50, 80) falls while A holds the processor
      ['C', [[90, 300]] as [number, number][]], // waits from 90 to A's end at 100
    ]);
    const { results } = simulate(jobs, { scheduler: replayScheduler(plans), cluster: one, carbon: FLAT });
    const ran = Object.fromEntries(results.map((r) => [r.job.id, r.execution.intervals]));
    // C starts at 100 and ends at 130; B's second interval starts at 120 but C holds the processor: it waits to 130
    expect(ran).toEqual({ A: [[0, 100]], B: [[130, 190]], C: [[100, 130]] });
  });
});

describe('carbon-aware EASY', () => {
  const H = 3600;
  // hour 1 is dirty (500 against a median of 100 over it and the next 23 hours); every other hour is 100
  const values = Array.from({ length: 48 }, (_, i) => (i === 1 ? 500 : 100));
  const carbon = new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values: Float64Array.from(values), name: 'one-dirty-hour' });
  const withWait = (j: Job, waitS: number): Job => ({ ...j, deadline: j.arrival + j.profile.durationS + waitS });

  it('holds work through a dirty hour, and starts a job whose wait budget runs out', async () => {
    const { carbonEasyPolicy } = await import('../src/policies/batch.js');
    const jobs = [withWait(job('clean', 0.5 * H, 1, 60), 24 * H), withWait(job('held', 1.2 * H, 1, 60), 24 * H), withWait(job('due', 1.3 * H, 1, 60), 0.4 * H)];
    const s = starts(carbonEasyPolicy(), jobs);
    function starts(policy: Policy, js: Job[]): Record<string, number> {
      const { results } = simulate(js, { policy, cluster: POOL10, carbon });
      return Object.fromEntries(results.map((r) => [r.job.id, r.execution.start]));
    }
    // clean hour 0: starts at once; 'held' waits for hour 2; 'due' may wait 0.4 h: starts at 1.7 h
    expect(s).toEqual({ clean: 0.5 * H, held: 2 * H, due: 1.7 * H });
  });
});
