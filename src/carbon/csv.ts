// Carbon-intensity CSV readers. Recognised by header:
// - Electricity Maps exports: `Datetime (UTC)` + `Carbon Intensity gCO₂eq/kWh (direct)` / `(LCA)`
// - Let's Wait Awhile: `Time,Carbon Intensity`
// - Electricity Maps API exports (carbs): `datetime,carbon_intensity_avg`
import { parseCsvRows } from '../csv.js';
import { InputError } from '../errors.js';

export type CarbonColumn = 'direct' | 'lca';

export interface CarbonTable {
  /** Unix ms of each row, strictly increasing */
  timesMs: Float64Array;
  /** gCO2/kWh */
  values: Float64Array;
  /** the column that was read */
  column: string;
}

interface Format {
  time: string;
  value: (column: CarbonColumn) => string | undefined;
}

const FORMATS: Format[] = [
  {
    time: 'Datetime (UTC)',
    value: (c) => (c === 'lca' ? 'Carbon Intensity gCO₂eq/kWh (LCA)' : 'Carbon Intensity gCO₂eq/kWh (direct)'),
  },
  { time: 'Time', value: (c) => (c === 'direct' ? 'Carbon Intensity' : undefined) },
  { time: 'datetime', value: (c) => (c === 'direct' ? 'carbon_intensity_avg' : undefined) },
];

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

/** Read a carbon CSV's text. Strictly increasing timestamps and non-empty, finite, non-negative values required. */
export function parseCarbonCsv(text: string, options: { file?: string; column?: CarbonColumn } = {}): CarbonTable {
  const file = options.file ?? '<carbon>';
  const column = options.column ?? 'direct';
  if (text.trim() === '') throw new InputError('empty_file', 'carbon file is empty (expected a header line)', { file, line: 1 });
  const rows = parseCsvRows(text, { file });
  const header = rows[0]!.record;
  const format = FORMATS.find((f) => header.includes(f.time));
  if (!format) {
    throw new InputError(
      'unknown_carbon_format',
      `unrecognised carbon header "${header.join(',').slice(0, 80)}" (expected "Datetime (UTC)", "Time,Carbon Intensity" or "datetime,carbon_intensity_avg")`,
      { file, line: 1 },
    );
  }
  const valueName = format.value(column);
  if (valueName === undefined) {
    throw new InputError('no_such_column', `this file has no ${column} intensity column`, { file, line: 1, field: column });
  }
  const ti = header.indexOf(format.time);
  const vi = header.indexOf(valueName);
  if (vi < 0) throw new InputError('missing_column', `missing column "${valueName}"`, { file, line: 1, field: valueName });
  const n = rows.length - 1;
  if (n === 0) throw new InputError('no_rows', 'carbon file has a header but no rows', { file, line: 1 });
  const timesMs = new Float64Array(n);
  const values = new Float64Array(n);
  for (let r = 1; r <= n; r++) {
    const { record, line } = rows[r]!;
    if (record.length !== header.length) {
      throw new InputError('column_count', `expected ${header.length} fields, got ${record.length}`, { file, line });
    }
    const ts = record[ti]!;
    const t = parseTimestamp(ts);
    if (Number.isNaN(t)) throw new InputError('bad_timestamp', `"${ts}" is not a timestamp (YYYY-MM-DD HH:MM[:SS][Z|±HH:MM])`, { file, line, field: format.time });
    if (r > 1 && !(t > timesMs[r - 2]!)) {
      const what = t === timesMs[r - 2]! ? 'duplicate timestamp' : 'timestamp goes backwards';
      throw new InputError('non_increasing_time', `${what}: "${ts}" is not after the previous row`, { file, line, field: format.time });
    }
    const raw = record[vi]!;
    if (raw === '') throw new InputError('missing_value', 'empty carbon intensity', { file, line, field: valueName });
    const v = Number(raw);
    if (Number.isNaN(v)) throw new InputError('not_a_number', `"${raw}" is not a number`, { file, line, field: valueName });
    if (!Number.isFinite(v) || v < 0) throw new InputError('bad_value', `intensity ${raw} must be finite and non-negative`, { file, line, field: valueName });
    timesMs[r - 1] = t;
    values[r - 1] = v;
  }
  return { timesMs, values, column: valueName };
}
