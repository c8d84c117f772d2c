// SWF v2.2 reader: every field and the header of a small log, gzip, the skip rule for incomplete
// records, and the three sample logs of the Parallel Workloads Archive parsed completely.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { parseSwf, swfHeaderValue, swfJobSpecs, swfValue, SWF_FIELDS, totalSkipped } from '../src/io/swf.js';
import { parseWorkloadBytes, readWorkloadFile, toJobs } from '../src/io/trace.js';
import { maxWaitRule } from '../src/model/deadlines.js';
import { cli, ROOT, sharedData } from './helpers.js';

const SMALL = join(ROOT, 'test/fixtures/swf/small.swf');
const INCOMPLETE = join(ROOT, 'test/fixtures/swf/incomplete.swf');
const tmp = () => mkdtempSync(join(tmpdir(), 'carbon-sim-swf-'));

describe('SWF reader on a small log covering every field', () => {
  const log = parseSwf(readFileSync(SMALL, 'utf8'), { file: 'small.swf' });

  it('keeps every `;` header line as metadata, without the `;`', () => {
    expect(log.header).toHaveLength(10);
    expect(log.header[0]).toBe(' Version: 2.2');
    expect(log.header[9]).toBe('       record 4 is tab-separated');
    expect(swfHeaderValue(log, 'Version')).toBe('2.2');
    expect(swfHeaderValue(log, 'UnixStartTime')).toBe('1672531200');
    expect(swfHeaderValue(log, 'Computer')).toBe('Test cluster (64 cores)');
    expect(swfHeaderValue(log, 'Queue')).toBeUndefined();
  });

  it('reads all 18 fields of each record, in order, with -1 kept as missing', () => {
    expect(log.count).toBe(4);
    const record = (r: number) => SWF_FIELDS.map((f) => swfValue(log, r, f));
    expect(record(0)).toEqual([1, 0, 10, 3600, 4, 3500.5, 1024, 4, 7200, 2048, 1, 7, 3, 12, 1, 2, -1, -1]);
    expect(record(1)).toEqual([2, 60, -1, 1800, -1, -1, -1, 8, 3600, -1, 0, 8, 3, 13, 2, 1, 1, 30]);
    expect(record(2)).toEqual([3, 120, 5, 90, 16, 80, 512, 16, 120, 512, 5, 9, 4, 14, 1, 1, 2, 0]);
    expect(record(3)).toEqual([4, 86400, 0, 7200, 2, -1, -1, 2, -1, -1, 1, 7, 3, 12, 1, 2, -1, -1]);
  });

  it('numbers records by their line in the file (header and blank lines counted)', () => {
    expect([...log.lines]).toEqual([11, 12, 14, 15]);
  });

  it('maps job number -> id, submit -> arrival, run time -> length, processors x W/cpu -> power', () => {
    const { specs, skipped } = swfJobSpecs(log, { wattsPerCpu: 10 });
    expect(totalSkipped(skipped)).toBe(0);
    expect(specs.map((s) => [s.id, s.arrival, s.profile.durationS, s.cpus, s.profile.work[0]!.power, s.line])).toEqual([
      ['1', 0, 3600, 4, 40, 11],
      ['2', 60, 1800, 8, 80, 12], // allocated processors missing: the requested 8
      ['3', 120, 90, 16, 160, 14],
      ['4', 86400, 7200, 2, 20, 15],
    ]);
    expect(specs.every((s) => s.type === 'constant' && s.profile.startup.length === 0)).toBe(true);
    expect(specs[0]!.profile.energyJ).toBe(3600 * 40);
  });

  it('reads CRLF line ends and gzip the same as the plain file', () => {
    const text = readFileSync(SMALL, 'utf8');
    const plain = parseWorkloadBytes(Buffer.from(text), { file: 'a.swf' });
    const crlf = parseWorkloadBytes(Buffer.from(text.replace(/\n/g, '\r\n')), { file: 'b.swf' });
    const gz = parseWorkloadBytes(gzipSync(text), { file: 'c.swf.gz' });
    expect(plain.format).toBe('swf');
    for (const other of [crlf, gz]) {
      expect(other.format).toBe('swf');
      expect(other.header).toEqual(plain.header);
      expect(other.specs.map((s) => [s.id, s.arrival, s.profile.durationS, s.cpus, s.line])).toEqual(
        plain.specs.map((s) => [s.id, s.arrival, s.profile.durationS, s.cpus, s.line]),
      );
    }
  });

  it('rejects --time-unit h: SWF times are seconds by definition', () => {
    expect(() => parseWorkloadBytes(Buffer.from(readFileSync(SMALL)), { file: 'small.swf', timeUnit: 'h' })).toThrow(
      'SWF times are seconds by definition; --time-unit applies to CSV traces only',
    );
  });
});

describe('SWF records without submit time, run time or processors', () => {
  it('are an error naming the first such line, unless skipped', () => {
    let error: unknown;
    try {
      readWorkloadFile(INCOMPLETE, { file: 'incomplete.swf' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).oneLine()).toBe(
      'incomplete.swf:4 (field "submit_time"): submit time is missing (-1); --skip-incomplete skips such jobs and reports how many',
    );
  });

  it('are skipped with skipIncomplete and counted by their first missing value', () => {
    const w = readWorkloadFile(INCOMPLETE, { skipIncomplete: true });
    expect(w.specs.map((s) => s.id)).toEqual(['1', '6']);
    expect(w.skipped).toEqual({ missing_submit_time: 1, missing_run_time: 1, zero_run_time: 1, missing_processors: 1 });
  });

  it('the CLI reports the skipped count on stderr and still prints the run', () => {
    const r = cli(['run', 'test/fixtures/swf/incomplete.swf', '--carbon', 'DE-2023', '--skip-incomplete', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'carbon-sim: note: 4 incomplete SWF jobs skipped: 1 without submit time, 1 without run time, 1 with zero run time, 1 without processors\n',
    );
    expect(JSON.parse(r.stdout).summary.jobs).toBe(2);
  });

  it('all records skipped is an error, not an empty run', () => {
    const dir = tmp();
    const path = join(dir, 'none.swf');
    writeFileSync(path, '1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1\n');
    expect(() => readWorkloadFile(path, { file: 'none.swf', skipIncomplete: true })).toThrow('no jobs left: all 1 SWF records were skipped as incomplete');
  });
});

describe('SWF through `carbon-sim run`', () => {
  it('unsorted submit times are legal: jobs run in arrival order, ties in file order', () => {
    const r = cli(['run', 'test/fixtures/swf/unsorted.swf', '--carbon', 'DE-2023', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const jobs = JSON.parse(r.stdout).jobs as { id: string; arrival: number; start: number }[];
    expect(jobs.map((j) => [j.id, j.arrival, j.start])).toEqual([
      ['2', 0, 0],
      ['3', 300, 300],
      ['4', 300, 300],
      ['1', 600, 600],
    ]);
  });

  it('power = processors x --watts-per-cpu: 4 processors x 250 W for 1 h is 1 kWh', () => {
    const dir = tmp();
    const path = join(dir, 'one.swf');
    writeFileSync(path, '; Version: 2.2\n1 0 -1 3600 4 -1 -1 4 -1 -1 1 -1 -1 -1 -1 -1 -1 -1\n');
    const r = cli(['run', path, '--carbon', 'DE-2023', '--watts-per-cpu', '250', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.energy_kwh).toBeCloseTo(1, 12);
  });
});

// The three sample logs: every line parses; with --skip-incomplete, jobs + skipped = records.
const SAMPLES = [
  { name: 'KTH-SP2-1996-2.1-cln.swf.gz', records: 27_992, skipped: {} },
  { name: 'LLNL-Thunder-2007-1.1-cln.swf.gz', records: 121_039, skipped: { missing_submit_time: 1190, zero_run_time: 6236 } },
  { name: 'NASA-iPSC-1993-3.1-cln.swf.gz', records: 18_239, skipped: { zero_run_time: 173 } },
] as const;

describe.each(SAMPLES)('sample log $name', ({ name, records, skipped }) => {
  const data = sharedData(`workloads/swf/${name}`);
  it.skipIf(data.skip)(`parses all ${records} records${data.skip ? ` (skipped: ${data.skip})` : ''}`, () => {
    const log = parseSwf(gunzipSync(readFileSync(data.path)).toString('utf8'), { file: name });
    expect(log.count).toBe(records);
    expect(swfHeaderValue(log, 'Version')).toBe('2.2');
    const w = readWorkloadFile(data.path, { skipIncomplete: true });
    expect(w.format).toBe('swf');
    expect(w.skipped).toEqual({ missing_submit_time: 0, missing_run_time: 0, zero_run_time: 0, missing_processors: 0, ...skipped });
    expect(w.specs.length + totalSkipped(w.skipped)).toBe(records);
    const jobs = toJobs(w.specs, maxWaitRule(0));
    let outOfOrder = 0;
    for (let i = 1; i < jobs.length; i++) if (jobs[i]!.arrival < jobs[i - 1]!.arrival) outOfOrder++;
    expect(outOfOrder).toBe(0);
  });
});
