// Batsim JSON workloads: the documented mapping on a small delay workload, detection, the Batsim
// rules for walltime, res and profiles, lines of faults in the JSON text, and a run on real carbon.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../src/app/run.js';
import { InputError } from '../src/errors.js';
import { parseBatsim } from '../src/io/batsim.js';
import { detectWorkloadFormat, parseWorkloadBytes, readWorkloadFile } from '../src/io/trace.js';
import { errorOf, ROOT } from './helpers.js';

const DELAYS = join(ROOT, 'test/fixtures/batsim/delays.json');
const VARIOUS = join(ROOT, 'test/fixtures/batsim/various_profile_types.json');

/** The InputError that parsing `text` as a Batsim workload throws. */
const fault = (text: string, options = {}) => errorOf(() => parseBatsim(text, { file: 'w.json', ...options }), InputError);

/** A one-job workload (line 1: `{"nb_res"...`, line 2: the job, line 3: the profiles), with overrides. */
function oneJob(job: Record<string, unknown>, profile: unknown = { type: 'delay', delay: 60 }, nbRes: unknown = 4): string {
  const j = { id: 'a', subtime: 0, res: 1, profile: 'p', ...job };
  for (const [k, v] of Object.entries(j)) if (v === undefined) delete j[k as keyof typeof j];
  return `{"nb_res": ${JSON.stringify(nbRes)}, "jobs": [\n${JSON.stringify(j)}],\n"profiles": {"p": ${JSON.stringify(profile)}}}\n`;
}

describe('Batsim reader on a delay workload', () => {
  const text = readFileSync(DELAYS, 'utf8');

  it('maps id, subtime, res, walltime and the delay profile to constant jobs (hand-computed)', () => {
    const { nbRes, specs } = parseBatsim(text, { file: 'delays.json', wattsPerCpu: 10 });
    expect(nbRes).toBe(4);
    const row = (s: (typeof specs)[number]) => [s.id, s.type, s.arrival, s.cpus, s.size, s.estimateS, s.profile.durationS, s.profile.work[0]!.power, s.line];
    expect(specs.map(row)).toEqual([
      ['0', 'constant', 0, 1, 1, 100, 10, 10, 6], // integer id as a string
      ['1', 'constant', 3.5, 2, 2, 100, 10, 20, 7],
      ['big', 'constant', 60, 4, 4, undefined, 3600, 40, 8], // walltime -1: no limit, no estimate
      ['no_walltime', 'constant', 120, 3, 3, undefined, 20.25, 30, 10], // multi-line object: the line of its `{`; "DelayProfile" type
      ['killed', 'constant', 7200, 1, 1, 1800, 1800, 10, 16], // walltime 1800 < delay 3600: Batsim kills it at 1800 s
    ]);
    expect(specs.every((s) => s.profile.startup.length === 0 && s.profile.work.length === 1)).toBe(true);
    expect('estimateS' in specs[2]!).toBe(false);
    expect(specs[2]!.profile.energyJ).toBe(3600 * 40);
  });

  it('shares one compiled profile between jobs with the same length and power', () => {
    const w = '{"nb_res": 2, "jobs": [{"id": 1, "subtime": 0, "res": 2, "profile": "a"}, {"id": 2, "subtime": 5, "res": 2, "profile": "b"}],' +
      ' "profiles": {"a": {"type": "delay", "delay": 30}, "b": {"type": "delay", "delay": 30}}}';
    const { specs } = parseBatsim(w);
    expect(specs[0]!.profile).toBe(specs[1]!.profile);
  });

  it('is read through readWorkloadFile, plain or gzip, with nb_res kept', () => {
    const loaded = readWorkloadFile(DELAYS, { wattsPerCpu: 10 });
    expect(loaded.format).toBe('batsim');
    expect(loaded.batsim).toEqual({ nbRes: 4 });
    expect(loaded.header).toEqual([]);
    expect(Object.values(loaded.skipped).every((n) => n === 0)).toBe(true);
    expect(loaded.specs).toEqual(parseBatsim(text, { wattsPerCpu: 10 }).specs);
    const gz = parseWorkloadBytes(gzipSync(text), { file: 'delays.json.gz', wattsPerCpu: 10 });
    expect(gz.specs).toEqual(loaded.specs);
    const crlf = parseWorkloadBytes(Buffer.from(text.replace(/\n/g, '\r\n')), { wattsPerCpu: 10 });
    expect(crlf.specs.map((s) => s.line)).toEqual([6, 7, 8, 10, 16]);
  });

  it('accepts other fields anywhere (extra_data, version, ...) and leaves unused profiles of any type alone', () => {
    const w = oneJob({ extra_data: '{}', user: 7 }).replace('"profiles": {', '"profiles": {"unused": {"type": "parallel", "cpu": [1], "com": [0]}, ');
    expect(parseBatsim(w).specs).toHaveLength(1);
  });

  it('simulates through runWorkload: agnostic starts every job at its subtime', async () => {
    const { summary, jobs } = await runWorkload({ workload: DELAYS, carbon: 'DE-2023', scheduler: 'agnostic' });
    expect(summary.jobs).toBe(5);
    expect(summary.completed).toBe(5);
    // 1 W per resource: 10x1 + 10x2 + 3600x4 + 20.25x3 + 1800x1 J
    expect(summary.energy_kwh).toBeCloseTo(16290.75 / 3.6e6, 12);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    expect([...byId.keys()].sort()).toEqual(['0', '1', 'big', 'killed', 'no_walltime']);
    expect(byId.get('killed')).toMatchObject({ start: 7200, finish: 9000 });
    expect(byId.get('no_walltime')).toMatchObject({ start: 120, finish: 140.25 });
    expect(summary.carbon_g).toBeGreaterThan(0);
  });
});

describe('format detection', () => {
  it.each([
    ['{"nb_res": 1, "jobs": []}', 'batsim'],
    ['\n  \n   {\n"nb_res": 1}', 'batsim'], // leading blank lines and indentation
    ['\uFEFF{"nb_res": 1}', 'batsim'], // a byte-order mark
    ['arrival_time,length,cpus\n0,60,1\n', 'gaia'],
    ['; Version: 2.2\n1 0 -1 60 1 -1 -1 1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n', 'swf'],
    ['arrival_time|length|cpus\n0|60|1\n', 'typed'],
  ])('%j -> %s', (text, format) => {
    expect(detectWorkloadFormat(text)).toBe(format);
  });

  it('a byte-order mark before the JSON is read past', () => {
    expect(parseWorkloadBytes(Buffer.from('\uFEFF' + oneJob({}))).specs[0]!.id).toBe('a');
    expect(parseBatsim('\uFEFF' + oneJob({})).specs[0]!.id).toBe('a');
  });
});

describe('Batsim workloads that cannot be simulated', () => {
  it('a parallel profile (Batsim test_various_profile_types): names the profile, its type, the job, and why', () => {
    const err = errorOf(() => readWorkloadFile(VARIOUS), InputError);
    expect(err).toMatchObject({ code: 'unsupported_profile', file: VARIOUS, line: 12, field: 'profiles.simple.type' });
    expect(err.message).toContain('profile "simple" (used by job "simple") has type "parallel": only delay profiles are simulated');
    expect(err.message).toContain('platform model');
  });

  it('--time-unit other than s, as for SWF', () => {
    expect(fault(oneJob({}), { timeUnit: 'h' })).toMatchObject({ code: 'batsim_time_unit', field: 'time-unit' });
    expect(() => parseWorkloadBytes(Buffer.from(oneJob({})), { timeUnit: 'h' })).toThrow('Batsim times are seconds by definition');
  });
});

describe('bad Batsim workloads: code, field and line', () => {
  it.each([
    ['a trailing comma', '{"nb_res": 4,\n"jobs": [],\n}', 3],
    ['a bare word (V8 gives no position)', '{"nb_res": 4,\n "jobs": tru\n}', 2],
    ['cut short', '{"nb_res": 4,\n "jobs": [\n', 3],
    ['a quote inside a string', '{"nb_res": 4,\n\n "jobs": ["a"b"]}', 3],
  ])('invalid JSON: %s', (_what, text, line) => {
    const err = fault(text);
    expect(err).toMatchObject({ code: 'bad_json', file: 'w.json', line });
    expect(err.message).toMatch(/^not valid JSON: /);
    expect(err.message).not.toContain('\n');
  });

  it('a JSON value that is not an object', () => {
    expect(fault('[1, 2]')).toMatchObject({ code: 'not_an_object', line: 1, field: undefined });
  });

  it.each([
    ['missing nb_res', '{\n"jobs": [{"id": 1, "subtime": 0, "res": 1, "profile": "p"}], "profiles": {"p": {"type": "delay", "delay": 1}}}', 'missing_value', 'nb_res', 1],
    ['nb_res as a string', oneJob({}, undefined, '4'), 'not_a_number', 'nb_res', 1],
    ['nb_res zero', oneJob({}, undefined, 0), 'not_positive', 'nb_res', 1],
    ['nb_res fractional', oneJob({}, undefined, 2.5), 'not_integer', 'nb_res', 1],
    ['no jobs array', '{"nb_res": 4, "profiles": {}}', 'missing_value', 'jobs', 1],
    ['empty jobs', '{"nb_res": 4,\n "jobs": [], "profiles": {}}', 'no_jobs', 'jobs', 2],
    ['no profiles', '{"nb_res": 4,\n "jobs": [{"id": 1, "subtime": 0, "res": 1, "profile": "p"}]}', 'missing_value', 'profiles', 1],
  ])('%s', (_what, text, code, field, line) => {
    expect(fault(text)).toMatchObject({ code, field, line, file: 'w.json' });
  });

  it.each([
    ['negative subtime', { subtime: -5 }, 'negative', 'jobs[0].subtime'],
    ['subtime as a string', { subtime: '0' }, 'not_a_number', 'jobs[0].subtime'],
    ['subtime null', { subtime: null }, 'not_a_number', 'jobs[0].subtime'],
    ['subtime out of range', { subtime: 'HUGE' }, 'not_finite', 'jobs[0].subtime'],
    ['missing subtime', { subtime: undefined }, 'missing_value', 'jobs[0].subtime'],
    ['res zero', { res: 0 }, 'not_positive', 'jobs[0].res'],
    ['negative res', { res: -2 }, 'not_positive', 'jobs[0].res'],
    ['fractional res', { res: 1.5 }, 'not_integer', 'jobs[0].res'],
    ['res as a string', { res: '2' }, 'not_a_number', 'jobs[0].res'],
    ['res above nb_res', { res: 5 }, 'too_many_resources', 'jobs[0].res'],
    ['walltime zero (Batsim: -1 or positive)', { walltime: 0 }, 'bad_walltime', 'jobs[0].walltime'],
    ['walltime -2', { walltime: -2 }, 'bad_walltime', 'jobs[0].walltime'],
    ['walltime as a string', { walltime: '100' }, 'not_a_number', 'jobs[0].walltime'],
    ['fractional numeric id', { id: 1.5 }, 'bad_id', 'jobs[0].id'],
    ['empty id', { id: '' }, 'bad_id', 'jobs[0].id'],
    ['unknown profile', { profile: 'nope' }, 'unknown_profile', 'jobs[0].profile'],
    ['a profile name from Object.prototype', { profile: 'constructor' }, 'unknown_profile', 'jobs[0].profile'],
    ['profile not a string', { profile: 3 }, 'not_a_string', 'jobs[0].profile'],
  ])('%s', (_what, job, code, field) => {
    const text = oneJob(job).replace('"HUGE"', '1e400');
    expect(fault(text)).toMatchObject({ code, field, line: 2, file: 'w.json' });
  });

  it.each([
    ['negative delay', { type: 'delay', delay: -1 }, 'not_positive', 'profiles.p.delay'],
    ['zero delay (Batsim requires a positive one)', { type: 'delay', delay: 0 }, 'not_positive', 'profiles.p.delay'],
    ['delay as a string', { type: 'delay', delay: '60' }, 'not_a_number', 'profiles.p.delay'],
    ['no delay', { type: 'delay' }, 'missing_value', 'profiles.p.delay'],
    ['no type', { delay: 60 }, 'bad_profile_type', 'profiles.p.type'],
    ['a composed profile', { type: 'composed', seq: ['p'] }, 'unsupported_profile', 'profiles.p.type'],
  ])('profile: %s', (_what, profile, code, field) => {
    expect(fault(oneJob({}, profile))).toMatchObject({ code, field, line: 3, file: 'w.json' });
  });

  it('duplicate ids, also an integer and the same string', () => {
    const text = '{"nb_res": 4, "jobs": [\n{"id": 1, "subtime": 0, "res": 1, "profile": "p"},\n{"id": "1", "subtime": 9, "res": 1, "profile": "p"}\n],' +
      ' "profiles": {"p": {"type": "delay", "delay": 1}}}';
    const err = fault(text);
    expect(err).toMatchObject({ code: 'duplicate_id', field: 'jobs[1].id', line: 3 });
    expect(err.message).toBe('duplicate job id "1"');
  });

  it('a job that is not an object', () => {
    expect(fault('{"nb_res": 4, "jobs": [\n\n 7], "profiles": {}}')).toMatchObject({ code: 'not_an_object', field: 'jobs[0]', line: 3 });
  });

  it('in a job written over several lines, the line of the faulty field; a missing one, the job\'s first line', () => {
    const text = [
      '{"nb_res": 8, "jobs": [',
      '  {"id": "ok", "subtime": 0, "res": 1, "profile": "p"},',
      '  {',
      '    "id": "wide",',
      '    "subtime": 10,',
      '    "res": 9,',
      '    "profile": "p"',
      '  },',
      '  {',
      '    "id": "no_res",',
      '    "subtime": 10,',
      '    "profile": "p"',
      '  }',
      '], "profiles": {"p": {"type": "delay", "delay": 1}}}',
    ].join('\n');
    const wide = fault(text);
    expect(wide).toMatchObject({ code: 'too_many_resources', field: 'jobs[1].res', line: 6 });
    expect(wide.message).toBe('job "wide" requests 9 resources, more than the workload\'s nb_res 8');
    expect(fault(text.replace('"res": 9', '"res": 2'))).toMatchObject({ code: 'missing_value', field: 'jobs[2].res', line: 9 });
  });

  it('quotes profile names that are not plain words in the field', () => {
    const text = '{"nb_res": 1, "jobs": [{"id": 1, "subtime": 0, "res": 1, "profile": "a b"}],\n"profiles": {"a b": {"type": "delay", "delay": -3}}}';
    expect(fault(text)).toMatchObject({ code: 'not_positive', field: 'profiles["a b"].delay', line: 2 });
  });
});
