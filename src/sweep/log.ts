// The append-only run log (runs.jsonl): one JSON line per finished run, in completion order.
// A line is written with one write() call, so a killed sweep leaves at most one half line at the
// end of the file; that line is the only data ever discarded (the run is simply redone).
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { RunSummary } from '../report/summary.js';
import type { RunSpec } from './plan.js';
import type { Provenance } from './provenance.js';

/**
 * One finished run as logged: its id, inputs, metrics (as `carbon-sim run`), provenance (input
 * hashes and version; absent in logs of older versions) and wall time.
 */
export type LogRow = { id: string } & RunSpec & RunSummary & Partial<Provenance> & { wall_s: number };

export interface RunLog {
  rows: LogRow[];
  /** bytes of complete lines: where appending continues */
  completeBytes: number;
  /** a half-written last line was found (and is not in rows) */
  partialLine: boolean;
}

const NEWLINE = 0x0a;

/** Read a run log; a missing file is an empty log. A bad complete line is an InputError. */
export function readRunLog(path: string): RunLog {
  if (!existsSync(path)) return { rows: [], completeBytes: 0, partialLine: false };
  const bytes = readFileSync(path);
  const completeBytes = bytes.lastIndexOf(NEWLINE) + 1;
  const lines = bytes.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  const rows: LogRow[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new InputError('bad_run_log', 'not a JSON line (the log is corrupt; only a half last line is expected after a kill)', { file: path, line: i + 1 });
    }
    const id = (row as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') throw new InputError('bad_run_log', 'row has no string "id"', { file: path, line: i + 1, field: 'id' });
    if (seen.has(id)) throw new InputError('bad_run_log', `run ${id} appears twice`, { file: path, line: i + 1, field: 'id' });
    seen.add(id);
    rows.push(row as LogRow);
  });
  return { rows, completeBytes, partialLine: completeBytes < bytes.length };
}

/** Appends rows to a log, first cutting off a half-written last line. */
export class RunLogWriter {
  private readonly fd: number;

  constructor(path: string, completeBytes: number) {
    if (existsSync(path)) truncateSync(path, completeBytes);
    this.fd = openSync(path, 'a');
  }

  append(row: LogRow): void {
    writeSync(this.fd, JSON.stringify(row) + '\n');
  }

  close(): void {
    closeSync(this.fd);
  }
}
