import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CarbonSignal } from '../src/carbon/signal.js';
import { simulate } from '../src/cluster/simulate.js';
import { compileProfile } from '../src/model/profile.js';
import type { Job } from '../src/model/jobs.js';
import { BASELINE_LABEL, runChartData } from '../src/report/charts.js';
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
    expect(d.waits).toEqual([{ job: 'a', arrival: ms(0), deadline: ms(3 * H), missed: false }]);
  });

  it('lost work: the first run is cut inside Train, so its 1200 s of work are marked lost', () => {
    expect(d.lost).toEqual([{ job: 'a', start: ms(600), end: ms(1800) }]);
    expect(d.shown).toBe('jobs 1 of 1 (the earliest arrivals); power: all jobs; 1 interruption lost work');
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
    expect(one.shown).toBe('jobs 1 of 2 (the earliest arrivals); power: all jobs; 1 interruption lost work');
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
    bars: [
      { group: 'test', scheduler: 'replay', carbon_g: 100, mean_wait_h: 2 },
      { group: 'test', scheduler: BASELINE_LABEL, carbon_g: 120, mean_wait_h: 0 },
    ],
    schedulers: ['replay', BASELINE_LABEL],
    savings: [{ group: 'test', scheduler: 'replay', saving_pct: 100 / 6, seeds: 1 }],
    tables: [{ title: 'Summary', headers: ['metric', 'value'], rows: [['jobs', '2']] }],
  };

  it('is self-contained: inline SVG, no scripts, no URLs; each chart also as a standalone SVG', async () => {
    const { html, svgs } = await renderReport(input);
    expect(svgs.map((s) => s.name)).toEqual(['bars', 'saving', 'timeline-1-replay-test', 'power-1-replay-test']);
    expect(html.match(/<svg/g)).toHaveLength(4);
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

  it('run --report writes the HTML and its charts as SVG files in one folder beside it', () => {
    const r = cli([...args, '--report', 'out/run.html'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['run-charts', 'run.html']);
    expect(readdirSync(join(dir, 'out', 'run-charts')).sort()).toEqual(['bars.svg', 'power-1-waitawhile-DE-2023-max-wait-6h.svg', 'saving.svg', 'timeline-1-waitawhile-DE-2023-max-wait-6h.svg']);
    const html = readFileSync(join(dir, 'out', 'run.html'), 'utf8');
    expect(html).toContain('jobs 30 of 1000 (the earliest arrivals)');
    expect(html).toContain('in run-charts/ beside this page');
    expect(html).not.toMatch(/https?:/);
  });

  it('a run report shows the carbon-agnostic baseline and the saving in %, numbers rounded with units', () => {
    const html = readFileSync(join(dir, 'out', 'run.html'), 'utf8');
    const json = JSON.parse(cli([...args, '--format', 'json'], { cwd: dir }).stdout) as { summary: { carbon_g: number; mean_wait_s: number } };
    const base = JSON.parse(cli(['run', 'pai_1k.csv', '--carbon', 'DE-2023', '--format', 'json'], { cwd: dir }).stdout) as { summary: { carbon_g: number } };
    const saved = (100 * (base.summary.carbon_g - json.summary.carbon_g)) / base.summary.carbon_g;
    expect(html).toContain(`Carbon saved against the carbon-agnostic baseline (every job at arrival, uninterrupted, same inputs): ${saved.toFixed(1)} % (${base.summary.carbon_g.toPrecision(4)} g CO2 -&gt; ${json.summary.carbon_g.toPrecision(4)} g CO2).`);
    expect(html).toContain('<th>metric</th><th>waitawhile</th><th>agnostic baseline</th><th>change vs baseline</th>');
    expect(html).toContain(`<tr><td>carbon</td><td class="num">${json.summary.carbon_g.toPrecision(4)} g CO2</td><td class="num">${base.summary.carbon_g.toPrecision(4)} g CO2</td><td class="num">-${saved.toFixed(1)} % (${saved.toFixed(1)} % saved)</td></tr>`);
    // waits in hours, three significant digits
    expect(html).toContain(`<tr><td>mean wait</td><td class="num">${(json.summary.mean_wait_s / 3600).toPrecision(3)} h</td>`);
    const bars = readFileSync(join(dir, 'out', 'run-charts', 'bars.svg'), 'utf8');
    expect(bars).toContain('agnostic (baseline)');
    expect(bars).toContain('fill="#9d9d9d"'); // the baseline bar, grey
    const saving = readFileSync(join(dir, 'out', 'run-charts', 'saving.svg'), 'utf8');
    expect(saving).toContain(`${saved.toFixed(1)} %`);
    expect(saving).toContain('fill="#54a24b"');
  });

  it('the startup legend only when a job has startup phases; no label is cut', () => {
    const svgs = readdirSync(join(dir, 'out', 'run-charts')).map((f) => readFileSync(join(dir, 'out', 'run-charts', f), 'utf8'));
    for (const svg of svgs) expect(svg).not.toContain('…');
    const timeline = svgs.find((s) => s.includes('Carbon intensity and run intervals'))!;
    expect(timeline).not.toContain('>startup<');
    expect(timeline).toContain('>work<');
  });

  it('a second report replaces the charts folder; a folder holding other files is not replaced', () => {
    writeFileSync(join(dir, 'out', 'run-charts', 'stale.svg'), '<svg/>');
    expect(cli([...args, '--report', 'out/run.html'], { cwd: dir }).code).toBe(0);
    expect(readdirSync(join(dir, 'out', 'run-charts'))).not.toContain('stale.svg');
    writeFileSync(join(dir, 'out', 'run-charts', 'notes.txt'), 'mine');
    const r = cli([...args, '--report', 'out/run.html'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('carbon-sim: error: out/run-charts (field "report"): holds "notes.txt", which carbon-sim did not write there: not replacing this folder (move it away or choose another name)\n');
    expect(readFileSync(join(dir, 'out', 'run-charts', 'notes.txt'), 'utf8')).toBe('mine');
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
      expect(readdirSync(join(dir, 'sweep-report')).sort()).toEqual(['index-charts', 'index.html']);
      expect(readdirSync(join(dir, 'sweep-report', 'index-charts')).sort()).toEqual([
        'bars.svg',
        'power-1-oracle-GB-2023-6h.svg',
        'power-2-waitawhile-GB-2023-6h.svg',
        'power-3-agnostic-baseline-GB-2023-6h.svg',
        'saving.svg',
        'timeline-1-oracle-GB-2023-6h.svg',
        'timeline-2-waitawhile-GB-2023-6h.svg',
        'timeline-3-agnostic-baseline-GB-2023-6h.svg',
      ]);
      const html = readFileSync(join(dir, 'sweep-report', 'index.html'), 'utf8');
      expect(html).toContain('group 2 of 2 (GB-2023, wait 6h, pai_1k.csv, forecast oracle, seed 0)');
      expect(html.match(/<tr><td>(oracle|waitawhile)<\/td>/g)).toHaveLength(4);
    });

    it('--group 0 draws no timelines; a group that does not exist is an error', () => {
      expect(cli(['report', 'sweep', '-o', 'g0/index.html', '--group', '0'], { cwd: dir }).code).toBe(0);
      expect(readdirSync(join(dir, 'g0')).sort()).toEqual(['index-charts', 'index.html']);
      expect(readdirSync(join(dir, 'g0', 'index-charts')).sort()).toEqual(['bars.svg', 'saving.svg']);
      const bad = cli(['report', 'sweep', '-o', 'g9/index.html', '--group', '9'], { cwd: dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/the sweep has 2 groups/);
    });
  });

  it('a bench report: baseline bars, the saving per scheduler with 95% error bars over seeds, wrapped labels', () => {
    const long = 'carbon-time --start-grid arrival --length average';
    writeFileSync(join(dir, 'seeds.json'), JSON.stringify({ schedulers: ['waitawhile', long], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h', '24h'], workloads: ['pai_1k'], forecast: ['gaussian:0.1'], seeds: [0, 1, 2] }));
    // no "name": the suite takes its file's; "pai_1k" is the bundled workload
    expect(cli(['bench', 'seeds.json', '--workers', '1'], { cwd: dir }).code).toBe(0);
    const r = cli(['report', 'bench-seeds', '-o', 'seeds-report/index.html', '--group', '0'], { cwd: dir });
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'seeds-report', 'index.html'), 'utf8');
    const rows = (readFileSync(join(dir, 'bench-seeds', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) as { scheduler: string; carbon: string; max_wait: string; carbon_saved_pct: number }[])
      .filter((x) => x.scheduler === 'waitawhile' && x.carbon === 'DE-2023' && x.max_wait === '24h');
    expect(rows).toHaveLength(3);
    const mean = rows.reduce((a, x) => a + x.carbon_saved_pct, 0) / 3;
    expect(html).toMatch(new RegExp(`<tr><td>waitawhile</td><td>DE-2023</td><td>24h</td><td>pai_1k</td><td>gaussian:0.1</td><td class="num">3</td><td class="num">1000</td><td class="num">[\\d.]+ g CO2</td><td class="num">${mean.toFixed(1)} % ± \\d+\\.\\d</td><td class="num">[\\d.]+ h</td>`));
    const saving = readFileSync(join(dir, 'seeds-report', 'index-charts', 'saving.svg'), 'utf8');
    expect(saving).toContain('error bars: 95% confidence interval of the mean');
    expect(saving).toContain(`${mean.toFixed(1)} % ±`);
    expect(saving).toContain(long);
    const bars = readFileSync(join(dir, 'seeds-report', 'index-charts', 'bars.svg'), 'utf8');
    expect(bars).toContain(long);
    expect(bars.match(/fill="#9d9d9d"/g)).toHaveLength(4 * 2 + 1); // a baseline bar per group in both panels, and its legend symbol
    // group labels wrap at " | ": "DE-2023" and "24h" on lines of their own
    expect(bars).toMatch(/<tspan[^>]*>DE-2023<\/tspan><tspan[^>]*>24h<\/tspan>/);
    for (const svg of [bars, saving]) expect(svg).not.toContain('…');
  });

  it('a folder that is neither output is an error', () => {
    const r = cli(['report', dir, '-o', join(dir, 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/neither a bench output/);
  });
});
