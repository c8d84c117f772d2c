// Batsim JSON workloads (oar-team/batsim, docs/input-workload.rst):
//   {"nb_res": N, "jobs": [{"id", "subtime", "walltime"?, "res", "profile", ...}], "profiles": {name: {"type", ...}}}
// One documented mapping to constant jobs, as for SWF:
//   id = id (a string, or an integer written as one), arrival = subtime, cpus = size = res,
//   estimateS = walltime (-1 or absent: unknown), power = res x watts-per-cpu,
//   length = the delay profile's delay, cut to the walltime when that is shorter (Batsim kills the job there).
// Only delay profiles are simulated: every other profile type describes flops and bytes that need a
// platform model (SimGrid) to become a duration. Unused profiles are not checked, as Batsim never runs them.
// Values are never coerced: a number must be a JSON number, not a string holding one.
import { InputError } from '../errors.js';
import { constantProfile } from '../model/jobs.js';
import { compileProfile, type CompiledProfile } from '../model/profile.js';
import type { JobSpec, TimeUnit } from './trace.js';

/** Profile `type` values that mean "sleep for `delay` seconds": the classic name and the one of Batsim's current docs. */
export const BATSIM_DELAY_TYPES: readonly string[] = ['delay', 'DelayProfile'];

/** Batsim's walltime for "no limit". */
export const BATSIM_NO_WALLTIME = -1;

export interface BatsimOptions {
  /** file name used in error messages */
  file?: string;
  /** power of a job = res x wattsPerCpu; default 1 W per resource (as GAIA and SWF) */
  wattsPerCpu?: number;
  /** only 's' is accepted: Batsim times are seconds by definition */
  timeUnit?: TimeUnit;
}

/** A Batsim workload as read: the platform size it was made for, and its jobs in file order. */
export interface BatsimWorkload {
  /** `nb_res`: how many resources the workload was designed for */
  nbRes: number;
  specs: JobSpec[];
}

type JsonObject = Record<string, unknown>;
type PathPart = string | number;

/** Parse a Batsim workload's text. Throws InputError naming file, line and field (`jobs[3].res`). */
export function parseBatsim(text: string, options: BatsimOptions = {}): BatsimWorkload {
  const file = options.file ?? '<batsim>';
  const wattsPerCpu = options.wattsPerCpu ?? 1;
  if ((options.timeUnit ?? 's') !== 's') {
    throw new InputError('batsim_time_unit', 'Batsim times are seconds by definition; --time-unit applies to CSV traces only', { file, field: 'time-unit' });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // JSON.parse rejects a byte-order mark
  const doc = parseJson(text, file);

  // Lines of fields are looked up only when there is something to report, by scanning the text again.
  const lineOf = (path: readonly PathPart[]): number | undefined => {
    const offset = offsetOfPath(text, path);
    return offset === undefined ? undefined : lineAtOffset(text, offset);
  };
  const jobLines = jobStartLines(text);
  // The line of the field, else of its parent (a missing field: the job's first line), else 1.
  const fail: Fail = (code, path, message) => {
    throw new InputError(code, message, { file, line: lineOf(path) ?? lineOf(path.slice(0, -1)) ?? 1, field: path.length > 0 ? fieldName(path) : undefined });
  };

  if (!isObject(doc)) fail('not_an_object', [], `a Batsim workload is a JSON object {"nb_res", "jobs", "profiles"}, not ${kindOf(doc)}`);
  const root = doc;

  const nbRes = numberField(root, 'nb_res', (code, key, message) => fail(code, [key], message));
  if (!Number.isInteger(nbRes)) fail('not_integer', ['nb_res'], `nb_res ${nbRes} must be a whole number (resources of the platform)`);
  if (nbRes < 1) fail('not_positive', ['nb_res'], `nb_res ${nbRes} must be positive (resources of the platform)`);

  if (!Object.hasOwn(root, 'jobs')) fail('missing_value', ['jobs'], 'the workload has no "jobs" array');
  const jobs = root.jobs;
  if (!Array.isArray(jobs)) fail('not_an_array', ['jobs'], `"jobs" must be an array, not ${kindOf(jobs)}`);
  if (jobs.length === 0) fail('no_jobs', ['jobs'], 'the workload has an empty "jobs" array');
  if (!Object.hasOwn(root, 'profiles')) fail('missing_value', ['profiles'], 'the workload has no "profiles" object (every job names one)');
  const profiles = root.profiles;
  if (!isObject(profiles)) fail('not_an_object', ['profiles'], `"profiles" must be an object {name: profile}, not ${kindOf(profiles)}`);

  const delays = new Map<string, number>();
  const delayOf = (name: string, job: number, jobId: string): number => {
    const known = delays.get(name);
    if (known !== undefined) return known;
    const path = ['profiles', name];
    if (!Object.hasOwn(profiles, name)) {
      fail('unknown_profile', ['jobs', job, 'profile'], `job "${jobId}" uses profile "${name}", which "profiles" does not define`);
    }
    const profile = profiles[name];
    if (!isObject(profile)) fail('not_an_object', path, `profile "${name}" must be an object {"type", ...}, not ${kindOf(profile)}`);
    const type = profile.type;
    if (typeof type !== 'string') fail('bad_profile_type', [...path, 'type'], `profile "${name}" needs a string "type", not ${kindOf(type)}`);
    if (!BATSIM_DELAY_TYPES.includes(type)) {
      fail(
        'unsupported_profile',
        [...path, 'type'],
        `profile "${name}" (used by job "${jobId}") has type "${type}": only delay profiles are simulated; ` +
          'other types give work in flops and bytes, which needs a platform model to become a duration',
      );
    }
    const delay = numberField(profile, 'delay', (code, key, message) => fail(code, [...path, key], message));
    // Batsim itself requires a strictly positive delay; a job needs a positive run time here too.
    if (!(delay > 0)) fail('not_positive', [...path, 'delay'], `delay ${delay} must be positive (seconds)`);
    delays.set(name, delay);
    return delay;
  };

  const ids = new Set<string>();
  // Workloads repeat (length, power) pairs; compiled profiles are immutable, so such jobs share one.
  const compiled = new Map<number, Map<number, CompiledProfile>>();
  const specs: JobSpec[] = new Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    // Paths are built only on failure: this loop runs once per job of traces with 100k jobs.
    const failAt: FailKey = (code, key, message) => fail(code, ['jobs', i, key], message);
    const o = jobs[i];
    if (!isObject(o)) fail('not_an_object', ['jobs', i], `jobs[${i}] must be an object {"id", "subtime", "res", "profile"}, not ${kindOf(o)}`);
    for (const key of JOB_REQUIRED) if (o[key] === undefined) failAt('missing_value', key, `jobs[${i}] has no "${key}"`);

    const rawId = o.id;
    if (!(typeof rawId === 'string' && rawId !== '') && !(typeof rawId === 'number' && Number.isSafeInteger(rawId))) {
      failAt('bad_id', 'id', `job id ${describe(rawId)} must be a non-empty string or a whole number`);
    }
    const id = String(rawId);
    if (ids.has(id)) failAt('duplicate_id', 'id', `duplicate job id "${id}"`);
    ids.add(id);

    const subtime = numberField(o, 'subtime', failAt);
    if (subtime < 0) failAt('negative', 'subtime', `subtime ${subtime} must not be negative`);

    let estimateS: number | undefined;
    if (o.walltime !== undefined) {
      const walltime = numberField(o, 'walltime', failAt);
      // Batsim's rule: -1 (no limit) or strictly positive.
      if (walltime !== BATSIM_NO_WALLTIME && !(walltime > 0)) {
        failAt('bad_walltime', 'walltime', `walltime ${walltime} must be ${BATSIM_NO_WALLTIME} (no limit) or positive (seconds)`);
      }
      if (walltime > 0) estimateS = walltime;
    }

    const res = numberField(o, 'res', failAt);
    if (!Number.isInteger(res)) failAt('not_integer', 'res', `res ${res} must be a whole number (resources requested)`);
    if (res < 1) failAt('not_positive', 'res', `res ${res} must be positive (resources requested)`);
    if (res > nbRes) failAt('too_many_resources', 'res', `job "${id}" requests ${res} resources, more than the workload's nb_res ${nbRes}`);

    const profileName = o.profile;
    if (typeof profileName !== 'string') failAt('not_a_string', 'profile', `profile must be a profile name (a string), not ${describe(profileName)}`);
    const delay = delayOf(profileName, i, id);

    // Batsim kills a job when its walltime is reached, so the machine time is the shorter of the two.
    const length = estimateS !== undefined && estimateS < delay ? estimateS : delay;
    const power = res * wattsPerCpu;
    let byPower = compiled.get(length);
    if (byPower === undefined) compiled.set(length, (byPower = new Map()));
    let profile = byPower.get(power);
    if (profile === undefined) {
      profile = compileProfile(constantProfile(length, power));
      byPower.set(power, profile);
    }
    const spec: JobSpec = { id, type: 'constant', arrival: subtime, cpus: res, size: res, profile, line: jobLines[i] ?? 1 };
    if (estimateS !== undefined) spec.estimateS = estimateS;
    specs[i] = spec;
  }
  return { nbRes, specs };
}

/** JSON.parse, with a SyntaxError turned into an InputError on the line of the fault. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    // V8 says "... in JSON at position N" for most faults, but "Unexpected token 'x', <excerpt> is not
    // valid JSON" and "Unexpected end of JSON input" without a position: the scanner finds those.
    const position = /\bat position (\d+)/.exec(err.message);
    let message = err.message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/\s+in JSON at position \d+/, '');
    let offset = position ? Number(position[1]) : undefined;
    if (offset === undefined) {
      const fault = scanFault(text);
      if (fault !== undefined) ({ offset, message } = fault);
      else message = message.split('\n')[0]!;
    }
    throw new InputError('bad_json', `not valid JSON: ${message}`, { file, ...(offset !== undefined && { line: lineAtOffset(text, offset) }) });
  }
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `the ${typeof v} ${describe(v)}`;
}

/** A value as it appears in JSON, shortened for a one-line message. */
function describe(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** `jobs[3].res`, `profiles.delay10.delay`; names that are not plain words are quoted: `profiles["a b"]`. */
function fieldName(path: readonly PathPart[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(p)) s += s === '' ? p : `.${p}`;
    else s += `[${JSON.stringify(p)}]`;
  }
  return s;
}

type Fail = (code: string, path: readonly PathPart[], message: string) => never;
type FailKey = (code: string, key: string, message: string) => never;

/** Fields every job must have. */
const JOB_REQUIRED = ['id', 'subtime', 'res', 'profile'] as const;

/** A required JSON number, finite; a quoted number is an error, never read as one. */
function numberField(o: JsonObject, key: string, fail: FailKey): number {
  const v = o[key]; // the keys read are never Object.prototype's, so undefined means absent
  if (v === undefined) fail('missing_value', key, `"${key}" is missing`);
  if (typeof v !== 'number') {
    const hint = typeof v === 'string' ? ' (write the number without quotes)' : '';
    fail('not_a_number', key, `${key} must be a JSON number, not ${kindOf(v)}${hint}`);
  }
  if (!Number.isFinite(v)) fail('not_finite', key, `${key} is out of range (not a finite number)`); // 1e400
  return v;
}

// ---------------------------------------------------------------------------------------------
// Positions. JSON.parse returns values without positions, so a small scanner walks the same text
// following the JSON grammar: once for the line of every job, and again for the line of a field
// when there is an error to report. On text JSON.parse rejected it finds the fault's offset.

class ScanFault extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Called at each value: its path, and the offset of its key (object members) or first character. */
type Visit = (path: readonly PathPart[], offset: number) => boolean;

/** When looking for a fault, deeper nesting counts as one, rather than risk the recursion overflowing the stack. */
const MAX_DEPTH = 1000;

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Walks one JSON text; `visit` returning false skips reporting the value's children. On text that
 * JSON.parse accepted (`trusted`) such a value is skipped by counting brackets, much faster than
 * following the grammar; otherwise every character is checked, to find a fault.
 */
class Scanner {
  private pos = 0;
  private depth = 0;
  private readonly path: PathPart[] = [];

  constructor(
    private readonly text: string,
    private readonly visit: Visit,
    private readonly trusted: boolean,
  ) {}

  run(): void {
    this.space();
    this.value(this.pos, true);
    this.space();
    if (this.pos < this.text.length) this.fault('unexpected text after the JSON value');
  }

  private fault(message: string): never {
    throw new ScanFault(message, this.pos);
  }

  private space(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      this.pos++;
    }
  }

  private value(reportAt: number, report: boolean): void {
    const descend = report && this.visit(this.path, reportAt);
    if (!descend && this.trusted) {
      this.skip();
      return;
    }
    const c = this.text[this.pos];
    if (c === '{') this.object(descend);
    else if (c === '[') this.array(descend);
    else if (c === '"') this.string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else if (!this.word('true') && !this.word('false') && !this.word('null')) {
      this.fault(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
    }
  }

  /** Skip a value of valid JSON: strings by their closing quote, containers by bracket depth. */
  private skip(): void {
    const t = this.text;
    let i = this.pos;
    let depth = 0;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        // '"': the next quote not escaped by an odd run of backslashes
        for (;;) {
          const q = t.indexOf('"', i + 1);
          if (q === -1) this.fault('unterminated string'); // not on text JSON.parse accepted
          let b = q - 1;
          while (t.charCodeAt(b) === 92) b--;
          i = q;
          if ((q - 1 - b) % 2 === 0) break;
        }
        i++;
        if (depth === 0) break;
        continue;
      }
      if (c === 123 || c === 91) depth++; // '{' '['
      else if (c === 125 || c === 93) {
        // '}' ']'
        if (--depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0) {
        // number, true, false or null: up to the next delimiter
        while (i < t.length && !isDelimiter(t.charCodeAt(i))) i++;
        break;
      }
      i++;
    }
    this.pos = i;
  }

  private word(w: string): boolean {
    if (!this.text.startsWith(w, this.pos)) return false;
    this.pos += w.length;
    return true;
  }

  private nest(): void {
    if (++this.depth > MAX_DEPTH) this.fault(`nested deeper than ${MAX_DEPTH} levels`);
  }

  private object(report: boolean): void {
    this.nest();
    this.pos++; // '{'
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fault('expected a double-quoted property name');
      const keyAt = this.pos;
      const key = this.string(report);
      this.space();
      if (this.text[this.pos] !== ':') this.fault("expected ':' after the property name");
      this.pos++;
      this.space();
      if (report) this.path.push(key!);
      this.value(keyAt, report);
      if (report) this.path.pop();
      this.space();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') {
        this.depth--;
        return;
      }
      if (c !== ',') {
        this.pos--;
        this.fault("expected ',' or '}' after a property value");
      }
    }
  }

  private array(report: boolean): void {
    this.nest();
    this.pos++; // '['
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return;
    }
    for (let i = 0; ; i++) {
      this.space();
      if (report) this.path.push(i);
      this.value(this.pos, report);
      if (report) this.path.pop();
      this.space();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') {
        this.depth--;
        return;
      }
      if (c !== ',') {
        this.pos--;
        this.fault("expected ',' or ']' after an array element");
      }
    }
  }

  /** Scan a string; with `decode`, return its value (needed only for keys on a reported path). */
  private string(decode = false): string | undefined {
    const t = this.text;
    const start = this.pos;
    this.pos++; // '"'
    let escaped = false;
    for (;;) {
      if (this.pos >= t.length) this.fault('unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 34) break; // '"'
      if (c < 32) this.fault('control character in a string (escape it)');
      if (c === 92) {
        // '\'
        escaped = true;
        const e = t[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) this.fault('bad \\u escape');
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fault('bad escape in a string');
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
    this.pos++; // closing '"'
    if (!decode) return undefined;
    return escaped ? (JSON.parse(t.slice(start, this.pos)) as string) : t.slice(start + 1, this.pos - 1);
  }

  private number(): void {
    JSON_NUMBER.lastIndex = this.pos;
    if (!JSON_NUMBER.test(this.text)) this.fault('bad number');
    this.pos = JSON_NUMBER.lastIndex;
    const c = this.text[this.pos];
    if (c !== undefined && /[\w.+-]/.test(c)) this.fault('bad number');
  }
}

/** The offset and message of the first fault in a text that is not JSON (undefined: none found). */
function scanFault(text: string): { offset: number; message: string } | undefined {
  try {
    new Scanner(text, () => false, false).run();
  } catch (err) {
    if (err instanceof ScanFault) return { offset: err.offset, message: err.message };
    throw err;
  }
  return undefined;
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 125 || c === 93 || c === 32 || c === 10 || c === 13 || c === 9; // , } ] blanks
}

function samePath(a: readonly PathPart[], b: readonly PathPart[], n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Offset of a path's key (or array element); the last occurrence, as JSON.parse keeps the last duplicate. */
function offsetOfPath(text: string, target: readonly PathPart[]): number | undefined {
  let found: number | undefined;
  try {
    new Scanner(text, (path, offset) => {
      if (path.length > target.length || !samePath(path, target, path.length)) return false;
      if (path.length === target.length) found = offset;
      return path.length < target.length;
    }, true).run();
  } catch (err) {
    if (!(err instanceof ScanFault)) throw err;
    return undefined; // only a line is lost: the error being reported is the one that matters
  }
  return found;
}

/** The 1-based line of each element of the top-level "jobs" array, in one pass. */
function jobStartLines(text: string): number[] {
  let lines: number[] = [];
  let line = 1;
  let counted = 0;
  new Scanner(text, (path, offset) => {
    if (path.length === 0) return true;
    if (path[0] !== 'jobs') return false;
    if (path.length === 1) {
      lines = []; // a repeated "jobs" key: JSON.parse keeps the last
      return true;
    }
    for (let i = text.indexOf('\n', counted); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    counted = offset;
    lines.push(line);
    return false;
  }, true).run();
  return lines;
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
