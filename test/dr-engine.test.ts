// The demand-response policies online: on the engine each follows 'power-target' events and its
// timers through setPowerCap, suspend, resume and resize. Its charges agree with the scenario plan
// (every segment, every job's throughput); a paused-and-resumed job pays its restart; DR composes
// with carbon-aware scheduling. Property tests: power within target when the plan reports no
// violation, every throughput at or above its minimum, engine = plan, for random scenarios.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CarbonSignal } from '../src/carbon/signal.js';
import { powerTargetTimeline, type DrEvent } from '../src/cluster/demand-response.js';
import { a100Reference, dvfsCurve } from '../src/model/dvfs.js';
import { runDrOnEngine, type DrEngineOptions } from '../src/policies/dr/engine.js';
import { planDemandResponse } from '../src/policies/dr/plan.js';
import { baselinePowerW, DR_POLICY_NAMES, drJobs, violations, type DrJobSpec, type DrPolicyName } from '../src/policies/dr/shared.js';

const M = 60;
const LIN = dvfsCurve({ name: 'lin', caps: [100, 400], ppgW: [100, 400], thr: [0.25, 1], profileGpus: 10 });
const job = (name: string, gpus: number, bucket: number, extra: Partial<DrJobSpec> = {}): DrJobSpec => ({ name, curve: LIN, gpus, bucket, ...extra });

function setup(policy: DrPolicyName, specs: DrJobSpec[], events: DrEvent[], marginFrac = 0, gpuStep = 8) {
  const jobs = drJobs(specs);
  const timeline = powerTargetTimeline(events, { baselineW: baselinePowerW(jobs), marginFrac, rampStepS: 5 * M });
  const plan = planDemandResponse(policy, jobs, timeline, { gpuStep });
  return { jobs, timeline, plan, run: (o: DrEngineOptions = {}) => runDrOnEngine(policy, jobs, timeline, plan, { gpuStep, ...o }) };
}

const greedyCase = () => setup('pausing-greedy', [job('A', 10, 3), job('B', 10, 2), job('C', 10, 1)], [{ startS: 0, endS: 60 * M, rampS: 0, target: { watts: 8000 } }]);

describe('dr on the engine', () => {
  it('pausing: the engine suspends and resumes at the rows; its power per segment is the plan\'s', () => {
    const { plan, run } = greedyCase();
    const e = run();
    plan.segments.forEach((s, i) => expect(e.segmentPowerW[i]).toBeCloseTo(s.powerW, 9));
    expect(e.jobs.map((j) => j.eventRatio[0])).toEqual([0.5, 0.75, 0.9].map((r) => expect.closeTo(r, 12)));
    expect(e.jobs.map((j) => j.starts)).toEqual([2, 2, 2]);
    // the violations of the plan's last rows are seen on the engine too: 9 minutes over 8000 W by 4000 W
    expect(e.overTargetS).toBeCloseTo(9 * M, 6);
    expect(e.maxExcessW).toBeCloseTo(4000, 9);
    expect(e.actions.map((a) => [(a.t - e.shiftS) / M, a.job, a.gpus])).toEqual([
      [0, 'A', 0],
      [30, 'A', 10],
      [30, 'B', 0],
      [45, 'B', 10],
      [45, 'C', 0],
      [51, 'C', 10],
    ]);
  });

  it('a paused-and-resumed job is charged its restart: the resume phases run, with no progress', () => {
    const { run } = greedyCase();
    const free = run();
    // A restarts in 2 min at 50 W per GPU (500 W on its 10 GPUs) instead of drawing 4000 W
    const paid = run({ restart: new Map([['A', { phases: [{ durationS: 2 * M, ppgW: 50 }] }]]) });
    const a = (r: typeof free) => r.jobs.find((j) => j.name === 'A')!;
    expect(a(paid).energyJ - a(free).energyJ).toBeCloseTo(2 * M * (500 - 4000), 6);
    expect(a(paid).eventRatio[0]).toBeCloseTo((30 - 2) / 60, 12);
    expect(paid.jobs.find((j) => j.name === 'B')!.energyJ).toBeCloseTo(free.jobs.find((j) => j.name === 'B')!.energyJ, 6);
    // the cluster draws 500 W for A in [30, 32) min
    const i = Array.from(paid.powerT).findIndex((t) => t === 30 * M);
    expect(paid.powerW[i]).toBeCloseTo(500 + 4000 * 1 /* C */ + 0 /* B paused */, 9);
  });

  it('resizing restarts the job (as the field did) unless told not to; throughput is linear in GPUs', () => {
    const specs = [job('A', 8, 3), job('B', 8, 2)];
    const { plan, run } = setup('pausing-resize-fair', specs, [{ startS: 0, endS: 60 * M, rampS: 0, target: { watts: 5600 } }], 0, 2);
    // 6400 W over 5600: one node from A (tie on used share and draw per node: name)
    expect(plan.segments[0]!.gpus).toEqual(Int32Array.of(6, 8));
    const restart = new Map(specs.map((s) => [s.name, { phases: [{ durationS: 60, ppgW: 100 }] }]));
    const hard = run({ restart });
    expect(hard.jobs.map((j) => j.starts)).toEqual([3, 1]); // A resized down at the start, back up at the end
    const soft = run({ restart, restartOnResize: false });
    expect(soft.jobs.map((j) => j.starts)).toEqual([1, 1]);
    expect(hard.jobs[0]!.eventRatio[0]).toBeCloseTo(0.75 - (60 * 0.75) / 3600, 12); // the restart at the start runs on 6 GPUs
    plan.segments.forEach((s, i) => expect(soft.segmentPowerW[i]).toBeCloseTo(s.powerW, 9));
    expect(soft.jobs.map((j) => j.eventRatio[0])).toEqual([0.75, 1].map((r) => expect.closeTo(r, 12)));
  });

  it('composes with carbon-aware scheduling: the planner shifts a job into the clean hour, DR caps it there', () => {
    // engine time 0 is 2 h before the event; the cleanest hour is engine hour 3 = event minutes 60-120
    const carbon = new CarbonSignal({ times: Float64Array.from({ length: 8 }, (_, h) => h * 3600), values: Float64Array.of(500, 500, 500, 50, 500, 500, 500, 500), extend: 'hold' });
    const specs = [job('A', 10, 3), job('X', 10, 3)];
    const { run } = setup('dvfs-fair', specs, [{ startS: 0, endS: 180 * M, rampS: 0, target: { watts: 4000 } }]);
    const e = run({
      leadS: 2 * 3600,
      carbon,
      scheduler: 'oracle',
      shiftable: new Map([['X', { arrivalS: -60 * M, lengthS: 60 * M, maxWaitS: 300 * M }]]),
    });
    expect(e.policy).toBe('oracle+dvfs-fair');
    const x = e.jobs.find((j) => j.name === 'X')!;
    // submitted at engine 1 h, started at engine 3 h: 2 h in the queue
    expect(x.queueWaitS).toBeCloseTo(2 * 3600, 6);
    // alone, A runs uncapped at 4000 W; while both run they share the budget by DVFS Fair, each at
    // its floor (2000 W): never over the target, and X, at half speed, runs 2 h
    expect(e.overTargetS).toBe(0);
    const during = Array.from(e.powerT).map((t, i) => [t, e.powerW[i]!]).filter(([t]) => t! >= 0 && t! < 180 * M);
    expect(Math.max(...during.map(([, w]) => w!))).toBeLessThanOrEqual(4000 + 1e-6);
    expect(x.starts).toBe(1);
    expect(e.carbonG).toBeGreaterThan(0);
  });
});

describe('dr: properties', () => {
  const ref = a100Reference();
  const profiles = Object.keys(ref).sort();
  const arbJob = fc.record({
    profile: fc.constantFrom(...profiles),
    nodes: fc.integer({ min: 1, max: 6 }),
    bucket: fc.integer({ min: 0, max: 3 }),
    window: fc.constantFrom(1, 1, 1, 1.5, 2, 3),
    dvfs: fc.boolean(),
  });
  const arbScenario = fc.record({
    jobs: fc.array(arbJob, { minLength: 2, maxLength: 5 }),
    lengthSteps: fc.integer({ min: 4, max: 40 }),
    rampSteps: fc.integer({ min: 0, max: 3 }),
    fraction: fc.double({ min: 0.3, max: 1, noNaN: true }),
    margin: fc.constantFrom(0, 0.05, 0.1),
    policy: fc.constantFrom(...DR_POLICY_NAMES),
    mode: fc.constantFrom('headroom' as const, 'equal-watts' as const),
  });

  it('throughput >= minimum; power <= target in the hold unless the plan reports a violation; engine = plan', () => {
    fc.assert(
      fc.property(arbScenario, (s) => {
        const lengthS = s.lengthSteps * 5 * M;
        const rampS = Math.min(s.rampSteps * 5 * M, lengthS / 2);
        const specs = s.jobs.map((j, i): DrJobSpec => ({ name: `j${i}`, curve: ref[j.profile]!, gpus: 8 * j.nodes, bucket: j.bucket, flexWindowS: lengthS * j.window, usesDvfs: j.dvfs }));
        const jobs = drJobs(specs);
        const timeline = powerTargetTimeline([{ startS: 0, endS: lengthS, rampS, target: { fraction: s.fraction } }], { baselineW: baselinePowerW(jobs), marginFrac: s.margin });
        const plan = planDemandResponse(s.policy, jobs, timeline, { fairMode: s.mode });
        for (const t of plan.throughput[0]!) expect(t.eventRatio).toBeGreaterThanOrEqual(t.rMin - 1e-9);
        const v = violations(plan);
        if (v.overBudget.length === 0) {
          for (const seg of plan.segments) if (seg.event >= 0) expect(seg.powerW).toBeLessThanOrEqual(seg.targetW * (1 + 1e-9));
        }
        // every segment is one step of the timeline or a piece of one
        for (const seg of plan.segments) for (const j of jobs) expect(seg.gpus[j.index]! % 8 === 0 || seg.gpus[j.index] === j.gpus).toBe(true);
        const e = runDrOnEngine(s.policy, jobs, timeline, plan, { fairMode: s.mode });
        plan.segments.forEach((seg, i) => expect(Math.abs(e.segmentPowerW[i]! - seg.powerW)).toBeLessThanOrEqual(1e-7 * Math.max(1, seg.powerW)));
        e.jobs.forEach((j, i) => expect(j.eventRatio[0]!).toBeCloseTo(plan.throughput[0]![i]!.eventRatio, 9));
      }),
      { numRuns: 150, seed: 16 },
    );
  });

  it('with restarts the engine charges one restart per resume or resize, and never more progress than the plan', () => {
    fc.assert(
      fc.property(arbScenario, fc.integer({ min: 1, max: 4 }), (s, restartMin) => {
        const lengthS = s.lengthSteps * 5 * M;
        const rampS = Math.min(s.rampSteps * 5 * M, lengthS / 2);
        const specs = s.jobs.map((j, i): DrJobSpec => ({ name: `j${i}`, curve: ref[j.profile]!, gpus: 8 * j.nodes, bucket: j.bucket, usesDvfs: j.dvfs }));
        const jobs = drJobs(specs);
        const timeline = powerTargetTimeline([{ startS: 0, endS: lengthS, rampS, target: { fraction: s.fraction } }], { baselineW: baselinePowerW(jobs), marginFrac: s.margin });
        const plan = planDemandResponse(s.policy, jobs, timeline, {});
        const restart = new Map(jobs.map((j) => [j.name, { phases: [{ durationS: restartMin * M, ppgW: 0 }] }]));
        const e = runDrOnEngine(s.policy, jobs, timeline, plan, { restart });
        e.jobs.forEach((j, i) => {
          expect(j.eventRatio[0]!).toBeLessThanOrEqual(plan.throughput[0]![i]!.eventRatio + 1e-9);
          // each restart that ends within the event costs at most restartMin of progress
          const lost = (plan.throughput[0]![i]!.eventRatio - j.eventRatio[0]!) * lengthS;
          expect(lost).toBeLessThanOrEqual((j.starts - 1) * restartMin * M + 1e-6);
        });
        // one restart for every action that runs a job on another GPU count (a resume or a resize)
        const restarts = e.jobs.reduce((a, j) => a + j.starts - 1, 0);
        const last = new Map(jobs.map((j) => [j.name, j.gpus]));
        let changes = 0;
        for (const a of e.actions) {
          if (a.gpus > 0 && a.gpus !== last.get(a.job)) changes++;
          last.set(a.job, a.gpus);
        }
        expect(restarts).toBe(changes);
      }),
      { numRuns: 80, seed: 17 },
    );
  });
});
