// Workload traces: GAIA CSV (`arrival_time,length,cpus`) and the thesis's typed `|` traces
// (`arrival_time|length|cpus|name|args`), with optional `id`, `power`, `deadline`, `max_wait`;
// SWF logs through ./swf.ts, Batsim JSON workloads through ./batsim.ts. Files may be gzip-compressed;
// the format is told from the content.
import { parseCsvRows } from './csv.js';
import { fastId, fastSpecs, readFastWorkload, type FastWorkload } from './fast-csv.js';
import { InputError } from '../errors.js';
import { clip, decodeTextFile, isDecimal, quote, readInputFile } from './text.js';
import {
  constantProfile,
  cpuRequest,
  isJobType,
  JOB_TYPES,
  ML_KEYS,
  mlProfile,
  mockedConstantProfile,
  type Job,
  type JobType,
  type MlParameters,
} from '../model/jobs.js';
import { compileProfile, type CompiledProfile, type Phase, type PowerProfile } from '../model/profile.js';
import type { DeadlineRule } from '../model/deadlines.js';
import { arrivalOrder, JobTable } from '../model/job-table.js';
import { LiteralError, parseLiteral, type LiteralValue } from './literal.js';
import { noSkippedJobs, parseSwf, swfJobSpecs, type SkippedJobs } from './swf.js';
import { parseBatsim } from './batsim.js';

export type TimeUnit = 's' | 'h';
export const TIME_UNIT_SECONDS: Record<TimeUnit, number> = { s: 1, h: 3600 };

export interface WorkloadOptions {
  /** file name used in error messages */
  file?: string;
  /** unit of arrival_time, length, deadline and max_wait; seconds by default (never guessed) */
  timeUnit?: TimeUnit;
  /** GAIA power model for constant jobs without a power column; default 1 W per cpu */
  wattsPerCpu?: number;
}

/** A job as read from a trace, before a deadline rule is applied. Times in seconds. */
export interface JobSpec {
  id: string;
  type: JobType;
  arrival: number;
  cpus: number;
  profile: CompiledProfile;
  /** absolute deadline from the trace (s since the epoch) */
  deadline?: number;
  /** per-job maximum wait from the trace (s) */
  maxWait?: number;
  /** the `args` literal as read (typed traces), kept so that writers reproduce it */
  args?: LiteralValue;
  /** the user's requested (estimated) run time, s (Batsim walltime); undefined when unknown */
  estimateS?: number;
  /** processors requested on a finite cluster (Batsim res) */
  size?: number;
  /** 1-based line in the file */
  line: number;
  /** the job's power is the per-cpu model (cpus x wattsPerCpu): no power column, power args or phases */
  powerFromCpus?: true;
}

/** `length` of a phased job must match its phase total to within this (trace lengths are whole seconds). */
export const LENGTH_TOLERANCE_S = 1;

const REQUIRED = ['arrival_time', 'length'] as const;
const OPTIONAL = ['cpus', 'name', 'args', 'id', 'power', 'deadline', 'max_wait', 'status'] as const;
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL]);

/** Parse a workload trace's text. Throws InputError naming file, line and field. */
export function parseWorkload(text: string, options: WorkloadOptions = {}): JobSpec[] {
  const read = readWorkloadText(text, options);
  return Array.isArray(read) ? read : fastSpecs(read);
}

/** The specs of a trace, or its columns when it takes the fast path (./fast-csv.ts). */
function readWorkloadText(text: string, options: WorkloadOptions): JobSpec[] | FastWorkload {
  const file = options.file ?? '<workload>';
  const unit = TIME_UNIT_SECONDS[options.timeUnit ?? 's'];
  const wattsPerCpu = options.wattsPerCpu ?? 1;
  const firstLine = firstContentLine(text);
  if (firstLine === '') throw new InputError('empty_file', 'workload file is empty (expected a header line)', { file, line: 1 });
  const delimiter = firstLine.includes('|') ? '|' : ',';
  // unquoted all-constant traces: typed columns, no csv-parse (./fast-csv.ts); it accepts only what the
  // rows below accept and yields the same specs, else undefined and the rows below decide
  const fast = readFastWorkload(text, delimiter, { unit, wattsPerCpu });
  if (fast !== undefined) return fast;

  // typed traces: a `"` inside a field is data, so JSON args ({"startup": ...}) read as documented
  const rows = parseCsvRows(text, { file, delimiter, relaxQuotes: delimiter === '|' });
  const { record: header, line: headerLine } = rows[0]!;
  const foreign = [';', '\t'].find((d) => header.length === 1 && header[0]!.includes(d));
  if (foreign !== undefined) {
    throw new InputError('wrong_delimiter', `the header is separated by ${JSON.stringify(foreign)}; workload traces use "," (GAIA CSV) or "|" (typed)`, {
      file,
      line: headerLine,
    });
  }
  const col = new Map<string, number>();
  header.forEach((name, i) => {
    if (!KNOWN.has(name)) {
      throw new InputError(
        'unknown_column',
        `unknown column ${quote(name)} (known: ${[...REQUIRED, ...OPTIONAL].join(', ')}; delimiter "${delimiter}")`,
        { file, line: headerLine, field: clip(name) },
      );
    }
    if (col.has(name)) throw new InputError('duplicate_column', `column "${name}" appears twice`, { file, line: headerLine, field: name });
    col.set(name, i);
  });
  for (const name of REQUIRED) {
    if (!col.has(name)) {
      throw new InputError('missing_column', `missing column "${name}" (header: ${firstLine.slice(0, 80)})`, { file, line: headerLine, field: name });
    }
  }
  if (rows.length < 2) throw new InputError('no_jobs', 'workload has a header but no jobs', { file, line: headerLine });

  const ids = new Set<string>();
  const specs: JobSpec[] = new Array(rows.length - 1);
  for (let r = 1; r < rows.length; r++) {
    const { record, line } = rows[r]!;
    const cell = (name: string): string | undefined => cellOf(record, col.get(name));
    const fail = (code: string, field: string, message: string): never => {
      throw new InputError(code, message, { file, line, field });
    };
    if (record.length !== header.length) {
      fail('column_count', header[Math.min(record.length, header.length - 1)]!, `expected ${header.length} fields, got ${record.length}`);
    }
    const number = (field: string, rule: NumberRule): number | undefined => numberCell(record, col.get(field), field, rule, file, line);

    const arrival = number('arrival_time', NON_NEGATIVE);
    if (arrival === undefined) fail('missing_value', 'arrival_time', 'arrival_time is empty');
    const length = number('length', POSITIVE);
    if (length === undefined) fail('missing_value', 'length', 'length is empty');
    const cpus = number('cpus', POSITIVE_INTEGER);
    const power = number('power', NON_NEGATIVE);
    const deadline = number('deadline', NON_NEGATIVE);
    const maxWait = number('max_wait', NON_NEGATIVE);
    if (deadline !== undefined && maxWait !== undefined) {
      fail('conflicting_deadline', 'deadline', 'give either deadline or max_wait for a job, not both');
    }
    if (deadline !== undefined && deadline < arrival!) fail('deadline_before_arrival', 'deadline', `deadline ${deadline} is before arrival_time ${arrival}`);
    const typeName = cell('name');
    if (typeName !== undefined && typeName === '') fail('missing_value', 'name', 'job type (name) is empty');
    const type = typeName ?? 'constant';
    if (!isJobType(type)) fail('unknown_job_type', 'name', `unknown job type ${quote(type)} (known: ${JOB_TYPES.join(', ')})`);
    const argsText = cell('args') ?? '';
    let args: LiteralValue | undefined;
    if (argsText !== '') {
      try {
        args = parseLiteral(argsText);
      } catch (err) {
        if (err instanceof LiteralError) fail('bad_args', 'args', `args is not a data literal: ${clipQuoted(err.message)}`);
        throw err;
      }
    }

    let profile: PowerProfile;
    try {
      profile = buildProfile(type as JobType, args, {
        lengthS: length! * unit,
        powerW: power ?? (cpus !== undefined ? cpus * wattsPerCpu : undefined),
      });
    } catch (err) {
      if (err instanceof InputError) throw err.at({ file, line, field: 'args' });
      throw err;
    }
    if (power !== undefined && type !== 'constant') fail('power_not_constant', 'power', `the power column applies to constant jobs only, not "${type}"`);
    let compiled: CompiledProfile;
    try {
      compiled = compileProfile(profile);
    } catch (err) {
      if (err instanceof InputError) throw err.at({ file, line, field: 'args' });
      throw err;
    }
    if (type !== 'constant' && Math.abs(compiled.durationS - length! * unit) >= LENGTH_TOLERANCE_S) {
      fail(
        'length_mismatch',
        'length',
        `length ${+(length! * unit).toPrecision(12)} s disagrees with the phase total ${+compiled.durationS.toPrecision(12)} s (must match within ${LENGTH_TOLERANCE_S} s)`,
      );
    }
    const id = cell('id') ?? String(r - 1);
    if (id === '') fail('missing_value', 'id', 'id is empty');
    if (ids.has(id)) fail('duplicate_id', 'id', `duplicate job id ${quote(id)}`);
    ids.add(id);
    const spec: JobSpec = { id, type: type as JobType, arrival: arrival! * unit, cpus: cpus ?? 1, profile: compiled, line };
    if (deadline !== undefined) spec.deadline = deadline * unit;
    if (maxWait !== undefined) spec.maxWait = maxWait * unit;
    if (args !== undefined) spec.args = args;
    const argsPower = args !== null && typeof args === 'object' && !Array.isArray(args) && (args as Record<string, unknown>).power !== undefined;
    if (type === 'constant' && power === undefined && !argsPower) spec.powerFromCpus = true;
    specs[r - 1] = spec;
  }
  return specs;
}

export type WorkloadFormat = 'gaia' | 'typed' | 'swf' | 'batsim';
export const WORKLOAD_FORMATS: readonly WorkloadFormat[] = ['gaia', 'typed', 'swf', 'batsim'];

export interface ReadWorkloadOptions extends WorkloadOptions {
  /** SWF only: skip records without submit time, run time or processors, or with zero run time */
  skipIncomplete?: boolean;
}

/** A workload file as read: its format, the jobs in file order, and what was left out. */
export interface LoadedWorkload {
  format: WorkloadFormat;
  /** built on first read when the trace took the fast path (then `fast` holds its columns) */
  specs: JobSpec[];
  /** an all-`constant` trace's columns: fastJobTable makes the job table without specs */
  fast?: FastWorkload;
  /** SWF records left out by skipIncomplete, by reason (all zero otherwise) */
  skipped: SkippedJobs;
  /** SWF header comment lines (empty for CSV traces) */
  header: string[];
  /** Batsim workloads: the platform size (`nb_res`) they were made for */
  batsim?: { nbRes: number };
}

/** Read a workload file (plain or gzip): an SWF log, a GAIA CSV, a typed `|` trace or a Batsim JSON workload. */
export function readWorkloadFile(path: string, options: ReadWorkloadOptions = {}): LoadedWorkload {
  const bytes = readInputFile(path, { file: path, field: 'workload' });
  return parseWorkloadBytes(bytes, { ...options, file: options.file ?? path });
}

/** Parse a workload file's bytes: gunzip when they start with the gzip magic, then detect the format. */
export function parseWorkloadBytes(bytes: Uint8Array, options: ReadWorkloadOptions = {}): LoadedWorkload {
  const file = options.file ?? '<workload>';
  const text = decodeTextFile(bytes, file, 'a text workload trace');
  const format = detectWorkloadFormat(text);
  if (format === 'batsim') {
    const { nbRes, specs } = parseBatsim(text, { file, wattsPerCpu: options.wattsPerCpu ?? 1, timeUnit: options.timeUnit ?? 's' });
    return { format, specs, skipped: noSkippedJobs(), header: [], batsim: { nbRes } };
  }
  if (format !== 'swf') {
    const read = readWorkloadText(text, options);
    if (Array.isArray(read)) return { format, specs: read, skipped: noSkippedJobs(), header: [] };
    let specs: JobSpec[] | undefined;
    return {
      format,
      get specs(): JobSpec[] {
        return (specs ??= fastSpecs(read));
      },
      set specs(value: JobSpec[]) {
        specs = value;
      },
      fast: read,
      skipped: noSkippedJobs(),
      header: [],
    };
  }
  if ((options.timeUnit ?? 's') !== 's') {
    throw new InputError('swf_time_unit', 'SWF times are seconds by definition; --time-unit applies to CSV traces only', { file, field: 'time-unit' });
  }
  const log = parseSwf(text, { file });
  const { specs, skipped } = swfJobSpecs(log, {
    file,
    wattsPerCpu: options.wattsPerCpu ?? 1,
    skipIncomplete: options.skipIncomplete ?? false,
  });
  if (specs.length === 0) throw new InputError('no_jobs', `no jobs left: all ${log.count} SWF records were skipped as incomplete`, { file });
  return { format, specs, skipped, header: log.header };
}

/**
 * Batsim when the first non-blank character is `{` (a JSON object); SWF when the first non-blank
 * line is a `;` comment, or starts with a number and has neither `,` nor `|`; a typed trace when its
 * header has `|`; a GAIA CSV otherwise.
 */
export function detectWorkloadFormat(text: string): WorkloadFormat {
  const first = firstContentLine(text);
  const c = first.charCodeAt(0);
  if (c === 123) return 'batsim'; // '{'
  if (c === 59) return 'swf'; // ';'
  const numeric = (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46; // digit, '-', '+', '.'
  if (numeric && !first.includes(',') && !first.includes('|')) return 'swf';
  return first.includes('|') ? 'typed' : 'gaia';
}

/** The first line that is not blank, trimmed ('' when there is none). */
function firstContentLine(text: string): string {
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end).trim();
    if (line !== '') return line;
    pos = end + 1;
  }
  return '';
}

/** What a numeric cell must satisfy. */
interface NumberRule {
  min?: number;
  positive?: boolean;
  integer?: boolean;
}
const NON_NEGATIVE: NumberRule = { min: 0 };
const POSITIVE: NumberRule = { positive: true };
const POSITIVE_INTEGER: NumberRule = { positive: true, integer: true };

function cellOf(record: readonly string[], index: number | undefined): string | undefined {
  return index === undefined ? undefined : record[index];
}

/** A numeric cell checked against its rule; undefined when the column is absent or the cell empty. */
function numberCell(record: readonly string[], index: number | undefined, field: string, rule: NumberRule, file: string, line: number): number | undefined {
  const raw = cellOf(record, index);
  if (raw === undefined || raw === '') return undefined;
  const fail = (code: string, message: string): never => {
    throw new InputError(code, message, { file, line, field });
  };
  // decimals only: Number() would read 0x64, 0b1100100 and 0o144 as 100, and 'Infinity'
  if (!isDecimal(raw)) fail('not_a_number', `${quote(raw)} is not a number`);
  const v = Number(raw);
  const shown = clip(raw);
  if (!Number.isFinite(v)) fail('not_finite', `${shown} is not finite`);
  if (rule.positive && !(v > 0)) fail('not_positive', `${shown} must be positive`);
  if (rule.min !== undefined && v < rule.min) fail('negative', `${shown} must not be negative`);
  if (rule.integer && !Number.isInteger(v)) fail('not_integer', `${shown} must be a whole number`);
  return v;
}

/** A message from another reader (the literal parser) with every quoted value clipped to 80 characters. */
function clipQuoted(message: string): string {
  return message.replace(/"([^"]*)"/g, (m, v: string) => (v.length > 80 ? quote(v) : m));
}

function bad(message: string, field = 'args'): never {
  throw new InputError('bad_args', message, { field });
}

function asRecord(v: LiteralValue | undefined, what: string): Record<string, LiteralValue> {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) bad(`${what} must be a dictionary`);
  return v as Record<string, LiteralValue>;
}

function toPhase(v: LiteralValue, where: string): Phase {
  const o = asRecord(v, where);
  for (const k of Object.keys(o)) {
    if (!['name', 'duration', 'power', 'is_checkpoint'].includes(k)) bad(`${where} has unknown key ${quote(k)}`);
  }
  const { name, duration, power, is_checkpoint: checkpoint } = o;
  if (typeof name !== 'string') bad(`${where} needs a string "name"`);
  const named = `${where} ${quote(name as string)}`;
  if (typeof duration !== 'number' || !(duration >= 0)) bad(`${named} needs a non-negative "duration", got ${clip(String(duration))}`);
  if (typeof power !== 'number' || !(power >= 0)) bad(`${named} needs a non-negative "power", got ${clip(String(power))}`);
  if (checkpoint !== undefined && typeof checkpoint !== 'boolean') bad(`${named}: is_checkpoint must be True or False`);
  const phase: Phase = { name: name as string, duration: duration as number, power: power as number };
  if (checkpoint === true) phase.isCheckpoint = true;
  return phase;
}

function toPhases(v: LiteralValue | undefined, where: string): Phase[] {
  if (!Array.isArray(v)) bad(`${where} must be a list of phases`);
  return (v as LiteralValue[]).map((p, i) => toPhase(p, `${where}[${i}]`));
}

/** Phases from `args`: a {startup, work} dictionary, or a flat list meaning work phases only. */
export function phasesFromArgs(args: LiteralValue | undefined): PowerProfile {
  if (Array.isArray(args)) return { startup: [], work: toPhases(args, 'work') };
  const o = asRecord(args, 'phases args');
  for (const k of Object.keys(o)) if (k !== 'startup' && k !== 'work') bad(`phases args has unknown key ${quote(k)} (expected startup, work)`);
  return { startup: o.startup === undefined ? [] : toPhases(o.startup, 'startup'), work: toPhases(o.work, 'work') };
}

function buildProfile(type: JobType, args: LiteralValue | undefined, ctx: { lengthS: number; powerW: number | undefined }): PowerProfile {
  switch (type) {
    case 'constant': {
      let power = ctx.powerW;
      if (args !== undefined) {
        const o = asRecord(args, 'constant args');
        for (const k of Object.keys(o)) if (k !== 'power') bad(`constant args has unknown key ${quote(k)} (expected power)`);
        if (o.power !== undefined) {
          if (typeof o.power !== 'number' || !(o.power >= 0)) bad(`constant power must be a non-negative number`);
          power = o.power as number;
        }
      }
      if (power === undefined) bad('a constant job needs a cpus or power column, or args {"power": W}', 'cpus');
      return constantProfile(ctx.lengthS, power!);
    }
    case 'phases':
      return phasesFromArgs(args);
    case 'mocked-constant-from-phases':
      return mockedConstantProfile(phasesFromArgs(args));
    case 'ml': {
      const o = asRecord(args, 'ml args');
      for (const k of Object.keys(o)) if (!(ML_KEYS as readonly string[]).includes(k)) bad(`ml args has unknown key ${quote(k)}`);
      for (const k of ML_KEYS) if (typeof o[k] !== 'number') bad(`ml args needs a number "${k}"`);
      return mlProfile(o as unknown as MlParameters);
    }
  }
}

/** Maps a job's arrival and uninterrupted duration to its deadline (s since the epoch). */
/**
 * Jobs in arrival order (ties keep file order) with deadlines resolved: a per-job `deadline`
 * wins, then a per-job `max_wait`, then the rule.
 */
export function toJobs(specs: readonly JobSpec[], rule: DeadlineRule): Job[] {
  const jobs = specs.map((s): Job => {
    const d = s.profile.durationS;
    const deadline = s.deadline ?? (s.maxWait !== undefined ? s.arrival + d + s.maxWait : rule(s.arrival, d));
    const job: Job = { id: s.id, type: s.type, arrival: s.arrival, deadline, cpus: s.cpus, profile: s.profile };
    if (s.size !== undefined) job.request = cpuRequest(s.size);
    if (s.estimateS !== undefined) job.estimateS = s.estimateS;
    return job;
  });
  return sortByArrival(jobs);
}

/**
 * toJobs of a fast workload's specs as a job table, without building specs or job objects: the
 * columns the engine reads, and each job (the same object toJobs builds, key order included)
 * built only when asked for.
 */
export function fastJobTable(w: FastWorkload, rule: DeadlineRule): JobTable {
  const n = w.rows;
  // job j is row rowOf[j]: the rows in arrival order, ties in file order (as toJobs sorts)
  const rowOf = arrivalOrder(w.arrivalS);
  // in arrival order already (most traces): the workload's own columns
  const arrival = rowOf === undefined ? w.arrivalS : new Float64Array(n);
  const profiles: CompiledProfile[] = rowOf === undefined ? w.profiles : new Array(n);
  const deadline = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const r = rowOf === undefined ? j : rowOf[j]!;
    const profile = w.profiles[r]!;
    const a = w.arrivalS[r]!;
    const given = w.deadlineS[r]!;
    const maxWait = w.maxWaitS[r]!;
    deadline[j] = given === given ? given : maxWait === maxWait ? a + profile.durationS + maxWait : rule(a, profile.durationS);
    if (rowOf !== undefined) {
      arrival[j] = a;
      profiles[j] = profile;
    }
  }
  return JobTable.fromColumns(arrival, deadline, profiles, (j) => {
    const r = rowOf === undefined ? j : rowOf[j]!;
    return { id: fastId(w, r), type: 'constant', arrival: arrival[j]!, deadline: deadline[j]!, cpus: w.cpus[r]!, profile: profiles[j]! };
  });
}

function sortByArrival(jobs: Job[]): Job[] {
  const order = arrivalOrder(jobs.map((job) => job.arrival));
  return order === undefined ? jobs : Array.from(order, (i) => jobs[i]!);
}
