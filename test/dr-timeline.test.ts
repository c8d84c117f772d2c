// Demand response: events -> power-target timeline (ramps in steps at the line's lowest value,
// hold, open end), the events file, grid-signal events, and the DVFS curves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsFromGridSignal, parseDrEvents, parseGridSignal, powerTargetTimeline, stepAt, type DrEvent } from '../src/cluster/demand-response.js';
import { a100Reference, capForPowerPerGpu, dvfsCurve, minCapForRatio, parseDvfsSweep, powerPerGpuAt, throughputRatioAt } from '../src/model/dvfs.js';
import { inputErrorOf, ROOT } from './helpers.js';

const M = 60;
const ev = (start: number, end: number, ramp: number, target: DrEvent['target'], changes?: DrEvent['changes']): DrEvent => ({ startS: start * M, endS: end * M, rampS: ramp * M, target, ...(changes && { changes }) });
const brief = (tl: ReturnType<typeof powerTargetTimeline>) => tl.steps.map((s) => [s.t0 / M, Number.isFinite(s.t1) ? s.t1 / M : null, s.targetW, s.budgetW, s.kind]);

describe('dr: power-target timeline', () => {
  it('ramps in 5-min steps at the lowest value of the line over each step, then the hold, then no limit', () => {
    // baseline 8000 W, target 6000 W, 10-min ramps, margin 5 % = 400 W
    const tl = powerTargetTimeline([ev(0, 30, 10, { watts: 6000 })], { baselineW: 8000 });
    expect(tl.marginW).toBe(400);
    expect(brief(tl)).toEqual([
      [0, 5, 7000, 6600, 'ramp-down'], // the line falls 8000 -> 6000 over 10 min: at 5 min it is 7000
      [5, 10, 6000, 5600, 'ramp-down'],
      [10, 20, 6000, 5600, 'hold'],
      [20, 25, 6000, 5600, 'ramp-up'], // rising from 6000: the lowest value of [20, 25) is at 20
      [25, 30, 7000, 6600, 'ramp-up'],
      [30, null, Infinity, Infinity, 'open'],
    ]);
    expect(stepAt(tl, -1)).toBe(-1);
    expect(stepAt(tl, 0)).toBe(0);
    expect(stepAt(tl, 12 * M)).toBe(2);
    expect(stepAt(tl, 1e9)).toBe(5);
  });

  it('a ramp that is not a whole number of steps ends with a short step; ramp 0 is a plain hold; fractions of the baseline', () => {
    const tl = powerTargetTimeline([ev(0, 40, 12, { fraction: 0.5 }), ev(50, 60, 0, { watts: 3000 })], { baselineW: 8000, marginFrac: 0, rampStepS: 5 * M });
    expect(brief(tl)).toEqual([
      [0, 5, 8000 - (4000 * 5) / 12, 8000 - (4000 * 5) / 12, 'ramp-down'],
      [5, 10, 8000 - (4000 * 10) / 12, 8000 - (4000 * 10) / 12, 'ramp-down'],
      [10, 12, 4000, 4000, 'ramp-down'],
      [12, 28, 4000, 4000, 'hold'],
      [28, 33, 4000, 4000, 'ramp-up'],
      [33, 38, 4000 + (4000 * 5) / 12, 4000 + (4000 * 5) / 12, 'ramp-up'],
      [38, 40, 4000 + (4000 * 10) / 12, 4000 + (4000 * 10) / 12, 'ramp-up'],
      [40, 50, Infinity, Infinity, 'open'],
      [50, 60, 3000, 3000, 'hold'],
      [60, null, Infinity, Infinity, 'open'],
    ]);
    expect(tl.events.map((e) => [e.firstStep, e.endStep])).toEqual([
      [0, 7],
      [8, 9],
    ]);
  });

  it('hold changes (the APS replay): the ramp down goes to the first level, the ramp up leaves from the last', () => {
    const tl = powerTargetTimeline([ev(0, 40, 10, { watts: 5000 }, [{ atS: 20 * M, target: { watts: 6000 } }])], { baselineW: 8000, marginFrac: 0, rampStepS: 10 * M });
    expect(brief(tl)).toEqual([
      [0, 10, 5000, 5000, 'ramp-down'],
      [10, 20, 5000, 5000, 'hold'],
      [20, 30, 6000, 6000, 'hold'],
      [30, 40, 6000, 6000, 'ramp-up'],
      [40, null, Infinity, Infinity, 'open'],
    ]);
  });

  it('bad events are one InputError naming the field', () => {
    const cases: [DrEvent[], string, RegExp][] = [
      [[ev(0, 60, 10, { watts: 5000 }), ev(50, 90, 0, { watts: 5000 })], 'events[1].start', /overlap/],
      [[ev(0, 30, 20, { watts: 5000 })], 'events[0].ramp', /longer than the event/],
      [[ev(0, 30, 5, { watts: 9000 })], 'events[0].target', /above the baseline/],
      [[ev(0, 30, 5, { fraction: 1.2 })], 'events[0].target', /above the baseline/],
      [[ev(30, 20, 0, { watts: 5000 })], 'events[0].end', /not after the start/],
      [[ev(0, 30, 5, { watts: 5000 }, [{ atS: 28 * M, target: { watts: 5000 } }])], 'events[0].changes[0].at', /before the ramp up/],
    ];
    for (const [events, field, msg] of cases) {
      const err = inputErrorOf(() => powerTargetTimeline(events, { baselineW: 8000, file: 'e.json' }));
      expect(err.field).toBe(field);
      expect(err.file).toBe('e.json');
      expect(err.message).toMatch(msg);
    }
  });

  it('the --dr file: minutes or durations, W or a share of the baseline, one event or a list', () => {
    const f = parseDrEvents({ events: [{ start: 0, end: '3.5h', ramp: '15m', target: '75%' }, { start: 300, end: 360, target: 50000 }], ramp_step: 5, margin: '4%' }, 'e.json');
    expect(f.events).toEqual([
      { startS: 0, endS: 12600, rampS: 900, target: { fraction: 0.75 } },
      { startS: 18000, endS: 21600, rampS: 0, target: { watts: 50000 } },
    ]);
    expect(f.rampStepS).toBe(300);
    expect(f.marginFrac).toBeCloseTo(0.04, 15);
    expect(parseDrEvents({ start: 0, end: 10, target: { fraction: 0.8 } }, 'e.json').events).toHaveLength(1);
    const bad: [unknown, string][] = [
      [{ events: [{ start: 0, end: 10 }] }, 'events[0].target'],
      [{ events: [{ start: 0, end: 10, target: 'lots' }] }, 'events[0].target'],
      [{ events: [{ start: 0, end: 10, target: 5, ramp: -3 }] }, 'events[0].ramp'],
      [{ events: [{ start: 0, end: 10, target: 5, extra: 1 }] }, 'events[0].extra'],
      [{ events: [] }, 'events'],
      [{ events: [{ start: 0, end: 10, target: 5 }], margin: 2 }, 'margin'],
    ];
    for (const [json, field] of bad) expect(inputErrorOf(() => parseDrEvents(json, 'e.json')).field).toBe(field);
  });

  it('events from a grid signal: each run at or above the threshold is a hold, ramps around it, overlaps merged', () => {
    const text = 'Time,Demand\n0:00,10\n0:05,50\n0:10,60\n0:15,20\n0:20,55\n0:25,10\n';
    const s = parseGridSignal(text, 'g.csv');
    expect(s.times).toEqual([0, 300, 600, 900, 1200, 1500]);
    expect(s.endS).toBe(1800);
    // runs >= 50: [5, 15) and [20, 25); ramps of 1 min
    expect(eventsFromGridSignal(s, { threshold: { value: 50 }, target: { fraction: 0.8 }, rampS: 60 }).map((e) => [e.startS, e.endS])).toEqual([
      [240, 960],
      [1140, 1560],
    ]);
    // ramps of 3 min make them overlap: one event
    expect(eventsFromGridSignal(s, { threshold: { value: 50 }, target: { fraction: 0.8 }, rampS: 180 }).map((e) => [e.startS, e.endS])).toEqual([[120, 1680]]);
    // the 0.5 quantile of [10, 10, 20, 50, 55, 60] is 20
    expect(eventsFromGridSignal(s, { threshold: { quantile: 0.5 }, target: { fraction: 0.8 }, rampS: 0 }).map((e) => [e.startS, e.endS])).toEqual([[300, 1500]]);
    expect(inputErrorOf(() => parseGridSignal('Time,D\n0:00,1\n0:05,x\n', 'g.csv')).line).toBe(3);
  });
});

describe('dr: DVFS curves', () => {
  const c = dvfsCurve({ name: 'lin', caps: [100, 400], ppgW: [100, 400], thr: [0.25, 1], profileGpus: 8 });

  it('linear between measured caps, integer caps for a ratio or a power', () => {
    expect(powerPerGpuAt(c, 250)).toBe(250);
    expect(throughputRatioAt(c, 300)).toBe(0.75);
    expect(powerPerGpuAt(c, 50)).toBe(100); // below the lowest cap: its value
    expect(minCapForRatio(c, 0.75)).toBe(300);
    expect(minCapForRatio(c, 0.751)).toBe(301);
    expect(minCapForRatio(c, 0.1)).toBe(100);
    expect(minCapForRatio(c, 1)).toBe(400);
    expect(capForPowerPerGpu(c, 366.67)).toBe(366);
    expect(capForPowerPerGpu(c, 50)).toBe(100);
    expect(capForPowerPerGpu(c, 1000)).toBe(400);
  });

  it('the bundled A100 sweep: eight workloads, six caps each, GPU counts from total / per-GPU power', () => {
    const ref = a100Reference();
    expect(Object.keys(ref).sort()).toEqual(['ft_llama_8b_dolly', 'ft_llama_8b_p3', 'infer_llama_8b', 'infer_llama_8b_32g', 'infer_llama_8b_48g', 'pt_mpt_13b_lg', 'pt_mpt_13b_sm', 'pt_mpt_7b_fast']);
    const p3 = ref.ft_llama_8b_p3!;
    expect(p3.caps).toEqual([100, 200, 250, 300, 350, 400]);
    expect(p3.profileGpus).toBe(32);
    expect(ref.pt_mpt_13b_lg!.profileGpus).toBe(64);
    expect(ref.infer_llama_8b!.profileGpus).toBe(16);
    // halfway between the 250 W and 300 W points
    expect(powerPerGpuAt(p3, 275)).toBeCloseTo((239.8239191269841 + 285.5416641104498) / 2, 9);
    // the lowest cap keeping 90 % of the throughput: between 250 (0.8778) and 300 (0.9375)
    const cap = minCapForRatio(p3, 0.9);
    expect(throughputRatioAt(p3, cap)).toBeGreaterThanOrEqual(0.9);
    expect(throughputRatioAt(p3, cap - 1)).toBeLessThan(0.9);
    expect(cap).toBe(269);
    const text = readFileSync(join(ROOT, 'traces/dvfs/a100_dvfs_sweep.csv'), 'utf8');
    expect(parseDvfsSweep(text, 'x.csv').ft_llama_8b_p3).toEqual(p3);
  });

  it('bad curves name the array and index', () => {
    expect(inputErrorOf(() => dvfsCurve({ name: 'x', caps: [100, 100], ppgW: [1, 2], thr: [1, 1], profileGpus: 1 }, { field: 'profiles.x' })).field).toBe('profiles.x.caps[1]');
    expect(inputErrorOf(() => dvfsCurve({ name: 'x', caps: [100, 200], ppgW: [2, 1], thr: [1, 1], profileGpus: 1 }, { field: 'profiles.x' })).field).toBe('profiles.x.ppg_W[1]');
    expect(inputErrorOf(() => dvfsCurve({ name: 'x', caps: [100, 200], ppgW: [1, 2], thr: [1, 0.5], profileGpus: 1 }, { field: 'profiles.x' })).field).toBe('profiles.x.thr_norm[1]');
    expect(inputErrorOf(() => dvfsCurve({ name: 'x', caps: [100.5], ppgW: [1], thr: [1], profileGpus: 1 }, { field: 'profiles.x' })).field).toBe('profiles.x.caps[0]');
    expect(inputErrorOf(() => dvfsCurve({ name: 'x', caps: [100], ppgW: [1, 2], thr: [1], profileGpus: 1 }, { field: 'profiles.x' })).field).toBe('profiles.x.ppg_W');
    expect(inputErrorOf(() => parseDvfsSweep('Workload,GPU power cap\nx,1\n', 's.csv')).field).toBe('total GPU power');
  });
});
