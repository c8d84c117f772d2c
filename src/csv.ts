// The one place that calls csv-parse: records with the line each ends on, errors as InputError.
import { parse } from 'csv-parse/sync';
import { InputError } from './errors.js';

export interface CsvRow {
  record: string[];
  /** 1-based line the record ends on */
  line: number;
}

export function parseCsvRows(text: string, options: { file: string; delimiter?: string }): CsvRow[] {
  try {
    const rows = parse(text, {
      delimiter: options.delimiter ?? ',',
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return rows.map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw new InputError('malformed_csv', e.message.replace(/ on line \d+$/, ''), { file: options.file, line: e.lines });
  }
}

/** Quote a CSV field when it needs it (RFC 4180). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
