// Standard Workload Format v2.2 (Parallel Workloads Archive, Feitelson et al.): one job per line,
// 18 whitespace-separated numeric fields, `;` header comments, -1 for a missing value.
// The reader keeps every record as numbers (parseSwf); turning records into jobs is a second,
// explicit step (swfJobSpecs) with one documented mapping:
//   id = job number (1), arrival = submit time (2), length = run time (4),
//   cpus = allocated processors (5), or requested processors (8) when 5 is -1,
//   power = cpus x watts-per-cpu (a constant job, as GAIA).
// Every other field is kept in the records but not simulated.
import { InputError } from '../errors.js';
import { clip, quote } from './text.js';
import { constantProfile } from '../model/jobs.js';
import { compileProfile, type CompiledProfile } from '../model/profile.js';
import type { JobSpec } from './trace.js';

export const SWF_FIELDS = [
  'job_number',
  'submit_time',
  'wait_time',
  'run_time',
  'allocated_processors',
  'average_cpu_time',
  'used_memory',
  'requested_processors',
  'requested_time',
  'requested_memory',
  'status',
  'user_id',
  'group_id',
  'executable_number',
  'queue_number',
  'partition_number',
  'preceding_job_number',
  'think_time',
] as const;
export type SwfField = (typeof SWF_FIELDS)[number];
export const SWF_FIELD_COUNT = SWF_FIELDS.length;
/** The value SWF uses for "not known". */
export const SWF_MISSING = -1;

const JOB_NUMBER = 0;
const SUBMIT_TIME = 1;
const RUN_TIME = 3;
const ALLOCATED_PROCESSORS = 4;
const REQUESTED_PROCESSORS = 7;
const REQUESTED_TIME = 8;

/** A parsed SWF log: header comments plus the records as one flat array of numbers. */
export interface SwfLog {
  /** header comment lines, the text after `;`, trailing blanks removed */
  header: string[];
  /** number of job records */
  count: number;
  /** field f of record r at values[r * SWF_FIELD_COUNT + f]; SWF_MISSING where unknown */
  values: Float64Array;
  /** 1-based line of each record in the file */
  lines: Uint32Array;
}

/** Field `field` of record `r`. */
export function swfValue(log: SwfLog, r: number, field: SwfField): number {
  return log.values[r * SWF_FIELD_COUNT + SWF_FIELDS.indexOf(field)]!;
}

/** The value of a `; Key: value` header line (first occurrence), e.g. swfHeaderValue(log, 'Version'). */
export function swfHeaderValue(log: SwfLog, key: string): string | undefined {
  const prefix = `${key}:`;
  for (const line of log.header) {
    const text = line.trimStart();
    if (text.startsWith(prefix)) return text.slice(prefix.length).trim();
  }
  return undefined;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const SEMICOLON = 59;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

/**
 * A decimal number in text[a, b): optional sign, digits, optional fraction and exponent.
 * Returns NaN for anything else (hex, `Infinity`, `1_000`), which Number() would accept.
 * Whole numbers, the common case, are accumulated without allocating a substring.
 */
function decimalAt(text: string, a: number, b: number): number {
  let i = a;
  const negative = text.charCodeAt(i) === 45; // '-'
  if (negative || text.charCodeAt(i) === 43) i++; // '+'
  let whole = 0;
  let digits = 0;
  while (i < b) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
    digits++;
    i++;
  }
  if (i === b && digits > 0 && digits <= 15) return negative ? -whole : whole;
  if (text.charCodeAt(i) === 46) {
    i++; // '.'
    while (i < b && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
      digits++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < b && (text.charCodeAt(i) | 32) === 101) {
    i++; // 'e' or 'E'
    if (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45) i++;
    const start = i;
    while (i < b && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === start) return NaN;
  }
  return i === b ? Number(text.slice(a, b)) : NaN;
}

/**
 * Parse an SWF log's text. Every record must have exactly 18 numeric fields; `;` lines anywhere are
 * header comments; blank lines are skipped. Throws InputError naming the file, line and field.
 * A single pass over character codes: no regular expressions, no per-field substrings for integers.
 */
export function parseSwf(text: string, options: { file?: string } = {}): SwfLog {
  const file = options.file ?? '<swf>';
  let capacity = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) capacity++;
  const values = new Float64Array(capacity * SWF_FIELD_COUNT);
  const lines = new Uint32Array(capacity);
  const header: string[] = [];
  let count = 0;
  let line = 0;
  let pos = 0;
  while (pos <= text.length) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    let i = pos;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i < end && text.charCodeAt(i) === SEMICOLON) {
      header.push(text.slice(i + 1, end).trimEnd());
    } else if (i < end) {
      const base = count * SWF_FIELD_COUNT;
      let field = 0;
      while (i < end) {
        const start = i;
        while (i < end && !isBlank(text.charCodeAt(i))) i++;
        if (field === SWF_FIELD_COUNT) {
          let fields = SWF_FIELD_COUNT; // count the extra fields, from this one (it follows a blank) on
          for (let j = start; j < end; j++) if (!isBlank(text.charCodeAt(j)) && isBlank(text.charCodeAt(j - 1))) fields++;
          throw new InputError('field_count', `expected ${SWF_FIELD_COUNT} whitespace-separated fields, got ${fields}`, { file, line });
        }
        const v = decimalAt(text, start, i);
        const name = SWF_FIELDS[field]!;
        if (Number.isNaN(v)) throw new InputError('not_a_number', `${quote(text.slice(start, i))} is not a number`, { file, line, field: name });
        if (!Number.isFinite(v)) throw new InputError('not_finite', `${clip(text.slice(start, i))} is not finite`, { file, line, field: name });
        values[base + field] = v;
        field++;
        while (i < end && isBlank(text.charCodeAt(i))) i++;
      }
      if (field < SWF_FIELD_COUNT) {
        throw new InputError('field_count', `expected ${SWF_FIELD_COUNT} whitespace-separated fields, got ${field}`, {
          file,
          line,
          field: SWF_FIELDS[field],
        });
      }
      lines[count] = line;
      count++;
    }
    pos = end + 1;
  }
  if (count === 0) {
    const what = header.length > 0 ? 'SWF log has header lines but no jobs' : 'SWF log has no jobs';
    throw new InputError('no_jobs', what, { file, line: 1 });
  }
  return { header, count, values: values.slice(0, count * SWF_FIELD_COUNT), lines: lines.slice(0, count) };
}

/** Why an SWF record could not become a job; skipped only when the user asks. */
export const SKIP_REASONS = ['missing_submit_time', 'missing_run_time', 'zero_run_time', 'missing_processors'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
/** Per reason; `larger_than_cluster` only when a finite cluster was given (a replay on it). */
export type SkippedJobs = Record<SkipReason, number> & { larger_than_cluster?: number };

const SKIP_WHAT: Record<SkipReason, { field: SwfField; message: string; summary: string }> = {
  missing_submit_time: { field: 'submit_time', message: 'submit time is missing (-1)', summary: 'without submit time' },
  missing_run_time: { field: 'run_time', message: 'run time is missing (-1)', summary: 'without run time' },
  zero_run_time: { field: 'run_time', message: 'run time is 0 s (a job needs a positive run time)', summary: 'with zero run time' },
  missing_processors: {
    field: 'allocated_processors',
    message: 'allocated and requested processors are both missing (-1)',
    summary: 'without processors',
  },
};

export function noSkippedJobs(): SkippedJobs {
  return { missing_submit_time: 0, missing_run_time: 0, zero_run_time: 0, missing_processors: 0 };
}

export function totalSkipped(skipped: SkippedJobs): number {
  return SKIP_REASONS.reduce((n, r) => n + skipped[r], skipped.larger_than_cluster ?? 0);
}

/** "7426 incomplete SWF jobs skipped: 1190 without submit time, 6236 with zero run time" (reasons with a count only). */
export function describeSkipped(skipped: SkippedJobs): string {
  const parts = SKIP_REASONS.filter((r) => skipped[r] > 0).map((r) => `${skipped[r]} ${SKIP_WHAT[r].summary}`);
  if (skipped.larger_than_cluster) parts.push(`${skipped.larger_than_cluster} larger than the cluster`);
  return `${totalSkipped(skipped)} incomplete SWF jobs skipped: ${parts.join(', ')}`;
}

export interface SwfJobOptions {
  file?: string;
  /** power of a job = processors x wattsPerCpu; default 1 W per cpu (GAIA) */
  wattsPerCpu?: number;
  /** skip records without submit time, run time or processors, or with zero run time, and count them */
  skipIncomplete?: boolean;
}

/**
 * Jobs from an SWF log, in file order (toJobs sorts them by arrival). A record without submit time,
 * run time or processors, or with zero run time, is an error naming its line unless skipIncomplete
 * is set; then it is counted by reason in `skipped`.
 */
export function swfJobSpecs(log: SwfLog, options: SwfJobOptions = {}): { specs: JobSpec[]; skipped: SkippedJobs } {
  const file = options.file ?? '<swf>';
  const wattsPerCpu = options.wattsPerCpu ?? 1;
  const skipped = noSkippedJobs();
  const specs: JobSpec[] = [];
  const ids = new Set<number>();
  // Archive logs repeat (run time, power) pairs (LLNL: 23k distinct in 113k jobs); compiled
  // profiles are immutable, so jobs with the same pair share one.
  const profiles = new Map<string, CompiledProfile>();
  const { values } = log;
  for (let r = 0; r < log.count; r++) {
    const line = log.lines[r]!;
    const base = r * SWF_FIELD_COUNT;
    const at = (f: number): number => {
      const v = values[base + f]!;
      if (v < 0 && v !== SWF_MISSING) {
        throw new InputError('negative', `${v} must be ${SWF_MISSING} (missing) or non-negative`, { file, line, field: SWF_FIELDS[f] });
      }
      return v;
    };
    const job = at(JOB_NUMBER);
    const submit = at(SUBMIT_TIME);
    const run = at(RUN_TIME);
    const allocated = at(ALLOCATED_PROCESSORS);
    const processors = allocated !== SWF_MISSING ? allocated : at(REQUESTED_PROCESSORS);
    const processorField = allocated !== SWF_MISSING ? 'allocated_processors' : 'requested_processors';

    if (job === SWF_MISSING || !Number.isInteger(job)) {
      throw new InputError('bad_job_number', `job number ${job} is not an id (a non-negative whole number)`, { file, line, field: 'job_number' });
    }
    if (ids.has(job)) throw new InputError('duplicate_id', `duplicate job number ${job}`, { file, line, field: 'job_number' });
    ids.add(job);
    const reason: SkipReason | undefined =
      submit === SWF_MISSING
        ? 'missing_submit_time'
        : run === SWF_MISSING
          ? 'missing_run_time'
          : run === 0
            ? 'zero_run_time'
            : processors === SWF_MISSING
              ? 'missing_processors'
              : undefined;
    if (reason !== undefined) {
      if (!options.skipIncomplete) {
        const what = SKIP_WHAT[reason];
        throw new InputError(reason, `${what.message}; --skip-incomplete skips such jobs and reports how many`, { file, line, field: what.field });
      }
      skipped[reason]++;
      continue;
    }
    if (!Number.isInteger(processors) || processors === 0) {
      throw new InputError('bad_processors', `processors ${processors} must be a positive whole number`, { file, line, field: processorField });
    }
    const power = processors * wattsPerCpu;
    const key = `${run} ${power}`;
    let profile = profiles.get(key);
    if (profile === undefined) {
      profile = compileProfile(constantProfile(run, power));
      profiles.set(key, profile);
    }
    // For a finite cluster (the field's replay semantics): size = requested processors, else
    // allocated; estimate = requested time, else the run time.
    const requested = values[base + REQUESTED_PROCESSORS]!;
    const size = requested > 0 ? requested : processors;
    const requestedTime = values[base + REQUESTED_TIME]!;
    const spec: JobSpec = { id: String(job), type: 'constant', arrival: submit, cpus: processors, profile, line, size };
    if (requestedTime > 0) spec.estimateS = requestedTime;
    specs.push(spec);
  }
  return { specs, skipped };
}
