import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CarbonSignal } from '../src/carbon/signal.js';
import { simulate } from '../src/cluster/simulate.js';
import { compileProfile } from '../src/model/profile.js';
import type { Job } from '../src/model/jobs.js';
import { runChartData } from '../src/report/charts.js';
import { renderReport, type ReportInput } from '../src/report/html.js';
import { replayScheduler } from '../src/schedulers/replay.js';
import { cli, ROOT } from './helpers.js';

const EPOCH = Date.UTC(2023, 0, 1);
const H = 3600;
const ms = (s: number): number => EPOCH + s * 1000;

// Intensity 100, 200, 50 over three hours. Job a: startup 600 s at 50 W, then Train 1800 s at
// 200 W and Save 600 s at 100 W (a checkpoint). Plan [0, 1800) + [7200, 10800): the first run
// is cut inside Train and loses its progress; the second runs the whole job and finishes at 10200.
const carbon = new CarbonSignal({ times: new Float64Array([0, H, 2 * H]), values: new Float64Array([100, 200, 50]), epochMs: EPOCH, name: 'test' });
const profile = compileProfile({
  startup: [{ name: 'Start', duration: 600, power: 50 }],
  work: [
    { name: 'Train', duration: 1800, power: 200 },
    { name: 'Save', duration: 600, power: 100, isCheckpoint: true },
  ],
});
const jobA: Job = { id: 'a', type: 'phases', arrival: 0, deadline: 3 * H, cpus: 1, profile };
const jobB: Job = { id: 'b', type: 'phases', arrival: 100, deadline: 3 * H, cpus: 1, profile };
const plans = new Map([
  ['a', [[0, 1800] as const, [2 * H, 3 * H] as const]],
  ['b', [[7500, 3 * H] as const]],
]);

describe('chart data of a run (hand-computed)', () => {
  const { results } = simulate([jobA], { scheduler: replayScheduler(plans), carbon });
  const d = runChartData('replay | test', results, carbon);

  it('the window runs from the first arrival to the last finish or deadline', () => {
    expect(d.window).toEqual([ms(0), ms(3 * H)]);
  });

  it('intensity steps at each boundary, the last value repeated at the window end', () => {
    expect(d.intensity).toEqual([
      { t: ms(0), v: 100 },
      { t: ms(H), v: 200 },
      { t: ms(2 * H), v: 50 },
      { t: ms(3 * H), v: 50 },
    ]);
  });

  it('pieces: startup and work distinguished, consecutive work phases joined', () => {
    expect(d.pieces).toEqual([
      { job: 'a', start: ms(0), end: ms(600), kind: 'startup' },
      { job: 'a', start: ms(600), end: ms(1800), kind: 'work' },
      { job: 'a', start: ms(7200), end: ms(7800), kind: 'startup' },
      { job: 'a', start: ms(7800), end: ms(10200), kind: 'work' },
    ]);
    expect(d.waits).toEqual([{ job: 'a', arrival: ms(0), deadline: ms(3 * H) }]);
  });

  it('stepped power by kind at every change, closed at the window end', () => {
    const at = (t: number): [number, number] => {
      const p = d.power.filter((x) => x.t === ms(t));
      return [p.find((x) => x.kind === 'startup')!.w, p.find((x) => x.kind === 'work')!.w];
    };
    expect(d.power.map((p) => p.t).filter((_, i) => i % 2 === 0)).toEqual([0, 600, 1800, 7200, 7800, 9600, 10200, 10800].map(ms));
    expect([0, 600, 1800, 7200, 7800, 9600, 10200, 10800].map(at)).toEqual([
      [50, 0],
      [0, 200],
      [0, 0],
      [50, 0],
      [0, 200],
      [0, 100],
      [0, 0],
      [0, 0],
    ]);
  });

  it('a big workload shows the earliest arrivals and says so; power still counts every job', () => {
    const two = simulate([jobA, jobB], { scheduler: replayScheduler(plans), carbon }).results;
    const one = runChartData('x', two, carbon, 1);
    expect(one.shown).toBe('jobs 1 of 2 (the earliest arrivals); power: all jobs');
    expect(new Set(one.pieces.map((p) => p.job))).toEqual(new Set(['a']));
    // at 7800 s job a starts working (200 W) while job b is in its startup (50 W, 7500-8100)
    expect(one.power.filter((p) => p.t === ms(7800)).map((p) => p.w)).toEqual([50, 200]);
  });
});

describe('the HTML report', () => {
  const { results } = simulate([jobA, jobB], { scheduler: replayScheduler(plans), carbon });
  const input: ReportInput = {
    title: 'Test <report>',
    notes: ['a & b'],
    runs: [runChartData('replay | test', results, carbon)],
    bars: [{ group: 'test', scheduler: 'replay', carbon_kg: 0.1, mean_wait_h: 2 }],
    schedulers: ['replay'],
    tables: [{ title: 'Summary', headers: ['metric', 'value'], rows: [['jobs', '2']] }],
  };

  it('is self-contained: inline SVG, no scripts, no URLs; each chart also as a standalone SVG', async () => {
    const { html, svgs } = await renderReport(input);
    expect(svgs.map((s) => s.name)).toEqual(['bars', 'timeline-1-replay-test', 'power-1-replay-test']);
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).not.toMatch(/https?:|<script|<link|<img|xmlns|url\(/i);
    expect(html).toContain('<title>Test &lt;report&gt;</title>');
    expect(html).toContain('<p>a &amp; b</p>');
    for (const s of svgs) expect(s.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('the same input gives the same bytes', async () => {
    const a = await renderReport(input);
    const b = await renderReport(input);
    expect(a.html).toBe(b.html);
  });
});

describe('report CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-report-'));
  copyFileSync(join(ROOT, 'traces', 'workloads', 'pai_1k.csv'), join(dir, 'pai_1k.csv'));
  const args = ['run', 'pai_1k.csv', '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--max-wait', '6h'];

  it('run --report writes the HTML and each chart as <name>-<chart>.svg', () => {
    const r = cli([...args, '--report', 'out/run.html'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['run-bars.svg', 'run-power-1-waitawhile-DE-2023-max-wait-6h.svg', 'run-timeline-1-waitawhile-DE-2023-max-wait-6h.svg', 'run.html']);
    const html = readFileSync(join(dir, 'out', 'run.html'), 'utf8');
    expect(html).toContain('jobs 30 of 1000 (the earliest arrivals)');
    expect(html).not.toMatch(/https?:/);
  });

  it('report <run --out folder> re-runs the recorded inputs and refuses when they no longer reproduce it', () => {
    expect(cli([...args, '--out', 'rundir'], { cwd: dir }).code).toBe(0);
    const ok = cli(['report', 'rundir', '-o', 'rundir-report/r.html', '--jobs', '5'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, 'rundir-report', 'r.html'), 'utf8')).toContain('jobs 5 of 1000');
    const file = join(dir, 'rundir', 'summary.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as { summary: { carbon_g: number } };
    record.summary.carbon_g += 1;
    writeFileSync(file, JSON.stringify(record));
    const bad = cli(['report', 'rundir', '-o', 'bad/r.html'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not the recorded summary/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  describe('of a sweep', () => {
    beforeAll(() => {
      writeFileSync(join(dir, 's.json'), JSON.stringify({ name: 's', schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h'], workloads: ['pai_1k.csv'] }));
      expect(cli(['bench', 's.json', '--out', 'sweep'], { cwd: dir }).code).toBe(0);
    });

    it('draws bars and the summary table, and timelines of one group re-run and checked', () => {
      const r = cli(['report', 'sweep', '-o', 'sweep-report/index.html', '--group', '2'], { cwd: dir });
      expect(r.code).toBe(0);
      expect(readdirSync(join(dir, 'sweep-report')).sort()).toEqual([
        'index-bars.svg',
        'index-power-1-oracle-GB-2023-6h.svg',
        'index-power-2-waitawhile-GB-2023-6h.svg',
        'index-power-3-agnostic-baseline-GB-2023-6h.svg',
        'index-timeline-1-oracle-GB-2023-6h.svg',
        'index-timeline-2-waitawhile-GB-2023-6h.svg',
        'index-timeline-3-agnostic-baseline-GB-2023-6h.svg',
        'index.html',
      ]);
      const html = readFileSync(join(dir, 'sweep-report', 'index.html'), 'utf8');
      expect(html).toContain('group 2 of 2 (GB-2023, wait 6h, pai_1k.csv, forecast oracle, seed 0)');
      expect(html.match(/<tr><td>(oracle|waitawhile)<\/td>/g)).toHaveLength(4);
    });

    it('--group 0 draws no timelines; a group that does not exist is an error', () => {
      expect(cli(['report', 'sweep', '-o', 'g0/index.html', '--group', '0'], { cwd: dir }).code).toBe(0);
      expect(readdirSync(join(dir, 'g0')).sort()).toEqual(['index-bars.svg', 'index.html']);
      const bad = cli(['report', 'sweep', '-o', 'g9/index.html', '--group', '9'], { cwd: dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/the sweep has 2 groups/);
    });
  });

  it('a folder that is neither output is an error', () => {
    const r = cli(['report', dir, '-o', join(dir, 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/neither a bench output/);
  });
});
