// Loading real and dirty carbon files: the carbs DE file (gaps, overlapping re-fetches, empty values),
// the Let's Wait Awhile traces (one changes resolution), gzip, and the CLI's window/resample/fill.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCarbon, loadCarbonTrace } from '../src/carbon/load.js';
import { cli, sharedData, inputErrorOf } from './helpers.js';

const carbs = sharedData('carbon/carbs-de-2024/DE_electricity_data.csv');
const lwaGb = sharedData('carbon/lwa-2020/gb_ci.csv');
const H = 3600;


describe.skipIf(carbs.skip)('the carbs DE 2024 file (gaps, re-fetched overlaps, empty values)', () => {
  it('is an error naming its first bad line (26: a 98 h jump) without a fill rule', () => {
    const e = inputErrorOf(() => loadCarbon(carbs.path, { column: 'lca' }));
    expect([e.code, e.line, e.field]).toEqual(['gap', 26, 'datetime']);
    expect(e.message).toBe(
      "gap: 97 missing values between 2024-02-01T11:00:00.000Z on line 25 and 2024-02-05T13:00:00.000Z (the trace's resolution is its most common step, 1h, first ending on line 3); use --fill hold|linear to fill",
    );
  });

  // Counts checked independently (a Python pass over the file): 5,712 rows, 5,593 distinct hours
  // from 2024-01-31T12:00Z to 2024-10-03T15:00Z.
  it('loads with --fill hold and reports every change', () => {
    const { signal, fill } = loadCarbonTrace(carbs.path, { column: 'lca', fill: 'hold' });
    expect(fill).toEqual({ mode: 'hold', filled: 317, missing: 315, empty: 2, duplicates: 119, conflicting: 18, reordered: 113 });
    expect(signal.values.length).toBe(5593 + 315);
    expect(signal.epochMs).toBe(Date.parse('2024-01-31T12:00:00Z'));
    expect(signal.end).toBe((Date.parse('2024-10-03T16:00:00Z') - signal.epochMs) / 1000);
    expect(signal.uniformStepS).toBe(H);
    const at = (iso: string): number => signal.intensityAt((Date.parse(iso) - signal.epochMs) / 1000);
    // lines 1800-1801 are empty between 188 (13:00) and 225 (16:00)
    expect([at('2024-04-19T13:00Z'), at('2024-04-19T14:00Z'), at('2024-04-19T15:00Z'), at('2024-04-19T16:00Z')]).toEqual([188, 188, 188, 225]);
    // 2024-03-30T16:00 appears on lines 1321 (370) and 1322 (306): the first is kept
    expect(at('2024-03-30T16:00Z')).toBe(370);
    // the 4-day gap after 2024-02-01T11:00 (365) holds that value
    expect(at('2024-02-03T00:00Z')).toBe(365);
  });

  it('loads with --fill linear: empty values interpolated between their neighbours', () => {
    const { signal } = loadCarbonTrace(carbs.path, { column: 'lca', fill: 'linear' });
    const at = (iso: string): number => signal.intensityAt((Date.parse(iso) - signal.epochMs) / 1000);
    expect(at('2024-04-19T14:00Z')).toBeCloseTo(188 + 37 / 3, 10);
    expect(at('2024-04-19T15:00Z')).toBeCloseTo(188 + (2 * 37) / 3, 10);
  });

  it('the CLI reports the fill on stderr and in summary.json', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'carbon-sim-fill-')), 'out');
    const r = cli(['run', 'traces/workloads/pai_1k.csv', '--carbon', carbs.path, '--carbon-column', 'lca', '--fill', 'hold', '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `carbon-sim: note: ${carbs.path}: filled 317 values by hold (315 missing, 2 empty); dropped 119 duplicate rows (18 with a different value); sorted 113 out-of-order rows\n`,
    );
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { inputs: Record<string, unknown> };
    expect(summary.inputs.fill).toBe('hold');
    expect(summary.inputs.carbon_fill).toMatchObject({ filled: 317, duplicates: 119 });
  });
});

describe.skipIf(lwaGb.skip)("Let's Wait Awhile GB 2020: 30 min steps, then 15 min from 2020-10-31", () => {
  it('is off the grid at line 15171 by default, where 15 min steps begin: the resolution is the most common step', () => {
    const e = inputErrorOf(() => loadCarbon(lwaGb.path));
    expect([e.code, e.line]).toEqual(['off_grid', 15171]);
    expect(e.message).toBe(
      "timestamp 2020-10-31T00:15:00.000Z is off the grid from 2019-12-20T00:00:00.000Z (the trace's resolution is its most common step, 30m, first ending on line 3); --fill hold|linear fills the 15m grid of its shortest step",
    );
  });

  it('--fill hold keeps the step function; resampled back to 30 min it gives the file values', () => {
    const held = loadCarbonTrace(lwaGb.path, { fill: 'hold' });
    expect(held.fill).toMatchObject({ filled: 15171, missing: 15171, empty: 0 });
    const halfHourly = loadCarbon(lwaGb.path, { fill: 'hold', resampleS: 1800 });
    const lines = readFileSync(lwaGb.path, 'utf8').trim().split('\n');
    expect(halfHourly.values[0]).toBe(Number(lines[1]!.split(',')[1]));
    expect(halfHourly.values[100]).toBe(Number(lines[101]!.split(',')[1]));
    expect(halfHourly.integrate(halfHourly.start, halfHourly.end)).toBeCloseTo(held.signal.integrate(held.signal.start, held.signal.end), 0);
  });
});

describe('files and names', () => {
  const text =
    'Datetime (UTC),Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA)\n' +
    '2023-06-01 00:00:00,100,150\n2023-06-01 01:00:00,200,250\n2023-06-01 02:00:00,300,350\n';

  it('a gzip file loads like its text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-gz-'));
    writeFileSync(join(dir, 'c.csv'), text);
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(text));
    const plain = loadCarbon(join(dir, 'c.csv'), { column: 'lca' });
    const packed = loadCarbon(join(dir, 'c.csv.gz'), { column: 'lca' });
    expect([...packed.values]).toEqual([150, 250, 350]);
    expect([...packed.times]).toEqual([...plain.times]);
  });

  it('timestamps are UTC; an offset is converted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-tz-'));
    writeFileSync(join(dir, 'c.csv'), text.replace(/ (\d\d):00:00,/g, 'T$1:00:00+02:00,'));
    expect(loadCarbon(join(dir, 'c.csv')).epochMs).toBe(Date.parse('2023-05-31T22:00:00Z'));
  });

  it('--start/--end cut the trace and --start becomes simulation time 0', () => {
    const s = loadCarbon('DE-2023', { startMs: Date.parse('2023-03-01T05:30Z'), endMs: Date.parse('2023-03-02T00:00Z') });
    expect([s.start, s.end, s.epochMs]).toEqual([0, 18.5 * H, Date.parse('2023-03-01T05:30Z')]);
    expect(s.times[1]).toBe(1800); // the first step is the half hour left of 05:00-06:00
    expect(s.resolutionS).toBe(H);
  });
});

describe('the CLI: window, resample and forecast, checked against the bundled file', () => {
  // One job of 1 kW for 1 h at simulation time 0 emits exactly the mean intensity over that hour, in g.
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-cli-'));
  const workload = join(dir, 'one.csv');
  writeFileSync(workload, 'arrival_time,length,cpus\n0,3600,1000\n');
  const de = readFileSync('traces/carbon/DE-2023.csv', 'utf8').trim().split('\n');
  const direct = (iso: string): number => Number(de.find((l) => l.startsWith(iso))!.split(',')[1]);
  const carbonG = (args: string[]): number => {
    const r = cli(['run', workload, '--carbon', 'DE-2023', '--format', 'json', ...args]);
    expect(r.stderr).toBe('');
    return (JSON.parse(r.stdout) as { summary: { carbon_g: number } }).summary.carbon_g;
  };

  it('--start puts time 0 at that hour', () => {
    expect(carbonG(['--start', '2023-03-01T05:00Z'])).toBeCloseTo(direct('2023-03-01 05:00'), 9);
  });

  it('--resample 4h charges the mean of the four hours of the first bucket', () => {
    const mean = (direct('2023-03-01 05:00') + direct('2023-03-01 06:00') + direct('2023-03-01 07:00') + direct('2023-03-01 08:00')) / 4;
    expect(carbonG(['--start', '2023-03-01T05:00Z', '--end', '2023-03-02T05:00Z', '--resample', '4h'])).toBeCloseTo(mean, 9);
  });

  it('a forecast changes nothing the agnostic scheduler charges', () => {
    const actual = carbonG(['--start', '2023-03-01T05:00Z']);
    expect(carbonG(['--start', '2023-03-01T05:00Z', '--forecast', 'gaussian:0.3', '--seed', '4'])).toBe(actual);
    expect(carbonG(['--start', '2023-03-01T05:00Z', '--forecast', 'uniform:0.5', '--seed', '4'])).toBe(actual);
  });
});
