// EASY on predicted run times: exact predictions with estimates that hold reproduce EASY; short
// predictions let more jobs backfill; EASY++'s correction grows an outlived prediction step by step.
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/cluster/simulate.js';
import type { ClusterSpec } from '../src/cluster/types.js';
import { CarbonSignal } from '../src/carbon/signal.js';
import { compileProfile } from '../src/model/profile.js';
import { constantProfile, cpuRequest, type Job } from '../src/model/jobs.js';
import { easyPolicy } from '../src/policies/batch.js';
import { CORRECTION_STEPS_S, easyPredictedPolicy, type RunTimePredictor } from '../src/policies/easy-predicted.js';
import { createPolicy, isPolicyName } from '../src/policies/registry.js';
import type { ClusterView } from '../src/policies/types.js';

const pool = (cpus: number): ClusterSpec => ({
  nodes: [{ name: 'pool', cpus, memMiB: Infinity, gpus: 0, gpuModel: null }],
  power: { kind: 'processor', processor: { idleW: 95, busyW: 190 } },
  source: `procs:${cpus}`,
});
const carbon = new CarbonSignal({ name: 'flat', times: Float64Array.from([0]), values: Float64Array.from([100]), end: 10 * 86400 });
const job = (id: string, arrival: number, run: number, cpus: number, estimateS?: number): Job => ({
  id,
  type: 'constant',
  arrival,
  deadline: arrival + 86400 * 9,
  cpus,
  profile: compileProfile(constantProfile(run, cpus)),
  request: cpuRequest(cpus),
  ...(estimateS !== undefined && { estimateS }),
});
const starts = (jobs: Job[], policy: ReturnType<typeof easyPolicy>): number[] =>
  simulate(jobs, { policy, cluster: pool(10), carbon }).results.map((r) => r.execution.intervals[0]![0]);
const fixed = (f: (j: number, view: ClusterView) => number): RunTimePredictor => ({ name: 'fixed', submitted: f });

describe('easy-predicted', () => {
  it('is registered', () => {
    expect(isPolicyName('easy-predicted')).toBe(true);
    expect(createPolicy('easy-predicted').name).toBe('easy-predicted');
  });

  // 10 processors. A runs 100 s on 8 (estimate 1000); B (head, 5 procs) waits for A;
  // C (2 procs, runs 50 s, estimate 500) can backfill only if it ends by B's reservation.
  const jobs = [job('A', 0, 100, 8, 1000), job('B', 1, 100, 5, 1000), job('C', 2, 50, 2, 500)];

  it('predictions equal to the estimates reproduce EASY exactly', () => {
    const base = starts(jobs, easyPolicy());
    expect(starts(jobs, easyPredictedPolicy({ predictor: fixed((j, v) => v.estimateS(j)) }))).toEqual(base);
    // EASY: B's reservation is A's estimated end, 1000; C (2 + 500 <= 1000) backfills at 2
    expect(base).toEqual([0, 100, 2]);
  });

  it('short predictions: the reservation moves earlier, a long job no longer backfills', () => {
    // B asks 9 processors now. D (2 procs, 300 s, estimate 400) arrives at 3 and fits once C ends (52):
    // EASY lets it backfill (52 + 400 <= B's reservation 1000), which delays B to D's end (352);
    // predicting exact run times puts B's reservation at A's real end (100), where 1 processor is
    // spare: D must wait for B, which starts at 100
    const wide = [job('A', 0, 100, 8, 1000), job('B', 1, 100, 9, 1000), job('C', 2, 50, 2, 500), job('D', 3, 300, 2, 400)];
    expect(starts(wide, easyPolicy())).toEqual([0, 352, 2, 52]);
    const exact = starts(wide, easyPredictedPolicy({ predictor: fixed((j, v) => v.job(j).profile.durationS) }));
    expect(exact).toEqual([0, 100, 2, 200]);
  });

  it("EASY++'s correction: an outlived prediction grows by 1 min, 5 min, ... and stays under the request", () => {
    // A is predicted 10 s and runs 100 s. At B's arrival (50) it has outlived 10 s: 10 + 60 = 70 s;
    // at C's arrival (80) it has outlived 70 s: 70 + 300 = 370 s, B's reservation.
    const a = job('A', 0, 100, 8, 1000);
    const b = job('B', 50, 100, 9, 1000);
    const tenForA = (): ReturnType<typeof easyPredictedPolicy> => easyPredictedPolicy({ predictor: fixed((j, v) => (v.job(j).id === 'A' ? 10 : v.estimateS(j))) });
    // C (estimate 290) ends by 80 + 290 = 370: it backfills at 80; B waits for it (280)
    const fits = simulate([a, b, job('C', 80, 200, 2, 290)], { policy: tenForA(), cluster: pool(10), carbon }).results;
    expect(fits.map((x) => x.execution.intervals[0]![0])).toEqual([0, 280, 80]);
    // C (estimate 300) would end after 370 and 1 processor is spare then: it waits for B (100 -> 200)
    const late = simulate([a, b, job('C', 80, 200, 2, 300)], { policy: tenForA(), cluster: pool(10), carbon }).results;
    expect(late.map((x) => x.execution.intervals[0]![0])).toEqual([0, 100, 200]);
    expect(CORRECTION_STEPS_S.slice(0, 3)).toEqual([60, 300, 900]);
  });

  it('predictions are capped at the requested time', () => {
    const big = fixed(() => 1e9);
    expect(starts(jobs, easyPredictedPolicy({ predictor: big }))).toEqual(starts(jobs, easyPolicy()));
  });
});
