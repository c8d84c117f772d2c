// The bad-input corpus for workloads: each file in test/fixtures/bad/workload/ makes `carbon-sim run`
// exit 2 with exactly one line on stderr naming file, line and field, and write no output files.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';

const DIR = 'test/fixtures/bad/workload';

/** File name -> the message after "carbon-sim: error: <DIR>/". */
const CASES: Record<string, string> = {
  'empty.csv': 'empty.csv:1: workload file is empty (expected a header line)',
  'whitespace-only.csv': 'whitespace-only.csv:1: workload file is empty (expected a header line)',
  'header-only.csv': 'header-only.csv:1: workload has a header but no jobs',
  'header-only.swf': 'header-only.swf:1: SWF log has header lines but no jobs',
  'wrong-delimiter.csv': 'wrong-delimiter.csv:1: the header is separated by ";"; workload traces use "," (GAIA CSV) or "|" (typed)',
  'missing-column.csv': 'missing-column.csv:1 (field "length"): missing column "length" (header: arrival_time,cpus)',
  'unknown-column.csv':
    'unknown-column.csv:1 (field "arrival"): unknown column "arrival" (known: arrival_time, length, cpus, name, args, id, power, deadline, max_wait, status; delimiter ",")',
  'short-row.csv': 'short-row.csv:3 (field "cpus"): expected 3 fields, got 2',
  'negative-length.csv': 'negative-length.csv:3 (field "length"): -3600 must be positive',
  'negative-arrival.csv': 'negative-arrival.csv:2 (field "arrival_time"): -5 must not be negative',
  'nan-arrival.csv': 'nan-arrival.csv:3 (field "arrival_time"): "NaN" is not a number',
  'huge-number.csv': 'huge-number.csv:2 (field "length"): 1e400 is not finite',
  'length-with-unit.csv': 'length-with-unit.csv:2 (field "length"): "1h" is not a number',
  'fractional-cpus.csv': 'fractional-cpus.csv:2 (field "cpus"): 1.5 must be a whole number',
  'conflicting-deadline.csv': 'conflicting-deadline.csv:2 (field "deadline"): give either deadline or max_wait for a job, not both',
  'unknown-job-type.psv': 'unknown-job-type.psv:2 (field "name"): unknown job type "quantum" (known: constant, mocked-constant-from-phases, phases, ml)',
  'code-injection.psv':
    'code-injection.psv:2 (field "args"): args is not a data literal: "__import__" is not data (only literals are accepted, nothing is evaluated) at character 1 near "__import__(\'os\').sys"',
  'python-expression.psv': 'python-expression.psv:2 (field "args"): args is not a data literal: unexpected text after the literal at character 48 near "* 3"',
  'length-mismatch.psv': 'length-mismatch.psv:2 (field "length"): length 7200 s disagrees with the phase total 3600 s (must match within 1 s)',
  'duplicate-ids.psv': 'duplicate-ids.psv:4 (field "id"): duplicate job id "a"',
  'unterminated-quote.psv': 'unterminated-quote.psv:3: Quote Not Closed: the parsing is finished with an opening quote at line 3',
  'ml-zero-epochs.psv': 'ml-zero-epochs.psv:2 (field "epochs"): ml epochs must be a positive integer, got 0',
  'binary-garbage.bin': 'binary-garbage.bin:1: binary data (a NUL byte at offset 100): expected a text workload trace',
  'not-utf8.psv': 'not-utf8.psv:3: not UTF-8 text (binary data, or another encoding: save the file as UTF-8)',
  'truncated.swf.gz': 'truncated.swf.gz: gzip data is truncated or corrupt (unexpected end of file)',
  'seventeen-fields.swf': 'seventeen-fields.swf:5 (field "think_time"): expected 18 whitespace-separated fields, got 17',
  'nineteen-fields.swf': 'nineteen-fields.swf:5: expected 18 whitespace-separated fields, got 19',
  'swf-not-a-number.swf': 'swf-not-a-number.swf:5 (field "submit_time"): "12:30" is not a number',
  'swf-hex.swf': 'swf-hex.swf:5 (field "allocated_processors"): "0x10" is not a number',
  'swf-huge.swf': 'swf-huge.swf:5 (field "run_time"): 1e400 is not finite',
  'swf-negative-submit.swf': 'swf-negative-submit.swf:5 (field "submit_time"): -5 must be -1 (missing) or non-negative',
  'swf-missing-run-time.swf':
    'swf-missing-run-time.swf:5 (field "run_time"): run time is missing (-1); --skip-incomplete skips such jobs and reports how many',
  'swf-zero-run-time.swf':
    'swf-zero-run-time.swf:5 (field "run_time"): run time is 0 s (a job needs a positive run time); --skip-incomplete skips such jobs and reports how many',
  'swf-zero-processors.swf': 'swf-zero-processors.swf:5 (field "allocated_processors"): processors 0 must be a positive whole number',
  'swf-duplicate-job.swf': 'swf-duplicate-job.swf:5 (field "job_number"): duplicate job number 1',
};

describe('bad workload corpus', () => {
  it('has at least 15 files, each with exactly one case here', () => {
    const files = readdirSync(join(ROOT, DIR)).sort();
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.entries(CASES))('%s: exit 2, one exact line, no output files', (file, message) => {
    const out = join(mkdtempSync(join(tmpdir(), 'carbon-sim-bad-')), 'out');
    const r = cli(['run', `${DIR}/${file}`, '--carbon', 'DE-2023', '--out', out]);
    expect(r.stderr).toBe(`carbon-sim: error: ${DIR}/${message}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});
