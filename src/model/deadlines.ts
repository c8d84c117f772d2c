import { InputError } from '../errors.js';
import { parseDuration } from '../io/units.js';

export type DeadlineRule = (arrival: number, durationS: number) => number;

/** Deadline = arrival + uninterrupted duration + a fixed maximum wait. */
export function maxWaitRule(maxWaitS: number): DeadlineRule {
  return (arrival, durationS) => arrival + durationS + maxWaitS;
}

/** GAIA's queue split: jobs shorter than this get the first wait of `AxB`, the others the second. */
export const SHORT_QUEUE_LIMIT_S = 2 * 3600;

/** Two waits by queue (GAIA): shorter than 2 h may wait `shortWaitS`, the others `longWaitS`. */
export function queueWaitRule(shortWaitS: number, longWaitS: number): DeadlineRule {
  return (arrival, durationS) => arrival + durationS + (durationS < SHORT_QUEUE_LIMIT_S ? shortWaitS : longWaitS);
}

/** `--max-wait`: one duration (`24h`) or two by queue (`6hx24h`). */
export function parseMaxWait(text: string): DeadlineRule {
  const parts = text.split('x');
  if (parts.length === 1) return maxWaitRule(parseDuration(text, 'max-wait'));
  if (parts.length === 2) return queueWaitRule(parseDuration(parts[0]!, 'max-wait'), parseDuration(parts[1]!, 'max-wait'));
  throw new InputError('bad_duration', `"${text}" is not a wait (e.g. 24h, or 6hx24h for short x long queues)`, { field: 'max-wait' });
}

// Calendar rules: deadlines on office hours in a time zone. Simulation time t is the instant
// epochMs + t x 1000; wall-clock arithmetic goes through the built-in Intl API (no dependency).

export const CALENDAR_RULES = ['next-workday', 'semi-weekly'] as const;
export type CalendarRuleName = (typeof CALENDAR_RULES)[number];

export interface CalendarRuleOptions {
  /** Unix ms of simulation time 0 (CarbonSignal.epochMs) */
  epochMs: number;
  /** IANA time zone name; default UTC */
  timeZone?: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Office hours of the calendar rules, local time. */
export const WORKDAY_START_HOUR = 9;
export const WORKDAY_END_HOUR = 17;
const MONDAY = 1;
const THURSDAY = 4;

/** Day of the week of a day number (days since 1970-01-01, a Thursday): 0 = Sunday ... 6 = Saturday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekend(day: number): boolean {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
}

/** Local wall-clock arithmetic in one time zone: local day numbers and UTC offsets. */
export interface ZoneClock {
  readonly timeZone: string;
  /** local time minus UTC (ms) at an instant */
  offsetMs(instantMs: number): number;
  /** the local day (days since 1970-01-01) and time of day (ms) of an instant */
  wallClock(instantMs: number): { day: number; msOfDay: number };
  /**
   * The instant of a local day and time of day. Ambiguous times (clocks set back) take the earlier
   * instant; times skipped by a clock change move forward by the gap (as Temporal's "compatible").
   */
  instantOf(day: number, msOfDay: number): number;
}

/** A ZoneClock for an IANA name; an unknown name is an InputError (field "timezone"). */
export function zoneClock(timeZone = 'UTC'): ZoneClock {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new InputError('unknown_time_zone', `unknown time zone "${timeZone}" (an IANA name such as Europe/Berlin, or UTC)`, { field: 'timezone' });
  }
  const utc = format.resolvedOptions().timeZone === 'UTC';

  const exactOffset = (instantMs: number): number => {
    const secondMs = Math.floor(instantMs / 1000) * 1000;
    const f: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const p of format.formatToParts(secondMs)) f[p.type] = Number(p.value);
    return Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!) - secondMs;
  };
  // Intl costs ~10 us a call: cache the offset of each UTC hour that has no clock change inside
  // (tz transitions fall on whole seconds, so the hour's first and last second decide).
  const hourOffsets = new Map<number, number>();
  const offsetMs = (instantMs: number): number => {
    if (utc) return 0;
    const hour = Math.floor(instantMs / HOUR_MS);
    let cached = hourOffsets.get(hour);
    if (cached === undefined) {
      const first = exactOffset(hour * HOUR_MS);
      cached = first === exactOffset((hour + 1) * HOUR_MS - 1000) ? first : NaN;
      hourOffsets.set(hour, cached);
    }
    return Number.isNaN(cached) ? exactOffset(instantMs) : cached;
  };

  return {
    timeZone,
    offsetMs,
    wallClock(instantMs) {
      const local = instantMs + offsetMs(instantMs);
      const day = Math.floor(local / DAY_MS);
      return { day, msOfDay: local - day * DAY_MS };
    },
    instantOf(day, msOfDay) {
      const wall = day * DAY_MS + msOfDay;
      const before = offsetMs(wall - DAY_MS);
      const after = offsetMs(wall + DAY_MS);
      const early = wall - before;
      const late = wall - after;
      const earlyFits = offsetMs(early) === before;
      const lateFits = offsetMs(late) === after;
      if (earlyFits && lateFits) return Math.min(early, late);
      if (earlyFits) return early;
      if (lateFits) return late;
      return early; // in the gap of a clock set forward: the same wall time on the old offset
    },
  };
}

/** Simulation seconds of an instant, never before the job's earliest finish (float guard). */
function dueAt(dueMs: number, epochMs: number, earliestFinishS: number): number {
  return Math.max((dueMs - epochMs) / 1000, earliestFinishS);
}

/**
 * `next-workday`: a job that could finish (arrival + uninterrupted duration) by 17:00 local on a
 * weekday is due at 17:00 that day; one that would finish after 17:00 or on a weekend is due at
 * 09:00 local of the next weekday. Public holidays are not modelled.
 * Example (UTC): Friday 16:00 arrival, 2 h job -> could finish 18:00 -> due Monday 09:00.
 */
export function nextWorkdayRule(options: CalendarRuleOptions): DeadlineRule {
  const clock = zoneClock(options.timeZone);
  const { epochMs } = options;
  return (arrival, durationS) => {
    const finishS = arrival + durationS;
    const { day, msOfDay } = clock.wallClock(epochMs + finishS * 1000);
    if (!isWeekend(day) && msOfDay <= WORKDAY_END_HOUR * HOUR_MS) return dueAt(clock.instantOf(day, WORKDAY_END_HOUR * HOUR_MS), epochMs, finishS);
    let next = day + 1;
    while (isWeekend(next)) next++;
    return dueAt(clock.instantOf(next, WORKDAY_START_HOUR * HOUR_MS), epochMs, finishS);
  };
}

/**
 * `semi-weekly`: due at the first Monday or Thursday 09:00 local at or after the instant the job
 * could finish (arrival + uninterrupted duration).
 * Example (UTC): Friday 16:00 arrival, 2 h job -> due Monday 09:00; Tuesday arrival -> Thursday 09:00.
 */
export function semiWeeklyRule(options: CalendarRuleOptions): DeadlineRule {
  const clock = zoneClock(options.timeZone);
  const { epochMs } = options;
  return (arrival, durationS) => {
    const finishS = arrival + durationS;
    const finishMs = epochMs + finishS * 1000;
    for (let day = clock.wallClock(finishMs).day; ; day++) {
      const weekday = weekdayOf(day);
      if (weekday !== MONDAY && weekday !== THURSDAY) continue;
      const dueMs = clock.instantOf(day, WORKDAY_START_HOUR * HOUR_MS);
      if (dueMs >= finishMs) return dueAt(dueMs, epochMs, finishS);
    }
  };
}

/** `--deadline next-workday|semi-weekly` in a time zone, for a simulation epoch. */
export function calendarRule(name: string, options: CalendarRuleOptions): DeadlineRule {
  if (name === 'next-workday') return nextWorkdayRule(options);
  if (name === 'semi-weekly') return semiWeeklyRule(options);
  throw new InputError('unknown_deadline_rule', `unknown deadline rule "${name}" (known: ${CALENDAR_RULES.join(', ')})`, { field: 'deadline' });
}

/** How a run sets deadlines: a calendar rule by name (in a time zone) or a ready rule. */
export interface DeadlineChoice {
  deadlineRule?: DeadlineRule;
  /** `next-workday` or `semi-weekly` */
  deadline?: string;
  /** IANA time zone of the calendar rule; default UTC */
  timeZone?: string;
}

/** The rule of a run once its epoch is known; `fallback` when none is chosen. Both kinds at once is an error. */
export function chooseDeadlineRule(choice: DeadlineChoice, epochMs: number, fallback: DeadlineRule): DeadlineRule {
  if (choice.deadline === undefined) {
    if (choice.timeZone !== undefined) throw new InputError('bad_option', `a time zone applies to --deadline ${CALENDAR_RULES.join('|')} only`, { field: 'timezone' });
    return choice.deadlineRule ?? fallback;
  }
  if (choice.deadlineRule !== undefined) {
    throw new InputError('conflicting_options', 'give either --deadline or --max-wait, not both', { field: 'deadline' });
  }
  return calendarRule(choice.deadline, { epochMs, timeZone: choice.timeZone ?? 'UTC' });
}
