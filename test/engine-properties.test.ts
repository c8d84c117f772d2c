// Invariants of the online engine, on random workloads (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargePlan } from '../src/accounting/charge.js';
import { EventCollector } from '../src/accounting/eventlog.js';
import { readClusterSpec } from '../src/cluster/spec.js';
import { simulate } from '../src/cluster/simulate.js';
import { compileProfile } from '../src/model/profile.js';
import { constantProfile, cpuRequest, type Job } from '../src/model/jobs.js';
import { carbonEasyPolicy, easyPolicy, fcfsPolicy } from '../src/policies/batch.js';
import type { Policy } from '../src/policies/types.js';
import { createScheduler, schedulerNames } from '../src/schedulers/registry.js';
import { hourlyCarbonArb, phasedJobsArb as phasedJobsArb_ } from './arbitraries.js';

const H = 3600;

const carbonArb = hourlyCarbonArb(8);

/** Batch jobs: size 1..8 of a 10-processor pool, run 1 s..6 h, estimate the run time or more (or less). */
const batchJobsArb = (exact: boolean) =>
  fc.array(
    fc.record({
      arrival: fc.integer({ min: 0, max: 48 * H }),
      size: fc.integer({ min: 1, max: 10 }),
      run: fc.integer({ min: 1, max: 6 * H }),
      over: exact ? fc.constant(0) : fc.integer({ min: -3 * H, max: 6 * H }),
    }),
    { minLength: 1, maxLength: 40 },
  ).map((rows) =>
    rows
      .map((r, i): Job => ({
        id: `j${i}`,
        type: 'constant',
        arrival: r.arrival,
        deadline: r.arrival + r.run + 48 * H,
        cpus: r.size,
        profile: compileProfile(constantProfile(r.run, r.size)),
        request: cpuRequest(r.size),
        estimateS: Math.max(1, r.run + r.over),
      }))
      .sort((a, b) => a.arrival - b.arrival),
  );

const POOL = readClusterSpec('procs:10');
const POLICIES: [string, () => Policy][] = [
  ['fcfs', fcfsPolicy],
  ['easy', () => easyPolicy()],
  ['carbon-easy', () => carbonEasyPolicy()],
];

describe('finite cluster invariants', () => {
  for (const [name, make] of POLICIES) {
    it(`${name}: capacity never exceeded, nothing starts before arrival, every job finishes once`, () => {
      fc.assert(
        fc.property(batchJobsArb(false), carbonArb, (jobs, carbon) => {
          const log = new EventCollector();
          const { results } = simulate(jobs, { policy: make(), cluster: POOL, carbon, listeners: [log] });
          const size = new Map(jobs.map((j) => [j.id, j.cpus]));
          let used = 0;
          for (const e of log.events) {
            if (e.event === 'start' || e.event === 'resume') used += size.get(e.job)!;
            if (e.event === 'finish' || e.event === 'suspend') used -= size.get(e.job)!;
            expect(used).toBeLessThanOrEqual(10);
          }
          for (const r of results) {
            expect(r.execution.start).toBeGreaterThanOrEqual(r.job.arrival);
            expect(r.execution.finish).toBe(r.execution.start + r.job.profile.durationS);
          }
          expect(log.events.filter((e) => e.event === 'finish')).toHaveLength(jobs.length);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('FCFS starts jobs in queue order', () => {
    fc.assert(
      fc.property(batchJobsArb(false), carbonArb, (jobs, carbon) => {
        const { results } = simulate(jobs, { policy: fcfsPolicy(), cluster: POOL, carbon });
        for (let i = 1; i < results.length; i++) expect(results[i]!.execution.start).toBeGreaterThanOrEqual(results[i - 1]!.execution.start);
      }),
      { numRuns: 150 },
    );
  });

  it('EASY never starts a reserved head later than its reservation (estimates exact)', () => {
    fc.assert(
      fc.property(batchJobsArb(true), carbonArb, (jobs, carbon) => {
        const promised = new Map<number, number>();
        const policy = easyPolicy({ observe: (j, t) => promised.set(j, Math.min(t, promised.get(j) ?? Infinity)) });
        const { results } = simulate(jobs, { policy, cluster: POOL, carbon });
        for (const [j, t] of promised) expect(results[j]!.execution.start).toBeLessThanOrEqual(t);
      }),
      { numRuns: 300 },
    );
  });

  it('cluster energy equals the integral of its power steps, and busy x 190 + idle x 95 W', () => {
    fc.assert(
      fc.property(batchJobsArb(false), carbonArb, (jobs, carbon) => {
        const c = simulate(jobs, { policy: easyPolicy(), cluster: POOL, carbon }).cluster!;
        let e = 0;
        let g = 0;
        for (let i = 0; i < c.powerT.length; i++) {
          const a = c.powerT[i]!;
          const b = c.powerT[i + 1] ?? c.endS;
          e += c.powerW[i]! * (b - a);
          if (b > a) g += c.powerW[i]! * carbon.integrate(a, b);
        }
        expect(c.energyJ).toBe(e);
        expect(c.carbonG).toBeCloseTo(g / 3.6e6, 6);
        const busy = jobs.reduce((s, j) => s + j.cpus * j.profile.durationS, 0);
        expect(c.energyJ).toBe(busy * 190 + (10 * c.makespanS - busy) * 95);
      }),
      { numRuns: 150 },
    );
  });
});

/** Phased jobs with startups and checkpoints, so suspensions cost something. */
const phasedJobsArb = phasedJobsArb_({ arrivalH: 72, waitH: 36, maxJobs: 12 });

describe('the online path equals the planner path on infinite capacity', () => {
  for (const name of schedulerNames().filter((n) => n !== 'replay')) {
    it(`${name}: every job's execution and carbon as chargePlan of its plan`, () => {
      fc.assert(
        fc.property(phasedJobsArb, carbonArb, (jobs, carbon) => {
          const online = simulate(jobs, { scheduler: createScheduler(name), carbon });
          for (const r of online.results) {
            const planned = chargePlan(r.job, r.plan.intervals, carbon);
            expect(r.execution).toEqual(planned.execution);
            expect(r.carbonG).toBe(planned.carbonG);
            expect(r.startupCarbonG).toBe(planned.startupCarbonG);
          }
        }),
        { numRuns: name === 'lp' ? 40 : 120 },
      );
    });
  }
});
