// Any carbon CSV (issue 14, item 3): common exports recognised by their column names, in any case;
// --carbon-time-column / --carbon-value-column for the rest; --carbon-unit converts g/kWh, kg/kWh and
// lb/MWh (WattTime's MOER) to gCO2/kWh; a unit the header states or the format implies must agree;
// no match is one line listing the columns found (exit 2, no files written).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARBON_UNIT_G_PER_KWH, parseCarbonUnit, readCarbonRows, type CarbonReadOptions } from '../src/carbon/csv.js';
import { loadCarbonTrace, readCarbonText } from '../src/carbon/load.js';
import { cli, inputErrorOf, ROOT } from './helpers.js';

const DIR = 'test/fixtures/carbon';
const at = (f: string): string => join(ROOT, DIR, f);
const LB = 0.45359237; // g per lb / 1000 (per MWh -> per kWh)

function read(file: string, options: CarbonReadOptions = {}): { format: string; unit: string; time: string; column: string; values: number[]; stepS: number } {
  const rows = readCarbonRows(readCarbonText(at(file), file), { file, ...options });
  const { signal } = loadCarbonTrace(at(file), options);
  return { format: rows.format, unit: rows.unit, time: rows.timeColumn, column: rows.column, values: Array.from(signal.values), stepS: signal.resolutionS };
}

describe('recognised exports, by column name in any case', () => {
  it('Electricity Maps export with lower-case names and "(Life cycle)": direct and life-cycle columns', () => {
    expect(read('em-export-lowercase.csv')).toEqual({
      format: 'Electricity Maps export',
      unit: 'g/kWh',
      time: 'datetime (utc)',
      column: 'carbon intensity gco₂eq/kwh (direct)',
      values: [300.5, 310, 290.75],
      stepS: 3600,
    });
    expect(read('em-export-lowercase.csv', { column: 'lca' }).values).toEqual([350.25, 360, 340.5]);
  });

  it('UK Carbon Intensity API (from,to,forecast,actual): the actual values on the `from` times; the forecast by name', () => {
    expect(read('uk-carbon-intensity.csv')).toMatchObject({ format: 'UK Carbon Intensity API', time: 'from', column: 'actual', values: [118, 121, 127], stepS: 1800 });
    expect(read('uk-carbon-intensity.csv', { valueColumn: 'Forecast' }).values).toEqual([120, 125, 131]);
  });

  it('WattTime v3 (point_time,value) and v2 (timestamp,MOER) in lb/MWh: converted exactly, 1 lb/MWh = 0.45359237 g/kWh', () => {
    const expected = [900 * LB, 1000.5 * LB, 850 * LB];
    for (const file of ['watttime-v3.csv', 'watttime-v2.csv']) {
      expect(read(file, { unit: 'lb/MWh' })).toMatchObject({ format: 'WattTime', unit: 'lb/MWh', values: expected, stepS: 300 });
    }
    expect(CARBON_UNIT_G_PER_KWH['lb/MWh']).toBe(LB);
  });

  it('a plain Timestamp,Value file is gCO2/kWh by default', () => {
    expect(read('plain.csv')).toMatchObject({ time: 'Timestamp', column: 'Value', unit: 'g/kWh', values: [200, 210.5, 190] });
  });

  it('named columns, matched without regard to case; a unit in the name must agree: (kgCO2/kWh) needs --carbon-unit kg/kWh', () => {
    expect(read('named.csv', { timeColumn: 'zeit', valueColumn: 'co2 (G/KWH)' })).toMatchObject({ format: 'named columns', values: [400, 410, 405], stepS: 900 });
    expect(read('kg-per-kwh.csv', { unit: 'kg/kWh' }).values).toEqual([250, 300, 275]);
  });

  it('units as headers state them', () => {
    expect(['gCO₂eq/kWh', 'gCO2/kWh', 'kgCO2/kWh', 'lbs_co2_per_mwh', 'lb/MWh', 't/MWh', 'kg/MWh'].map(parseCarbonUnit)).toEqual([
      'g/kWh', 'g/kWh', 'kg/kWh', 'lb/MWh', 'lb/MWh', 'kg/kWh', 'g/kWh',
    ]);
    expect(parseCarbonUnit('gCO2/MJ')).toBeUndefined();
  });

  it('the bundled traces read as before: DE-2023 direct and LCA', () => {
    const text = readFileSync(join(ROOT, 'traces/carbon/DE-2023.csv'), 'utf8').trim().split('\n');
    const direct = readCarbonRows(text.join('\n'), { file: 'DE-2023' });
    const lca = readCarbonRows(text.join('\n'), { file: 'DE-2023', column: 'lca' });
    expect(direct.values.length).toBe(8760);
    expect(direct.values[0]).toBe(Number(text[1]!.split(',')[1]));
    expect(lca.values[8759]).toBe(Number(text[8760]!.split(',')[2]));
    expect(inputErrorOf(() => readCarbonRows(text.join('\n'), { file: 'DE-2023', unit: 'kg/kWh' })).message).toBe(
      'column "Carbon Intensity gCO₂eq/kWh (direct)" is in gCO₂eq/kWh, not kg/kWh: --carbon-unit kg/kWh disagrees with the header',
    );
  });
});

const WORKLOAD = 'traces/workloads/pai_1k.csv';

function run(args: string[]): { code: number; stdout: string; stderr: string; out: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'carbon-sim-columns-')), 'out');
  return { ...cli(['run', WORKLOAD, '--extend', 'repeat', ...args, '--out', out]), out };
}

describe('carbon-sim run with the new flags', () => {
  it('--carbon-unit lb/MWh reads a WattTime file; summary.json records the unit and columns', () => {
    const r = run(['--carbon', `${DIR}/watttime-v3.csv`, '--carbon-unit', 'lb/MWh', '--format', 'json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const inputs = (JSON.parse(readFileSync(join(r.out, 'summary.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs;
    expect(inputs).toMatchObject({ carbon_unit: 'lb/MWh', carbon_time_column: null, carbon_value_column: null });
    expect((inputs.flags as Record<string, string>).carbonUnit).toBe('lb/MWh');
  });

  it('--carbon-time-column and --carbon-value-column name the columns', () => {
    const r = run(['--carbon', `${DIR}/named.csv`, '--carbon-time-column', 'Zeit', '--carbon-value-column', 'CO2 (g/kWh)']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('carbon (g CO2)');
  });

  /** [arguments, the message after "carbon-sim: error: "] */
  const BAD: [string[], string][] = [
    [
      ['--carbon', `${DIR}/named.csv`],
      `${DIR}/named.csv:1: no time column recognised among the columns found: "Zeit", "Region", "CO2 (g/kWh)" (name it with --carbon-time-column; ` +
        "recognised: Electricity Maps, Let's Wait Awhile, WattTime or UK Carbon Intensity exports, or timestamp,value)",
    ],
    [
      ['--carbon', `${DIR}/named.csv`, '--carbon-time-column', 'Zeit'],
      `${DIR}/named.csv:1: no intensity column recognised among the columns found: "Zeit", "Region", "CO2 (g/kWh)" (name it with --carbon-value-column; ` +
        "recognised: Electricity Maps, Let's Wait Awhile, WattTime or UK Carbon Intensity exports, or timestamp,value)",
    ],
    [
      ['--carbon', `${DIR}/named.csv`, '--carbon-time-column', 'time', '--carbon-value-column', 'CO2 (g/kWh)'],
      `${DIR}/named.csv:1 (field "time"): no column "time" (--carbon-time-column) among the columns found: "Zeit", "Region", "CO2 (g/kWh)"`,
    ],
    [['--carbon', `${DIR}/ambiguous.csv`], `${DIR}/ambiguous.csv:1: "value", "intensity" could each be the intensity: choose with --carbon-value-column`],
    [
      ['--carbon', `${DIR}/watttime-v3.csv`],
      `${DIR}/watttime-v3.csv:1 (field "value"): WattTime values (column "value") are in lb/MWh, not g/kWh: read them with --carbon-unit lb/MWh`,
    ],
    [
      ['--carbon', `${DIR}/kg-per-kwh.csv`],
      `${DIR}/kg-per-kwh.csv:1 (field "carbon_intensity (kgCO2/kWh)"): column "carbon_intensity (kgCO2/kWh)" is in kgCO2/kWh, not g/kWh: read it with --carbon-unit kg/kWh`,
    ],
    [
      ['--carbon', `${DIR}/kg-per-kwh.csv`, '--carbon-unit', 'lb/MWh'],
      `${DIR}/kg-per-kwh.csv:1 (field "carbon_intensity (kgCO2/kWh)"): column "carbon_intensity (kgCO2/kWh)" is in kgCO2/kWh, not lb/MWh: --carbon-unit lb/MWh disagrees with the header`,
    ],
    [['--carbon', `${DIR}/uk-carbon-intensity.csv`, '--carbon-column', 'lca'], `${DIR}/uk-carbon-intensity.csv:1 (field "lca"): this file has no lca intensity column`],
    // kg/kWh read as g/kWh would be 1,000 times too small; the other way round the range check speaks
    [
      ['--carbon', `${DIR}/plain.csv`, '--carbon-unit', 'kg/kWh'],
      `${DIR}/plain.csv:2 (field "Value"): intensity 200 kg/kWh (200000 gCO2/kWh) is above 5000: is it in another unit (gCO2/MWh)?`,
    ],
  ];
  for (const [args, message] of BAD) {
    it(`${args.slice(1).join(' ')}: one line, exit 2, no files`, () => {
      const r = run(args);
      expect(r.stderr).toBe(`carbon-sim: error: ${message}\n`);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(existsSync(r.out)).toBe(false);
    });
  }

  it('an unknown --carbon-unit is refused by the flag parser', () => {
    const r = run(['--carbon', `${DIR}/plain.csv`, '--carbon-unit', 'g/MWh']);
    expect(r.stderr).toBe("error: option '--carbon-unit <unit>' argument 'g/MWh' is invalid. Allowed choices are g/kWh, kg/kWh, lb/MWh.\n");
    expect(r.code).toBe(2);
    expect(existsSync(r.out)).toBe(false);
  });
});
