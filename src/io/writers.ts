// Workload writers: GAIA CSV, typed `|` traces and SWF, each the inverse of its reader:
// reading a written file with the same time unit and watts-per-cpu gives the same jobs.
// A job a format cannot hold (a phased job in GAIA CSV, a deadline in SWF) is an InputError
// naming the job's line in the source, never a silent simplification.
import { InputError } from '../errors.js';
import type { LiteralValue } from './literal.js';
import { SWF_FIELD_COUNT, SWF_MISSING } from './swf.js';
import { TIME_UNIT_SECONDS, type JobSpec, type TimeUnit } from './trace.js';

export interface WriteOptions {
  /** unit of the written times; seconds by default (SWF: always seconds) */
  timeUnit?: TimeUnit;
  /** the power model the file will be read with: power = cpus x wattsPerCpu; default 1 */
  wattsPerCpu?: number;
  /** source file name for error messages */
  file?: string;
}

function cannot(spec: JobSpec, file: string | undefined, message: string, field: string): never {
  throw new InputError('not_representable', `job "${spec.id}": ${message}`, { ...(file !== undefined && { file }), line: spec.line, field });
}

/** Power (W) of a constant job; undefined for the other types. */
function constantPower(spec: JobSpec): number | undefined {
  return spec.type === 'constant' ? spec.profile.work[0]!.power : undefined;
}

function hasDefaultIds(specs: readonly JobSpec[]): boolean {
  return specs.every((s, i) => s.id === String(i));
}

/** Quote a field for a delimited file when it holds the delimiter, a quote or a line break. */
function delimitedField(v: string | number, delimiter: string): string {
  const s = String(v);
  return s.includes(delimiter) || /["\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Optional columns shared by both CSV writers, present only when some job needs them. */
function timingColumns(specs: readonly JobSpec[], unit: number): { name: string; cell: (s: JobSpec) => string }[] {
  const columns: { name: string; cell: (s: JobSpec) => string }[] = [];
  if (specs.some((s) => s.deadline !== undefined)) columns.push({ name: 'deadline', cell: (s) => (s.deadline === undefined ? '' : String(s.deadline / unit)) });
  if (specs.some((s) => s.maxWait !== undefined)) columns.push({ name: 'max_wait', cell: (s) => (s.maxWait === undefined ? '' : String(s.maxWait / unit)) });
  return columns;
}

/**
 * GAIA CSV: `arrival_time,length,cpus`, plus `power` when some job's power is not cpus x
 * watts-per-cpu, `deadline`/`max_wait` when some job has one, and `id` when the ids are not the
 * row numbers 0, 1, 2 ... the reader would give. Constant jobs only.
 */
export function gaiaCsv(specs: readonly JobSpec[], options: WriteOptions = {}): string {
  const unit = TIME_UNIT_SECONDS[options.timeUnit ?? 's'];
  const wattsPerCpu = options.wattsPerCpu ?? 1;
  for (const s of specs) {
    if (s.type !== 'constant') cannot(s, options.file, `GAIA CSV holds constant jobs only, not "${s.type}" (convert --to typed)`, 'name');
  }
  const needsPower = specs.some((s) => constantPower(s) !== s.cpus * wattsPerCpu);
  const columns = [
    { name: 'arrival_time', cell: (s: JobSpec) => String(s.arrival / unit) },
    { name: 'length', cell: (s: JobSpec) => String(s.profile.durationS / unit) },
    { name: 'cpus', cell: (s: JobSpec) => String(s.cpus) },
    ...(needsPower ? [{ name: 'power', cell: (s: JobSpec) => String(constantPower(s)) }] : []),
    ...timingColumns(specs, unit),
    ...(hasDefaultIds(specs) ? [] : [{ name: 'id', cell: (s: JobSpec) => delimitedField(s.id, ',') }]),
  ];
  return table(specs, columns, ',');
}

/**
 * Typed `|` trace: `id|arrival_time|length|cpus|name|args` (+ `deadline`, `max_wait` when used).
 * args is the job's literal as read, re-written as a Python literal; a constant job without one
 * gets `{'power': W}` when its power is not cpus x watts-per-cpu.
 */
export function typedTrace(specs: readonly JobSpec[], options: WriteOptions = {}): string {
  const unit = TIME_UNIT_SECONDS[options.timeUnit ?? 's'];
  const wattsPerCpu = options.wattsPerCpu ?? 1;
  const argsOf = (s: JobSpec): string => {
    if (s.args !== undefined) return pythonLiteral(s.args);
    const power = constantPower(s);
    if (power === undefined) cannot(s, options.file, `a "${s.type}" job needs its args to be written`, 'args');
    return power === s.cpus * wattsPerCpu ? '' : pythonLiteral({ power: power! });
  };
  const columns = [
    { name: 'id', cell: (s: JobSpec) => delimitedField(s.id, '|') },
    { name: 'arrival_time', cell: (s: JobSpec) => String(s.arrival / unit) },
    { name: 'length', cell: (s: JobSpec) => String(s.profile.durationS / unit) },
    { name: 'cpus', cell: (s: JobSpec) => String(s.cpus) },
    { name: 'name', cell: (s: JobSpec) => s.type },
    { name: 'args', cell: (s: JobSpec) => delimitedField(argsOf(s), '|') },
    ...timingColumns(specs, unit),
  ];
  return table(specs, columns, '|');
}

function table(specs: readonly JobSpec[], columns: { name: string; cell: (s: JobSpec) => string }[], delimiter: string): string {
  const lines = [columns.map((c) => c.name).join(delimiter)];
  for (const s of specs) lines.push(columns.map((c) => c.cell(s)).join(delimiter));
  return lines.join('\n') + '\n';
}

/**
 * SWF v2.2: job number, submit time, run time, and processors in both the allocated and the
 * requested field; every other field -1. Times in seconds as they are (fractions are kept, never
 * rounded). Job numbers are the ids when all are positive whole numbers, else 1..n in file order
 * (the header says so). Constant jobs whose power is processors x watts-per-cpu only, no deadlines.
 */
export function swfLog(specs: readonly JobSpec[], options: WriteOptions = {}): string {
  const wattsPerCpu = options.wattsPerCpu ?? 1;
  if ((options.timeUnit ?? 's') !== 's') throw new InputError('swf_time_unit', 'SWF times are seconds by definition', { field: 'out-time-unit' });
  for (const s of specs) {
    const power = constantPower(s);
    if (power === undefined) cannot(s, options.file, `SWF holds constant jobs only, not "${s.type}" (convert --to typed)`, 'name');
    if (power !== s.cpus * wattsPerCpu) {
      cannot(s, options.file, `power ${power} W is not processors x watts-per-cpu (${s.cpus} x ${wattsPerCpu} W), which is all SWF can hold`, 'power');
    }
    if (s.deadline !== undefined) cannot(s, options.file, 'SWF has no deadline field', 'deadline');
    if (s.maxWait !== undefined) cannot(s, options.file, 'SWF has no max_wait field', 'max_wait');
  }
  const keepIds = specs.every((s) => /^[1-9]\d{0,14}$/.test(s.id));
  const header = [
    '; Version: 2.2',
    '; Conversion: carbon-sim convert',
    `; Note: power = processors x ${wattsPerCpu} W (--watts-per-cpu); fields carbon-sim does not model are -1`,
  ];
  if (!keepIds) header.push('; Note: job numbers are 1..n in file order (the source ids were not all positive whole numbers)');
  const lines = [...header];
  const row: (string | number)[] = new Array(SWF_FIELD_COUNT).fill(SWF_MISSING);
  specs.forEach((s, i) => {
    row[0] = keepIds ? s.id : i + 1;
    row[1] = s.arrival;
    row[3] = s.profile.durationS;
    row[4] = s.cpus;
    row[7] = s.cpus;
    lines.push(row.join(' '));
  });
  return lines.join('\n') + '\n';
}

/** A data literal as Python source (single-quoted strings, True/False/None), which parseLiteral reads back. */
export function pythonLiteral(v: LiteralValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replace(/[\\'\n\r\t]/g, (c) => PY_ESCAPES[c]!)}'`;
  if (Array.isArray(v)) return `[${v.map(pythonLiteral).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pythonLiteral(k)}: ${pythonLiteral(x)}`)
    .join(', ')}}`;
}

const PY_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };
