// The fast path of parseWorkload (./trace.ts) for the common workload trace: unquoted, `\n`-separated,
// every job `constant` (GAIA's `arrival_time,length,cpus` and the like), read in one pass straight
// into typed columns, without csv-parse or a string per cell.
//
// It takes only text that the general path accepts, and returns exactly the specs that path would
// (checked by test/fast-csv.test.ts on random valid and invalid rows). On anything else it returns
// undefined and the general path reads the text and names file, line and field of the error: quotes,
// `\r`, `\f` or a byte-order mark anywhere; a header that is not a set of the columns below; a job type
// other than `constant`; non-empty args; and every row that the general path refuses. Any row rule
// added to parseWorkload must be added here too (`acceptRow` and `readDecimal`).
import { compileProfile, type CompiledProfile } from '../model/profile.js';
import { constantProfile } from '../model/jobs.js';
import type { JobSpec } from './trace.js';

/** Numeric columns, read as numbers; an empty cell is NaN (a decimal never reads as NaN). */
const NUMERIC = ['arrival_time', 'length', 'cpus', 'power', 'deadline', 'max_wait'] as const;
type NumericName = (typeof NUMERIC)[number];

/** The numeric cells of a trace, one typed array per column present, in file order of the rows. */
export interface CsvColumns {
  rows: number;
  /** 1-based line of each row */
  lines: Int32Array;
  /** by column name; an empty cell is NaN */
  numbers: Partial<Record<NumericName, Float64Array>>;
  /** the `id` cells, when the trace has that column */
  ids: string[] | undefined;
}

const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const LOWER_E = 101;
const UPPER_E = 69;
// the other columns it reads: `id` kept as text, `name` must be `constant`, `args` empty, `status` ignored
const NAME = -2;
const ARGS = -3;
const STATUS = -4;
const ID = -5;

// 10^0 .. 10^22 are exact doubles: an integer mantissa below 2^53 times or over one of them is one
// correctly rounded operation, so it equals Number() of the same text (Clinger's fast path).
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The decimal in text[s, e) as Number() reads it, or NaN when it is not a plain decimal as
 * isDecimal (./text.ts) defines it: `[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`.
 */
export function readDecimal(text: string, s: number, e: number): number {
  let i = s;
  let c = i < e ? text.charCodeAt(i) : 0;
  const negative = c === MINUS;
  if (c === PLUS || c === MINUS) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  while (i < e && (c = text.charCodeAt(i) - ZERO) >= 0 && c <= 9) {
    mantissa = mantissa * 10 + c;
    digits++;
    i++;
  }
  if (i < e && text.charCodeAt(i) === DOT) {
    i++;
    while (i < e && (c = text.charCodeAt(i) - ZERO) >= 0 && c <= 9) {
      mantissa = mantissa * 10 + c;
      digits++;
      fraction++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  let exponentDigits = 0;
  if (i < e && ((c = text.charCodeAt(i)) === LOWER_E || c === UPPER_E)) {
    i++;
    c = i < e ? text.charCodeAt(i) : 0;
    const down = c === MINUS;
    if (c === PLUS || c === MINUS) i++;
    while (i < e && (c = text.charCodeAt(i) - ZERO) >= 0 && c <= 9) {
      exponent = exponent * 10 + c;
      exponentDigits++;
      i++;
    }
    if (exponentDigits === 0) return NaN;
    if (down) exponent = -exponent;
  }
  if (i !== e) return NaN;
  // below 2^53 the mantissa is exact: every step to it was (a true value of 2^53 or more rounds to 2^53 or more)
  if (mantissa < 9007199254740992 && exponentDigits <= 4) {
    const k = exponent - fraction;
    if (k >= -22 && k <= 22) {
      const v = k >= 0 ? mantissa * POW10[k]! : mantissa / POW10[-k]!;
      return negative ? -v : v;
    }
  }
  return Number(text.slice(s, e));
}

/**
 * The cells of an unquoted trace as typed columns, with every per-cell rule of parseWorkload checked
 * (numbers plain decimals and finite, non-negative or positive, cpus whole; name `constant`, args
 * and ids not empty...). Undefined when the text needs the general path or holds a row it refuses.
 */
export function readCsvColumns(text: string, delimiter: string): CsvColumns | undefined {
  if (text.indexOf('"') !== -1 || text.indexOf('\r') !== -1 || text.indexOf('\f') !== -1 || text.charCodeAt(0) === 0xfeff) return undefined;
  const delim = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || delim === SPACE || delim === TAB || delim === NEWLINE) return undefined;
  const end = text.length;

  // the header: the first line that is not blank (spaces and tabs are trimmed from every cell)
  let pos = 0;
  let line = 1;
  let nl = 0;
  for (;;) {
    if (pos >= end) return undefined;
    nl = text.indexOf('\n', pos);
    if (nl === -1) nl = end;
    if (!blank(text, pos, nl)) break;
    pos = nl + 1;
    line++;
  }
  const names = text.slice(pos, nl).split(delimiter).map(trimCells);
  const kinds: number[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return undefined;
    seen.add(name);
    const n = (NUMERIC as readonly string[]).indexOf(name);
    if (n !== -1) kinds.push(n);
    else if (name === 'id') kinds.push(ID);
    else if (name === 'name') kinds.push(NAME);
    else if (name === 'args') kinds.push(ARGS);
    else if (name === 'status') kinds.push(STATUS);
    else return undefined;
  }
  if (!seen.has('arrival_time') || !seen.has('length')) return undefined;

  // rows: at most one per remaining line
  let capacity = 1;
  for (let i = text.indexOf('\n', nl + 1); i !== -1; i = text.indexOf('\n', i + 1)) capacity++;
  const columns: Float64Array[] = NUMERIC.map(() => EMPTY);
  for (const k of kinds) if (k >= 0) columns[k] = new Float64Array(capacity);
  const lines = new Int32Array(capacity);
  const ids: string[] | undefined = seen.has('id') ? [] : undefined;
  const ncol = kinds.length;

  let rows = 0;
  pos = nl + 1;
  line++;
  while (pos < end) {
    nl = text.indexOf('\n', pos);
    if (nl === -1) nl = end;
    if (blank(text, pos, nl)) {
      pos = nl + 1;
      line++;
      continue;
    }
    let p = pos;
    for (let c = 0; c < ncol; c++) {
      let ch = 0;
      while (p < nl && ((ch = text.charCodeAt(p)) === SPACE || ch === TAB)) p++;
      const s = p;
      while (p < nl && text.charCodeAt(p) !== delim) p++;
      const next = p;
      let e = p;
      while (e > s && ((ch = text.charCodeAt(e - 1)) === SPACE || ch === TAB)) e--;
      if (c < ncol - 1) {
        if (next === nl) return undefined; // too few fields
        p = next + 1;
      } else if (next !== nl) return undefined; // too many fields
      const kind = kinds[c]!;
      if (kind >= 0) {
        let v = NaN;
        if (e > s) {
          v = readDecimal(text, s, e);
          if (!acceptNumber(kind, v)) return undefined;
        } else if (kind <= 1) return undefined; // arrival_time and length are required
        columns[kind]![rows] = v;
      } else if (kind === NAME) {
        if (e - s !== 8 || text.slice(s, e) !== 'constant') return undefined;
      } else if (kind === ARGS) {
        if (e > s) return undefined;
      } else if (kind === ID) {
        // the general path's ids are trimmed on the right by String#trimEnd (csv-parse): any Unicode space
        const id = text.slice(s, e).trimEnd();
        if (id === '') return undefined;
        ids!.push(id);
      }
    }
    lines[rows] = line;
    rows++;
    pos = nl + 1;
    line++;
  }
  if (rows === 0) return undefined;
  const numbers: Partial<Record<NumericName, Float64Array>> = {};
  NUMERIC.forEach((name, k) => {
    if (columns[k] !== EMPTY) numbers[name] = columns[k]!;
  });
  return { rows, lines, numbers, ids };
}

const EMPTY = new Float64Array(0);

/** arrival_time, power, deadline, max_wait: finite, not negative; length: positive; cpus: positive and whole. */
function acceptNumber(kind: number, v: number): boolean {
  if (!Number.isFinite(v)) return false; // NaN: not a decimal
  if (kind === 1) return v > 0;
  if (kind === 2) return v > 0 && Number.isInteger(v);
  return !(v < 0);
}

function blank(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

function trimCells(cell: string): string {
  return cell.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * An unquoted all-`constant` trace read into columns, every row rule checked (readFastWorkload): what
 * the general path's specs would hold, by row in file order, times already in seconds.
 */
export interface FastWorkload {
  rows: number;
  lines: Int32Array;
  /** the `id` cells; undefined: the row index is the id */
  ids: string[] | undefined;
  arrivalS: Float64Array;
  /** NaN when the row gives none */
  deadlineS: Float64Array;
  /** NaN when the row gives none */
  maxWaitS: Float64Array;
  cpus: Float64Array;
  /** 1 when the row has no power: cpus x wattsPerCpu */
  powerFromCpus: Uint8Array;
  /** identical constant jobs share one compiled profile (profiles are read-only) */
  profiles: CompiledProfile[];
}

/**
 * The columns of an unquoted all-`constant` trace, or undefined when the text needs the general path
 * (which then also names any error).
 */
export function readFastWorkload(text: string, delimiter: string, options: { unit: number; wattsPerCpu: number }): FastWorkload | undefined {
  const table = readCsvColumns(text, delimiter);
  if (table === undefined) return undefined;
  const { rows, lines, numbers, ids } = table;
  const { unit, wattsPerCpu } = options;
  const arrival = numbers.arrival_time!;
  const length = numbers.length!;
  const { cpus, power, deadline, max_wait: maxWait } = numbers;
  if (ids !== undefined && new Set(ids).size !== ids.length) return undefined; // a duplicate id
  const cache = new ProfileCache();
  const out: FastWorkload = {
    rows,
    lines,
    ids,
    arrivalS: new Float64Array(rows),
    deadlineS: new Float64Array(rows),
    maxWaitS: new Float64Array(rows),
    cpus: new Float64Array(rows),
    powerFromCpus: new Uint8Array(rows),
    profiles: new Array<CompiledProfile>(rows),
  };
  for (let r = 0; r < rows; r++) {
    const a = arrival[r]!;
    const c = cpus === undefined ? NaN : cpus[r]!;
    const w = power === undefined ? NaN : power[r]!;
    const d = deadline === undefined ? NaN : deadline[r]!;
    const m = maxWait === undefined ? NaN : maxWait[r]!;
    if (d === d && m === m) return undefined; // deadline and max_wait both given
    if (d < a) return undefined; // deadline before arrival
    const powerW = w === w ? w : c === c ? c * wattsPerCpu : NaN;
    if (powerW !== powerW) return undefined; // neither cpus nor power
    const profile = cache.get(length[r]! * unit, powerW);
    if (profile === undefined) return undefined;
    out.profiles[r] = profile;
    out.arrivalS[r] = a * unit;
    out.deadlineS[r] = d === d ? d * unit : NaN;
    out.maxWaitS[r] = m === m ? m * unit : NaN;
    out.cpus[r] = c === c ? c : 1;
    out.powerFromCpus[r] = w !== w ? 1 : 0;
  }
  return out;
}

/** Row r's id: its cell, or the row index. */
export function fastId(w: FastWorkload, r: number): string {
  return w.ids === undefined ? String(r) : w.ids[r]!;
}

/** The specs of a fast workload, exactly as the general path builds them (key order included). */
export function fastSpecs(w: FastWorkload): JobSpec[] {
  const specs: JobSpec[] = new Array(w.rows);
  for (let r = 0; r < w.rows; r++) {
    const id = fastId(w, r);
    const d = w.deadlineS[r]!;
    const m = w.maxWaitS[r]!;
    const fromCpus = w.powerFromCpus[r] === 1;
    const base = { id, type: 'constant' as const, arrival: w.arrivalS[r]!, cpus: w.cpus[r]!, profile: w.profiles[r]!, line: w.lines[r]! };
    // the general path's key order: the fields, then deadline, max_wait and powerFromCpus when they apply
    let spec: JobSpec;
    if (d !== d && m !== m) {
      spec = fromCpus ? { ...base, powerFromCpus: true } : base;
    } else {
      spec = base;
      if (d === d) spec.deadline = d;
      if (m === m) spec.maxWait = m;
      if (fromCpus) spec.powerFromCpus = true;
    }
    specs[r] = spec;
  }
  return specs;
}

/**
 * One compiled constant profile per (duration, power), in an open-addressing table keyed by the bits of
 * both numbers (a Map with number keys costs several times more per look-up, and does not tell -0 from 0);
 * undefined when compileProfile refuses them.
 */
class ProfileCache {
  private durations: Float64Array = new Float64Array(1024);
  private powers: Float64Array = new Float64Array(1024);
  /** index + 1 into profiles; 0 = free */
  private slots = new Int32Array(1024);
  private readonly profiles: CompiledProfile[] = [];
  private readonly bits = new Float64Array(2);
  private readonly words = new Int32Array(this.bits.buffer);

  get(durationS: number, powerW: number): CompiledProfile | undefined {
    if (!Number.isFinite(durationS) || !Number.isFinite(powerW) || powerW < 0) return undefined;
    const mask = this.slots.length - 1;
    let i = this.hash(durationS, powerW) & mask;
    for (let s = this.slots[i]!; s !== 0; s = this.slots[i]!) {
      const k = s - 1;
      if (Object.is(this.durations[k], durationS) && Object.is(this.powers[k], powerW)) return this.profiles[k];
      i = (i + 1) & mask;
    }
    const profile = compile(durationS, powerW);
    if (profile === undefined) return undefined;
    const k = this.profiles.length;
    this.profiles.push(profile);
    if (k >= this.durations.length) {
      this.durations = grown(this.durations);
      this.powers = grown(this.powers);
    }
    this.durations[k] = durationS;
    this.powers[k] = powerW;
    this.slots[i] = k + 1;
    if (2 * this.profiles.length > this.slots.length) this.rehash();
    return profile;
  }

  private hash(d: number, p: number): number {
    const b = this.bits;
    const w = this.words;
    b[0] = d;
    b[1] = p;
    return Math.imul(Math.imul(w[0]! ^ Math.imul(w[1]!, 0x27d4eb2d), 0x165667b1) ^ w[2]! ^ Math.imul(w[3]!, 0x9e3779b1), 0x85ebca6b) >>> 7;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.profiles.length; k++) {
      let i = this.hash(this.durations[k]!, this.powers[k]!) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = k + 1;
    }
    this.slots = slots;
  }
}

function grown(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function compile(durationS: number, powerW: number): CompiledProfile | undefined {
  try {
    return compileProfile(constantProfile(durationS, powerW));
  } catch {
    return undefined; // the general path reports it
  }
}
