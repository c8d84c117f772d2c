// `carbon-sim fit`: parsing recordings, phase averages, leave-one-out, resume phases, interrupted
// runs; hand-computed on the synthetic folders in test/fixtures/fit, and the fitted numbers of
// the thesis's RoBERTa measurements in ../shared/data/power/roberta-measurements.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../src/cli/fit.js';
import { energiesTable, fitJson, fitRecordings, type FitInput, type FitResult } from '../src/fit/fit.js';
import { energyBetween, parseEvents, parseMeasurements, readRecording, recordingFromText, type Recording } from '../src/fit/measurements.js';
import { groupSegments, type Segment } from '../src/fit/phases.js';
import { parseWorkload } from '../src/io/trace.js';
import { executePlan } from '../src/model/execution.js';
import { compileProfile, type Phase } from '../src/model/profile.js';
import { cli, inputErrorOf, ROOT, sharedData } from './helpers.js';

const FIX = join(ROOT, 'test/fixtures/fit');
const fx = (name: string) => join(FIX, name);
const rec = (name: string) => readRecording(fx(name), { requireEvents: name !== 'sleep' });
const close = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

function fitFixtures(extra: Partial<FitInput> = {}): FitResult {
  return fitRecordings({ runs: [rec('full_a'), rec('full_b')], leadS: 2, ...extra });
}

describe('fit: reading recordings', () => {
  it('reads samples (mW -> W), the start and end lines, and spreads the samples evenly', () => {
    const r = rec('full_a');
    expect(r.powerW.length).toBe(20);
    expect(r.start).toBe(1720000000);
    expect(r.end).toBe(1720000020);
    expect(r.dt).toBe(1);
    expect(r.powerW[0]).toBe(50);
    expect(r.powerW[6]).toBe(200);
    expect(r.events.map((e) => e.label)).toEqual(['start program', 'Start training', 'Epoch 1 ended', 'Epoch 1 Saved', 'Epoch 2 ended', 'Epoch 2 Saved', 'Exit']);
    expect(r.events[0]).toEqual({ t: 1720000004, label: 'start program', line: 1 });
    // energy over [1.5, 6.25) s: 0.5 x 50 + 2 x 60 + 2 x 70 + 0.25 x 200
    close(energyBetween(r, r.start + 1.5, r.start + 6.25), 25 + 120 + 140 + 50);
    close(energyBetween(r, r.start - 5, r.end + 5), 2 * 50 + 2 * 60 + 2 * 70 + 4 * 200 + 2 * 100 + 4 * 200 + 2 * 100 + 2 * 50);
  });

  it('the real format: integer mW samples, then `date +%s.%N` lines; CRLF and a trailing blank line are fine', () => {
    const m = parseMeasurements('58080\r\n48730\r\n1720910444.813965060\r\n1720910446.813965060\r\n\r\n', 'm.csv');
    expect(Array.from(m.powerW)).toEqual([58.08, 48.73]);
    expect(m.start).toBeCloseTo(1720910444.813965, 5);
    expect(parseEvents('1720910480.176751, start program\n1720910492.960866, Epoch 1.0. Saved. Steps: 12\n', 'e.csv')).toEqual([
      { t: 1720910480.176751, label: 'start program', line: 1 },
      { t: 1720910492.960866, label: 'Epoch 1.0. Saved. Steps: 12', line: 2 },
    ]);
  });

  it('bad input is one InputError naming file, line and field', () => {
    const cases: [() => unknown, string, number | undefined, string][] = [
      [() => parseMeasurements('100\n200\n', 'm.csv'), 'm.csv', 2, 'power_mW'],
      [() => parseMeasurements('100\n200\n300\n', 'm.csv'), 'm.csv', 2, 'start'], // the epoch lines are missing
      [() => parseMeasurements('100\nabc\n1720000000\n1720000010\n', 'm.csv'), 'm.csv', 2, 'power_mW'],
      [() => parseMeasurements('100\n-5\n1720000000\n1720000010\n', 'm.csv'), 'm.csv', 2, 'power_mW'],
      [() => parseMeasurements('100\n200\n1720000010\n1720000000\n', 'm.csv'), 'm.csv', 4, 'end'],
      [() => parseEvents('1720000001, a\n1720000000, b\n', 'e.csv'), 'e.csv', 2, 'epoch'],
      [() => parseEvents('1720000001 a\n', 'e.csv'), 'e.csv', 1, 'label'],
      [() => parseEvents('x, a\n', 'e.csv'), 'e.csv', 1, 'epoch'],
      [() => parseEvents('1720000001, \n', 'e.csv'), 'e.csv', 1, 'label'],
      [() => recordingFromText('d', 'm.csv', '1\n2\n1720000000\n1720000010\n', 'e.csv', '1720000005, a\n1720000020, b\n'), 'e.csv', 2, 'epoch'],
    ];
    for (const [f, file, line, field] of cases) {
      const err = inputErrorOf(f);
      expect([err.file, err.line, err.field]).toEqual([file, line, field]);
      expect(err.oneLine()).not.toContain('\n');
    }
  });

  it('a run whose events do not match the others is an error at the differing line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-fit-'));
    const b = join(dir, 'run');
    mkdirSync(b);
    writeFileSync(join(b, 'measurements.csv'), readFileSync(fx('full_b/measurements.csv')));
    writeFileSync(join(b, 'events.csv'), readFileSync(fx('full_b/events.csv'), 'utf8').replace('Epoch 1 Saved', 'Epoch 1 saved twice'));
    const err = inputErrorOf(() => fitRecordings({ runs: [rec('full_a'), readRecording(b, { requireEvents: true })], leadS: 2 }));
    expect([err.file, err.line, err.field]).toEqual([join(b, 'events.csv'), 4, 'label']);
    expect(err.message).toContain('"Epoch 1 Saved"');
    // no work-start event; an event before the launch
    const noStart = inputErrorOf(() => fitRecordings({ runs: [rec('full_a')], leadS: 2, workStart: /begin/i }));
    expect(noStart.field).toBe('label');
    const early = inputErrorOf(() => fitRecordings({ runs: [rec('full_a')], leadS: 5 }));
    expect([early.file, early.line, early.field]).toEqual([fx('full_a/events.csv'), 1, 'epoch']);
  });
});

describe('fit: phases by hand', () => {
  const r = fitFixtures();

  it('averages durations, and power as energy / time over all runs; zero-length phases merge', () => {
    // run A: launch +2, phases 2,2 | 4,2,4,2,0 s; run B: 3,2 | 4,2,4,2,0 s (see test/fixtures/fit)
    const p = r.profile;
    expect(p.startup.map((x) => x.name)).toEqual(['launch -> start program', 'start program -> Start training']);
    expect(p.work.map((x) => x.name)).toEqual([
      'Start training -> Epoch 1 ended',
      'Epoch 1 ended -> Epoch 1 Saved',
      'Epoch 1 Saved -> Epoch 2 ended',
      'Epoch 2 ended -> Exit', // "Epoch 2 Saved -> Exit" lasts 0 s: merged into the save
    ]);
    const dp = (ph: Phase[]) => ph.map((x) => [x.duration, x.power, x.isCheckpoint === true]);
    expect(dp(p.startup)).toEqual([
      [2.5, (2 * 60 + 3 * 66) / 5, false], // 63.6 W
      [2, 70, false],
    ]);
    expect(dp(p.work)).toEqual([
      [4, (4 * 200 + 4 * 220) / 8, false], // 210 W
      [2, 100, true],
      [4, (4 * 200 + 4 * 180) / 8, false], // 190 W
      [2, (2 * 100 + 2 * 120) / 4, true], // 110 W
    ]);
    // the model's energy is the mean measured energy (pooled power x mean duration = mean energy)
    expect(r.runs.map((x) => x.energyJ)).toEqual([2260, 2378]);
    close(r.compiled.energyJ, 2319);
    close(r.measured.meanJ, 2319);
    close(r.compiled.durationS, 16.5);
  });

  it('leave-one-out: energy, per-phase power and sample-level RMSE', () => {
    const l = r.loo!;
    expect(l.runs).toBe(2);
    // leaving a run out predicts the other run's energy
    expect(l.energyErrorsJ).toEqual([2378 - 2260, 2260 - 2378]);
    close(l.energyMeanErrorJ, 0);
    close(l.energyRmseJ, 118);
    expect(l.phases.map((x) => x.rmseW)).toEqual([6, 0, 20, 0, 20, 20]);
    // duration-weighted: sqrt((2.5 x 36 + 4 x 400 + 4 x 400 + 2 x 400) / 16.5)
    close(l.phasePowerRmseW, Math.sqrt(4090 / 16.5));
    // phase-aligned: run A 16 samples (2 x 6^2 + 10 x 20^2), run B 17 samples (3 x 6^2 + 10 x 20^2)
    close(l.instant!.phaseAlignedW, (Math.sqrt(4072 / 16) + Math.sqrt(4108 / 17)) / 2);
    // launch-aligned (the thesis's measure): the other run's profile from launch; 16 samples each
    close(l.instant!.launchAlignedW, Math.sqrt(50588 / 16));
  });

  it('subtracts the idle baseline (mean of every sample of the idle runs)', () => {
    const b = fitFixtures({ baseline: [rec('sleep')] });
    expect(b.baseline).toEqual({ powerW: 50, runs: 1, samples: 4 });
    expect(b.profile.work.map((x) => x.power)).toEqual([160, 50, 140, 60]);
    expect(b.profile.startup.map((x) => x.power)).toEqual([13.6, 20]);
    close(b.compiled.energyJ, 2319 - 50 * 16.5);
    const err = inputErrorOf(() => fitRecordings({ runs: [rec('full_a')], leadS: 2, baseline: [rec('full_a'), rec('stop_unsaved')].map((x) => ({ ...x, powerW: x.powerW.map(() => 65) })) }));
    expect(err.field).toBe('baseline');
    expect(err.message).toContain('launch -> start program');
  });

  it('short phases merge forward, or backward when a checkpoint or the last', () => {
    const seg = (from: string, to: string, checkpoint = false): Segment => ({ from, to, toLine: 1, startT: 0, endT: 0, durationS: 0, energyJ: 0, checkpoint });
    const refs = [seg('a', 'b'), seg('b', 'c'), seg('c', 'd', true), seg('d', 'e'), seg('e', 'f'), seg('f', 'g')];
    const groups = groupSegments(refs, [1, 0.01, 0.01, 2, 0.01, 0.01], 0.05);
    expect(groups.map((g) => [g.name, g.members, g.checkpoint])).toEqual([
      ['a -> d', [0, 1, 2], true], // b->c waits for the next, c->d is a short checkpoint: both join a->b
      ['d -> g', [3, 4, 5], false], // e->f waits for the next, f->g is short and last: both join d->e
    ]);
    expect(groupSegments(refs.slice(1, 3), [0.01, 0.01], 0.05).map((g) => g.members)).toEqual([[0, 1]]); // no neighbour: kept
    expect(groupSegments(refs, [1, 1, 1, 1, 1, 1], 0).map((g) => g.members)).toEqual([[0], [1], [2], [3], [4], [5]]);
  });
});

describe('fit: resume phases and interrupted runs', () => {
  const resume = [rec('cont_saved'), rec('cont_unsaved')];
  const interrupted = [rec('cont_unsaved'), rec('stop_saved'), rec('stop_unsaved'), rec('cont_saved')]; // order does not matter
  const r = fitFixtures({ resume, interrupted });

  it("fits the resume phases from the continuations' startup", () => {
    expect(r.profile.resume!.map((x) => [x.name, x.duration, x.power])).toEqual([
      ['launch -> start program', 1, 60],
      ['start program -> Start training', 1.5, 86.667], // (80 + 2 x 90) / 3, rounded to 1 mW in the spec
    ]);
    close(r.compiled.resumeEnergyJ, 60 + 1.5 * 86.667);
    expect(r.resumeLoo!.energyErrorsJ).toEqual([100, -100]);
    expect(r.resumeLoo!.phases.map((x) => x.rmseW)).toEqual([0, 10]);
  });

  it('pairs first parts with continuations and predicts their energy through executePlan', () => {
    const rows = energiesTable(r);
    expect(rows.map((x) => x.run)).toEqual(['full', 'save-and-resume (stop after "Epoch 1 Saved")', 'abort-and-resume (stop after "Epoch 2 ended")']);
    const [full, save, abort] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    close(full.predictedJ, 2319);
    // save: stop at the first checkpoint (6 s of work), resume there
    expect([save.n, save.stopProgressS, save.modelResumeS, save.measuredResumeS, save.lostWorkS]).toEqual([1, 6, 6, 6, 0]);
    close(save.measuredJ, 1260 + 1140);
    close(save.predictedJ, 2319 + 299); // the startup (2.5 x 63.6 + 2 x 70 = 299 J) again
    close(save.predictedResumeJ!, 2319 + 60 + 1.5 * 86.667);
    // abort: stop after training epoch 2 (10 s of work), resume from the checkpoint at 6 s: 4 s x 190 W lost
    expect([abort.n, abort.stopProgressS, abort.modelResumeS, abort.measuredResumeS, abort.lostWorkS]).toEqual([1, 10, 6, 6, 4]);
    close(abort.measuredJ, 2060 + 1240);
    close(abort.predictedJ, 2319 + 299 + 760);
    close(abort.predictedResumeJ!, 2319 + 60 + 1.5 * 86.667 + 760);
    expect(r.interrupted!.unpaired).toEqual([]);
  });

  it('a continuation without its first part is left out and reported', () => {
    const x = fitFixtures({ interrupted: [rec('cont_saved'), rec('stop_unsaved'), rec('cont_unsaved')] });
    expect(x.interrupted!.unpaired).toEqual([fx('cont_saved')]);
    expect(x.interrupted!.experiments).toHaveLength(1);
    const err = inputErrorOf(() => fitFixtures({ interrupted: [rec('full_a')] }));
    expect([err.file, err.field]).toEqual([fx('full_a/events.csv'), 'label']);
  });

  it('the spec: JSON with resume and checkpoints, and a typed row the workload reader reads back', () => {
    const j = fitJson(r) as { job: { work: { is_checkpoint?: boolean }[]; resume: unknown[] }; trace: string };
    expect(j.job.work.map((w) => w.is_checkpoint === true)).toEqual([false, true, false, true]);
    expect(j.job.resume).toHaveLength(2);
    const [spec] = parseWorkload(j.trace, { file: 'fitted.csv' });
    expect(spec!.type).toBe('phases');
    close(spec!.profile.energyJ, 2319);
    expect(Array.from(spec!.profile.checkpoints)).toEqual([6, 12]);
  });
});

describe('model: optional resume phases', () => {
  const startup: Phase[] = [{ name: 'S', duration: 10, power: 50 }];
  const work: Phase[] = [
    { name: 'A', duration: 20, power: 200, isCheckpoint: true },
    { name: 'B', duration: 20, power: 100, isCheckpoint: true },
  ];
  const plan = [
    [0, 30],
    [100, 101],
  ] as const;

  it('without a resume list every start runs the startup (unchanged); with one, later starts run it', () => {
    const plain = compileProfile({ startup, work });
    expect(plain.resume).toBe(plain.startup);
    expect(plain.hasResume).toBe(false);
    const e0 = executePlan(plain, 0, plan);
    expect([e0.energyJ, e0.finish, e0.overheadEnergyJ]).toEqual([500 + 4000 + 500 + 2000, 100 + 10 + 20, 500]);
    const withResume = compileProfile({ startup, work, resume: [{ name: 'R', duration: 4, power: 25 }] });
    expect([withResume.resumeDurationS, withResume.resumeEnergyJ, withResume.durationS, withResume.energyJ]).toEqual([4, 100, 50, 6500]);
    const e1 = executePlan(withResume, 0, plan);
    expect([e1.energyJ, e1.finish, e1.overheadEnergyJ]).toEqual([500 + 4000 + 100 + 2000, 100 + 4 + 20, 100]);
    // an empty resume list: resumes start working at once; the first start still runs the startup
    const e2 = executePlan(compileProfile({ startup, work, resume: [] }), 0, plan);
    expect([e2.energyJ, e2.finish, e2.overheadEnergyJ]).toEqual([500 + 4000 + 2000, 120, 0]);
    // a resume phase is checked like any phase
    expect(inputErrorOf(() => compileProfile({ startup, work, resume: [{ name: 'R', duration: -1, power: 1 }] })).field).toBe('duration');
  });
});

describe('fit CLI', () => {
  it('writes the spec and the trace row; bad input exits 2 with one line and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-fit-cli-'));
    const out = join(dir, 'spec.json');
    const trace = join(dir, 'job.csv');
    const args = ['fit', fx('full_a'), fx('full_b'), '--lead', '2', '--baseline', fx('sleep'), '--resume', fx('cont_saved'), fx('cont_unsaved'), '--interrupted', fx('stop_saved'), fx('cont_saved'), '--out', out, '--trace', trace, '--id', 'toy'];
    const ok = cli(args);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('leave-one-out over 2 runs');
    expect(ok.stdout).toContain('save-and-resume (stop after "Epoch 1 Saved")');
    const spec = JSON.parse(readFileSync(out, 'utf8')) as { energy_j: number; baseline: { power_w: number } };
    close(spec.energy_j, 2319 - 50 * 16.5);
    expect(spec.baseline.power_w).toBe(50);
    expect(readFileSync(trace, 'utf8')).toMatch(/^id\|arrival_time\|length\|cpus\|name\|args\ntoy\|0\|16\.5\|1\|phases\|\{'startup': /);

    const dir2 = mkdtempSync(join(tmpdir(), 'carbon-sim-fit-cli-'));
    const bad = cli(['fit', fx('full_a'), '--lead', '5', '--out', join(dir2, 'spec.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`${fx('full_a/events.csv')}:1 (field "epoch")`);
    expect(readdirSync(dir2)).toEqual([]);
    const missing = cli(['fit', join(dir2, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not a run folder');
  });

  it('fitCommand prints JSON with --format json', () => {
    let s = '';
    fitCommand([fx('full_a'), fx('full_b')], { lead: '2', format: 'json' }, (x) => (s += x));
    const j = JSON.parse(s) as { loo: { energy_rmse_j: number } };
    close(j.loo.energy_rmse_j, 118);
  });
});

// ---------------------------------------------------------------- the thesis's RoBERTa measurements

const data = sharedData('power/roberta-measurements');
const folders = (re: RegExp): string[] => (existsSync(data.path) ? readdirSync(data.path).filter((n) => re.test(n)).sort().map((n) => join(data.path, n)) : []);

describe.skipIf(data.skip !== false)(`fit on the RoBERTa measurements${data.skip ? ` (skipped: ${data.skip})` : ''}`, () => {
  // read in beforeAll: a skipped suite's body is still collected, its hooks do not run
  let full: Recording[], sleep: Recording[], cont: Recording[], interrupted: Recording[];
  let r: FitResult;
  beforeAll(() => {
    const read = (re: RegExp) => folders(re).map((d) => readRecording(d, { requireEvents: true }));
    full = read(/^measurements_roberta_full_/);
    sleep = folders(/^measurements_sleep_/).map((d) => readRecording(d, { requireEvents: false }));
    cont = read(/^measurements_roberta_continue_after_/);
    interrupted = [...read(/^measurements_roberta_stop_(after|without)_saving_/), ...cont];
    r = fitRecordings({ runs: full, resume: cont, interrupted });
  });

  it('has the runs the thesis measured', () => {
    expect([full.length, sleep.length, cont.length, interrupted.length]).toEqual([10, 10, 20, 39]);
  });

  it('fits the phases of listing 4.9 (startup 23.47 s, first epoch 8.17 / 1.55 / 2.72 s)', () => {
    const p = r.profile;
    expect(p.startup.map((x) => [x.duration, x.power])).toEqual([
      [5.349, 59.998],
      [12.3647, 53.728],
      [5.7514, 62.822],
    ]);
    expect(p.work).toHaveLength(16);
    expect(p.work.slice(0, 3).map((x) => [x.duration, x.power, x.isCheckpoint === true])).toEqual([
      [8.1711, 221.21, false],
      [1.5478, 136.738, false],
      [2.7205, 105.25, true],
    ]);
    // later epochs train faster than the first (7.44 s, not 8.17 s)
    expect(p.work[3]!.duration).toBe(7.438);
    expect(p.work.filter((x) => x.isCheckpoint)).toHaveLength(5);
    expect(p.work[15]!.name).toBe('Epoch 5.0. Saved. Steps: 60 -> Exit');
    expect(r.compiled.durationS).toBeCloseTo(83.992, 3);
    expect(r.compiled.energyJ / 1000).toBeCloseTo(12.971, 3);
    expect(p.resume!.map((x) => [x.duration, x.power])).toEqual([
      [5.3411, 59.004],
      [7.412, 50.434],
      [6.3199, 66.205],
    ]);
    expect(r.compiled.resumeEnergyJ / 1000).toBeCloseTo(1.107, 3);
  });

  it('leave-one-out: energy RMSE 50 J, phase power RMSE 2.4 W, instantaneous 39.2 W (thesis: 39.3 W)', () => {
    const l = r.loo!;
    expect(l.runs).toBe(10);
    expect(l.energyRmseJ).toBeCloseTo(49.76, 1);
    expect(Math.abs(l.energyMeanErrorJ)).toBeLessThan(1e-6);
    expect(l.phasePowerRmseW).toBeCloseTo(2.37, 2);
    expect(l.instant!.launchAlignedW).toBeCloseTo(39.16, 2);
    expect(l.instant!.phaseAlignedW).toBeCloseTo(31.82, 2);
    expect(r.resumeLoo!.energyRmseJ).toBeCloseTo(25.8, 1);
  });

  it('measured 12.97 / 13.94 / 15.71 kJ; predicted overhead +1.35 / +3.09 kJ with the startup repeated, +1.11 / +2.85 kJ with resume phases', () => {
    const rows = energiesTable(r);
    const kJ = (x: number) => Math.round(x) / 1000;
    expect(rows.map((x) => [x.run, x.n, kJ(x.measuredJ), kJ(x.predictedJ), kJ(x.predictedResumeJ!)])).toEqual([
      ['full', 10, 12.971, 12.971, 12.971],
      ['save-and-resume (stop after "Epoch 2.0. Saved. Steps: 24")', 10, 13.942, 14.317, 14.078],
      ['abort-and-resume (stop after "Epoch 2.0 ended. Steps: 24")', 9, 15.71, 16.063, 15.824],
    ]);
    expect(rows.map((x) => Math.round(x.sdJ))).toEqual([47, 98, 68]);
    expect(rows[2]!.lostWorkS).toBeCloseTo(7.438, 6);
    expect(rows[2]!.measuredResumeS).toBe(rows[2]!.modelResumeS);
    expect(r.interrupted!.unpaired.map((d) => d.split('/').pop())).toEqual(['measurements_roberta_continue_after_not_saving_2_4_0714030717']);
  });

  it('with the idle baseline subtracted (49.9 W, thesis 49.8 W)', () => {
    const b = fitRecordings({ runs: full, baseline: sleep, resume: cont });
    expect(b.baseline!.powerW).toBeCloseTo(49.899, 3);
    expect(b.compiled.energyJ / 1000).toBeCloseTo(8.78, 2);
    expect(b.compiled.startupEnergyJ).toBeCloseTo(175.6, 0);
    expect(b.compiled.resumeEnergyJ).toBeCloseTo(155.7, 0);
  });
});
