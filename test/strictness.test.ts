// Input strictness (issue 14, item 5): every reader refuses hex, binary and octal numbers; a deadline
// before its arrival is an error; no message echoes more than about 80 characters of a value; gzip
// is inflated with a size limit (a small bomb costs little memory); one off-grid carbon stamp is
// blamed on its own line and rows out of order are reported as out of order; typed traces take
// JSON args. Each bad input: one exact line on stderr, exit code 2, no output files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const CLI = join(ROOT, 'dist', 'cli.js');
const DE = join(ROOT, 'traces/carbon/DE-2023.csv');

/** Run the CLI in a fresh folder holding `files`; `--out` points into it. */
function run(
  files: Record<string, string | Buffer>,
  args: string[],
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string; outExists: boolean; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-strict-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const r = spawnSync(process.execPath, [CLI, 'run', ...args, '--out', 'out'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, outExists: existsSync(join(dir, 'out')), dir };
}

function expectBad(r: ReturnType<typeof run>, message: string): void {
  expect(r.stderr).toBe(`carbon-sim: error: ${message}\n`);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.outExists).toBe(false);
}

const GAIA = 'arrival_time,length,cpus,power,deadline';

describe('numbers: decimals only, in every reader (Number() would read 0x64, 0b1100100 and 0o144 as 100)', () => {
  const cases: [string, string, string][] = [
    ['length 0x64', `${GAIA}\n0,0x64,1,,\n`, 'jobs.csv:2 (field "length"): "0x64" is not a number'],
    ['arrival 0b1100100', `${GAIA}\n0b1100100,3600,1,,\n`, 'jobs.csv:2 (field "arrival_time"): "0b1100100" is not a number'],
    ['cpus 0o144', `${GAIA}\n0,3600,0o144,,\n`, 'jobs.csv:2 (field "cpus"): "0o144" is not a number'],
    ['power 0X10', `${GAIA}\n0,3600,1,0X10,\n`, 'jobs.csv:2 (field "power"): "0X10" is not a number'],
    ['deadline Infinity', `${GAIA}\n0,3600,1,,Infinity\n`, 'jobs.csv:2 (field "deadline"): "Infinity" is not a number'],
    ['1_000', `${GAIA}\n0,1_000,1,,\n`, 'jobs.csv:2 (field "length"): "1_000" is not a number'],
  ];
  it.each(cases)('GAIA CSV, %s', (_name, text, message) => expectBad(run({ 'jobs.csv': text }, ['jobs.csv', '--carbon', DE]), message));

  it('typed | trace, arrival 0x10', () => {
    const text = "id|arrival_time|length|cpus|name|args\na|0x10|3600|1|constant|\n";
    expectBad(run({ 'jobs.psv': text }, ['jobs.psv', '--carbon', DE]), 'jobs.psv:2 (field "arrival_time"): "0x10" is not a number');
  });

  it('SWF and carbon files refuse them too', () => {
    const swf = '1 0x10 -1 3600 1 -1 -1 -1 -1 -1 1 -1 -1 -1 -1 -1 -1 -1\n';
    expectBad(run({ 'log.swf': swf }, ['log.swf', '--carbon', DE]), 'log.swf:1 (field "submit_time"): "0x10" is not a number');
    const carbon = 'timestamp,value\n2023-01-01 00:00,0b11\n2023-01-01 01:00,5\n';
    expectBad(run({ 'ci.csv': carbon }, [join(ROOT, 'traces/workloads/pai_1k.csv'), '--carbon', 'ci.csv']), 'ci.csv:2 (field "value"): "0b11" is not a number');
  });

  it('plain decimals still read: +5, 5., .5, 1e3, -0', () => {
    const r = run({ 'jobs.csv': 'arrival_time,length,cpus\n-0,1e3,+5\n.5,5.,1\n' }, ['jobs.csv', '--carbon', DE, '--format', 'json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
  });
});

describe('a deadline before its arrival is an error naming the line', () => {
  it('GAIA CSV', () => {
    const r = run({ 'jobs.csv': 'arrival_time,length,cpus,deadline\n0,3600,1,7200\n7200,3600,1,3600\n' }, ['jobs.csv', '--carbon', DE]);
    expectBad(r, 'jobs.csv:3 (field "deadline"): deadline 3600 is before arrival_time 7200');
  });

  it('in hours (--time-unit h), in the file\'s unit', () => {
    const r = run({ 'jobs.csv': 'arrival_time,length,cpus,deadline\n2,1,1,1.5\n' }, ['jobs.csv', '--carbon', DE, '--time-unit', 'h']);
    expectBad(r, 'jobs.csv:2 (field "deadline"): deadline 1.5 is before arrival_time 2');
  });
});

describe('an error echoes at most about 80 characters of a value', () => {
  const long = (c: string): string => c.repeat(5000);
  const clipped = (c: string): string => `"${c.repeat(77)}..." (5000 characters)`;
  const cases: [string, Record<string, string>, string[], string][] = [
    ['a GAIA cell', { 'w.csv': `arrival_time,length,cpus\n0,${long('x')},1\n` }, ['w.csv', '--carbon', DE], `w.csv:2 (field "length"): ${clipped('x')} is not a number`],
    ['a 5000-digit number', { 'w.csv': `arrival_time,length,cpus\n0,${long('9')},1\n` }, ['w.csv', '--carbon', DE], `w.csv:2 (field "length"): ${'9'.repeat(77)}... is not finite`],
    [
      'a column name (message and field)',
      { 'w.csv': `arrival_time,length,${long('c')}\n0,1,1\n` },
      ['w.csv', '--carbon', DE],
      `w.csv:1 (field "${'c'.repeat(77)}..."): unknown column ${clipped('c')} (known: arrival_time, length, cpus, name, args, id, power, deadline, max_wait, status; delimiter ",")`,
    ],
    [
      'a job type',
      { 'w.psv': `id|arrival_time|length|cpus|name|args\na|0|10|1|${long('q')}|\n` },
      ['w.psv', '--carbon', DE],
      `w.psv:2 (field "name"): unknown job type ${clipped('q')} (known: constant, mocked-constant-from-phases, phases, ml)`,
    ],
    [
      'args that are a long identifier',
      { 'w.psv': `id|arrival_time|length|cpus|name|args\na|0|10|1|phases|${long('z')}\n` },
      ['w.psv', '--carbon', DE],
      `w.psv:2 (field "args"): args is not a data literal: ${clipped('z')} is not data (only literals are accepted, nothing is evaluated) at character 1 near "${'z'.repeat(20)}"`,
    ],
    [
      'a duplicate id',
      { 'w.csv': `id,arrival_time,length,cpus\n${long('i')},0,1,1\n${long('i')},0,1,1\n` },
      ['w.csv', '--carbon', DE],
      `w.csv:3 (field "id"): duplicate job id ${clipped('i')}`,
    ],
    ['an SWF field', { 'w.swf': `1 ${long('7')}x -1 3600 1 -1 -1 -1 -1 -1 1 -1 -1 -1 -1 -1 -1 -1\n` }, ['w.swf', '--carbon', DE], `w.swf:1 (field "submit_time"): "${'7'.repeat(77)}..." (5001 characters) is not a number`],
    [
      'a carbon value',
      { 'c.csv': `timestamp,value\n2023-01-01 00:00,${long('v')}\n2023-01-01 01:00,1\n` },
      [join(ROOT, 'traces/workloads/pai_1k.csv'), '--carbon', 'c.csv'],
      `c.csv:2 (field "value"): ${clipped('v')} is not a number`,
    ],
    [
      'a carbon timestamp',
      { 'c.csv': `timestamp,value\n${long('t')},1\n2023-01-01 01:00,1\n` },
      [join(ROOT, 'traces/workloads/pai_1k.csv'), '--carbon', 'c.csv'],
      `c.csv:2 (field "timestamp"): ${clipped('t')} is not a timestamp (YYYY-MM-DD HH:MM[:SS][Z|±HH:MM])`,
    ],
  ];
  it.each(cases)('%s', (_name, files, args, message) => {
    const r = run(files, args);
    expectBad(r, message);
    expect(r.stderr.length).toBeLessThan(400);
  });
});

/** `n` gzip members of `member` bytes each, concatenated: gunzip reads them as one stream. */
function bomb(member: Buffer, n: number): Buffer {
  const one = gzipSync(member, { level: 9 });
  return Buffer.concat(Array.from({ length: n }, () => one));
}

/** Peak resident memory (MB) of a node process that reads `path` as a workload. */
function peakMb(path: string, env: Record<string, string>): { mb: number; error: string } {
  const script = `import(${JSON.stringify(join(ROOT, 'dist/index.js'))}).then((m) => {
    let error = '';
    try { m.readWorkloadFile(${JSON.stringify(path)}); } catch (e) { error = e.oneLine ? e.oneLine() : String(e); }
    console.log(JSON.stringify({ mb: process.resourceUsage().maxRSS / 1024, error }));
  });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  return JSON.parse(r.stdout) as { mb: number; error: string };
}

describe('gzip is inflated with a size limit (CARBON_SIM_MAX_INPUT, default 256 MiB)', () => {
  const text = Buffer.from('arrival_time,length,cpus\n' + '0,3600,1\n'.repeat(300 * 1024 / 9)); // 300 KiB of rows
  // a small carbon file: the limit holds for every input
  const ci = ['timestamp,value', ...Array.from({ length: 30 }, (_, h) => `${new Date(Date.UTC(2023, 0, 1, h)).toISOString()},100`)].join('\n');

  it('text that unpacks past the limit: one line, exit 2', () => {
    const r = run({ 'jobs.csv.gz': gzipSync(text), 'ci.csv': ci }, ['jobs.csv.gz', '--carbon', 'ci.csv'], { CARBON_SIM_MAX_INPUT: '256K' });
    expectBad(r, 'jobs.csv.gz: the gzip data unpacks to more than the input limit of 256 KiB (raise it with CARBON_SIM_MAX_INPUT=1G, say)');
    expect(run({ 'jobs.csv.gz': gzipSync(text), 'ci.csv': ci }, ['jobs.csv.gz', '--carbon', 'ci.csv', '--format', 'csv'], { CARBON_SIM_MAX_INPUT: '1M' }).code).toBe(0);
  });

  it('a plain file past the limit, and a bad limit', () => {
    expectBad(run({ 'jobs.csv': text, 'ci.csv': ci }, ['jobs.csv', '--carbon', 'ci.csv'], { CARBON_SIM_MAX_INPUT: '256K' }), `jobs.csv: the file is ${text.length} bytes, more than the input limit of 256 KiB (raise it with CARBON_SIM_MAX_INPUT=1G, say)`);
    expectBad(run({ 'jobs.csv': text }, ['jobs.csv', '--carbon', DE], { CARBON_SIM_MAX_INPUT: 'lots' }), 'field "CARBON_SIM_MAX_INPUT": "lots" is not a size (bytes, or a whole number with K, M or G)');
  });

  it('a 1 GiB bomb of zeros (1 MB of gzip) is binary at once; /dev/zero as a carbon file too', () => {
    const r = run({ 'zeros.csv.gz': bomb(Buffer.alloc(64 * 1024 * 1024), 16) }, ['zeros.csv.gz', '--carbon', DE]);
    expectBad(r, 'zeros.csv.gz:1: binary data (a NUL byte at offset 0): expected a text workload trace');
    expectBad(run({}, [join(ROOT, 'traces/workloads/pai_1k.csv'), '--carbon', '/dev/zero']), '/dev/zero:1: binary data (a NUL byte at offset 0): expected a CSV text file');
  });

  it('memory stays near the limit: a 1 GiB text bomb with a 16 MiB limit peaks under 200 MB', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-bomb-'));
    const path = join(dir, 'rows.csv.gz');
    writeFileSync(path, bomb(Buffer.from('0,3600,1\n'.repeat((64 * 1024 * 1024) / 9)), 16));
    const { mb, error } = peakMb(path, { CARBON_SIM_MAX_INPUT: '16M' });
    expect(error).toBe(`${path}: the gzip data unpacks to more than the input limit of 16 MiB (raise it with CARBON_SIM_MAX_INPUT=1G, say)`);
    expect(mb).toBeLessThan(200);
  });
});

const HEADER = 'Datetime (UTC),Carbon Intensity gCO₂eq/kWh (direct)';
const hour = (h: number, m = 0): string => `2023-01-01 ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00,${100 + h}`;
const PAI = join(ROOT, 'traces/workloads/pai_1k.csv');

describe('carbon rows: a stray stamp blames its own line; rows out of order are reported as out of order', () => {
  it('one stamp at 05:10 in an hourly file is off the hourly grid, on its line', () => {
    const rows = [HEADER, ...Array.from({ length: 24 }, (_, h) => hour(h))];
    rows.splice(7, 0, hour(5, 10)); // after 05:00 (line 7), so on line 8
    const r = run({ 'ci.csv': rows.join('\n') + '\n' }, [PAI, '--carbon', 'ci.csv']);
    expectBad(
      r,
      'ci.csv:8 (field "Datetime (UTC)"): timestamp 2023-01-01T05:10:00.000Z is off the grid from 2023-01-01T00:00:00.000Z ' +
        "(the trace's resolution is its most common step, 1h, first ending on line 3)",
    );
  });

  it('a row that a later row should precede: the later row is out of order, not the gap it leaves', () => {
    const rows = [HEADER, hour(0), hour(1), hour(3), hour(2), hour(4), hour(5)];
    const r = run({ 'ci.csv': rows.join('\n') + '\n' }, [PAI, '--carbon', 'ci.csv']);
    expectBad(
      r,
      'ci.csv:5 (field "Datetime (UTC)"): timestamp 2023-01-01T02:00:00.000Z is out of order: it belongs between 2023-01-01T01:00:00.000Z on line 3 ' +
        'and 2023-01-01T03:00:00.000Z on line 4; use --fill hold|linear to sort the rows',
    );
  });

  it('a row far back in time: goes back before the row above it', () => {
    const rows = [HEADER, hour(0), hour(1), hour(2), hour(0, 0).replace('100', '99'), hour(3)];
    const r = run({ 'ci.csv': rows.join('\n') + '\n' }, [PAI, '--carbon', 'ci.csv']);
    expectBad(
      r,
      'ci.csv:5 (field "Datetime (UTC)"): timestamp 2023-01-01T00:00:00.000Z goes back before 2023-01-01T02:00:00.000Z on line 4; use --fill hold|linear to sort the rows',
    );
  });
});

describe('typed | traces take JSON args (double quotes) as documented', () => {
  const json = 'a|0|65|1|phases|{"startup": [{"name": "Start", "duration": 5, "power": 60}], "work": [{"name": "Train", "duration": 60, "power": 200, "is_checkpoint": true}]}';
  const python = "a|0|65|1|phases|{'startup': [{'name': 'Start', 'duration': 5, 'power': 60}], 'work': [{'name': 'Train', 'duration': 60, 'power': 200, 'is_checkpoint': True}]}";
  const head = 'id|arrival_time|length|cpus|name|args\n';

  it('reads like the Python literal: the same jobs and summary', () => {
    const a = run({ 'j.psv': head + json + '\n' }, ['j.psv', '--carbon', DE, '--format', 'json']);
    const b = run({ 'j.psv': head + python + '\n' }, ['j.psv', '--carbon', DE, '--format', 'json']);
    expect(a.stderr).not.toMatch(/error/);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect((JSON.parse(a.stdout) as { summary: { energy_kwh: number } }).summary.energy_kwh).toBeCloseTo((5 * 60 + 60 * 200) / 3.6e6, 15);
  });

  it('a field that opens with a quote is still a quoted field: unterminated, it is an error', () => {
    const r = run({ 'j.psv': head + 'a|0|3600|1|constant|"{\'power\': 5}\n' }, ['j.psv', '--carbon', DE]);
    expectBad(r, 'j.psv:2: Quote Not Closed: the parsing is finished with an opening quote at line 2');
  });
});
