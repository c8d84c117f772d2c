// From rows as read to the signal a simulation uses: check the grid (or fill it), cut a window,
// resample. All times are UTC; a signal's times are seconds since its epoch.
import { InputError } from '../errors.js';
import type { CarbonRows, CarbonTable } from './csv.js';
import { CarbonSignal } from './signal.js';

/** `--fill`: how gaps, duplicates and empty values are closed; `none` makes them errors. */
export type FillMode = 'none' | 'hold' | 'linear';
export const FILL_MODES: readonly FillMode[] = ['none', 'hold', 'linear'];

/** What a fill rule changed, for the user to see. */
export interface FillReport {
  mode: 'hold' | 'linear';
  /** values created: missing + empty */
  filled: number;
  /** grid steps without a row */
  missing: number;
  /** timestamps whose only values were empty */
  empty: number;
  /** rows dropped because an earlier row of the file has the same timestamp */
  duplicates: number;
  /** of those, rows whose value differed from the kept one */
  conflicting: number;
  /** rows that came after a later timestamp in the file, sorted into place */
  reordered: number;
}

/** One line for the user: what a fill rule changed. */
export function describeFill(r: FillReport): string {
  return (
    `filled ${r.filled} value${r.filled === 1 ? '' : 's'} by ${r.mode} (${r.missing} missing, ${r.empty} empty); ` +
    `dropped ${r.duplicates} duplicate row${r.duplicates === 1 ? '' : 's'} (${r.conflicting} with a different value); ` +
    `sorted ${r.reordered} out-of-order row${r.reordered === 1 ? '' : 's'}`
  );
}

/** A fill never builds a grid larger than this (ten years of minutes): a tiny stray step would. */
export const MAX_FILLED_STEPS = 5_256_000;

const FILL_HINT = 'use --fill hold|linear to fill';

/** A duration for messages: `1h`, `30m`, `90s`. */
export function formatDurationS(s: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s >= size && s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The grid a trace must lie on: an origin, and a step (first ending on `stepLine`), the shortest or the most common one. */
interface Grid {
  originMs: number;
  stepMs: number;
  stepLine: number;
  rule: 'shortest' | 'most common';
}

/**
 * For the check without a fill: the most common step between the sorted distinct timestamps (the
 * shortest of equally common ones), and as origin the earliest timestamp in the phase most rows
 * share. One stray timestamp (01:10 in an hourly file) is then off this grid, on its own line,
 * instead of making a 10-minute grid with gaps all around it; a row out of order does not change it.
 */
function commonGrid(rows: CarbonRows): Grid | undefined {
  const { timesMs, lines } = rows;
  const distinct = distinctSorted(timesMs);
  const counts = new Map<number, number>();
  for (let k = 1; k < distinct.length; k++) {
    const d = distinct[k]! - distinct[k - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let stepMs = Infinity;
  let best = 0;
  for (const [d, c] of counts) if (c > best || (c === best && d < stepMs)) [stepMs, best] = [d, c];
  if (best === 0) return undefined;
  const phaseOf = (t: number): number => (((t - distinct[0]!) % stepMs) + stepMs) % stepMs;
  const phases = new Map<number, number>();
  let phase = 0;
  let most = 0;
  for (let i = 0; i < timesMs.length; i++) {
    const p = phaseOf(timesMs[i]!);
    const c = (phases.get(p) ?? 0) + 1;
    phases.set(p, c);
    if (c > most) [phase, most] = [p, c];
  }
  let origin = 0;
  while (phaseOf(distinct[origin]!) !== phase) origin++;
  // the line the step is first seen on: a row one step after the row before it
  let stepLine = 0;
  for (let i = 1; i < timesMs.length && stepLine === 0; i++) if (timesMs[i]! - timesMs[i - 1]! === stepMs) stepLine = lines[i]!;
  if (stepLine === 0) {
    for (let k = 1; k < distinct.length; k++) {
      if (distinct[k]! - distinct[k - 1]! === stepMs) {
        stepLine = lines[timesMs.indexOf(distinct[k]!)]!;
        break;
      }
    }
  }
  return { originMs: distinct[origin]!, stepMs, stepLine, rule: 'most common' };
}

/** For a fill: the earliest time, and the shortest step between distinct sorted times. */
function sortedGrid(rows: CarbonRows, distinct: Float64Array): Grid {
  let stepMs = Infinity;
  let stepEndMs = NaN;
  for (let i = 1; i < distinct.length; i++) {
    const d = distinct[i]! - distinct[i - 1]!;
    if (d < stepMs) {
      stepMs = d;
      stepEndMs = distinct[i]!;
    }
  }
  return { originMs: distinct[0]!, stepMs, stepLine: rows.lines[rows.timesMs.indexOf(stepEndMs)]!, rule: 'shortest' };
}

function distinctSorted(times: Float64Array): Float64Array {
  const sorted = Float64Array.from(times).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i]!;
  return sorted.subarray(0, k);
}

function tooFewRows(rows: CarbonRows): InputError {
  return new InputError('too_few_rows', 'a carbon trace needs at least two timestamps (its resolution is their step)', {
    file: rows.file,
    line: rows.lines[0]!,
    field: rows.timeColumn,
  });
}

/**
 * Turn rows into a regular table. The resolution is the shortest step between timestamps; the
 * grid runs from the first timestamp in steps of it, and every timestamp must lie on it (else an
 * error, fill or not). A trace whose resolution changes (30 min, then 15 min) thus has gaps in its
 * coarser part, which `hold` fills without changing the step function.
 *
 * Without a fill rule the rows must already be the grid, in order: walking the file, the first
 * duplicate, backwards timestamp, off-grid timestamp, gap or empty value is an error naming its
 * line. Here the resolution is the most common step between the sorted timestamps, so one stray
 * timestamp is off the grid on its own line, and a gap that a later row falls into is reported
 * as that row out of order.
 *
 * With `hold` or `linear`: rows are sorted by time (stable); of rows sharing a timestamp the first
 * non-empty value in file order is kept and the others are dropped; then every grid step without a
 * value is filled with the previous value (`hold`) or by linear interpolation between its
 * neighbours (`linear`). A value that has no neighbour to fill from is an error. The returned
 * `fill` report counts every change.
 */
export function regularize(rows: CarbonRows, fill: FillMode): CarbonTable {
  if (fill === 'none') {
    const grid = commonGrid(rows);
    checkInFileOrder(rows, grid);
    if (!grid) throw tooFewRows(rows);
    return { timesMs: rows.timesMs, values: rows.values, column: rows.column, stepMs: grid.stepMs };
  }
  const distinct = distinctSorted(rows.timesMs);
  if (distinct.length < 2) throw tooFewRows(rows);
  const grid = sortedGrid(rows, distinct);
  for (let i = 0; i < rows.timesMs.length; i++) if ((rows.timesMs[i]! - grid.originMs) % grid.stepMs !== 0) throw offGrid(rows, i, grid);
  return fillGrid(rows, grid, distinct[distinct.length - 1]!, fill);
}

/** How the resolution was found, for messages. */
const resolutionNote = (g: Grid): string => `the trace's resolution is its ${g.rule} step, ${formatDurationS(g.stepMs / 1000)}, first ending on line ${g.stepLine}`;

function offGrid(rows: CarbonRows, i: number, g: Grid): InputError {
  let hint = '';
  if (g.rule === 'most common') {
    // A resolution that changes (30 min, then 15 min) is on the grid of its shortest step, which a
    // fill builds; a stray timestamp (at most two short steps) gets no such hint.
    const distinct = distinctSorted(rows.timesMs);
    const fine = sortedGrid(rows, distinct);
    let n = 0;
    for (let k = 1; k < distinct.length; k++) if (distinct[k]! - distinct[k - 1]! === fine.stepMs) n++;
    if (n > 2 && rows.timesMs.every((t) => (t - fine.originMs) % fine.stepMs === 0)) {
      hint = `; --fill hold|linear fills the ${formatDurationS(fine.stepMs / 1000)} grid of its shortest step`;
    }
  }
  return new InputError('off_grid', `timestamp ${iso(rows.timesMs[i]!)} is off the grid from ${iso(g.originMs)} (${resolutionNote(g)})${hint}`, {
    file: rows.file,
    line: rows.lines[i]!,
    field: rows.timeColumn,
  });
}

/**
 * The first duplicate, backwards step, off-grid time, gap or empty value in file order is an
 * error. A gap that a later row falls into is that row out of order, and reported as such.
 */
function checkInFileOrder(rows: CarbonRows, grid: Grid | undefined): void {
  const { timesMs, values, lines, file } = rows;
  for (let i = 0; i < timesMs.length; i++) {
    const t = timesMs[i]!;
    const line = lines[i]!;
    const where = { file, line, field: rows.timeColumn };
    const prev = i > 0 ? timesMs[i - 1]! : NaN;
    if (t === prev) throw new InputError('duplicate_time', `duplicate timestamp ${iso(t)} (also on line ${lines[i - 1]}); use --fill hold|linear to keep the first value`, where);
    if (t < prev) {
      throw new InputError('unsorted_time', `timestamp ${iso(t)} goes back before ${iso(prev)} on line ${lines[i - 1]}; use --fill hold|linear to sort the rows`, where);
    }
    if (grid && (t - grid.originMs) % grid.stepMs !== 0) throw offGrid(rows, i, grid);
    if (grid && t - prev > grid.stepMs) {
      for (let j = i + 1; j < timesMs.length; j++) {
        const u = timesMs[j]!;
        if (u > prev && u < t) {
          throw new InputError(
            'unsorted_time',
            `timestamp ${iso(u)} is out of order: it belongs between ${iso(prev)} on line ${lines[i - 1]} and ${iso(t)} on line ${line}; use --fill hold|linear to sort the rows`,
            { file, line: lines[j]!, field: rows.timeColumn },
          );
        }
      }
      const missing = (t - prev) / grid.stepMs - 1;
      throw new InputError(
        'gap',
        `gap: ${missing} missing value${missing === 1 ? '' : 's'} between ${iso(prev)} on line ${lines[i - 1]} and ${iso(t)} (${resolutionNote(grid)}); ${FILL_HINT}`,
        where,
      );
    }
    if (Number.isNaN(values[i]!)) throw new InputError('missing_value', `empty carbon intensity; ${FILL_HINT}`, { file, line, field: rows.column });
  }
}

function fillGrid(rows: CarbonRows, grid: Grid, lastMs: number, mode: 'hold' | 'linear'): CarbonTable {
  const { timesMs, values, lines } = rows;
  const { originMs, stepMs } = grid;
  const n = timesMs.length;
  let reordered = 0;
  let latest = -Infinity;
  for (let i = 0; i < n; i++) {
    if (timesMs[i]! < latest) reordered++;
    else latest = timesMs[i]!;
  }
  const size = (lastMs - originMs) / stepMs + 1;
  if (size > MAX_FILLED_STEPS) {
    throw new InputError('grid_too_large', `filling would make ${size} steps (more than ${MAX_FILLED_STEPS}): ${resolutionNote(grid)}`, {
      file: rows.file,
      line: grid.stepLine,
      field: rows.timeColumn,
    });
  }
  const filled = new Float64Array(size).fill(NaN);
  const lineAt = new Int32Array(size); // the first line holding each step; 0: no row
  let duplicates = 0;
  let conflicting = 0;
  // File order: the first row of a timestamp claims it; a later row fills it only if it was empty.
  for (let i = 0; i < n; i++) {
    const k = (timesMs[i]! - originMs) / stepMs;
    const v = values[i]!;
    if (lineAt[k] === 0) {
      lineAt[k] = lines[i]!;
      filled[k] = v;
      continue;
    }
    duplicates++;
    if (Number.isNaN(filled[k]!)) filled[k] = v;
    else if (!Number.isNaN(v) && v !== filled[k]) conflicting++;
  }
  let missing = 0;
  let empty = 0;
  for (let k = 0; k < size; k++) {
    if (lineAt[k] === 0) missing++;
    else if (Number.isNaN(filled[k]!)) empty++;
  }
  if (mode === 'hold') holdFill(filled, lineAt, rows);
  else linearFill(filled, lineAt, rows);
  const times = new Float64Array(size);
  for (let k = 0; k < size; k++) times[k] = originMs + k * stepMs;
  return {
    timesMs: times,
    values: filled,
    column: rows.column,
    stepMs,
    fill: { mode, filled: missing + empty, missing, empty, duplicates, conflicting, reordered },
  };
}

function cannotFill(rows: CarbonRows, line: number, why: string): InputError {
  return new InputError('cannot_fill', `empty carbon intensity with ${why}`, { file: rows.file, line, field: rows.column });
}

function holdFill(grid: Float64Array, lineAt: Int32Array, rows: CarbonRows): void {
  // The first step always has a row (the grid starts at the earliest timestamp).
  if (Number.isNaN(grid[0]!)) throw cannotFill(rows, lineAt[0]!, 'no earlier value to hold');
  for (let k = 1; k < grid.length; k++) if (Number.isNaN(grid[k]!)) grid[k] = grid[k - 1]!;
}

function linearFill(grid: Float64Array, lineAt: Int32Array, rows: CarbonRows): void {
  const size = grid.length;
  if (Number.isNaN(grid[0]!)) throw cannotFill(rows, lineAt[0]!, 'no earlier value to interpolate from');
  if (Number.isNaN(grid[size - 1]!)) throw cannotFill(rows, lineAt[size - 1]!, 'no later value to interpolate to');
  for (let k = 1; k < size; k++) {
    if (!Number.isNaN(grid[k]!)) continue;
    const a = k - 1;
    let b = k + 1;
    while (Number.isNaN(grid[b]!)) b++;
    const va = grid[a]!;
    const vb = grid[b]!;
    for (let j = k; j < b; j++) grid[j] = va + ((vb - va) * (j - a)) / (b - a);
    k = b;
  }
}

/** Where and how a loaded signal is cut and resampled. */
export interface ShapeOptions {
  /** Unix ms: the window begins here and it becomes simulation time 0; default: the signal's start */
  startMs?: number;
  /** Unix ms: the window ends here (exclusive); default: the signal's end */
  endMs?: number;
  /** resample to steps of this length (s), each the mean over its bucket */
  resampleS?: number;
}

/** Cut a window, then resample: the carbon options of `carbon-sim run`, in that order. */
export function shapeCarbon(signal: CarbonSignal, options: ShapeOptions): CarbonSignal {
  let s = signal;
  if (options.startMs !== undefined || options.endMs !== undefined) {
    const toS = (ms: number): number => (ms - signal.epochMs) / 1000;
    s = cutWindow(s, options.startMs !== undefined ? toS(options.startMs) : s.start, options.endMs !== undefined ? toS(options.endMs) : s.end);
  }
  if (options.resampleS !== undefined) s = resample(s, options.resampleS);
  return s;
}

/**
 * The part of a signal within [fromS, toS), rebased so that fromS is time 0 (the new epoch). A cut
 * inside a step keeps that step's value for the part inside the window; the resolution stays the
 * source's. The extend mode applies to the window (repeat repeats the window).
 */
export function cutWindow(signal: CarbonSignal, fromS: number, toS: number): CarbonSignal {
  const at = (s: number): string => iso(signal.epochMs + s * 1000);
  if (!(fromS >= signal.start && fromS < signal.end)) {
    throw new InputError('bad_window', `--start ${at(fromS)} is outside carbon trace ${signal.name} (${at(signal.start)} to ${at(signal.end)})`, {
      field: 'start',
    });
  }
  if (!(toS > fromS)) throw new InputError('bad_window', `--end ${at(toS)} is not after --start ${at(fromS)}`, { field: 'end' });
  if (toS > signal.end) {
    throw new InputError('bad_window', `--end ${at(toS)} is after the end of carbon trace ${signal.name} (${at(signal.end)})`, { field: 'end' });
  }
  const times: number[] = [0];
  const values: number[] = [signal.intensityAt(fromS)];
  signal.forEachBoundary(fromS, toS, (t) => {
    times.push(t - fromS);
    values.push(signal.intensityAt(t));
  });
  return new CarbonSignal({
    times: Float64Array.from(times),
    values: Float64Array.from(values),
    end: toS - fromS,
    extend: signal.extend,
    name: signal.name,
    epochMs: signal.epochMs + fromS * 1000,
    resolutionS: signal.resolutionS,
    allowNegative: signal.allowNegative,
  });
}

/**
 * Resample to steps of `stepS` from the signal's start (UTC: buckets begin at start + k x stepS),
 * each value the time-weighted mean of the signal over its bucket. A last bucket cut short by the
 * end of the signal is kept, with the mean over the part the signal covers.
 */
export function resample(signal: CarbonSignal, stepS: number): CarbonSignal {
  const span = signal.end - signal.start;
  if (!(stepS > 0) || !Number.isFinite(stepS)) throw new InputError('bad_resample', `resample step must be positive, got ${stepS} s`, { field: 'resample' });
  if (stepS > span) {
    throw new InputError('bad_resample', `resample step ${formatDurationS(stepS)} is longer than the carbon trace (${formatDurationS(span)})`, {
      field: 'resample',
    });
  }
  const count = Math.ceil(span / stepS);
  const times = new Float64Array(count);
  const values = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const a = signal.start + k * stepS;
    const b = Math.min(signal.end, a + stepS);
    times[k] = a;
    values[k] = bucketMean(signal, a, b);
  }
  return new CarbonSignal({
    times,
    values,
    end: signal.end,
    extend: signal.extend,
    name: signal.name,
    epochMs: signal.epochMs,
    resolutionS: stepS,
    allowNegative: signal.allowNegative,
  });
}

/** Mean over [a, b); over steps of one value it is that value exactly (no round trip through sums). */
function bucketMean(signal: CarbonSignal, a: number, b: number): number {
  const v = signal.intensityAt(a);
  let constant = true;
  signal.forEachBoundary(a, b, (t) => {
    if (signal.intensityAt(t) !== v) constant = false;
  });
  return constant ? v : signal.meanIntensity(a, b);
}
