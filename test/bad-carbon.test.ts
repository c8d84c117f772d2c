// Bad carbon input: every file in test/fixtures/bad/carbon/ (and every bad carbon option) ends the
// CLI with one exact line on stderr, exit code 2 and no output files.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const DIR = 'test/fixtures/bad/carbon';
const WORKLOAD = 'traces/workloads/pai_1k.csv';
const DIRECT = 'field "Carbon Intensity gCO₂eq/kWh (direct)"';
const TIME = 'field "Datetime (UTC)"';

/** file -> [extra arguments, the message after "carbon-sim: error: <file>"] */
const FILES: Record<string, [string[], string]> = {
  'empty.csv': [[], ':1: carbon file is empty (expected a header line)'],
  'header-only.csv': [[], ':1: carbon file has a header but no rows'],
  'semicolon.csv': [[], ':1: the header is one field split by ";": carbon CSVs are comma-separated'],
  'tab-separated.csv': [[], ':1: the header is one field split by tab: carbon CSVs are comma-separated'],
  'unknown-header.csv': [
    [],
    ':1: no time column recognised among the columns found: "when", "how_much" (name it with --carbon-time-column; ' +
      "recognised: Electricity Maps, Let's Wait Awhile, WattTime or UK Carbon Intensity exports, or timestamp,value)",
  ],
  'wrong-unit.csv': [
    [],
    ':1 (field "Carbon Intensity kgCO₂eq/kWh (direct)"): column "Carbon Intensity kgCO₂eq/kWh (direct)" is in kgCO₂eq/kWh, not g/kWh: read it with --carbon-unit kg/kWh',
  ],
  'per-mwh-values.csv': [[], `:2 (${DIRECT}): intensity 351000 gCO2/kWh is above 5000: is it in another unit (gCO2/MWh)?`],
  'huge.csv': [[], `:3 (${DIRECT}): intensity 1e308 gCO2/kWh is above 5000: is it in another unit (gCO2/MWh)?`],
  'infinite.csv': [[], `:3 (${DIRECT}): intensity 1e999 is not finite`],
  'negative.csv': [[], `:3 (${DIRECT}): intensity -5 is negative`],
  'nan.csv': [[], `:3 (${DIRECT}): "NaN" is not a number`],
  'hex-value.csv': [[], `:2 (${DIRECT}): "0x64" is not a number`],
  'bad-timestamp.csv': [[], `:3 (${TIME}): "2023-13-01 01:00:00" is not a timestamp (YYYY-MM-DD HH:MM[:SS][Z|±HH:MM])`],
  'column-count.csv': [[], ':3: expected 3 fields, got 2'],
  'unclosed-quote.csv': [[], ':4: Quote Not Closed: the parsing is finished with an opening quote at line 4'],
  'one-row.csv': [[], `:2 (${TIME}): a carbon trace needs at least two timestamps (its resolution is their step)`],
  'duplicate.csv': [[], `:4 (${TIME}): duplicate timestamp 2023-01-01T01:00:00.000Z (also on line 3); use --fill hold|linear to keep the first value`],
  'unsorted.csv': [
    [],
    `:5 (${TIME}): timestamp 2023-01-01T01:00:00.000Z goes back before 2023-01-01T02:00:00.000Z on line 4; use --fill hold|linear to sort the rows`,
  ],
  'gap.csv': [
    [],
    `:4 (${TIME}): gap: 2 missing values between 2023-01-01T01:00:00.000Z on line 3 and 2023-01-01T04:00:00.000Z ` +
      "(the trace's resolution is its most common step, 1h, first ending on line 3); use --fill hold|linear to fill",
  ],
  // one stray timestamp in an hourly file is off the hourly grid, on its own line
  'resolution-glitch.csv': [
    [],
    `:4 (${TIME}): timestamp 2023-01-01T01:10:00.000Z is off the grid from 2023-01-01T00:00:00.000Z ` +
      "(the trace's resolution is its most common step, 1h, first ending on line 3)",
  ],
  'off-grid.csv': [
    [],
    `:5 (${TIME}): timestamp 2023-01-01T01:10:00.000Z is off the grid from 2023-01-01T00:00:00.000Z ` +
      "(the trace's resolution is its most common step, 20m, first ending on line 3)",
  ],
  'empty-value.csv': [[], `:3 (${DIRECT}): empty carbon intensity; use --fill hold|linear to fill`],
  'leading-empty.csv': [['--fill', 'hold'], `:2 (${DIRECT}): empty carbon intensity with no earlier value to hold`],
  'trailing-empty.csv': [['--fill', 'linear'], `:4 (${DIRECT}): empty carbon intensity with no later value to interpolate to`],
  'stray-second.csv': [
    ['--fill', 'hold'],
    `:3 (${TIME}): filling would make 31536001 steps (more than 5256000): the trace's resolution is its shortest step, 1s, first ending on line 3`,
  ],
  'lwa-format.csv': [['--carbon-column', 'lca'], ':1 (field "lca"): this file has no lca intensity column'],
  'lifecycle-as-direct.csv': [[], ':2 (field "emissionFactorType"): the intensities are lifecycle values, not direct: use --carbon-column lca'],
  'mixed-factor-types.csv': [['--carbon-column', 'lca'], ':4 (field "emissionFactorType"): emission factor type "direct" differs from "lifecycle" on the rows before'],
  'latin1.csv': [[], ':3: not UTF-8 text (binary data, or another encoding: save the file as UTF-8)'],
  'binary.bin': [[], ':1: binary data (a NUL byte at offset 143): expected a CSV text file'],
  'truncated.csv.gz': [[], ': gzip data is truncated or corrupt (unexpected end of file)'],
};

/** Bad carbon options: [arguments, the message after "carbon-sim: error: "] */
const OPTIONS: [string[], string][] = [
  [['--carbon', 'XX-2023'], 'field "carbon": carbon trace "XX-2023" is neither a file nor a bundled name (bundled zones: BR, CA-ON, DE, ES, GB, NO, SG, US-CAL-CISO, US-TEX-ERCO)'],
  [['--carbon', 'DE-2020'], 'field "carbon": carbon trace "DE-2020" is neither a file nor a bundled name (bundled DE years: 2021, 2022, 2023, 2024)'],
  [['--carbon', 'DE-LU-2023'], 'field "carbon": carbon trace "DE-LU-2023" is neither a file nor a bundled name (the DE-LU zone is bundled as DE, e.g. DE-2023)'],
  [['--carbon', 'nodir/x.csv'], 'nodir/x.csv (field "carbon"): no such file'],
  [
    ['--carbon', 'DE-2023', '--start', '2022-12-31T23:00Z'],
    'field "start": --start 2022-12-31T23:00:00.000Z is outside carbon trace DE-2023 (2023-01-01T00:00:00.000Z to 2024-01-01T00:00:00.000Z)',
  ],
  [['--carbon', 'DE-2023', '--start', '2023-03-01', '--end', '2023-03-01'], 'field "end": --end 2023-03-01T00:00:00.000Z is not after --start 2023-03-01T00:00:00.000Z'],
  [['--carbon', 'DE-2023', '--end', '2024-01-02'], 'field "end": --end 2024-01-02T00:00:00.000Z is after the end of carbon trace DE-2023 (2024-01-01T00:00:00.000Z)'],
  [['--carbon', 'DE-2023', '--start', 'yesterday'], 'field "start": "yesterday" is not an ISO 8601 instant'],
  [['--carbon', 'DE-2023', '--resample', '0'], 'field "resample": resample step must be positive, got 0 s'],
  [['--carbon', 'DE-2023', '--resample', '400d'], 'field "resample": resample step 400d is longer than the carbon trace (365d)'],
  [
    ['--carbon', 'DE-2023', '--forecast', 'gaussian'],
    'field "forecast": "gaussian" is not a forecast (oracle, gaussian:E or uniform:E with E a fraction, e.g. gaussian:0.05)',
  ],
  [
    ['--carbon', 'DE-2023', '--forecast', 'uniform:-0.1'],
    'field "forecast": "uniform:-0.1" is not a forecast (oracle, gaussian:E or uniform:E with E a fraction, e.g. gaussian:0.05)',
  ],
  [['--carbon', 'DE-2023', '--repeat', '3', '--seed', 'abc'], 'field "seed": --repeat runs seeds seed..seed+N-1, so --seed must be an integer, got "abc"'],
  [['--carbon', 'DE-2023', '--repeat', '0'], 'field "repeat": "0" must be a positive integer'],
];

function runBad(args: string[]): { code: number; stdout: string; stderr: string; out: string } {
  const out = join(mkdtempSync(join(tmpdir(), 'carbon-sim-bad-')), 'out');
  return { ...cli(['run', WORKLOAD, ...args, '--out', out]), out };
}

describe('bad carbon files: one exact line, exit 2, no files written', () => {
  it('the corpus has at least 15 files and every one has a case here', () => {
    const files = readdirSync(DIR).sort();
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files).toEqual(Object.keys(FILES).sort());
  });

  for (const [file, [extra, message]] of Object.entries(FILES)) {
    it(file, () => {
      const path = `${DIR}/${file}`;
      const r = runBad(['--carbon', path, ...extra]);
      expect(r.stderr).toBe(`carbon-sim: error: ${path}${message}\n`);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(existsSync(r.out)).toBe(false);
    });
  }
});

describe('bad carbon options: one exact line, exit 2, no files written', () => {
  for (const [args, message] of OPTIONS) {
    it(args.join(' '), () => {
      const r = runBad(args);
      expect(r.stderr).toBe(`carbon-sim: error: ${message}\n`);
      expect(r.code).toBe(2);
      expect(existsSync(r.out)).toBe(false);
    });
  }
});
