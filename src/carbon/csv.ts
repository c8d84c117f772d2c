// Carbon-intensity CSV readers. Columns are recognised by name, case-insensitively:
// - Electricity Maps exports: `Datetime (UTC)` + `Carbon Intensity gCO₂eq/kWh (direct)` / `(LCA)` / `(Life cycle)`
// - Let's Wait Awhile: `Time,Carbon Intensity`
// - Electricity Maps API (carbs): `datetime,carbon_intensity_avg` (or `carbonIntensity`), `emissionFactorType`
// - UK Carbon Intensity API: `from,to,forecast,actual` (reads `actual`)
// - WattTime: `point_time,value` (v3) or `timestamp,MOER` (v2), lb/MWh
// - plain `timestamp,value` (or time/datetime/date and intensity/carbon_intensity)
// or named with `timeColumn` / `valueColumn` (--carbon-time-column, --carbon-value-column). Values
// are converted from `unit` (--carbon-unit) to gCO2/kWh; a unit the header states or the format
// implies must agree with it. Reading is two steps: rows as they stand in the file (each value
// parsed and range-checked), then `regularize` (transform.ts) checks order, gaps, duplicates and
// empty values, or fills them.
import { parseCsvRows, type CsvRow } from '../io/csv.js';
import { InputError } from '../errors.js';
import { clip, isDecimal, quote } from '../io/text.js';
import { regularize, type FillMode, type FillReport } from './transform.js';

export type CarbonColumn = 'direct' | 'lca';

/** Units a carbon file may be in (--carbon-unit); values are converted to gCO2/kWh. */
export type CarbonUnit = 'g/kWh' | 'kg/kWh' | 'lb/MWh';
/** grams per kWh in one of each unit (1 lb = 453.59237 g, exactly; per MWh is per 1,000 kWh) */
export const CARBON_UNIT_G_PER_KWH: Record<CarbonUnit, number> = { 'g/kWh': 1, 'kg/kWh': 1000, 'lb/MWh': 0.45359237 };
export const CARBON_UNITS = Object.keys(CARBON_UNIT_G_PER_KWH) as CarbonUnit[];

/**
 * The largest intensity accepted (gCO2/kWh). The dirtiest plants (lignite) emit about 1,200
 * gCO2/kWh, so a larger value is almost surely another unit (gCO2/MWh is 1,000 x larger).
 */
export const MAX_INTENSITY_G_PER_KWH = 5000;

/** Rows as they stand in the file: not yet checked for order, gaps or duplicates. */
export interface CarbonRows {
  file: string;
  /** header names of the time and value columns */
  timeColumn: string;
  column: string;
  /** Unix ms of each row, in file order */
  timesMs: Float64Array;
  /** gCO2/kWh; NaN where the field was empty */
  values: Float64Array;
  /** 1-based line of each row */
  lines: Int32Array;
  /** the unit the file's values were in (converted to gCO2/kWh in `values`) */
  unit: CarbonUnit;
  /** what the columns were recognised as, e.g. `Electricity Maps export`, or `named columns` */
  format: string;
}

/** A regular trace: one value per step of a fixed grid. */
export interface CarbonTable {
  /** Unix ms of each row: strictly increasing by `stepMs` */
  timesMs: Float64Array;
  /** gCO2/kWh */
  values: Float64Array;
  /** the column that was read */
  column: string;
  /** the grid step (ms) */
  stepMs: number;
  /** what a fill rule changed; undefined without one */
  fill?: FillReport;
}

/** How to find and read a carbon file's columns. */
export interface CarbonReadOptions {
  /** file name used in error messages */
  file?: string;
  /** which intensity of an export that has both: direct (default) or life-cycle */
  column?: CarbonColumn;
  /** the time column, by header name (case-insensitive); default: recognised */
  timeColumn?: string;
  /** the intensity column, by header name (case-insensitive); default: recognised */
  valueColumn?: string;
  /** the unit of the values; default: gCO2/kWh (a header or format stating another unit is then an error) */
  unit?: CarbonUnit;
}

/** Header names compared case-insensitively, `₂` as `2`, blanks collapsed. */
const norm = (name: string): string => name.normalize('NFKC').replace(/₂/g, '2').replace(/\s+/g, ' ').trim().toLowerCase();

/** Time columns of the recognised exports and plain files, most specific first. */
const EXPORT_TIME_NAMES = ['datetime (utc)', 'point_time', 'from'];
const TIME_NAMES = [...EXPORT_TIME_NAMES, 'datetime', 'timestamp', 'time', 'date', 'datetime_utc', 'timestamp_utc', 'time_utc'];

/** A value column as recognised: its factor (direct or life-cycle, when the file says), the unit it states or its format implies. */
interface ValueCandidate {
  index: number;
  format: string;
  /** direct or lca when the header says; `rows` when a column names each row's factor (carbs); undefined: not said */
  factor?: CarbonColumn | 'rows';
  /** unit text as the header states it (checked against the unit read) */
  stated?: string;
  /** a unit the format implies without stating it (WattTime's MOER: lb/MWh) */
  implied?: CarbonUnit;
  /** lower is preferred when several columns could be read */
  rank: number;
}

const EM_COLUMN = /^carbon intensity (\S+) \((direct|lca|life ?cycle)\)$/;
const GENERIC_VALUES = ['value', 'intensity', 'carbon_intensity', 'carbonintensity', 'carbon intensity', 'co2_intensity', 'ci'];
/** a generic name followed by a unit: `value (lb/MWh)`, `carbon_intensity_g_per_kwh` */
const GENERIC_WITH_UNIT = /^(value|intensity|carbon_intensity|carbon intensity|co2_intensity|ci)(?=$|[\s_([])/;

/** The unit a column name states: `Carbon Intensity kgCO₂eq/kWh (direct)`, `value (lb/MWh)`, `ci_g_per_kwh`. */
function statedUnit(name: string): string | undefined {
  const n = norm(name);
  const em = EM_COLUMN.exec(n);
  if (em) return name.trim().split(/\s+/)[2];
  const bracket = /[([]([^)\]]*(?:\/|per)[^)\]]*)[)\]]\s*$/.exec(name);
  if (bracket) return bracket[1]!.trim();
  const suffix = /_((?:k?g|lbs?|t)(?:_?co2e?q?)?_per_[km]?wh)$/i.exec(name.trim());
  return suffix ? suffix[1] : undefined;
}

/** `gCO₂eq/kWh` -> g/kWh; `lbs_per_MWh` -> lb/MWh; undefined for a unit carbon-sim does not read. */
export function parseCarbonUnit(text: string): CarbonUnit | undefined {
  const t = norm(text).replace(/_per_| per /g, '/').replace(/co2e?q?|[\s_]/g, '').replace(/^lbs\//, 'lb/');
  const known: Record<string, CarbonUnit> = { 'g/kwh': 'g/kWh', 'kg/kwh': 'kg/kWh', 't/mwh': 'kg/kWh', 'lb/mwh': 'lb/MWh', 'kg/mwh': 'g/kWh' };
  return known[t];
}

function valueCandidates(names: readonly string[]): ValueCandidate[] {
  const has = (n: string): boolean => names.some((h) => norm(h) === n);
  const out: ValueCandidate[] = [];
  names.forEach((name, index) => {
    const n = norm(name);
    const em = EM_COLUMN.exec(n);
    if (em) out.push({ index, format: 'Electricity Maps export', factor: em[2] === 'direct' ? 'direct' : 'lca', stated: statedUnit(name), rank: 0 });
    else if (n === 'carbon intensity' && has('time')) out.push({ index, format: "Let's Wait Awhile", factor: 'direct', rank: 1 });
    else if (n === 'carbon_intensity_avg' || (n === 'carbonintensity' && has('datetime'))) out.push({ index, format: 'Electricity Maps API', factor: 'rows', rank: 1 });
    else if (n === 'actual' && has('from')) out.push({ index, format: 'UK Carbon Intensity API', factor: 'direct', rank: 1 });
    else if (n === 'value' && has('point_time')) out.push({ index, format: 'WattTime', implied: 'lb/MWh', rank: 1 });
    else if (n === 'moer') out.push({ index, format: 'WattTime', implied: 'lb/MWh', rank: 1 });
    else if (GENERIC_VALUES.includes(n) || (GENERIC_WITH_UNIT.test(n) && statedUnit(name) !== undefined)) {
      out.push({ index, format: 'plain time and value columns', stated: statedUnit(name), rank: 2 });
    }
  });
  return out;
}

/** `"a", "b", ... and 7 more`: a header's names for messages, each clipped. */
function listColumns(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((n) => quote(n, 40));
  return names.length > 12 ? `${shown.join(', ')} and ${names.length - 12} more` : shown.join(', ');
}

const RECOGNISED = "Electricity Maps, Let's Wait Awhile, WattTime or UK Carbon Intensity exports, or timestamp,value";

/** Header checks that name the likely mistake: another delimiter; else the columns found. */
function unrecognisedHeader(header: string[], file: string, missing: 'time' | 'value'): InputError {
  const text = header.join(',');
  const delimiter = header.length === 1 ? [';', '\t', '|'].find((d) => text.includes(d)) : undefined;
  if (delimiter !== undefined) {
    const shown = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
    return new InputError('wrong_delimiter', `the header is one field split by ${shown}: carbon CSVs are comma-separated`, { file, line: 1 });
  }
  const flag = missing === 'time' ? '--carbon-time-column' : '--carbon-value-column';
  return new InputError(
    'unknown_carbon_format',
    `no ${missing === 'time' ? 'time' : 'intensity'} column recognised among the columns found: ${listColumns(header)} (name it with ${flag}; recognised: ${RECOGNISED})`,
    { file, line: 1 },
  );
}

/** A header name given by the user, found case-insensitively; else an error listing the columns found. */
function namedColumn(header: readonly string[], name: string, flag: string, file: string): number {
  const i = header.findIndex((h) => norm(h) === norm(name));
  if (i < 0) throw new InputError('missing_column', `no column ${quote(name)} (${flag}) among the columns found: ${listColumns(header)}`, { file, line: 1, field: clip(name) });
  return i;
}

/** Which columns to read, and in what unit. */
interface Plan {
  ti: number;
  vi: number;
  format: string;
  unit: CarbonUnit;
  /** the column naming each row's emission factor (carbs), when it is to be checked */
  factorColumn?: number;
}

function planColumns(header: readonly string[], column: CarbonColumn, options: CarbonReadOptions, file: string): Plan {
  let ti: number;
  if (options.timeColumn !== undefined) ti = namedColumn(header, options.timeColumn, '--carbon-time-column', file);
  else {
    // an export's own time column wins (UK's `from` beside `to`); of plain names there must be one
    const found = TIME_NAMES.map((n) => header.findIndex((h) => norm(h) === n)).filter((i) => i >= 0);
    if (found.length === 0) throw unrecognisedHeader([...header], file, 'time');
    ti = found[0]!;
    if (found.length > 1 && !EXPORT_TIME_NAMES.includes(norm(header[ti]!))) {
      throw new InputError('ambiguous_column', `${listColumns(found.map((i) => header[i]!))} could each be the time: choose one with --carbon-time-column`, { file, line: 1 });
    }
  }
  let candidate: ValueCandidate;
  if (options.valueColumn !== undefined) {
    const vi = namedColumn(header, options.valueColumn, '--carbon-value-column', file);
    candidate = valueCandidates(header).find((c) => c.index === vi) ?? { index: vi, format: 'named columns', stated: statedUnit(header[vi]!), rank: 0 };
    if (candidate.factor === 'direct' || candidate.factor === 'lca') candidate = { ...candidate, factor: undefined };
    candidate.format = 'named columns';
  } else {
    const all = valueCandidates(header).filter((c) => c.index !== ti);
    if (all.length === 0) throw unrecognisedHeader([...header], file, 'value');
    // direct: columns that say direct, or say nothing; lca: columns that say lca, or carbs rows
    const fits = all.filter((c) => (column === 'lca' ? c.factor === 'lca' || c.factor === 'rows' : c.factor !== 'lca'));
    if (fits.length === 0) throw new InputError('no_such_column', `this file has no ${column} intensity column`, { file, line: 1, field: column });
    const best = Math.min(...fits.map((c) => c.rank));
    const top = fits.filter((c) => c.rank === best);
    if (top.length > 1) {
      throw new InputError('ambiguous_column', `${listColumns(top.map((c) => header[c.index]!))} could each be the intensity: choose with --carbon-value-column`, { file, line: 1 });
    }
    candidate = top[0]!;
  }
  const vi = candidate.index;
  const valueName = header[vi]!;
  if (vi === ti) throw new InputError('bad_option', `the time and the intensity column are both ${quote(valueName)}`, { file, line: 1, field: clip(valueName) });
  const unit = checkUnit(candidate, valueName, options.unit, file);
  const plan: Plan = { ti, vi, format: candidate.format, unit };
  if (candidate.factor === 'rows' || (options.valueColumn !== undefined && ['carbon_intensity_avg', 'carbonintensity'].includes(norm(valueName)))) {
    const fi = header.findIndex((h) => norm(h) === 'emissionfactortype');
    if (fi >= 0) plan.factorColumn = fi;
    else if (column !== 'direct' && options.valueColumn === undefined) {
      throw new InputError('no_such_column', `this file has no ${column} intensity column`, { file, line: 1, field: column });
    }
  }
  return plan;
}

/**
 * The unit the values are read in: the one given, else gCO2/kWh. A unit the column states must
 * be that unit (nothing is converted unless asked); one its format implies (WattTime) must be
 * confirmed with --carbon-unit.
 */
function checkUnit(c: ValueCandidate, name: string, given: CarbonUnit | undefined, file: string): CarbonUnit {
  const where = { file, line: 1, field: clip(name) };
  const unit = given ?? 'g/kWh';
  if (c.stated !== undefined) {
    const stated = parseCarbonUnit(c.stated);
    if (stated === undefined) {
      throw new InputError('wrong_unit', `column ${quote(name)} is in ${clip(c.stated)}; carbon-sim reads ${CARBON_UNITS.join(', ')} (--carbon-unit)`, where);
    }
    if (stated !== unit) {
      const hint = given === undefined ? `read it with --carbon-unit ${stated}` : `--carbon-unit ${given} disagrees with the header`;
      throw new InputError('wrong_unit', `column ${quote(name)} is in ${clip(c.stated)}, not ${unit}: ${hint}`, where);
    }
    return unit;
  }
  if (c.implied !== undefined && given === undefined && c.implied !== unit) {
    throw new InputError('wrong_unit', `${c.format} values (column ${quote(name)}) are in ${c.implied}, not g/kWh: read them with --carbon-unit ${c.implied}`, where);
  }
  return unit;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Parse an ISO-8601-like timestamp; no zone means UTC. Returns NaN when it does not match. */
export function parseTimestamp(text: string): number {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return NaN;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s)) + (frac ? Math.round(Number(frac) * 1000) : 0);
  if (new Date(ms).getUTCDate() !== day) return NaN; // 2023-02-30
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** Read a carbon CSV's rows in file order. Each value must be empty or a finite, plausible, non-negative number. */
export function readCarbonRows(text: string, options: CarbonReadOptions = {}): CarbonRows {
  const { column, ...rest } = options;
  return readCarbonColumns(text, { ...rest, file: options.file ?? '<carbon>', columns: [column ?? 'direct'] })[0]!;
}

/** `readCarbonRows` for several columns of one file, parsing its text once. */
export function readCarbonColumns(text: string, options: Omit<CarbonReadOptions, 'column'> & { file: string; columns: readonly CarbonColumn[] }): CarbonRows[] {
  const { file } = options;
  if (text.trim() === '') throw new InputError('empty_file', 'carbon file is empty (expected a header line)', { file, line: 1 });
  const rows = parseCsvRows(text, { file });
  const header = rows[0]!.record;
  return options.columns.map((column) => {
    const plan = planColumns(header, column, options, file);
    const { ti, vi } = plan;
    const timeName = clip(header[ti]!);
    const valueName = clip(header[vi]!);
    const n = rows.length - 1;
    if (n === 0) throw new InputError('no_rows', 'carbon file has a header but no rows', { file, line: 1 });
    if (plan.factorColumn !== undefined) checkFactorType(rows, plan.factorColumn, clip(header[plan.factorColumn]!), column, file);
    const scale = CARBON_UNIT_G_PER_KWH[plan.unit];
    const timesMs = new Float64Array(n);
    const values = new Float64Array(n);
    const lines = new Int32Array(n);
    for (let r = 1; r <= n; r++) {
      const { record, line } = rows[r]!;
      if (record.length !== header.length) {
        throw new InputError('column_count', `expected ${header.length} fields, got ${record.length}`, { file, line });
      }
      const ts = record[ti]!;
      const t = parseTimestamp(ts);
      if (Number.isNaN(t)) throw new InputError('bad_timestamp', `${quote(ts)} is not a timestamp (YYYY-MM-DD HH:MM[:SS][Z|±HH:MM])`, { file, line, field: timeName });
      timesMs[r - 1] = t;
      values[r - 1] = parseIntensity(record[vi]!, plan.unit, scale, { file, line, field: valueName });
      lines[r - 1] = line;
    }
    return { file, timeColumn: timeName, column: valueName, timesMs, values, lines, unit: plan.unit, format: plan.format };
  });
}

const FACTOR_TYPES: Record<string, CarbonColumn> = { lifecycle: 'lca', direct: 'direct' };

/**
 * Files that label each row's emission factor must hold the factor asked for, on every row: reading
 * life-cycle values as direct ones (or mixing the two) would silently change what is measured.
 * Without the label column the values count as direct.
 */
function checkFactorType(rows: readonly CsvRow[], fi: number, field: string, column: CarbonColumn, file: string): void {
  let first: string | undefined;
  for (let r = 1; r < rows.length; r++) {
    const { record, line } = rows[r]!;
    const label = record[fi];
    if (label === undefined) continue; // a short row is reported as such by the caller
    const type = FACTOR_TYPES[label.toLowerCase()];
    if (type === undefined) throw new InputError('unknown_factor_type', `emission factor type ${quote(label)} (expected lifecycle or direct)`, { file, line, field });
    if (first === undefined) {
      first = label;
      if (type !== column) {
        const flag = type === 'lca' ? 'lca' : 'direct';
        throw new InputError('wrong_factor_type', `the intensities are ${clip(label)} values, not ${column}: use --carbon-column ${flag}`, { file, line, field });
      }
    } else if (type !== column) {
      throw new InputError('mixed_factor_types', `emission factor type ${quote(label)} differs from ${quote(first)} on the rows before`, { file, line, field });
    }
  }
}

/** One intensity field, converted to gCO2/kWh: NaN when empty (a gap a fill rule may close); anything unusable is an error. */
function parseIntensity(raw: string, unit: CarbonUnit, scale: number, where: { file: string; line: number; field: string }): number {
  if (raw === '') return NaN;
  if (!isDecimal(raw)) throw new InputError('not_a_number', `${quote(raw)} is not a number`, where);
  const v = Number(raw) * scale;
  const shown = clip(raw);
  if (!Number.isFinite(v)) throw new InputError('bad_value', `intensity ${shown} is not finite`, where);
  if (v < 0) throw new InputError('negative_value', `intensity ${shown} is negative`, where);
  if (v > MAX_INTENSITY_G_PER_KWH) {
    const what = unit === 'g/kWh' ? `${shown} gCO2/kWh` : `${shown} ${unit} (${+v.toPrecision(6)} gCO2/kWh)`;
    throw new InputError('implausible_value', `intensity ${what} is above ${MAX_INTENSITY_G_PER_KWH}: is it in another unit (gCO2/MWh)?`, where);
  }
  return v;
}

/**
 * Read a carbon CSV's text into a regular table. Without a fill rule, a gap, duplicate, backwards
 * timestamp or empty value is an error naming its line; `fill` closes them (see `regularize`).
 */
export function parseCarbonCsv(text: string, options: CarbonReadOptions & { fill?: FillMode } = {}): CarbonTable {
  return regularize(readCarbonRows(text, options), options.fill ?? 'none');
}
