// Historical forecast files: the forecasts that really existed, each with its issue time, so a
// back-test sees what a scheduler could have known. Formats (see docs/carbon.md):
// - CSV with a header naming an issue-time, a target-time and a value column (`issued,target,value`);
// - JSON (an array, one object, or JSON lines) of saved API answers: Electricity Maps
//   `/v3/carbon-intensity/forecast` ({updatedAt, forecast: [{datetime, carbonIntensity}]}) or the
//   carbon-aware SDK's `/emissions/forecasts/current` ({generatedAt, forecastData: [{timestamp, value, duration}]}).
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { parseCsvRows } from '../io/csv.js';
import { decodeTextFile } from '../io/text.js';
import { MAX_INTENSITY_G_PER_KWH, parseTimestamp } from './csv.js';
import type { ForecastIssue, IssuedForecast } from './issued.js';
import type { CarbonSignal } from './signal.js';

/** One issue as read, in Unix ms. */
export interface FileIssue {
  issuedMs: number;
  /** target step starts, strictly increasing */
  targetsMs: Float64Array;
  values: Float64Array;
  /** end of the last target step */
  endMs: number;
}

/** Accepted header names, lower-cased. */
const ISSUED = ['issued', 'issued_at', 'issue_time', 'generated_at', 'generatedat', 'updatedat'];
const TARGET = ['target', 'target_time', 'datetime', 'timestamp'];
const VALUE = ['value', 'carbon_intensity', 'carbonintensity'];
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface Row {
  issuedMs: number;
  targetMs: number;
  value: number;
  /** the target step's length when the file says it (SDK `duration`) */
  durationMs: number | undefined;
  line: number | undefined;
  field: string | undefined;
}

function checkValue(v: number, file: string, where: { line?: number; field?: string }, text: string): number {
  if (!Number.isFinite(v) || v < 0 || v > MAX_INTENSITY_G_PER_KWH) {
    throw new InputError('bad_forecast_value', `forecast value "${text}" is not a finite number in [0, ${MAX_INTENSITY_G_PER_KWH}] gCO₂eq/kWh`, { file, ...where });
  }
  return v;
}

function timeOf(text: unknown, file: string, where: { line?: number; field?: string }): number {
  const ms = typeof text === 'string' ? parseTimestamp(text) : NaN;
  if (Number.isNaN(ms)) throw new InputError('bad_timestamp', `${JSON.stringify(text)} is not an ISO 8601 timestamp`, { file, ...where });
  return ms;
}

function csvRows(text: string, file: string): Row[] {
  const rows = parseCsvRows(text, { file });
  if (rows.length === 0) throw new InputError('empty_file', 'no header: expected issued,target,value', { file, line: 1 });
  const header = rows[0]!.record.map((h) => h.trim().toLowerCase());
  const col = (names: string[], what: string): number => {
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0) {
      throw new InputError('unknown_forecast_format', `header "${rows[0]!.record.join(',').slice(0, 80)}" has no ${what} column (one of ${names.join(', ')})`, {
        file,
        line: rows[0]!.line,
      });
    }
    return i;
  };
  const ci = col(ISSUED, 'issue-time');
  const ct = col(TARGET, 'target-time');
  const cv = col(VALUE, 'value');
  const names = rows[0]!.record;
  const out: Row[] = [];
  for (const { record, line } of rows.slice(1)) {
    const issuedMs = timeOf(record[ci] ?? '', file, { line, field: names[ci] });
    const targetMs = timeOf(record[ct] ?? '', file, { line, field: names[ct] });
    const raw = (record[cv] ?? '').trim();
    if (!DECIMAL.test(raw)) throw new InputError('bad_forecast_value', `forecast value "${raw}" is not a decimal number`, { file, line, field: names[cv] });
    const value = checkValue(Number(raw), file, { line, field: names[cv] }, raw);
    out.push({ issuedMs, targetMs, value, durationMs: undefined, line, field: names[ct] });
  }
  return out;
}

/** The JSON values of a file: one document, or one per line (JSON lines), each with its line. */
function jsonDocuments(text: string, file: string): { doc: unknown; line: number | undefined }[] {
  let whole: Error;
  try {
    return [{ doc: JSON.parse(text), line: undefined }];
  } catch (err) {
    whole = err as Error;
  }
  const lines = text.split('\n');
  const firstLine = lines.find((s) => s.trim() !== '') ?? '';
  let firstParses = true;
  try {
    JSON.parse(firstLine);
  } catch {
    firstParses = false;
  }
  if (!firstParses) {
    // one document, broken: name the line of the position JSON.parse reports
    const pos = /position (\d+)/.exec(whole.message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new InputError('malformed_json', `not JSON: ${whole.message}`, { file, line });
  }
  const docs: { doc: unknown; line: number }[] = [];
  lines.forEach((s, i) => {
    if (s.trim() === '') return;
    try {
      docs.push({ doc: JSON.parse(s), line: i + 1 });
    } catch (err) {
      throw new InputError('malformed_json', `not a JSON line: ${(err as Error).message}`, { file, line: i + 1 });
    }
  });
  return docs;
}

function jsonRows(text: string, file: string): Row[] {
  const out: Row[] = [];
  const zones = new Set<string>();
  for (const { doc, line } of jsonDocuments(text, file)) {
    const list = Array.isArray(doc) ? doc : [doc];
    list.forEach((f, n) => {
      const path = Array.isArray(doc) ? `[${n}]` : '';
      const at = (field: string): { line?: number; field: string } => (line === undefined ? { field: `${path}${field}` } : { line, field: `${path}${field}` });
      if (f === null || typeof f !== 'object') throw new InputError('unknown_forecast_format', 'expected a forecast object', { file, ...at('') });
      const o = f as Record<string, unknown>;
      const em = Array.isArray(o.forecast);
      const sdk = Array.isArray(o.forecastData);
      if (!em && !sdk) {
        throw new InputError(
          'unknown_forecast_format',
          'neither an Electricity Maps forecast ({updatedAt, forecast: [...]}) nor a carbon-aware SDK forecast ({generatedAt, forecastData: [...]})',
          { file, ...at('') },
        );
      }
      const zone = em ? o.zone : o.location;
      if (typeof zone === 'string') zones.add(zone);
      const issuedKey = em ? 'updatedAt' : 'generatedAt';
      const issuedMs = timeOf(o[issuedKey], file, at(`.${issuedKey}`));
      const points = (em ? o.forecast : o.forecastData) as unknown[];
      const key = em ? 'forecast' : 'forecastData';
      points.forEach((p, j) => {
        const pf = (field: string) => at(`.${key}[${j}].${field}`);
        if (p === null || typeof p !== 'object') throw new InputError('unknown_forecast_format', 'expected a forecast point object', { file, ...pf('') });
        const q = p as Record<string, unknown>;
        const tKey = em ? 'datetime' : 'timestamp';
        const vKey = em ? 'carbonIntensity' : 'value';
        const targetMs = timeOf(q[tKey], file, pf(tKey));
        const v = q[vKey];
        if (typeof v !== 'number') throw new InputError('bad_forecast_value', `forecast value ${JSON.stringify(v)} is not a number`, { file, ...pf(vKey) });
        const value = checkValue(v, file, pf(vKey), String(v));
        let durationMs: number | undefined;
        if (!em && q.duration !== undefined) {
          if (typeof q.duration !== 'number' || !(q.duration > 0)) {
            throw new InputError('bad_forecast_value', `duration ${JSON.stringify(q.duration)} is not a positive number of minutes`, { file, ...pf('duration') });
          }
          durationMs = q.duration * 60_000;
        }
        out.push({ issuedMs, targetMs, value, durationMs, line, field: pf(tKey).field });
      });
    });
  }
  if (zones.size > 1) throw new InputError('mixed_zones', `forecasts for several zones (${[...zones].join(', ')}): one zone per file`, { file });
  return out;
}

/**
 * Parse a forecast file's text into issues (grouped by issue time, in issue order; targets sorted).
 * A target given twice in one issue is an error naming its line; an issue's last target lasts
 * its `duration` (SDK) or the issue's shortest target spacing, else `defaultStepMs`.
 */
export function parseForecastText(text: string, file: string, defaultStepMs: number): FileIssue[] {
  const rows = /^\s*[[{]/.test(text) ? jsonRows(text, file) : csvRows(text, file);
  if (rows.length === 0) throw new InputError('empty_file', 'no forecast rows', { file });
  const byIssue = new Map<number, Row[]>();
  for (const r of rows) {
    let list = byIssue.get(r.issuedMs);
    if (!list) byIssue.set(r.issuedMs, (list = []));
    list.push(r);
  }
  const issues: FileIssue[] = [];
  for (const issuedMs of [...byIssue.keys()].sort((a, b) => a - b)) {
    const list = byIssue.get(issuedMs)!.slice().sort((a, b) => a.targetMs - b.targetMs);
    let minStep = Infinity;
    for (let i = 1; i < list.length; i++) {
      const step = list[i]!.targetMs - list[i - 1]!.targetMs;
      if (step === 0) {
        const r = list[i]!;
        throw new InputError('duplicate_forecast', `target ${new Date(r.targetMs).toISOString()} appears twice in the forecast issued at ${new Date(issuedMs).toISOString()}`, {
          file,
          line: r.line,
          field: r.field,
        });
      }
      minStep = Math.min(minStep, step);
    }
    const last = list[list.length - 1]!;
    const lastStep = last.durationMs ?? (Number.isFinite(minStep) ? minStep : defaultStepMs);
    issues.push({
      issuedMs,
      targetsMs: Float64Array.from(list, (r) => r.targetMs),
      values: Float64Array.from(list, (r) => r.value),
      endMs: last.targetMs + lastStep,
    });
  }
  return issues;
}

/** Forecasts read from a file, in the simulation time of `actual` (s since its epoch). */
class FileIssued implements IssuedForecast {
  readonly kind = 'file' as const;
  readonly count: number;
  private readonly issuedAt: Float64Array;

  constructor(
    private readonly issues: FileIssue[],
    readonly actual: CarbonSignal,
    readonly spec: string,
  ) {
    this.count = issues.length;
    this.issuedAt = Float64Array.from(issues, (i) => this.seconds(i.issuedMs));
  }

  private seconds(ms: number): number {
    return (ms - this.actual.epochMs) / 1000;
  }

  issueIndexAt(t: number): number {
    // the latest issue at or before t (bisection; 1e-7 s as the engine's tolerance)
    let lo = -1;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.issuedAt[mid]! <= t + 1e-7) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  issue(k: number): ForecastIssue {
    const f = this.issues[k];
    if (!f) throw new RangeError(`issue index ${k} outside [0, ${this.count})`);
    return {
      index: k,
      issuedAt: this.issuedAt[k]!,
      times: Float64Array.from(f.targetsMs, (ms) => this.seconds(ms)),
      values: f.values,
      end: this.seconds(f.endMs),
    };
  }

  errorSd(): undefined {
    return undefined;
  }
}

/** Read a forecast file (plain or gzip) as forecasts issued over `actual`. */
export function loadForecastFile(path: string, actual: CarbonSignal, spec = `file:${path}`): IssuedForecast {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'EISDIR' ? 'is a folder, not a file' : `cannot read file (${code})`, { file: path, field: 'forecast' });
  }
  const text = decodeTextFile(bytes, path, 'a CSV or JSON forecast file');
  return forecastFromText(text, path, actual, spec);
}

/** `loadForecastFile` on text already read. */
export function forecastFromText(text: string, file: string, actual: CarbonSignal, spec = `file:${file}`): IssuedForecast {
  return new FileIssued(parseForecastText(text, file, actual.resolutionS * 1000), actual, spec);
}
