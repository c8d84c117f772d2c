// Workload files: format detection (SWF, GAIA CSV, typed |; plain or gzip), unsorted arrivals,
// and the GAIA 100k traces, whose times are hours.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectWorkloadFormat, parseWorkload, parseWorkloadBytes, readWorkloadFile, toJobs } from '../src/io/trace.js';
import { maxWaitRule } from '../src/model/deadlines.js';
import { cli, sharedData } from './helpers.js';

describe('format detection', () => {
  it.each([
    ['; Version: 2.2\n1 0 -1 60 1 -1 -1 1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n', 'swf'],
    ['\n\n   1 0 -1 60 1 -1 -1 1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n', 'swf'], // no header, leading blank lines
    ['-1 0 -1 60 1 -1 -1 1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n', 'swf'],
    ['arrival_time,length,cpus\n0,60,1\n', 'gaia'],
    ['\uFEFFarrival_time,length,cpus\n0,60,1\n', 'gaia'],
    ['0,60,1\n', 'gaia'], // numbers with commas: a CSV without its header (the reader says so)
    ['arrival_time|length|cpus\n0|60|1\n', 'typed'],
    ['id|arrival_time|length|cpus|name|args\nx|0|60|1|constant|\n', 'typed'],
    ['', 'gaia'],
  ])('%j -> %s', (text, format) => {
    expect(detectWorkloadFormat(text)).toBe(format);
  });

  it('gzip is accepted for every format and gives the same jobs', () => {
    for (const text of ['arrival_time,length,cpus\n0,60,2\n', 'id|arrival_time|length|cpus|name|args\nx|0|60|2|constant|\n']) {
      const plain = parseWorkloadBytes(Buffer.from(text));
      const gz = parseWorkloadBytes(gzipSync(text));
      expect(gz.format).toBe(plain.format);
      expect(gz.specs).toEqual(plain.specs);
    }
  });

  it('a header after blank lines is named by its own line', () => {
    expect(() => parseWorkload('\n\narrival,length\n0,60\n', { file: 'w.csv' })).toThrow(
      expect.objectContaining({ line: 3, field: 'arrival', code: 'unknown_column' }),
    );
  });

  it('a CSV without its header is reported as an unknown column, not guessed', () => {
    expect(() => parseWorkload('0,60,1\n', { file: 'w.csv' })).toThrow('unknown column "0"');
  });
});

describe('unsorted arrivals are legal', () => {
  it('jobs are sorted by arrival, ties keep file order', () => {
    const specs = parseWorkload('arrival_time,length,cpus,id\n600,60,1,a\n0,60,1,b\n300,60,1,c\n300,60,1,d\n0,60,1,e\n');
    expect(toJobs(specs, maxWaitRule(0)).map((j) => j.id)).toEqual(['b', 'e', 'c', 'd', 'a']);
  });

  it('the CLI runs an unsorted GAIA CSV and reports jobs in arrival order', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'carbon-sim-workload-')), 'unsorted.csv');
    writeFileSync(path, 'arrival_time,length,cpus\n7200,60,1\n0,60,1\n3600,60,1\n');
    const r = cli(['run', path, '--carbon', 'DE-2023', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).jobs.map((j: { id: string; arrival: number }) => [j.id, j.arrival])).toEqual([
      ['1', 0],
      ['2', 3600],
      ['0', 7200],
    ]);
  });
});

// GAIA's 100k traces: arrival_time and length in hours, arrivals over one year.
const GAIA = [
  { name: 'azure-100k.csv', jobs: 99_988, first: [0, 0.75 * 3600, 4], lastArrivalH: 8759.916666666666 },
  { name: 'mustang-trace-2015-100k.csv', jobs: 100_000, first: [0, 4.1625 * 3600, 128], lastArrivalH: 8755.318888888889 },
  { name: 'pai-100k.csv', jobs: 99_998, first: [0, 25.408055555555556 * 3600, 1], lastArrivalH: 8759.450277777776 },
] as const;

describe.each(GAIA)('GAIA trace $name in hours', ({ name, jobs, first, lastArrivalH }) => {
  const data = sharedData(`workloads/gaia/${name}`);
  it.skipIf(data.skip)(`reads ${jobs} jobs with --time-unit h${data.skip ? ` (skipped: ${data.skip})` : ''}`, () => {
    const w = readWorkloadFile(data.path, { timeUnit: 'h' });
    expect(w.format).toBe('gaia');
    expect(w.specs).toHaveLength(jobs);
    const s = w.specs[0]!;
    expect([s.arrival, s.profile.durationS, s.cpus]).toEqual(first);
    expect(w.specs.at(-1)!.arrival).toBe(lastArrivalH * 3600);
    expect(s.profile.work[0]!.power).toBe(s.cpus); // GAIA: 1 W per cpu
  });
});

describe('a GAIA 100k trace through `carbon-sim run`', () => {
  const data = sharedData('workloads/gaia/azure-100k.csv');
  it.skipIf(data.skip)(`azure-100k in hours over DE-2023 (repeated past its end)${data.skip ? ` (skipped: ${data.skip})` : ''}`, () => {
    const r = cli(['run', data.path, '--carbon', 'DE-2023', '--time-unit', 'h', '--extend', 'repeat', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { summary } = JSON.parse(r.stdout);
    expect(summary.jobs).toBe(99_988);
    expect(summary.completed).toBe(99_988);
    // agnostic runs every job at once: energy = sum of cpus x 1 W x length
    const expectedKWh = readFileSync(data.path, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .reduce((sum, line) => {
        const [, length, cpus] = line.split(',').map(Number);
        return sum + (length! * 3600 * cpus!) / 3.6e6;
      }, 0);
    expect(summary.energy_kwh).toBeCloseTo(expectedKWh, 6);
  });
});
