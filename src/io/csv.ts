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
  if (isPlain(text, common.delimiter)) return plainRows(text, common.delimiter);
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

/**
 * Text that csv-parse reads as plain lines: no quote, no `\r` or `\f` (other line ends and trimmed
 * characters), no byte-order mark, a one-character delimiter other than a space, tab or newline.
 */
function isPlain(text: string, delimiter: string): boolean {
  if (delimiter.length !== 1 || delimiter === ' ' || delimiter === '\t' || delimiter === '\n') return false;
  return text.indexOf('"') === -1 && text.indexOf('\r') === -1 && text.indexOf('\f') === -1 && text.charCodeAt(0) !== 0xfeff;
}

/**
 * What csv-parse gives for plain text (isPlain), without it: one record per line, fields split at the
 * delimiter and trimmed as csv-parse trims them, blank lines left out, each record with its line (the carbon
 * traces, forecasts and power tables read through here; test/fast-csv.test.ts holds it to csv-parse).
 */
function plainRows(text: string, delimiter: string): CsvRow[] {
  const delim = delimiter.charCodeAt(0);
  const rows: CsvRow[] = [];
  const end = text.length;
  let pos = 0;
  let line = 1;
  while (pos < end) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = end;
    const record: string[] = [];
    let s = pos;
    for (;;) {
      let e = s;
      while (e < nl && text.charCodeAt(e) !== delim) e++;
      // csv-parse trims the left by its own characters (space, tab; \r \n \f are not in plain text)
      // and the right of an unquoted field with String#trimEnd (any Unicode white space)
      let a = s;
      let c = 0;
      while (a < e && ((c = text.charCodeAt(a)) === 32 || c === 9)) a++;
      c = e > a ? text.charCodeAt(e - 1) : 0;
      record.push(c > 32 && c < 127 ? text.slice(a, e) : text.slice(a, e).trimEnd());
      if (e >= nl) break;
      s = e + 1;
    }
    if (!(record.length === 1 && record[0] === '')) rows.push({ record, line });
    pos = nl + 1;
    line++;
  }
  return rows;
}

/** Quote a CSV field when it needs it (RFC 4180). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
