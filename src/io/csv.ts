// The one place that calls csv-parse: records with the line each ends on, errors as InputError.
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';

export interface CsvRow {
  record: string[];
  /** 1-based line the record ends on */
  line: number;
}

/** `relaxQuotes`: a `"` inside an unquoted field is data (typed traces' JSON args); a field that starts with one is still quoted. */
export function parseCsvRows(text: string, options: { file: string; delimiter?: string; relaxQuotes?: boolean }): CsvRow[] {
  const common = { delimiter: options.delimiter ?? ',', trim: true, bom: true, relax_column_count: true, relax_quotes: options.relaxQuotes ?? false };
  try {
    if (!text.includes('"')) {
      // Without quotes a record is exactly one line: parse plainly (csv-parse's per-record info
      // object doubles the cost on 100k-row traces) and number the lines ourselves.
      const records = parse(text, { ...common, skip_empty_lines: false }) as string[][];
      const rows: CsvRow[] = [];
      for (let i = 0; i < records.length; i++) {
        const record = records[i]!;
        if (record.length === 1 && record[0] === '') continue; // blank line
        rows.push({ record, line: i + 1 });
      }
      return rows;
    }
    const rows = parse(text, { ...common, info: true, skip_empty_lines: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return rows.map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (err) {
    const e = err as { message: string; lines?: number };
    // csv-parse may quote the field it stopped in: never more than 80 characters of it
    const message = e.message.replace(/ on line \d+$/, '').replace(/"([^"]*)"/g, (m, v: string) => (v.length > 80 ? `"${v.slice(0, 77)}..."` : m));
    throw new InputError('malformed_csv', message, { file: options.file, line: e.lines });
  }
}

/** Quote a CSV field when it needs it (RFC 4180). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
