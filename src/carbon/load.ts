// Loading carbon traces from files or by bundled name (`DE-2023` -> traces/carbon/DE-2023.csv).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { decodeTextFile, readInputFile } from '../io/text.js';
import { parseCarbonCsv, type CarbonColumn, type CarbonTable, type CarbonUnit } from './csv.js';
import { CarbonSignal, type ExtendMode } from './signal.js';
import { shapeCarbon, type FillMode, type FillReport, type ShapeOptions } from './transform.js';

export interface LoadCarbonOptions extends ShapeOptions {
  column?: CarbonColumn;
  /** the time column by header name (--carbon-time-column); default: recognised */
  timeColumn?: string;
  /** the intensity column by header name (--carbon-value-column); default: recognised */
  valueColumn?: string;
  /** the unit of the file's values (--carbon-unit); default gCO2/kWh */
  unit?: CarbonUnit;
  extend?: ExtendMode;
  /** how gaps, duplicates and empty values are closed; default `none`: they are errors */
  fill?: FillMode;
}

export interface LoadedCarbon {
  signal: CarbonSignal;
  /** what the fill rule changed; undefined without one */
  fill: FillReport | undefined;
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

/** Electricity Maps zone ids bundled under a shorter name (traces/build.mjs). */
const BUNDLED_AS: Record<string, string> = { 'DE-LU': 'DE' };

/** `DE-2023` -> zone `DE`, year `2023`. */
function zoneOf(name: string): string {
  return name.replace(/-\d{4}$/, '');
}

/** A path for a file name or a bundled trace name; an unknown name lists what is bundled for it. */
export function resolveCarbonPath(spec: string): string {
  if (existsSync(spec)) return spec;
  if (!/^[A-Za-z0-9_-]+$/.test(spec)) throw new InputError('unreadable_file', 'no such file', { file: spec, field: 'carbon' });
  const names = bundledTraceNames();
  if (names.includes(spec)) return join(bundledTracesDir(), `${spec}.csv`);
  const zone = zoneOf(spec);
  const years = names.filter((n) => zoneOf(n) === zone).map((n) => n.slice(zone.length + 1));
  let hint = 'list them with: carbon-sim traces';
  if (years.length > 0) hint = `bundled ${zone} years: ${years.join(', ')}`;
  else if (BUNDLED_AS[zone] !== undefined) hint = `the ${zone} zone is bundled as ${BUNDLED_AS[zone]}, e.g. ${BUNDLED_AS[zone]}-2023`;
  else if (/-\d{4}$/.test(spec)) hint = `bundled zones: ${[...new Set(names.map(zoneOf))].join(', ')}`;
  throw new InputError('unknown_carbon', `carbon trace "${spec}" is neither a file nor a bundled name (${hint})`, { field: 'carbon' });
}

/**
 * A file's text: gzip is unpacked (by its magic bytes), up to the input limit (CARBON_SIM_MAX_INPUT,
 * default 256 MiB); anything that is not UTF-8 text is an error.
 */
export function readCarbonText(path: string, file: string): string {
  return decodeTextFile(readInputFile(path, { file, field: 'carbon' }), file, 'a CSV text file');
}

/** A signal over a regular table; times become seconds since its first row (the epoch). */
export function signalFromTable(table: CarbonTable, name: string, extend: ExtendMode = 'none'): CarbonSignal {
  const epochMs = table.timesMs[0]!;
  const times = new Float64Array(table.timesMs.length);
  for (let i = 0; i < times.length; i++) times[i] = (table.timesMs[i]! - epochMs) / 1000;
  return new CarbonSignal({ times, values: table.values, extend, name, epochMs, resolutionS: table.stepMs / 1000 });
}

/**
 * Load a carbon trace by file path or bundled name: read, check the grid (or fill it), cut the
 * window (`startMs` becomes simulation time 0), resample.
 */
export function loadCarbonTrace(spec: string, options: LoadCarbonOptions = {}): LoadedCarbon {
  const text = readCarbonText(resolveCarbonPath(spec), spec);
  const table = parseCarbonCsv(text, {
    file: spec,
    column: options.column ?? 'direct',
    fill: options.fill ?? 'none',
    ...(options.timeColumn !== undefined && { timeColumn: options.timeColumn }),
    ...(options.valueColumn !== undefined && { valueColumn: options.valueColumn }),
    ...(options.unit !== undefined && { unit: options.unit }),
  });
  const signal = shapeCarbon(signalFromTable(table, spec, options.extend ?? 'none'), options);
  return { signal, fill: table.fill };
}

/** Load a carbon trace by file path or bundled name (see `loadCarbonTrace`). */
export function loadCarbon(spec: string, options: LoadCarbonOptions = {}): CarbonSignal {
  return loadCarbonTrace(spec, options).signal;
}
