// Loading carbon traces from files or by bundled name (`DE-2023` -> traces/carbon/DE-2023.csv).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { parseCarbonCsv, type CarbonColumn, type CarbonTable } from './csv.js';
import { CarbonSignal, type ExtendMode } from './signal.js';

export interface LoadCarbonOptions {
  column?: CarbonColumn;
  extend?: ExtendMode;
  /** Unix ms of simulation time 0; default: the trace's first timestamp */
  epochMs?: number;
}

/** The bundled traces folder, found from this module whether it runs from src/ or dist/. */
export function bundledTracesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'traces', 'carbon');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('bundled traces/carbon folder not found next to the package');
}

/** Names of the bundled carbon traces (file names without .csv), sorted. */
export function bundledTraceNames(): string[] {
  return readdirSync(bundledTracesDir())
    .filter((f) => f.endsWith('.csv'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** A path for a file name or a bundled trace name. */
export function resolveCarbonPath(spec: string): string {
  if (existsSync(spec)) return spec;
  if (/^[A-Za-z0-9_-]+$/.test(spec)) {
    const bundled = join(bundledTracesDir(), `${spec}.csv`);
    if (existsSync(bundled)) return bundled;
  }
  throw new InputError('unknown_carbon', `carbon trace "${spec}" is neither a file nor a bundled name (list them with: carbon-sim traces)`, {
    field: 'carbon',
  });
}

/** A signal over a parsed table; times become seconds since epochMs (default: the first row). */
export function signalFromTable(table: CarbonTable, name: string, options: LoadCarbonOptions = {}): CarbonSignal {
  const epochMs = options.epochMs ?? table.timesMs[0]!;
  const times = new Float64Array(table.timesMs.length);
  for (let i = 0; i < times.length; i++) times[i] = (table.timesMs[i]! - epochMs) / 1000;
  return new CarbonSignal({ times, values: table.values, extend: options.extend ?? 'none', name, epochMs });
}

/** Load a carbon trace by file path or bundled name. */
export function loadCarbon(spec: string, options: LoadCarbonOptions = {}): CarbonSignal {
  const path = resolveCarbonPath(spec);
  const table = parseCarbonCsv(readFileSync(path, 'utf8'), { file: spec, column: options.column ?? 'direct' });
  return signalFromTable(table, spec, options);
}
