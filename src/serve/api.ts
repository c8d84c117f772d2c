// What `carbon-sim serve` answers, apart from the HTTP framework: each handler reads URL query
// parameters (or a JSON body) and returns a JSON-ready value, or throws ApiError (a 4xx).
// Shapes follow Electricity Maps v3 and the Green Software Foundation's carbon-aware SDK WebAPI.
import { parseTimestamp } from '../carbon/csv.js';
import { issueView, type ForecastIssue } from '../carbon/issued.js';
import { CarbonRangeError, type CarbonSignal } from '../carbon/signal.js';
import { InputError } from '../errors.js';
import { parseDuration } from '../io/units.js';
import type { SimClock } from './clock.js';
import { bestWindow, type DataPoint } from './window.js';
import type { Zone } from './zones.js';

/** A client's mistake: HTTP status 4xx with a JSON body naming what was wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ErrorBody {
    return { status: this.status, error: this.code, message: this.message, ...(this.field !== undefined ? { field: this.field } : {}) };
  }
}

export interface ErrorBody {
  status: number;
  error: string;
  message: string;
  field?: string;
}

const HISTORY_S = 24 * 3600;

const iso = (ms: number): string => new Date(ms).toISOString();

/** `HH:MM:SS` (or `d.HH:MM:SS`), the .NET TimeSpan text of the SDK's `duration`. */
export function timeSpan(seconds: number): string {
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const pad = (x: number): string => String(x).padStart(2, '0');
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return d > 0 ? `${d}.${hms}` : hms;
}

/** One query parameter: absent, or exactly once (a repeated one is ambiguous: 400). */
function single(q: URLSearchParams, name: string): string | undefined {
  const all = q.getAll(name);
  if (all.length > 1) throw new ApiError(400, 'repeated_parameter', `query parameter ${name} is given ${all.length} times`, name);
  return all[0];
}

function timeParam(q: URLSearchParams, name: string): number | undefined {
  const text = single(q, name);
  if (text === undefined) return undefined;
  const ms = parseTimestamp(text);
  if (Number.isNaN(ms)) throw new ApiError(400, 'bad_time', `${name}="${text}" is not an ISO 8601 timestamp (e.g. 2023-06-01T12:00:00Z)`, name);
  return ms;
}

function positiveParam(q: URLSearchParams, name: string, integer: boolean): number | undefined {
  const text = single(q, name);
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !/^\s*\d+(\.\d+)?\s*$/.test(text) || !(v > 0) || (integer && !Number.isInteger(v))) {
    throw new ApiError(400, 'bad_parameter', `${name}="${text}" is not a positive ${integer ? 'integer' : 'number'}`, name);
  }
  return v;
}

/** The answers of the server: zones by name and the one clock they share. */
export class CarbonApi {
  private readonly zones: Map<string, Zone>;

  constructor(
    zones: readonly Zone[],
    readonly clock: SimClock,
  ) {
    this.zones = new Map(zones.map((z) => [z.name, z]));
  }

  zoneNames(): string[] {
    return [...this.zones.keys()];
  }

  private zone(q: URLSearchParams, name: 'zone' | 'location'): Zone {
    const text = single(q, name);
    if (text === undefined || text === '') throw new ApiError(400, 'missing_parameter', `query parameter ${name} is required (one of ${this.zoneNames().join(', ')})`, name);
    return this.named(text, name);
  }

  private named(text: string, field: string): Zone {
    const z = this.zones.get(text);
    if (!z) throw new ApiError(404, 'unknown_zone', `no zone "${text}" (served: ${this.zoneNames().join(', ')})`, field);
    return z;
  }

  private locations(q: URLSearchParams): Zone[] {
    const names = q.getAll('location');
    if (names.length === 0 || names.some((n) => n === '')) {
      throw new ApiError(400, 'missing_parameter', `query parameter location is required (one of ${this.zoneNames().join(', ')})`, 'location');
    }
    return names.map((n) => this.named(n, 'location'));
  }

  /** Seconds since the zone's epoch of a Unix-ms instant. */
  private seconds(z: Zone, ms: number): number {
    return (ms - z.signal.epochMs) / 1000;
  }

  private ms(z: Zone, s: number): number {
    return z.signal.epochMs + s * 1000;
  }

  /** The simulated now in the zone's seconds; 409 once the clock has left the trace. */
  private now(z: Zone): number {
    const s = this.seconds(z, this.clock.nowMs());
    const { start, end } = z.signal;
    if (s < start || s >= end) {
      throw new ApiError(409, 'clock_outside_trace', `the simulated now ${iso(this.clock.nowMs())} is outside trace ${z.name} [${iso(this.ms(z, start))}, ${iso(this.ms(z, end))}); move it with POST /clock`);
    }
    return s;
  }

  /** A requested instant in the zone's seconds, inside [start, end] of its trace (400 otherwise). */
  private inside(z: Zone, ms: number, field: string): number {
    const s = this.seconds(z, ms);
    if (s < z.signal.start || s > z.signal.end) {
      throw new ApiError(400, 'time_outside_trace', `${field}=${iso(ms)} is outside trace ${z.name} [${iso(this.ms(z, z.signal.start))}, ${iso(this.ms(z, z.signal.end))}]`, field);
    }
    return s;
  }

  // ---- Electricity Maps v3 ----

  /** GET /v3/zones */
  emZones(): Record<string, { zoneName: string; from: string; to: string; resolutionS: number; forecast: string }> {
    const out: Record<string, { zoneName: string; from: string; to: string; resolutionS: number; forecast: string }> = {};
    for (const z of this.zones.values()) {
      out[z.name] = {
        zoneName: z.name,
        from: iso(this.ms(z, z.signal.start)),
        to: iso(this.ms(z, z.signal.end)),
        resolutionS: z.signal.resolutionS,
        forecast: z.forecast.spec,
      };
    }
    return out;
  }

  private emPoint(z: Zone, i: number) {
    const datetime = iso(this.ms(z, z.signal.times[i]!));
    return {
      zone: z.name,
      carbonIntensity: z.signal.values[i]!,
      datetime,
      // the trace's value is known from its step's start on: no wall clock leaks into answers
      updatedAt: datetime,
      createdAt: datetime,
      emissionFactorType: z.factorType,
      isEstimated: false,
      estimationMethod: null,
    };
  }

  /** GET /v3/carbon-intensity/latest?zone= : the step holding the simulated now. */
  latest(q: URLSearchParams) {
    const z = this.zone(q, 'zone');
    return this.emPoint(z, stepIndex(z.signal, this.now(z)));
  }

  /** GET /v3/carbon-intensity/history?zone= : the steps of the last 24 h up to now, oldest first. */
  history(q: URLSearchParams) {
    const z = this.zone(q, 'zone');
    const now = this.now(z);
    const last = stepIndex(z.signal, now);
    let first = last;
    while (first > 0 && z.signal.times[first - 1]! > now - HISTORY_S) first--;
    const history = [];
    for (let i = first; i <= last; i++) history.push(this.emPoint(z, i));
    return { zone: z.name, history };
  }

  /** GET /v3/carbon-intensity/forecast?zone=[&horizonHours=] : the forecast in force at now. */
  forecast(q: URLSearchParams) {
    const z = this.zone(q, 'zone');
    const hours = positiveParam(q, 'horizonHours', true);
    const { issue, points } = this.forecastPoints(z);
    const until = hours === undefined ? Infinity : points[0]!.t + hours * 3600;
    return {
      zone: z.name,
      forecast: points.filter((p) => p.t < until).map((p) => ({ carbonIntensity: p.v, datetime: iso(this.ms(z, p.t)) })),
      updatedAt: iso(this.ms(z, issue.issuedAt)),
    };
  }

  /**
   * The forecast in force at now as data points: the issue's view from the step holding now to
   * the end of the issue's targets (the current step is the actual value unless the issue forecast it).
   */
  forecastPoints(z: Zone): { issue: ForecastIssue; view: CarbonSignal; points: DataPoint[] } {
    const now = this.now(z);
    let k: number;
    try {
      k = z.forecast.issueIndexAt(now);
    } catch (err) {
      if (err instanceof CarbonRangeError) throw new ApiError(409, 'clock_outside_trace', err.message);
      throw err;
    }
    if (k < 0) throw new ApiError(404, 'no_forecast', `no forecast of zone ${z.name} (${z.forecast.spec}) was issued by ${iso(this.clock.nowMs())}`);
    const issue = z.forecast.issue(k);
    const view = issueView(z.forecast, k);
    const until = Math.max(issue.end, view.stepEnd(now));
    const points: DataPoint[] = [];
    for (let i = stepIndex(view, now); i < view.times.length && view.times[i]! < until; i++) {
      const t = view.times[i]!;
      const next = i + 1 < view.times.length ? view.times[i + 1]! : view.end;
      points.push({ t, d: Math.min(next, until) - t, v: view.values[i]! });
    }
    return { issue, view, points };
  }

  // ---- carbon-aware SDK ----

  /**
   * Observed steps: by default those starting in (now - 24 h, now] (as Electricity Maps' history);
   * with time/toTime those overlapping [time, toTime) that have begun by now (no future data).
   */
  private observed(z: Zone, q: URLSearchParams) {
    const now = this.now(z);
    const fromMs = timeParam(q, 'time');
    const toMs = timeParam(q, 'toTime');
    const { times, values } = z.signal;
    let first: number;
    let to: number;
    if (fromMs === undefined && toMs === undefined) {
      first = stepIndex(z.signal, now);
      while (first > 0 && times[first - 1]! > now - HISTORY_S) first--;
      to = Infinity;
    } else {
      to = toMs === undefined ? z.signal.end : this.inside(z, toMs, 'toTime');
      const from = fromMs === undefined ? Math.max(z.signal.start, to - HISTORY_S) : this.inside(z, fromMs, 'time');
      if (!(from < to)) throw new ApiError(400, 'bad_range', `time ${iso(this.ms(z, from))} is not before toTime ${iso(this.ms(z, to))}`, 'time');
      first = stepIndex(z.signal, from);
    }
    const out = [];
    for (let i = first; i < times.length && times[i]! <= now && times[i]! < to; i++) {
      const next = i + 1 < times.length ? times[i + 1]! : z.signal.end;
      out.push({ location: z.name, time: iso(this.ms(z, times[i]!)), rating: values[i]!, duration: timeSpan(next - times[i]!) });
    }
    return out;
  }

  /** GET /emissions/bylocation?location=[&time=][&toTime=] : observed intensity, default the last 24 h. */
  byLocation(q: URLSearchParams) {
    return this.observed(this.zone(q, 'location'), q);
  }

  /** GET /emissions/bylocations?location=A&location=B... */
  byLocations(q: URLSearchParams) {
    return this.locations(q).flatMap((z) => this.observed(z, q));
  }

  /** GET /locations : the SDK's location list. */
  sdkLocations(): Record<string, { Name: string }> {
    return Object.fromEntries(this.zoneNames().map((n) => [n, { Name: n }]));
  }

  /**
   * GET /emissions/forecasts/current?location=[&dataStartAt=][&dataEndAt=][&windowSize=minutes] :
   * per location the forecast in force and the least-mean window of `windowSize` minutes.
   */
  forecastsCurrent(q: URLSearchParams) {
    const zones = this.locations(q);
    const windowMin = positiveParam(q, 'windowSize', false);
    const startMs = timeParam(q, 'dataStartAt');
    const endMs = timeParam(q, 'dataEndAt');
    return zones.map((z) => {
      const now = this.now(z);
      const { issue, points } = this.forecastPoints(z);
      const dataFirst = points[0]!.t;
      const dataEnd = points[points.length - 1]!.t + points[points.length - 1]!.d;
      const span = (s: number, field: string): number => {
        if (s < dataFirst || s > dataEnd) {
          throw new ApiError(400, 'time_outside_forecast', `${field}=${iso(this.ms(z, s))} is outside the forecast data [${iso(this.ms(z, dataFirst))}, ${iso(this.ms(z, dataEnd))}]`, field);
        }
        return s;
      };
      // the window cannot start in the past: by default it starts at the simulated now
      const from = startMs === undefined ? now : span(this.seconds(z, startMs), 'dataStartAt');
      const to = endMs === undefined ? dataEnd : span(this.seconds(z, endMs), 'dataEndAt');
      const windowS = windowMin === undefined ? points[0]!.d : windowMin * 60;
      if (!(from + windowS <= to)) {
        throw new ApiError(400, 'window_too_long', `a window of ${windowS / 60} minutes does not fit between ${iso(this.ms(z, from))} and ${iso(this.ms(z, to))}`, 'windowSize');
      }
      const best = bestWindow(points, from, to, windowS);
      const minutes = windowS / 60;
      return {
        generatedAt: iso(this.ms(z, issue.issuedAt)),
        requestedAt: iso(this.clock.nowMs()),
        location: z.name,
        dataStartAt: iso(this.ms(z, from)),
        dataEndAt: iso(this.ms(z, to)),
        windowSize: minutes,
        optimalDataPoints: [{ location: z.name, timestamp: iso(this.ms(z, best.start)), duration: minutes, value: best.mean }],
        forecastData: points
          .filter((p) => p.t < to && p.t + p.d > from)
          .map((p) => ({ location: z.name, timestamp: iso(this.ms(z, p.t)), duration: p.d / 60, value: p.v })),
      };
    });
  }

  // ---- the clock ----

  /** GET /clock */
  clockState() {
    const { nowMs, speed } = this.clock.state();
    return { now: iso(nowMs), speed };
  }

  /** POST /clock {"now": ISO} | {"advance": seconds or "1h"} [, "speed": x] */
  setClock(body: unknown) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiError(400, 'bad_body', 'the body must be a JSON object: {"now": "2023-01-01T06:00:00Z"}, {"advance": "1h"} or {"speed": 0}');
    }
    const o = body as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!['now', 'advance', 'speed'].includes(key)) throw new ApiError(400, 'bad_body', `unknown clock field "${key}" (now, advance, speed)`, key);
    }
    if (o.now !== undefined && o.advance !== undefined) throw new ApiError(400, 'bad_body', 'give now or advance, not both', 'advance');
    if (o.now === undefined && o.advance === undefined && o.speed === undefined) throw new ApiError(400, 'bad_body', 'give now, advance or speed', 'now');
    let target: number | undefined;
    if (o.now !== undefined) {
      const ms = typeof o.now === 'string' ? parseTimestamp(o.now) : NaN;
      if (Number.isNaN(ms)) throw new ApiError(400, 'bad_time', `now=${JSON.stringify(o.now)} is not an ISO 8601 timestamp`, 'now');
      target = ms;
    } else if (o.advance !== undefined) {
      let s: number;
      if (typeof o.advance === 'number' && Number.isFinite(o.advance) && o.advance >= 0) s = o.advance;
      else if (typeof o.advance === 'string') {
        try {
          s = parseDuration(o.advance, 'advance');
        } catch (err) {
          if (err instanceof InputError) throw new ApiError(400, 'bad_duration', err.message, 'advance');
          throw err;
        }
      } else throw new ApiError(400, 'bad_duration', `advance=${JSON.stringify(o.advance)} is not a non-negative number of seconds or a duration like "1h"`, 'advance');
      target = this.clock.nowMs() + s * 1000;
    }
    let speed: number | undefined;
    if (o.speed !== undefined) {
      if (typeof o.speed !== 'number' || !Number.isFinite(o.speed) || o.speed < 0) throw new ApiError(400, 'bad_speed', `speed=${JSON.stringify(o.speed)} is not a number >= 0`, 'speed');
      speed = o.speed;
    }
    if (target !== undefined) {
      for (const z of this.zones.values()) {
        const s = this.seconds(z, target);
        if (s < z.signal.start || s >= z.signal.end) {
          throw new ApiError(400, 'time_outside_trace', `${iso(target)} is outside trace ${z.name} [${iso(this.ms(z, z.signal.start))}, ${iso(this.ms(z, z.signal.end))})`, o.now !== undefined ? 'now' : 'advance');
        }
      }
      this.clock.set(target);
    }
    if (speed !== undefined) this.clock.setSpeed(speed);
    return this.clockState();
  }
}

/** Index of the step of `signal` holding t (t inside the signal, or past its end: the last step). */
export function stepIndex(signal: CarbonSignal, t: number): number {
  const times = signal.times;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
