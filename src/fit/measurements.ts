// Power recordings in the format of the thesis's measurement script (measure_roberta.sh, pinpoint
// with an MCP39F511N): per run folder a `measurements.csv` of power samples in mW, one a line, at a
// fixed rate (about 50 ms), followed by two lines with the Unix times (s) at which the recording
// started and ended; and an `events.csv` of `epoch, label` lines logged by the program.
// Every problem is one InputError naming file, line and field.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { decodeTextFile } from '../io/text.js';

/** An event the measured program logged. */
export interface PowerEvent {
  /** Unix time (s) */
  t: number;
  label: string;
  /** 1-based line in events.csv */
  line: number;
}

/** One recording: samples as a step function over [start, end). */
export interface Recording {
  /** the run folder */
  dir: string;
  /** measurements.csv */
  file: string;
  /** events.csv, undefined when the folder has none */
  eventsFile: string | undefined;
  /** Unix time (s) of the recording's start and end (the last two lines) */
  start: number;
  end: number;
  /** seconds per sample: (end - start) / samples; sample i holds on [start + i dt, start + (i + 1) dt) */
  dt: number;
  /** samples in W */
  powerW: Float64Array;
  /** cumJ[i]: energy (J) of samples 0 .. i-1; length samples + 1 */
  cumJ: Float64Array;
  events: PowerEvent[];
}

/** Unix times before this (2001-09-09) are not a recording's start: the epoch lines are missing. */
const MIN_EPOCH_S = 1e9;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function contentLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

/**
 * Parse measurements.csv: samples (mW), then the start and end Unix times. Samples are spread
 * evenly over [start, end), as the thesis's evaluation does.
 */
export function parseMeasurements(text: string, file: string): { start: number; end: number; powerW: Float64Array } {
  const lines = contentLines(text);
  if (lines.length < 3) {
    throw new InputError('bad_measurements', `expected power samples (mW) followed by the start and end Unix times, found ${lines.length} line(s)`, { file, line: Math.max(1, lines.length), field: 'power_mW' });
  }
  const n = lines.length - 2;
  const epoch = (i: number, field: 'start' | 'end'): number => {
    const s = lines[i]!.trim();
    const v = Number(s);
    if (!NUMBER.test(s) || !Number.isFinite(v) || v < MIN_EPOCH_S) {
      throw new InputError(
        'bad_measurements',
        `expected the recording's ${field} time (Unix seconds) on the ${field === 'start' ? 'second-to-last' : 'last'} line, got "${s}" (are the start and end lines missing?)`,
        { file, line: i + 1, field },
      );
    }
    return v;
  };
  const start = epoch(n, 'start');
  const end = epoch(n + 1, 'end');
  if (!(end > start)) {
    throw new InputError('bad_measurements', `the recording ends at ${end}, not after its start at ${start}`, { file, line: n + 2, field: 'end' });
  }
  const powerW = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = lines[i]!.trim();
    const v = Number(s);
    if (!NUMBER.test(s) || !Number.isFinite(v) || v < 0) {
      throw new InputError('bad_measurements', `power sample "${s}" is not a non-negative number of mW`, { file, line: i + 1, field: 'power_mW' });
    }
    powerW[i] = v / 1000;
  }
  return { start, end, powerW };
}

/** Parse events.csv: `epoch, label` lines, times non-decreasing. */
export function parseEvents(text: string, file: string): PowerEvent[] {
  const events: PowerEvent[] = [];
  const lines = contentLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    const comma = raw.indexOf(',');
    if (comma < 0) throw new InputError('bad_events', `expected "epoch, label", got "${raw.trim()}"`, { file, line, field: 'label' });
    const ts = raw.slice(0, comma).trim();
    const t = Number(ts);
    if (!NUMBER.test(ts) || !Number.isFinite(t)) throw new InputError('bad_events', `event time "${ts}" is not a number of Unix seconds`, { file, line, field: 'epoch' });
    const label = raw.slice(comma + 1).trim();
    if (label === '') throw new InputError('bad_events', 'event has an empty label', { file, line, field: 'label' });
    const prev = events[events.length - 1];
    if (prev !== undefined && t < prev.t) {
      throw new InputError('bad_events', `event time ${ts} is before the previous event's ${prev.t} (line ${prev.line})`, { file, line, field: 'epoch' });
    }
    events.push({ t, label, line });
  }
  return events;
}

/** A recording from its texts (events may be absent); events must lie inside the recording. */
export function recordingFromText(dir: string, file: string, text: string, eventsFile?: string, eventsText?: string): Recording {
  const { start, end, powerW } = parseMeasurements(text, file);
  const events = eventsText === undefined || eventsFile === undefined ? [] : parseEvents(eventsText, eventsFile);
  for (const ev of events) {
    if (ev.t < start || ev.t > end) {
      throw new InputError('bad_events', `event "${ev.label}" at ${ev.t} is outside the recording [${start}, ${end}] of ${file}`, { file: eventsFile, line: ev.line, field: 'epoch' });
    }
  }
  const n = powerW.length;
  const dt = (end - start) / n;
  const cumJ = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cumJ[i + 1] = cumJ[i]! + powerW[i]! * dt;
  return { dir, file, eventsFile, start, end, dt, powerW, cumJ, events };
}

/** Read a run folder: measurements.csv and, when present (or required), events.csv. */
export function readRecording(dir: string, options: { requireEvents: boolean }): Recording {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError('missing_file', 'not a run folder (expected a folder holding measurements.csv and events.csv)', { file: dir });
  }
  const file = join(dir, 'measurements.csv');
  if (!existsSync(file)) throw new InputError('missing_file', 'the run folder has no measurements.csv', { file });
  const eventsFile = join(dir, 'events.csv');
  const hasEvents = existsSync(eventsFile);
  if (options.requireEvents && !hasEvents) throw new InputError('missing_file', 'the run folder has no events.csv', { file: eventsFile });
  const text = decodeTextFile(readFileSync(file), file, 'power samples in mW, one a line');
  const eventsText = hasEvents ? decodeTextFile(readFileSync(eventsFile), eventsFile, '"epoch, label" lines') : undefined;
  return recordingFromText(dir, file, text, hasEvents ? eventsFile : undefined, eventsText);
}

/** Energy (J) the recording measured over [a, b) (clamped to the recording), samples as steps. */
export function energyBetween(r: Recording, a: number, b: number): number {
  return cumulativeEnergy(r, b) - cumulativeEnergy(r, a);
}

function cumulativeEnergy(r: Recording, t: number): number {
  const n = r.powerW.length;
  const x = (t - r.start) / r.dt;
  if (x <= 0) return 0;
  if (x >= n) return r.cumJ[n]!;
  const i = Math.floor(x);
  return r.cumJ[i]! + (x - i) * r.dt * r.powerW[i]!;
}

/** Mean power (W) over every sample of the recordings: the idle baseline of `sleep` runs. */
export function meanPower(recordings: readonly Recording[]): { powerW: number; samples: number } {
  let sum = 0;
  let samples = 0;
  for (const r of recordings) {
    for (let i = 0; i < r.powerW.length; i++) sum += r.powerW[i]!;
    samples += r.powerW.length;
  }
  return { powerW: sum / samples, samples };
}
