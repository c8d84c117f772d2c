// The four demand-response policies on hand-computed cases: 2-4 jobs, a short event, caps, pauses,
// GPU counts and cluster power per segment. One straight curve keeps the numbers exact: draw per
// GPU = cap, throughput ratio = cap / 400.
import { describe, expect, it } from 'vitest';
import { powerTargetTimeline, type DrEvent } from '../src/cluster/demand-response.js';
import { dvfsCurve } from '../src/model/dvfs.js';
import { candidateSets } from '../src/policies/dr/dvfs-pausing-fair.js';
import { planDemandResponse } from '../src/policies/dr/plan.js';
import { baselinePowerW, drJobs, eventFlex, violations, type DrJobSpec, type DrOptions, type DrPlan, type DrPolicyName } from '../src/policies/dr/shared.js';
import { inputErrorOf } from './helpers.js';

const M = 60;
const LIN = dvfsCurve({ name: 'lin', caps: [100, 400], ppgW: [100, 400], thr: [0.25, 1], profileGpus: 10 });
const LIN300 = dvfsCurve({ name: 'lin300', caps: [100, 400], ppgW: [75, 300], thr: [0.25, 1], profileGpus: 8 });
const job = (name: string, gpus: number, bucket: number, extra: Partial<DrJobSpec> = {}): DrJobSpec => ({ name, curve: LIN, gpus, bucket, ...extra });

function plan(policy: DrPolicyName, specs: DrJobSpec[], event: DrEvent, options: DrOptions = {}, marginFrac = 0): DrPlan {
  const jobs = drJobs(specs);
  const tl = powerTargetTimeline([event], { baselineW: baselinePowerW(jobs), marginFrac, rampStepS: 5 * M });
  return planDemandResponse(policy, jobs, tl, options);
}

/** [t0 min, t1 min, power, per job "gpus@cap"] */
function rows(p: DrPlan): (string | number | null)[][] {
  return p.segments.map((s) => [s.t0 / M, Number.isFinite(s.t1) ? s.t1 / M : null, Math.round(s.powerW * 1e6) / 1e6, ...p.jobs.map((j) => (s.gpus[j.index] === 0 ? 'paused' : `${s.gpus[j.index]}@${s.caps[j.index]}`))]);
}
const ratios = (p: DrPlan, event = 0) => p.throughput[event]!.map((t) => Math.round(t.eventRatio * 1e9) / 1e9);
const hour = (target: number, ramp = 0): DrEvent => ({ startS: 0, endS: 60 * M, rampS: ramp * M, target: { watts: target } });

describe('dr: flexibility', () => {
  it('buckets 0/1/2/3 allow 0/10/25/50 % loss; a wider window allows more within the event', () => {
    const jobs = drJobs([job('a', 10, 0), job('b', 10, 1), job('c', 10, 2), job('d', 10, 3), job('e', 10, 3, { flexWindowS: 150 * M }), job('f', 10, 2, { flexWindowS: 300 * M })]);
    const f = jobs.map((j) => eventFlex(j, 60 * M));
    expect(f.map((x) => x.rMin)).toEqual([1, 0.9, 0.75, 0.5, 0, 0]);
    expect(f.map((x) => `${x.pauseNum}/${x.pauseDen}`)).toEqual(['0/1', '1/10', '1/4', '1/2', '1/1', '1/1']);
    // loss 25 % over 90 min with a 60-min event: the event may lose 37.5 %
    const g = eventFlex(drJobs([job('g', 10, 2, { flexWindowS: 90 * M })])[0]!, 60 * M);
    expect([g.rMin, g.pauseNum, g.pauseDen]).toEqual([0.625, 3, 8]);
    expect(inputErrorOf(() => eventFlex(drJobs([job('h', 10, 2, { flexWindowS: 30 * M })])[0]!, 60 * M)).message).toMatch(/shorter than the event/);
    expect(inputErrorOf(() => drJobs([job('x', 10, 4)])).field).toBe('jobs[0].bucket');
    expect(inputErrorOf(() => drJobs([job('x', 10, 1), job('x', 8, 1)])).field).toBe('jobs[1].name');
  });
});

describe('dr: DVFS Fair', () => {
  // A: 10 GPUs flex 2 (min 0.75 -> floor cap 300, headroom 1000 W); B: 10 GPUs flex 3 (min 0.5 ->
  // floor 200, headroom 2000 W); baseline 8000 W
  const specs = [job('A', 10, 2), job('B', 10, 3)];

  it('every job sheds the same fraction of its own headroom; caps rounded down to whole watts', () => {
    // shed 1000 W of 3000: one third each -> A 4000 - 333.3 = 3666.7 W (cap 366), B 4000 - 666.7 (cap 333)
    const p = plan('dvfs-fair', specs, hour(7000));
    expect(rows(p)).toEqual([
      [0, 60, 6990, '10@366', '10@333'],
      [60, null, 8000, '10@400', '10@400'],
    ]);
    expect(ratios(p)).toEqual([366 / 400, 333 / 400]);
    expect(violations(p).overTarget).toHaveLength(0);
  });

  it('equal watts: the same shed for each, clamped at the headroom and the rest spread (water filling)', () => {
    expect(rows(plan('dvfs-fair', specs, hour(7000), { fairMode: 'equal-watts' }))[0]).toEqual([0, 60, 7000, '10@350', '10@350']);
    // shed 2400 W: A can give 1000 only, B gives the other 1400
    expect(rows(plan('dvfs-fair', specs, hour(5600), { fairMode: 'equal-watts' }))[0]).toEqual([0, 60, 5600, '10@300', '10@260']);
  });

  it('headroom too small: both at their floor cap, the shortfall is a violation', () => {
    const p = plan('dvfs-fair', specs, hour(4000));
    expect(rows(p)[0]).toEqual([0, 60, 5000, '10@300', '10@200']);
    const v = violations(p);
    expect(v.overTarget.map((s) => s.powerW - s.targetW)).toEqual([1000]);
  });

  it('ramps: every step planned against its own budget (margin 5 % of baseline)', () => {
    // baseline 8000, margin 400; target 6400 over 10-min ramps: steps 7200, 6400; budgets 6800, 6000
    const p = plan('dvfs-fair', specs, { startS: 0, endS: 30 * M, rampS: 10 * M, target: { watts: 6400 } }, {}, 0.05);
    expect(rows(p)).toEqual([
      [0, 5, 6800, '10@360', '10@320'], // shed 1200: 400 and 800
      [5, 10, 5990, '10@333', '10@266'], // shed 2000: 666.7 and 1333.3
      [10, 20, 5990, '10@333', '10@266'],
      [20, 25, 5990, '10@333', '10@266'],
      [25, 30, 6800, '10@360', '10@320'],
      [30, null, 8000, '10@400', '10@400'],
    ]);
    expect(p.segments.map((s) => s.budgetW).slice(0, 5)).toEqual([6800, 6000, 6000, 6000, 6800]);
  });

  it('a job that cannot be capped sheds whole nodes instead', () => {
    // B (uses_dvfs false, gpu_step 2, flex 3): at least 5 GPUs on the grid 10, 8, 6 -> down to 6
    const p = plan('dvfs-fair', [job('A', 10, 2), job('B', 10, 3, { usesDvfs: false })], hour(7000), { gpuStep: 2 });
    // headroom A 1000, B (10 - 6) x 400 = 1600; shed 1000: A 384.6 (cap 361), B 615.4 W rounds down
    // to no node; 7610 W is over the budget, so B gives one node (800 W) after all
    expect(rows(p)[0]).toEqual([0, 60, 3610 + 3200, '10@361', '8@400']);
  });
});

describe('dr: DVFS + Job Pausing Fair', () => {
  // A, B: 10 GPUs flex 3; D: 20 GPUs flex 3; C: 10 GPUs flex 2. Baseline 20000 W, budget 14000 W.
  const specs = [job('A', 10, 3), job('B', 10, 3), job('C', 10, 2), job('D', 20, 3)];

  it('sets: members may each stand still >= 1/|S|; all of them searched up to the limit', () => {
    const jobs = drJobs(specs);
    const flex = jobs.map((j) => eventFlex(j, 3600));
    const share = (j: (typeof jobs)[number]) => ({ num: flex[j.index]!.pauseNum, den: flex[j.index]!.pauseDen });
    const names = (sets: (typeof jobs)[]) => sets.map((s) => s.map((j) => j.name).join('')).sort();
    // C (1/4) fits sets of 4 or more only: {A, B, C, D}
    expect(names(candidateSets(jobs, share, 12))).toEqual(['AB', 'DA', 'DAB', 'DABC', 'DB']);
    // past the limit: the k largest eligible for each k
    expect(names(candidateSets(jobs, share, 2))).toEqual(['DA', 'DAB', 'DABC']);
  });

  it('the set with the least DVFS shedding is paused in turn; the others share the rest by DVFS Fair', () => {
    // {D, A}: slot 1 pauses D (12000 W, nothing to shed); slot 2 pauses A: D (member, must keep
    // 1.0 when running) 8000 + B 4000 + C 4000 = 16000, shed 2000 from B (2000) and C (1000)
    const p = plan('dvfs-pausing-fair', specs, hour(14000));
    expect(rows(p)).toEqual([
      [0, 30, 12000, '10@400', '10@400', '10@400', 'paused'],
      [30, 60, 13990, 'paused', '10@266', '10@333', '20@400'],
      [60, null, 20000, '10@400', '10@400', '10@400', '20@400'],
    ]);
    expect(ratios(p)).toEqual([0.5, (1 + 266 / 400) / 2, (1 + 333 / 400) / 2, 0.5]);
  });

  it('no set of two or more: DVFS Fair alone', () => {
    const p = plan('dvfs-pausing-fair', [job('A', 10, 2), job('B', 10, 3)], hour(7000));
    expect(rows(p)[0]).toEqual([0, 60, 6990, '10@366', '10@333']);
  });
});

describe('dr: Job Pausing Greedy', () => {
  it('a table of lcm rows; the next most flexible job paused for its allowance; rows left over are violations', () => {
    // shares 1/2, 1/4, 1/10 -> 20 rows of 3 min; allowances 10, 5, 2 rows
    const p = plan('pausing-greedy', [job('A', 10, 3), job('B', 10, 2), job('C', 10, 1)], hour(8000));
    expect(rows(p)).toEqual([
      ...Array.from({ length: 10 }, (_, r) => [3 * r, 3 * r + 3, 8000, 'paused', '10@400', '10@400']),
      ...Array.from({ length: 5 }, (_, r) => [30 + 3 * r, 33 + 3 * r, 8000, '10@400', 'paused', '10@400']),
      [45, 48, 8000, '10@400', '10@400', 'paused'],
      [48, 51, 8000, '10@400', '10@400', 'paused'],
      [51, 54, 12000, '10@400', '10@400', '10@400'],
      [54, 57, 12000, '10@400', '10@400', '10@400'],
      [57, 60, 12000, '10@400', '10@400', '10@400'],
      [60, null, 12000, '10@400', '10@400', '10@400'],
    ]);
    expect(ratios(p)).toEqual([0.5, 0.75, 0.9]);
    expect(violations(p).overTarget.map((s) => s.t0 / M)).toEqual([51, 54, 57]);
  });

  it('ties: larger draw first, then name; a row takes the lowest budget over it', () => {
    // A and B equally flexible; B draws more (20 GPUs): B goes first
    const p = plan('pausing-greedy', [job('A', 10, 3), job('B', 20, 3)], { startS: 0, endS: 60 * M, rampS: 5 * M, target: { watts: 8000 } });
    // 2 rows of 30 min; row 0's lowest budget is the hold's 8000: 12000 > 8000 -> pause B
    expect(rows(p).map((r) => r.slice(0, 5))).toEqual([
      [0, 5, 4000, '10@400', 'paused'],
      [5, 30, 4000, '10@400', 'paused'],
      [30, 55, 8000, 'paused', '20@400'],
      [55, 60, 8000, 'paused', '20@400'],
      [60, null, 12000, '10@400', '20@400'],
    ]);
  });
});

describe('dr: Job Pausing + Resource Allocation Fair', () => {
  // gpu_step 2. A: 8 GPUs flex 3 (down to 4); B: 8 GPUs flex 2 (down to 6); C: 8 GPUs of a 300 W
  // curve, flex 3 over a window twice the event (minimum 0: it may be paused the whole event).
  const specs = [job('A', 8, 3), job('B', 8, 2), { name: 'C', curve: LIN300, gpus: 8, bucket: 3, flexWindowS: 120 * M }];

  it('no pause vs pausing C: the greatest power within budget wins', () => {
    // baseline 3200 + 3200 + 2400 = 8800. No pause: A->6 (8000), B->6 (7200), C->6 (6600), C->4
    // (6000). Pause C: 6400, A->6: 5600. 6000 > 5600: no pause.
    const p = plan('pausing-resize-fair', specs, hour(6000), { gpuStep: 2 });
    expect(rows(p)[0]).toEqual([0, 60, 6000, '6@400', '6@400', '4@400']);
  });

  it('pausing C keeps more power within budget: it wins', () => {
    // budget 5600: no pause ends at 5200 (..., C->4, then A->4) vs pause C, A->6: 5600
    const p = plan('pausing-resize-fair', specs, hour(5600), { gpuStep: 2 });
    expect(rows(p)[0]).toEqual([0, 60, 5600, '6@400', '8@400', 'paused']);
  });

  it('per segment: the ramp steps shrink less', () => {
    const p = plan('pausing-resize-fair', specs, { startS: 0, endS: 30 * M, rampS: 10 * M, target: { watts: 6000 } }, { gpuStep: 2 });
    // step budgets 7400, 6000, 6000, 6000, 7400: 7400 -> A->6 (8000), B->6 (7200)
    expect(rows(p).map((r) => r.slice(2))).toEqual([
      [7200, '6@400', '6@400', '8@400'],
      [6000, '6@400', '6@400', '4@400'],
      [6000, '6@400', '6@400', '4@400'],
      [6000, '6@400', '6@400', '4@400'],
      [7200, '6@400', '6@400', '8@400'],
      [8800, '8@400', '8@400', '8@400'],
    ]);
  });
});
