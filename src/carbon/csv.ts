// Carbon-intensity CSV readers. Recognised by header:
// - Electricity Maps exports: `Datetime (UTC)` + `Carbon Intensity gCO₂eq/kWh (direct)` / `(LCA)`
// - Let's Wait Awhile: `Time,Carbon Intensity`
// - Electricity Maps API exports (carbs): `datetime,carbon_intensity_avg`
// Reading is two steps: rows as they stand in the file (each value parsed and range-checked), then
// `regularize` (transform.ts) checks order, gaps, duplicates and empty values, or fills them.
import { parseCsvRows, type CsvRow } from '../io/csv.js';
import { InputError } from '../errors.js';
import { regularize, type FillMode, type FillReport } from './transform.js';

export type CarbonColumn = 'direct' | 'lca';

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

interface Format {
  time: string;
  value: (column: CarbonColumn) => string | undefined;
  /** a column naming each row's emission factor type (`lifecycle` or `direct`), which must match the column read */
  factorType?: string;
}

const EM_VALUE = (c: CarbonColumn): string => `Carbon Intensity gCO₂eq/kWh (${c === 'lca' ? 'LCA' : 'direct'})`;

const FORMATS: Format[] = [
  { time: 'Datetime (UTC)', value: EM_VALUE },
  { time: 'Time', value: (c) => (c === 'direct' ? 'Carbon Intensity' : undefined) },
  // Electricity Maps API exports say per row which factor `carbon_intensity_avg` uses.
  { time: 'datetime', value: () => 'carbon_intensity_avg', factorType: 'emissionFactorType' },
];

/** `Carbon Intensity <unit> (direct|LCA)`: the unit a column states. */
const UNIT_HEADER = /^Carbon Intensity\s+(\S+)\s*\((direct|LCA)\)$/i;
const ACCEPTED_UNIT = 'gco2eq/kwh';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
/** A decimal number; Number() alone would also accept hex, binary and blanks. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

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

/** Header checks that name the likely mistake: another delimiter, another unit. */
function unrecognisedHeader(header: string[], file: string): InputError {
  const text = header.join(',');
  const delimiter = header.length === 1 ? [';', '\t', '|'].find((d) => text.includes(d)) : undefined;
  if (delimiter !== undefined) {
    const shown = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
    return new InputError('wrong_delimiter', `the header is one field split by ${shown}: carbon CSVs are comma-separated`, { file, line: 1 });
  }
  return new InputError(
    'unknown_carbon_format',
    `unrecognised carbon header "${text.slice(0, 80)}" (expected "Datetime (UTC)", "Time,Carbon Intensity" or "datetime,carbon_intensity_avg")`,
    { file, line: 1 },
  );
}

function wrongUnit(header: string[], column: CarbonColumn, file: string): InputError | undefined {
  for (const name of header) {
    const m = UNIT_HEADER.exec(name);
    if (!m || m[2]!.toLowerCase() !== column) continue;
    if (m[1]!.replace('₂', '2').toLowerCase() === ACCEPTED_UNIT) continue;
    return new InputError('wrong_unit', `column "${name}" is in ${m[1]}; carbon-sim reads gCO₂eq/kWh`, { file, line: 1, field: name });
  }
  return undefined;
}

/** Read a carbon CSV's rows in file order. Each value must be empty or a finite, plausible, non-negative number. */
export function readCarbonRows(text: string, options: { file?: string; column?: CarbonColumn } = {}): CarbonRows {
  return readCarbonColumns(text, { file: options.file ?? '<carbon>', columns: [options.column ?? 'direct'] })[0]!;
}

/** `readCarbonRows` for several columns of one file, parsing its text once. */
export function readCarbonColumns(text: string, options: { file: string; columns: readonly CarbonColumn[] }): CarbonRows[] {
  const { file } = options;
  if (text.trim() === '') throw new InputError('empty_file', 'carbon file is empty (expected a header line)', { file, line: 1 });
  const rows = parseCsvRows(text, { file });
  const header = rows[0]!.record;
  const format = FORMATS.find((f) => header.includes(f.time));
  if (!format) throw unrecognisedHeader(header, file);
  return options.columns.map((column) => {
    const valueName = format.value(column);
    if (valueName === undefined) {
      throw new InputError('no_such_column', `this file has no ${column} intensity column`, { file, line: 1, field: column });
    }
    const ti = header.indexOf(format.time);
    const vi = header.indexOf(valueName);
    if (vi < 0) {
      throw wrongUnit(header, column, file) ?? new InputError('missing_column', `missing column "${valueName}"`, { file, line: 1, field: valueName });
    }
    const n = rows.length - 1;
    if (n === 0) throw new InputError('no_rows', 'carbon file has a header but no rows', { file, line: 1 });
    checkFactorType(rows, header, format, column, file);
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
      if (Number.isNaN(t)) throw new InputError('bad_timestamp', `"${ts}" is not a timestamp (YYYY-MM-DD HH:MM[:SS][Z|±HH:MM])`, { file, line, field: format.time });
      timesMs[r - 1] = t;
      values[r - 1] = parseIntensity(record[vi]!, { file, line, field: valueName });
      lines[r - 1] = line;
    }
    return { file, timeColumn: format.time, column: valueName, timesMs, values, lines };
  });
}

const FACTOR_TYPES: Record<string, CarbonColumn> = { lifecycle: 'lca', direct: 'direct' };

/**
 * Files that label each row's emission factor must hold the factor asked for, on every row: reading
 * life-cycle values as direct ones (or mixing the two) would silently change what is measured.
 * Without the label column the values count as direct.
 */
function checkFactorType(rows: readonly CsvRow[], header: readonly string[], format: Format, column: CarbonColumn, file: string): void {
  if (format.factorType === undefined) return;
  const fi = header.indexOf(format.factorType);
  if (fi < 0) {
    if (column !== 'direct') throw new InputError('no_such_column', `this file has no ${column} intensity column`, { file, line: 1, field: column });
    return;
  }
  const field = format.factorType;
  let first: string | undefined;
  for (let r = 1; r < rows.length; r++) {
    const { record, line } = rows[r]!;
    const label = record[fi];
    if (label === undefined) continue; // a short row is reported as such by the caller
    const type = FACTOR_TYPES[label.toLowerCase()];
    if (type === undefined) throw new InputError('unknown_factor_type', `emission factor type "${label}" (expected lifecycle or direct)`, { file, line, field });
    if (first === undefined) {
      first = label;
      if (type !== column) {
        const flag = type === 'lca' ? 'lca' : 'direct';
        throw new InputError('wrong_factor_type', `the intensities are ${label} values, not ${column}: use --carbon-column ${flag}`, { file, line, field });
      }
    } else if (type !== column) {
      throw new InputError('mixed_factor_types', `emission factor type "${label}" differs from "${first}" on the rows before`, { file, line, field });
    }
  }
}

/** One intensity field: NaN when empty (a gap a fill rule may close); anything unusable is an error. */
function parseIntensity(raw: string, where: { file: string; line: number; field: string }): number {
  if (raw === '') return NaN;
  if (!DECIMAL.test(raw)) throw new InputError('not_a_number', `"${raw}" is not a number`, where);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new InputError('bad_value', `intensity ${raw} is not finite`, where);
  if (v < 0) throw new InputError('negative_value', `intensity ${raw} is negative`, where);
  if (v > MAX_INTENSITY_G_PER_KWH) {
    throw new InputError(
      'implausible_value',
      `intensity ${raw} gCO2/kWh is above ${MAX_INTENSITY_G_PER_KWH}: is it in another unit (gCO2/MWh)?`,
      where,
    );
  }
  return v;
}

/**
 * Read a carbon CSV's text into a regular table. Without a fill rule, a gap, duplicate, backwards
 * timestamp or empty value is an error naming its line; `fill` closes them (see `regularize`).
 */
export function parseCarbonCsv(text: string, options: { file?: string; column?: CarbonColumn; fill?: FillMode } = {}): CarbonTable {
  return regularize(readCarbonRows(text, options), options.fill ?? 'none');
}
