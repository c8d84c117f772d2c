// The engine keeps results column-wise and recycles each job's run once it is done (issue 13):
// what summaries and writers read job by job must be what the built results say, and a policy that
// asks for a done job's run must still see its totals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomesOf } from '../src/accounting/outcomes.js';
import { CarbonSignal } from '../src/carbon/signal.js';
import { simulate } from '../src/cluster/simulate.js';
import { IntervalLists } from '../src/model/interval-lists.js';
import type { Job } from '../src/model/jobs.js';
import { compileProfile } from '../src/model/profile.js';
import type { Policy } from '../src/policies/types.js';
import { summarize } from '../src/report/summary.js';
import { hourlyCarbonArb, phasedJobsArb } from './arbitraries.js';
import { createScheduler } from '../src/schedulers/registry.js';

const H = 3600;

const carbonArb = hourlyCarbonArb(6);
const jobsArb = phasedJobsArb({ arrivalH: 48, waitH: 24, maxJobs: 30 });

/**
 * Starts every job at arrival and suspends it a random while later, resuming it a random while
 * after that (at most 3 times); when the last job is done it reads every job's run: `seen`.
 */
function restless(jobs: readonly Job[], seen: { progress: number; done: boolean; running: boolean; finish: number; starts: number; overheadJ: number; energyJ: number }[]): Policy {
  let left = jobs.length;
  const pauses = new Int32Array(jobs.length);
  return {
    name: 'restless',
    wantsPass: false,
    onEvent(e, view, act) {
      const j = e.job;
      if (e.kind === 'arrive') {
        act.start(j);
        act.wakeAt(e.t + Math.floor(view.rng() * 2 * H) + 1, j, 0);
      } else if (e.kind === 'timer' && e.tag === 0 && view.state(j) === 'running' && pauses[j]! < 3) {
        pauses[j]!++;
        act.suspend(j);
        if (view.state(j) === 'suspended') act.wakeAt(e.t + Math.floor(view.rng() * 3 * H), j, 1);
      } else if (e.kind === 'timer' && e.tag === 1) {
        act.resume(j);
        act.wakeAt(e.t + Math.floor(view.rng() * 2 * H) + 1, j, 0);
      } else if (e.kind === 'finish' && --left === 0) {
        act.wakeAt(e.t + 1, -1, 9);
      } else if (e.kind === 'timer' && e.tag === 9) {
        for (let k = 0; k < jobs.length; k++) {
          const run = view.run(k);
          seen[k] = { progress: run.progress, done: run.done, running: run.running, finish: run.finish, starts: run.starts, overheadJ: run.overheadEnergyJ, energyJ: run.energyJ };
        }
      }
    },
  };
}

describe('result columns and recycled runs', () => {
  it('outcomes read job by job equal the built results; summaries agree to the bit', () => {
    fc.assert(
      fc.property(jobsArb, carbonArb, fc.integer({ min: 0, max: 1000 }), (jobs, carbon, seed) => {
        for (const sim of [
          simulate(jobs, { policy: restless(jobs, []), carbon, seed }),
          simulate(jobs, { scheduler: createScheduler('waitawhile'), carbon }),
          simulate(jobs, { scheduler: createScheduler('lp'), carbon }),
        ]) {
          const o = sim.outcomes;
          const results = sim.results;
          expect(o.length).toBe(jobs.length);
          for (let j = 0; j < jobs.length; j++) {
            const r = results[j]!;
            expect(o.job(j)).toBe(r.job);
            expect(o.startS(j)).toBe(r.execution.start);
            expect(o.finishS(j)).toBe(r.execution.finish);
            expect(o.energyJ(j)).toBe(r.execution.energyJ);
            expect(o.overheadEnergyJ(j)).toBe(r.execution.overheadEnergyJ);
            expect(o.starts(j)).toBe(r.execution.starts);
            expect(o.carbonG(j)).toBe(r.carbonG);
            expect(o.missed(j)).toBe(r.missed);
            expect(o.waitS(j)).toBe(r.waitS);
            expect(o.queueWaitS(j)).toBe(r.queueWaitS);
            expect(o.intervals(j)).toEqual(r.execution.intervals);
          }
          expect(summarize(o)).toEqual(summarize(outcomesOf(results)));
          expect(summarize(o)).toEqual(summarize(results));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a done job whose run was recycled still shows its run to a policy: done, all work, its totals', () => {
    fc.assert(
      fc.property(jobsArb, carbonArb, fc.integer({ min: 0, max: 1000 }), (jobs, carbon, seed) => {
        const seen: Parameters<typeof restless>[1] = [];
        const sim = simulate(jobs, { policy: restless(jobs, seen), carbon, seed });
        expect(seen).toHaveLength(jobs.length);
        for (let j = 0; j < jobs.length; j++) {
          const r = sim.results[j]!;
          const s = seen[j]!;
          expect(s.done).toBe(true);
          expect(s.running).toBe(false);
          expect(s.progress).toBe(jobs[j]!.profile.workDurationS);
          expect(s.finish).toBe(r.execution.finish);
          expect(s.starts).toBe(r.execution.starts);
          expect(s.energyJ).toBe(r.execution.energyJ);
          expect(s.overheadJ).toBe(r.execution.overheadEnergyJ);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the restless policy really interrupts jobs (the cases above are not all uninterrupted)', () => {
    const profile = compileProfile({ startup: [{ name: 's', duration: 300, power: 100 }], work: [{ name: 'w', duration: 10 * H, power: 200 }] });
    const jobs: Job[] = Array.from({ length: 20 }, (_, i) => ({ id: `j${i}`, type: 'phases', arrival: i * 600, deadline: i * 600 + 40 * H, cpus: 1, profile }));
    const carbon = new CarbonSignal({ times: Float64Array.from({ length: 96 }, (_, i) => i * H), values: Float64Array.from({ length: 96 }, (_, i) => 100 + (i % 24) * 10), name: 'c', extend: 'repeat' });
    const sim = simulate(jobs, { policy: restless(jobs, []), carbon, seed: 3 });
    expect(summarize(sim.outcomes).interruptions).toBeGreaterThan(20);
    expect(summarize(sim.outcomes).overhead_energy_kwh).toBeGreaterThan(0);
  });
});

describe('IntervalLists', () => {
  it('holds each job its intervals in append order, whatever the interleaving', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.record({ job: fc.nat(), s: fc.double({ noNaN: true }), e: fc.double({ noNaN: true }), close: fc.boolean() }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (n, ops, capacity) => {
          const lists = new IntervalLists(n, capacity);
          const model: [number, number][][] = Array.from({ length: n }, () => []);
          for (const op of ops) {
            const j = op.job % n;
            if (op.close && model[j]!.length > 0) {
              lists.setLastEnd(j, op.e);
              model[j]![model[j]!.length - 1]![1] = op.e;
            } else {
              lists.push(j, op.s, op.e);
              model[j]!.push([op.s, op.e]);
            }
          }
          for (let j = 0; j < n; j++) {
            const m = model[j]!;
            expect(lists.list(j)).toEqual(m);
            expect(lists.count(j)).toBe(m.length);
            if (m.length === 0) {
              expect(lists.firstStart(j)).toBeNaN();
              expect(lists.lastStart(j)).toBeNaN();
              expect(lists.lastEnd(j)).toBeNaN();
            } else {
              expect(lists.firstStart(j)).toBe(m[0]![0]);
              expect(lists.lastStart(j)).toBe(m[m.length - 1]![0]);
              expect(lists.lastEnd(j)).toBe(m[m.length - 1]![1]);
              for (let k = 0; k < m.length; k++) {
                expect(lists.startAt(j, k)).toBe(m[k]![0]);
                expect(lists.endAt(j, k)).toBe(m[k]![1]);
              }
            }
          }
        },
      ),
    );
  });
});
