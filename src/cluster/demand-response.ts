// Demand-response events -> a power-target timeline: for each event, ramp-down steps from the
// baseline to the target, the hold (possibly at several levels), ramp-up steps back, then no limit.
// A ramp is cut into steps of `rampStepS` (5 min by default); each step holds the lowest value the
// straight ramp line takes over that step, so following the steps never exceeds the line.
// Policies plan against budget = target - margin (5 % of baseline by default): the field data sit
// about that far below their target. Times are seconds on one axis chosen by the caller.
import { InputError, type InputLocation } from '../errors.js';
import { parseCsvRows } from '../io/csv.js';

/** A target in watts, or as a fraction of the baseline (the cluster's uncapped draw). */
export type TargetSpec = { watts: number } | { fraction: number };

export interface DrEvent {
  startS: number;
  endS: number;
  rampS: number;
  target: TargetSpec;
  /** carbon-sim extension: the hold target changes at `atS` seconds after the start (ascending) */
  changes?: readonly { atS: number; target: TargetSpec }[];
}

export type StepKind = 'ramp-down' | 'hold' | 'ramp-up' | 'open';

/** One constant piece of the timeline: [t0, t1), target and budget in W (Infinity: no limit). */
export interface TargetStep {
  t0: number;
  t1: number;
  targetW: number;
  budgetW: number;
  kind: StepKind;
  /** index of the event the step belongs to; -1 between and after events */
  event: number;
}

export interface ResolvedEvent {
  index: number;
  startS: number;
  endS: number;
  rampS: number;
  /** the first hold target (W) */
  targetW: number;
  /** index of the event's first step in the timeline, and one past its last */
  firstStep: number;
  endStep: number;
}

export interface PowerTargetTimeline {
  baselineW: number;
  marginW: number;
  rampStepS: number;
  events: ResolvedEvent[];
  /** contiguous from the first event's start; the last step is open (t1 = Infinity) */
  steps: TargetStep[];
}

export interface TimelineOptions {
  baselineW: number;
  /** default 300 s */
  rampStepS?: number;
  /** margin as a fraction of the baseline; default 0.05 */
  marginFrac?: number;
  /** file for errors */
  file?: string;
  /** the field name of an event's start, end, ramp, target or changes, for errors (default events[i].name) */
  fieldOf?: (event: number, name: 'start' | 'end' | 'ramp' | 'target' | 'changes') => string;
}

export const DEFAULT_RAMP_STEP_S = 300;
export const DEFAULT_MARGIN_FRAC = 0.05;

/** Build the timeline. Every check names the event's field; nothing is built from bad input. */
export function powerTargetTimeline(events: readonly DrEvent[], options: TimelineOptions): PowerTargetTimeline {
  const { baselineW } = options;
  const rampStepS = options.rampStepS ?? DEFAULT_RAMP_STEP_S;
  const marginFrac = options.marginFrac ?? DEFAULT_MARGIN_FRAC;
  const fieldOf = options.fieldOf ?? ((i: number, name: string) => `events[${i}].${name}`);
  const where = (field: string): InputLocation => ({ file: options.file, field });
  if (!(baselineW > 0) || !Number.isFinite(baselineW)) throw new InputError('bad_dr', `the baseline power ${baselineW} W is not positive: no job draws power`, where('jobs'));
  if (!(rampStepS > 0) || !Number.isFinite(rampStepS)) throw new InputError('bad_dr', `ramp step ${rampStepS} s must be positive`, where('ramp_step'));
  if (!(marginFrac >= 0 && marginFrac < 1)) throw new InputError('bad_dr', `margin ${marginFrac} must be a fraction in [0, 1)`, where('margin_frac'));
  if (events.length === 0) throw new InputError('bad_dr', 'no demand-response event', where('events'));
  const marginW = marginFrac * baselineW;

  const targetW = (t: TargetSpec, field: string): number => {
    const w = 'watts' in t ? t.watts : t.fraction * baselineW;
    const shown = 'watts' in t ? `${t.watts} W` : `${t.fraction * 100} % of the baseline (${w} W)`;
    if (!Number.isFinite(w) || w < 0) throw new InputError('bad_dr', `target ${shown} is not a non-negative power`, where(field));
    if (w > baselineW * (1 + 1e-12)) throw new InputError('bad_dr', `target ${shown} is above the baseline ${baselineW} W: there is nothing to shed`, where(field));
    return w;
  };

  // check each event, then the order
  const order = events.map((_, i) => i).sort((a, b) => events[a]!.startS - events[b]!.startS || a - b);
  const levels: { atS: number; w: number }[][] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!Number.isFinite(e.startS)) throw new InputError('bad_dr', `start ${e.startS} is not a finite time`, where(fieldOf(i, 'start')));
    if (!Number.isFinite(e.endS) || !(e.endS > e.startS)) throw new InputError('bad_dr', `end ${e.endS / 60} min is not after the start ${e.startS / 60} min`, where(fieldOf(i, 'end')));
    if (!Number.isFinite(e.rampS) || e.rampS < 0) throw new InputError('bad_dr', `ramp ${e.rampS / 60} min is not a non-negative duration`, where(fieldOf(i, 'ramp')));
    const lengthS = e.endS - e.startS;
    if (2 * e.rampS > lengthS * (1 + 1e-12)) {
      throw new InputError('bad_dr', `ramp ${e.rampS / 60} min is longer than the event allows: ramp down and ramp up (2 x ${e.rampS / 60} min) do not fit in ${lengthS / 60} min`, where(fieldOf(i, 'ramp')));
    }
    const lv = [{ atS: e.rampS, w: targetW(e.target, fieldOf(i, 'target')) }];
    for (const [k, c] of (e.changes ?? []).entries()) {
      const f = `${fieldOf(i, 'changes')}[${k}]`;
      if (!Number.isFinite(c.atS) || !(c.atS > lv[lv.length - 1]!.atS) || !(c.atS < lengthS - e.rampS)) {
        throw new InputError('bad_dr', `a hold change at ${c.atS / 60} min must come after the ramp down and any earlier change, and before the ramp up (${(lengthS - e.rampS) / 60} min)`, where(`${f}.at`));
      }
      lv.push({ atS: c.atS, w: targetW(c.target, `${f}.target`) });
    }
    levels[i] = lv;
  }
  for (let k = 1; k < order.length; k++) {
    const prev = events[order[k - 1]!]!;
    const cur = events[order[k]!]!;
    if (cur.startS < prev.endS) {
      throw new InputError('bad_dr', `event ${order[k]} starts at ${cur.startS / 60} min, before event ${order[k - 1]} ends at ${prev.endS / 60} min: events must not overlap`, where(fieldOf(order[k]!, 'start')));
    }
  }

  const steps: TargetStep[] = [];
  const resolved: ResolvedEvent[] = [];
  const push = (t0: number, t1: number, w: number, kind: StepKind, event: number): void => {
    if (!(t1 > t0)) return;
    steps.push({ t0, t1, targetW: w, budgetW: Number.isFinite(w) ? Math.max(0, w - marginW) : Infinity, kind, event });
  };
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const e = events[i]!;
    const lv = levels[i]!;
    const first = lv[0]!.w;
    const last = lv[lv.length - 1]!.w;
    const firstStep = steps.length;
    const { startS: s, endS: end, rampS: r } = e;
    // ramp down: the line falls from the baseline at s to `first` at s + r; each step takes the
    // line's value at its end, the lowest over the step
    for (let a = s; a < s + r; ) {
      const b = Math.min(a + rampStepS, s + r);
      push(a, b, baselineW - ((baselineW - first) * (b - s)) / r, 'ramp-down', k);
      a = b;
    }
    for (let m = 0; m < lv.length; m++) {
      const a = s + lv[m]!.atS;
      const b = m + 1 < lv.length ? s + lv[m + 1]!.atS : end - r;
      push(a, b, lv[m]!.w, 'hold', k);
    }
    // ramp up: the line rises from `last` at end - r to the baseline at end; each step takes the
    // line's value at its start
    for (let a = end - r; a < end; ) {
      const b = Math.min(a + rampStepS, end);
      push(a, b, last + ((baselineW - last) * (a - (end - r))) / r, 'ramp-up', k);
      a = b;
    }
    const next = k + 1 < order.length ? events[order[k + 1]!]!.startS : Infinity;
    resolved.push({ index: k, startS: s, endS: end, rampS: r, targetW: first, firstStep, endStep: steps.length });
    push(end, next, Infinity, 'open', -1);
  }
  return { baselineW, marginW, rampStepS, events: resolved, steps };
}

/** Index of the step holding instant t (-1 before the first event). */
export function stepAt(timeline: PowerTargetTimeline, t: number): number {
  const steps = timeline.steps;
  if (steps.length === 0 || t < steps[0]!.t0) return -1;
  let lo = 0;
  let hi = steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid]!.t0 <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---- the events file: --dr event.json ----

export interface DrEventsFile {
  events: DrEvent[];
  rampStepS?: number;
  marginFrac?: number;
}

const MIN = 60;

/** Minutes as a number, or a duration string with a unit (`15m`, `2h`, `90s`). */
function minutesOrDuration(v: unknown, file: string, field: string, allowNegative: boolean): number {
  if (typeof v === 'number' && Number.isFinite(v) && (allowNegative || v >= 0)) return v * MIN;
  if (typeof v === 'string') {
    const m = /^\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*([smhd])\s*$/.exec(v);
    if (m && (allowNegative || !m[1]!.startsWith('-'))) return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  }
  throw new InputError('bad_dr', `${JSON.stringify(v)} is not ${allowNegative ? 'a time' : 'a duration'} (minutes, or a number with s, m, h or d)`, { file, field });
}

/** A target: watts as a number, or a share of the baseline as "75%" or {"fraction": 0.75}. */
export function parseTargetSpec(v: unknown, file: string, field: string): TargetSpec {
  if (typeof v === 'number' && Number.isFinite(v)) return { watts: v };
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
    if (m) return { fraction: Number(m[1]) / 100 };
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const f = (v as { fraction?: unknown }).fraction;
    if (keys.length === 1 && typeof f === 'number' && Number.isFinite(f)) return { fraction: f };
  }
  throw new InputError('bad_dr', `${JSON.stringify(v)} is not a target: watts (a number), a share of the baseline ("75%") or {"fraction": 0.75}`, { file, field });
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], file: string, prefix: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new InputError('bad_dr', `unknown field "${k}" (expected ${allowed.join(', ')})`, { file, field: prefix ? `${prefix}.${k}` : k });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `{"events": [{"start": 0, "end": 210, "ramp": 15, "target": "75%"}], "ramp_step": 5, "margin": 0.05}`:
 * times in minutes (or with a unit: "15m"), on the scenario's axis; target in W or as a share of
 * the baseline. A single event object, or a bare list of events, is accepted too.
 */
export function parseDrEvents(json: unknown, file: string): DrEventsFile {
  let root: Record<string, unknown>;
  if (Array.isArray(json)) root = { events: json };
  else if (isObject(json) && !('events' in json) && 'start' in json) root = { events: [json] };
  else if (isObject(json)) root = json;
  else throw new InputError('bad_dr', 'expected an object with "events"', { file });
  checkKeys(root, ['events', 'ramp_step', 'margin'], file, '');
  if (!Array.isArray(root.events) || root.events.length === 0) throw new InputError('bad_dr', 'needs a non-empty list of events', { file, field: 'events' });
  const events = root.events.map((e, i): DrEvent => {
    const f = (name: string): string => `events[${i}].${name}`;
    if (!isObject(e)) throw new InputError('bad_dr', 'is not an object', { file, field: `events[${i}]` });
    checkKeys(e, ['start', 'end', 'ramp', 'target', 'changes'], file, `events[${i}]`);
    for (const k of ['start', 'end', 'target']) if (!(k in e)) throw new InputError('bad_dr', `missing "${k}"`, { file, field: f(k) });
    const changes = e.changes;
    if (changes !== undefined && !Array.isArray(changes)) throw new InputError('bad_dr', 'must be a list of {at, target}', { file, field: f('changes') });
    return {
      startS: minutesOrDuration(e.start, file, f('start'), true),
      endS: minutesOrDuration(e.end, file, f('end'), true),
      rampS: e.ramp === undefined ? 0 : minutesOrDuration(e.ramp, file, f('ramp'), false),
      target: parseTargetSpec(e.target, file, f('target')),
      ...(changes !== undefined && {
        changes: changes.map((c, k) => {
          const g = `${f('changes')}[${k}]`;
          if (!isObject(c)) throw new InputError('bad_dr', 'is not an object {at, target}', { file, field: g });
          checkKeys(c, ['at', 'target'], file, g);
          return { atS: minutesOrDuration(c.at, file, `${g}.at`, false), target: parseTargetSpec(c.target, file, `${g}.target`) };
        }),
      }),
    };
  });
  const out: DrEventsFile = { events };
  if (root.ramp_step !== undefined) out.rampStepS = minutesOrDuration(root.ramp_step, file, 'ramp_step', false);
  if (root.margin !== undefined) {
    const m = root.margin;
    if (typeof m === 'number' && m >= 0 && m < 1) out.marginFrac = m;
    else if (typeof m === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(m) && parseFloat(m) < 100) out.marginFrac = parseFloat(m) / 100;
    else throw new InputError('bad_dr', `${JSON.stringify(m)} is not a margin: a fraction of the baseline in [0, 1) or "5%"`, { file, field: 'margin' });
  }
  return out;
}

// ---- events from a grid signal ----

export interface GridSignal {
  /** seconds on the scenario's axis, increasing; values[i] holds on [times[i], times[i+1]) */
  times: number[];
  values: number[];
  /** end of the last sample */
  endS: number;
}

/**
 * Read a two-column series (time, value): times as H:MM (minutes of the day), plain minutes, or
 * ISO 8601 instants (minutes since the first). `column` picks the value column by header name
 * (default: the second column). The last sample holds for one more step.
 */
export function parseGridSignal(text: string, file: string, column?: string): GridSignal {
  const rows = parseCsvRows(text, { file });
  if (rows.length < 3) throw new InputError('bad_grid_signal', 'needs a header and at least two rows', { file });
  const header = rows[0]!.record;
  const k = column === undefined ? 1 : header.indexOf(column);
  if (k < 1) throw new InputError('bad_grid_signal', `no value column "${column}" (columns: ${header.join(', ')})`, { file, line: rows[0]!.line, field: column ?? 'value' });
  const times: number[] = [];
  const values: number[] = [];
  let isoOrigin = NaN;
  for (const { record, line } of rows.slice(1)) {
    const ts = record[0] ?? '';
    let t: number;
    const hm = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(ts);
    if (hm) t = Number(hm[1]) * 3600 + Number(hm[2]) * 60 + Number(hm[3] ?? 0);
    else if (/^-?\d+(\.\d+)?$/.test(ts)) t = Number(ts) * MIN;
    else {
      const ms = Date.parse(ts);
      if (!Number.isFinite(ms)) throw new InputError('bad_grid_signal', `"${ts}" is not a time (H:MM, minutes or ISO 8601)`, { file, line, field: header[0] ?? 'time' });
      if (Number.isNaN(isoOrigin)) isoOrigin = ms;
      t = (ms - isoOrigin) / 1000;
    }
    const v = Number(record[k]);
    if (record[k] === undefined || record[k] === '' || !Number.isFinite(v)) throw new InputError('bad_grid_signal', `"${record[k] ?? ''}" is not a number`, { file, line, field: header[k] ?? 'value' });
    if (times.length > 0 && !(t > times[times.length - 1]!)) throw new InputError('bad_grid_signal', 'times must increase', { file, line, field: header[0] ?? 'time' });
    times.push(t);
    values.push(v);
  }
  const last = times[times.length - 1]!;
  return { times, values, endS: last + (last - times[times.length - 2]!) };
}

export interface GridEventOptions {
  /** an absolute level, or a quantile of the series ("p90" / {quantile: 0.9}) */
  threshold: { value: number } | { quantile: number };
  target: TargetSpec;
  rampS: number;
  /** runs above the threshold shorter than this are ignored; default 0 */
  minHoldS?: number;
}

/**
 * Events where a grid signal (demand, net demand, price) is at or above a threshold: each maximal
 * run of samples at or above it becomes the hold of one event, with the ramps added before and
 * after; events that would overlap are merged into one.
 */
export function eventsFromGridSignal(signal: GridSignal, options: GridEventOptions): DrEvent[] {
  const { times, values } = signal;
  let level: number;
  if ('value' in options.threshold) level = options.threshold.value;
  else {
    const sorted = [...values].sort((a, b) => a - b);
    const q = options.threshold.quantile;
    level = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  }
  const runs: [number, number][] = [];
  for (let i = 0; i < times.length; ) {
    if (values[i]! < level) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < times.length && values[j + 1]! >= level) j++;
    const a = times[i]!;
    const b = j + 1 < times.length ? times[j + 1]! : signal.endS;
    if (b - a >= (options.minHoldS ?? 0)) runs.push([a - options.rampS, b + options.rampS]);
    i = j + 1;
  }
  const merged: [number, number][] = [];
  for (const r of runs) {
    const last = merged[merged.length - 1];
    if (last && r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged.map(([a, b]) => ({ startS: a, endS: b, rampS: options.rampS, target: options.target }));
}

/** The same timeline on an axis moved by `dS` seconds (e.g. the engine's, where jobs start at 0). */
export function shiftTimeline(timeline: PowerTargetTimeline, dS: number): PowerTargetTimeline {
  return {
    ...timeline,
    events: timeline.events.map((e) => ({ ...e, startS: e.startS + dS, endS: e.endS + dS })),
    steps: timeline.steps.map((s) => ({ ...s, t0: s.t0 + dS, t1: s.t1 + dS })),
  };
}
