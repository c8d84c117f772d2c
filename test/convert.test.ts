// Writers and `carbon-sim convert`: each writer is the inverse of its reader (fast-check round
// trips), exact output for a small SWF log, what a format cannot hold is an error, and a converted
// sample log simulates exactly like the original.
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { constantProfile, mlProfile, type MlParameters } from '../src/model/jobs.js';
import { compileProfile, type PowerProfile } from '../src/model/profile.js';
import type { LiteralValue } from '../src/io/literal.js';
import { parseLiteral } from '../src/io/literal.js';
import { parseWorkloadBytes, phasesFromArgs, type JobSpec, type TimeUnit } from '../src/io/trace.js';
import { gaiaCsv, pythonLiteral, swfLog, typedTrace } from '../src/io/writers.js';
import { cli, sharedData } from './helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'carbon-sim-convert-'));

/** What a job is, independent of the file it came from. */
function essence(s: JobSpec) {
  return {
    id: s.id,
    type: s.type,
    arrival: s.arrival,
    cpus: s.cpus,
    startup: s.profile.startup,
    work: s.profile.work,
    deadline: s.deadline,
    maxWait: s.maxWait,
  };
}

const reread = (text: string, options: { timeUnit?: TimeUnit; wattsPerCpu?: number } = {}): JobSpec[] =>
  parseWorkloadBytes(Buffer.from(text), { file: 'written', ...options }).specs;

// Arbitrary jobs as a reader would produce them.
const seconds = fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 1e7, noNaN: true }));
const positiveSeconds = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0.001, max: 1e6, noNaN: true }));
const idText = fc.oneof(fc.constantFrom('job|1', 'a,b', 'say "hi"', "it's"), fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() === s && s !== ''));

interface ConstantRecord {
  arrival: number;
  length: number;
  cpus: number;
  /** undefined: cpus x watts-per-cpu */
  power: number | undefined;
  deadline?: number;
  maxWait?: number;
}
const constantRecord = fc.record(
  {
    arrival: seconds,
    length: positiveSeconds,
    cpus: fc.integer({ min: 1, max: 4096 }),
    power: fc.option(fc.double({ min: 0, max: 1e5, noNaN: true }), { nil: undefined }),
    deadline: seconds,
    maxWait: seconds,
  },
  { requiredKeys: ['arrival', 'length', 'cpus', 'power'] },
);

function constantSpec(r: ConstantRecord, i: number, id: string, wattsPerCpu: number): JobSpec {
  const spec: JobSpec = {
    id,
    type: 'constant',
    arrival: r.arrival,
    cpus: r.cpus,
    profile: compileProfile(constantProfile(r.length, r.power ?? r.cpus * wattsPerCpu)),
    line: i + 2,
  };
  // a deadline is never before its arrival (readers refuse that): drawn as an offset from it
  if (r.deadline !== undefined && r.maxWait === undefined) spec.deadline = r.arrival + r.deadline;
  if (r.maxWait !== undefined && r.deadline === undefined) spec.maxWait = r.maxWait;
  return spec;
}

const ids = (n: number, custom: string[] | undefined): string[] => Array.from({ length: n }, (_, i) => (custom ? `${custom[i % custom.length]}#${i}` : String(i)));

describe('GAIA CSV writer round trip', () => {
  it('reading what gaiaCsv wrote gives the same jobs (seconds, any watts-per-cpu)', () => {
    fc.assert(
      fc.property(
        fc.array(constantRecord, { minLength: 1, maxLength: 20 }),
        fc.option(fc.array(idText, { minLength: 1, maxLength: 5 }), { nil: undefined }),
        fc.constantFrom(1, 2.5, 250),
        (records, custom, w) => {
          const names = ids(records.length, custom);
          const specs = records.map((r, i) => constantSpec(r, i, names[i]!, w));
          const back = reread(gaiaCsv(specs, { wattsPerCpu: w }), { wattsPerCpu: w });
          expect(back.map(essence)).toEqual(specs.map(essence));
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('writes only the columns the jobs need: no id for row-number ids, no power when it is cpus x W', () => {
    const specs = [constantSpec({ arrival: 0, length: 3600, cpus: 4, power: undefined }, 0, '0', 1)];
    expect(gaiaCsv(specs)).toBe('arrival_time,length,cpus\n0,3600,4\n');
    expect(gaiaCsv(specs, { timeUnit: 'h' })).toBe('arrival_time,length,cpus\n0,1,4\n');
    const custom = [constantSpec({ arrival: 60, length: 90, cpus: 2, power: 300, deadline: 7140 }, 0, 'x', 1)];
    expect(gaiaCsv(custom)).toBe('arrival_time,length,cpus,power,deadline,id\n60,90,2,300,7200,x\n');
  });

  it('hours: written / 3600 and read back x 3600 agree to rounding', () => {
    const specs = [constantSpec({ arrival: 2077, length: 91468.99999999999, cpus: 1, power: undefined }, 0, '0', 1)];
    const back = reread(gaiaCsv(specs, { timeUnit: 'h' }), { timeUnit: 'h' });
    expect(back[0]!.arrival).toBeCloseTo(2077, 9);
    expect(back[0]!.profile.durationS).toBeCloseTo(91469, 9);
  });
});

// Typed traces: every job type, args re-written as Python literals.
const phase = fc.record({
  name: fc.oneof(fc.constantFrom('Work', "it's", 'a|b', 'say "x"', 'back\\slash', 'line\nbreak'), fc.string({ maxLength: 6 })),
  duration: fc.double({ min: 0.5, max: 1e4, noNaN: true }),
  power: fc.double({ min: 0, max: 1e3, noNaN: true }),
  is_checkpoint: fc.option(fc.boolean(), { nil: undefined }),
});
type PhaseArgs = { name: string; duration: number; power: number; is_checkpoint?: boolean | undefined };
const plainPhase = (p: PhaseArgs): LiteralValue => {
  const o: Record<string, LiteralValue> = { name: p.name, duration: p.duration, power: p.power };
  if (p.is_checkpoint !== undefined) o.is_checkpoint = p.is_checkpoint;
  return o;
};
const mlParams = fc.record({
  start_duration: fc.integer({ min: 0, max: 100 }),
  start_power: fc.integer({ min: 0, max: 300 }),
  training_duration: fc.integer({ min: 1, max: 1000 }),
  training_power: fc.double({ min: 0, max: 400, noNaN: true }),
  evaluate_duration: fc.integer({ min: 0, max: 100 }),
  evaluate_power: fc.integer({ min: 0, max: 300 }),
  save_duration: fc.integer({ min: 0, max: 100 }),
  save_power: fc.integer({ min: 0, max: 300 }),
  epochs: fc.integer({ min: 1, max: 5 }),
});

type TypedJob =
  | { kind: 'constant'; r: ConstantRecord }
  | { kind: 'phases'; p: { arrival: number; startup: PhaseArgs[]; work: PhaseArgs[]; mocked: boolean } }
  | { kind: 'ml'; m: { arrival: number; ml: MlParameters } };
const typedJob: fc.Arbitrary<TypedJob> = fc.oneof(
  constantRecord.map((r) => ({ kind: 'constant' as const, r })),
  fc.record({ arrival: seconds, startup: fc.array(phase, { maxLength: 2 }), work: fc.array(phase, { minLength: 1, maxLength: 4 }), mocked: fc.boolean() }).map((p) => ({ kind: 'phases' as const, p })),
  fc.record({ arrival: seconds, ml: mlParams }).map((m) => ({ kind: 'ml' as const, m })),
);

function typedSpec(job: TypedJob, i: number, id: string): JobSpec {
  if (job.kind === 'constant') return constantSpec(job.r, i, id, 1);
  if (job.kind === 'ml') {
    const args = { ...job.m.ml } as unknown as LiteralValue;
    return { id, type: 'ml', arrival: job.m.arrival, cpus: 1, profile: compileProfile(mlProfile(job.m.ml)), line: i + 2, args };
  }
  const args: LiteralValue = job.p.startup.length ? { startup: job.p.startup.map(plainPhase), work: job.p.work.map(plainPhase) } : job.p.work.map(plainPhase);
  const phased: PowerProfile = phasesFromArgs(args);
  const profile = job.p.mocked
    ? (() => {
        const c = compileProfile(phased);
        return compileProfile(constantProfile(c.durationS, c.energyJ / c.durationS));
      })()
    : compileProfile(phased);
  return { id, type: job.p.mocked ? 'mocked-constant-from-phases' : 'phases', arrival: job.p.arrival, cpus: 1, profile, line: i + 2, args };
}

describe('typed | writer round trip', () => {
  it('reading what typedTrace wrote gives the same jobs of every type', () => {
    fc.assert(
      fc.property(fc.array(typedJob, { minLength: 1, maxLength: 8 }), fc.option(fc.array(idText, { minLength: 1, maxLength: 3 }), { nil: undefined }), (jobs, custom) => {
        const names = ids(jobs.length, custom);
        const specs = jobs.map((j, i) => typedSpec(j, i, names[i]!));
        const back = reread(typedTrace(specs));
        expect(back.map(essence)).toEqual(specs.map(essence));
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it('pythonLiteral is read back by parseLiteral as the same data', () => {
    const data: LiteralValue = { a: [1, -2.5e-7, 'x\'y"z\\', null, true, false], 'key|b': { c: [] }, n: 1e21 };
    expect(pythonLiteral(data)).toBe(`{'a': [1, -2.5e-7, 'x\\'y"z\\\\', None, True, False], 'key|b': {'c': []}, 'n': 1e+21}`);
    expect(parseLiteral(pythonLiteral(data))).toEqual(data);
  });
});

describe('SWF writer round trip', () => {
  it('reading what swfLog wrote gives the same jobs (constant, power = cpus x W)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ arrival: seconds, length: positiveSeconds, cpus: fc.integer({ min: 1, max: 4096 }) }), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.constantFrom(1, 12.5),
        (records, numbered, w) => {
          const specs = records.map((r, i) => constantSpec({ ...r, power: undefined }, i, numbered ? String(i + 1) : String(i), w));
          const back = reread(swfLog(specs, { wattsPerCpu: w }), { wattsPerCpu: w });
          // ids 0..n-1 are not SWF job numbers: they become 1..n (and the header says so)
          const expected = specs.map((s, i) => ({ ...essence(s), id: String(i + 1) }));
          expect(back.map(essence)).toEqual(expected);
        },
      ),
      { numRuns: 150, seed: 13 },
    );
  });
});

describe('`carbon-sim convert` on the small SWF log', () => {
  it('to GAIA CSV: the four jobs with their job numbers as ids', () => {
    const out = join(tmp(), 'small.csv');
    const r = cli(['convert', 'test/fixtures/swf/small.swf', out, '--to', 'gaia']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`converted 4 jobs: swf -> gaia (${out})\n`);
    expect(readFileSync(out, 'utf8')).toBe('arrival_time,length,cpus,id\n0,3600,4,1\n60,1800,8,2\n120,90,16,3\n86400,7200,2,4\n');
  });

  it('to SWF (told by the .swf.gz name), gzip-compressed: job number, submit, run time and processors; the rest -1', () => {
    const out = join(tmp(), 'small.swf.gz');
    const r = cli(['convert', 'test/fixtures/swf/small.swf', out, '--watts-per-cpu', '20']);
    expect(r.code).toBe(0);
    expect(gunzipSync(readFileSync(out)).toString('utf8')).toBe(
      [
        '; Version: 2.2',
        '; Conversion: carbon-sim convert',
        '; Note: power = processors x 20 W (--watts-per-cpu); fields carbon-sim does not model are -1',
        '1 0 -1 3600 4 -1 -1 4 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1',
        '2 60 -1 1800 8 -1 -1 8 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1',
        '3 120 -1 90 16 -1 -1 16 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1',
        '4 86400 -1 7200 2 -1 -1 2 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1',
        '',
      ].join('\n'),
    );
  });

  it('to typed, in hours', () => {
    const out = join(tmp(), 'small.psv');
    expect(cli(['convert', 'test/fixtures/swf/small.swf', out, '--to', 'typed', '--out-time-unit', 'h']).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      'id|arrival_time|length|cpus|name|args\n1|0|1|4|constant|\n2|0.016666666666666666|0.5|8|constant|\n3|0.03333333333333333|0.025|16|constant|\n4|24|2|2|constant|\n',
    );
  });
});

describe('`carbon-sim convert` refuses what it cannot write, leaving no file', () => {
  const dir = tmp();
  const phased = join(dir, 'phased.psv');
  writeFileSync(phased, "id|arrival_time|length|cpus|name|args\nr|0|60|1|phases|[{'name': 'Work', 'duration': 60, 'power': 100}]\n");
  const withDeadline = join(dir, 'deadline.csv');
  writeFileSync(withDeadline, 'arrival_time,length,cpus,deadline\n0,60,1,3600\n');
  it.each([
    [[phased, join(dir, 'a.csv'), '--to', 'gaia'], `carbon-sim: error: ${phased}:2 (field "name"): job "r": GAIA CSV holds constant jobs only, not "phases" (convert --to typed)\n`],
    [[phased, join(dir, 'a.swf')], `carbon-sim: error: ${phased}:2 (field "name"): job "r": SWF holds constant jobs only, not "phases" (convert --to typed)\n`],
    [[withDeadline, join(dir, 'b.swf')], `carbon-sim: error: ${withDeadline}:2 (field "deadline"): job "0": SWF has no deadline field\n`],
    [[withDeadline, join(dir, 'c.csv')], 'carbon-sim: error: field "to": cannot tell the output format from "c.csv": give --to gaia|typed|swf\n'],
    [[withDeadline, withDeadline, '--to', 'gaia'], `carbon-sim: error: ${withDeadline} (field "out"): the output would overwrite the input\n`],
    [['test/fixtures/swf/small.swf', join(dir, 'd.swf'), '--out-time-unit', 'h'], 'carbon-sim: error: field "out-time-unit": SWF times are seconds by definition\n'],
    [['test/fixtures/swf/incomplete.swf', join(dir, 'e.csv'), '--to', 'gaia'], 'carbon-sim: error: test/fixtures/swf/incomplete.swf:4 (field "submit_time"): submit time is missing (-1); --skip-incomplete skips such jobs and reports how many\n'],
  ])('convert %j', (args, message) => {
    const before = readdirSync(dir).sort();
    const r = cli(['convert', ...args]);
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('--skip-incomplete converts the complete records and says how many were left out', () => {
    const out = join(dir, 'complete.csv');
    const r = cli(['convert', 'test/fixtures/swf/incomplete.swf', out, '--to', 'gaia', '--skip-incomplete']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `converted 2 jobs: swf -> gaia (${out}); 4 incomplete SWF jobs skipped: 1 without submit time, 1 without run time, 1 with zero run time, 1 without processors\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe('arrival_time,length,cpus,id\n0,3600,4,1\n120,1800,2,6\n');
  });
});

describe('a converted log simulates exactly like the original', () => {
  const kth = sharedData('workloads/swf/KTH-SP2-1996-2.1-cln.swf.gz');
  it.skipIf(kth.skip)(`KTH-SP2 SWF -> typed | trace: identical JSON output under waitawhile${kth.skip ? ` (skipped: ${kth.skip})` : ''}`, () => {
    const out = join(tmp(), 'kth.psv');
    expect(cli(['convert', kth.path, out, '--to', 'typed']).code).toBe(0);
    const run = (workload: string) => cli(['run', workload, '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--max-wait', '6hx24h', '--format', 'json']);
    const a = run(kth.path);
    const b = run(out);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).summary.jobs).toBe(27_992);
    expect(b.stdout).toBe(a.stdout);
  });

  it('GAIA pai_1k -> SWF -> GAIA: same jobs as reading it directly', () => {
    const dir = tmp();
    expect(cli(['convert', 'traces/workloads/pai_1k.csv', join(dir, 'pai.swf')]).code).toBe(0);
    expect(cli(['convert', join(dir, 'pai.swf'), join(dir, 'pai.csv'), '--to', 'gaia']).code).toBe(0);
    const direct = parseWorkloadBytes(readFileSync('traces/workloads/pai_1k.csv')).specs;
    const twice = parseWorkloadBytes(readFileSync(join(dir, 'pai.csv'))).specs;
    expect(twice.length).toBe(1000);
    // SWF numbers jobs 1..n where the CSV had row numbers 0..n-1
    expect(twice.map(essence)).toEqual(direct.map((s, i) => ({ ...essence(s), id: String(i + 1) })));
    expect(existsSync(join(dir, 'pai.csv'))).toBe(true);
  });
});
