// Forecasts as issued: a forecast is made at an issue time for the steps after it, worse further
// ahead, and re-issued at a fixed cadence (or read from a file of forecasts that really existed).
// A scheduler deciding at time t sees the issue in force at t: `issuedView(forecast, t)`.
// The static `gaussian:E` / `uniform:E` views of forecast.ts are unchanged and separate.
import { InputError } from '../errors.js';
import { parseDuration } from '../io/units.js';
import { seededRandom } from '../model/random.js';
import { forecastSeed } from './forecast.js';
import { loadForecastFile } from './forecast-file.js';
import { CarbonRangeError, CarbonSignal } from './signal.js';

/** Tolerance (s) for comparing instants, as the engine's (model/profile.ts TIME_EPS_S). */
const EPS_S = 1e-7;

/** The error sd as a fraction of the trace's mean intensity, as a function of the lead time h (s). */
export type ErrorCurve =
  /** E x sqrt(h / atS): E at the reference horizon, growing like a random walk's spread */
  | { kind: 'sqrt'; error: number; atS: number }
  /** piecewise linear through (0, 0) and the points (horizons increasing), constant after the last */
  | { kind: 'points'; points: readonly { hS: number; error: number }[] };

/** A parsed `--forecast` spec for forecasts as issued (not yet bound to a signal). */
export type IssuedSpec =
  | { kind: 'gaussian'; curve: ErrorCurve; everyS: number; horizonS: number; text: string }
  /** the actual values, but only as far ahead as the horizon: perfect, yet short-sighted */
  | { kind: 'oracle'; everyS: number; horizonS: number; text: string }
  | { kind: 'file'; path: string; text: string };

/** One forecast as issued: values for target steps after the issue time. */
export interface ForecastIssue {
  /** issue index (0-based, in issue-time order) */
  index: number;
  /** issue time, s since the simulation epoch */
  issuedAt: number;
  /** target step starts (s since the epoch), strictly increasing */
  times: Float64Array;
  /** forecast intensity (gCO2/kWh) of each target step; synthetic noise may make it negative */
  values: Float64Array;
  /** end of the last target step (s) */
  end: number;
}

/** A sequence of forecasts issued over a trace; see docs/carbon.md "Forecasts as issued". */
export interface IssuedForecast {
  readonly kind: IssuedSpec['kind'];
  /** the spec text, for names and reports */
  readonly spec: string;
  /** the actual signal the forecasts are of (and whose grid, epoch and history the views share) */
  readonly actual: CarbonSignal;
  /** number of issues */
  readonly count: number;
  /** the latest issue at or before t (index), or -1 when none was issued yet */
  issueIndexAt(t: number): number;
  /** issue k (0 <= k < count) */
  issue(k: number): ForecastIssue;
  /** the error sd (gCO2/kWh) at lead time h (s) of a synthetic forecast; undefined for a file */
  errorSd(hS: number): number | undefined;
}

export const DEFAULT_EVERY_S = 3600;
/** Electricity Maps forecasts reach 72 h ahead at most; so does ours unless `horizon=` says. */
export const DEFAULT_HORIZON_S = 72 * 3600;

const NUMBER = /^(\d+(?:\.\d*)?|\.\d+)$/;

/** Whether a `--forecast` text asks for forecasts as issued (`gaussian:E@H...`, `oracle,...`, `file:PATH`). */
export function isIssuedForecastSpec(text: string): boolean {
  const s = text.trim();
  return s.startsWith('file:') || s.includes('@') || /^oracle\s*,/.test(s);
}

function badSpec(text: string, why: string): InputError {
  return new InputError(
    'bad_forecast',
    `"${text}" is not a forecast as issued (${why}; e.g. gaussian:0.05@24h,every=1h,horizon=72h, gaussian:0.02@1h/0.05@24h, oracle,horizon=24h or file:forecasts.csv)`,
    { field: 'forecast' },
  );
}

/**
 * Parse `gaussian:E@H[/E2@H2...][,every=D][,horizon=D]`, `oracle[,every=D][,horizon=D]` or
 * `file:PATH`. One point `E@H`: sd E x mean x sqrt(h / H); several: a piecewise-linear curve.
 */
export function parseIssuedSpec(text: string): IssuedSpec {
  const spec = text.trim();
  if (spec.startsWith('file:')) {
    const path = spec.slice(5);
    if (path === '') throw badSpec(text, 'file: needs a path');
    return { kind: 'file', path, text: spec };
  }
  const [base = '', ...options] = spec.split(',').map((s) => s.trim());
  let everyS = DEFAULT_EVERY_S;
  let horizonS = DEFAULT_HORIZON_S;
  const seen = new Set<string>();
  for (const option of options) {
    const m = /^(every|horizon)=(.+)$/.exec(option);
    if (!m) throw badSpec(text, `unknown option "${option}" (every=D, horizon=D)`);
    if (seen.has(m[1]!)) throw badSpec(text, `${m[1]} given twice`);
    seen.add(m[1]!);
    const d = parseDuration(m[2]!, 'forecast');
    if (!(d > 0)) throw badSpec(text, `${m[1]} must be positive`);
    if (m[1] === 'every') everyS = d;
    else horizonS = d;
  }
  if (base === 'oracle') return { kind: 'oracle', everyS, horizonS, text: spec };
  const g = /^gaussian:(.+)$/.exec(base);
  if (!g) throw badSpec(text, 'expected gaussian:E@H, oracle or file:PATH');
  const points: { hS: number; error: number }[] = [];
  for (const part of g[1]!.split('/')) {
    const p = /^([^@]+)@(.+)$/.exec(part.trim());
    if (!p || !NUMBER.test(p[1]!.trim())) throw badSpec(text, `"${part}" is not E@H with E a non-negative fraction and H a duration`);
    const hS = parseDuration(p[2]!, 'forecast');
    if (!(hS > 0)) throw badSpec(text, `the horizon of "${part}" must be positive`);
    if (points.length > 0 && !(hS > points[points.length - 1]!.hS)) throw badSpec(text, 'curve horizons must increase');
    points.push({ hS, error: Number(p[1]!.trim()) });
  }
  const curve: ErrorCurve = points.length === 1 ? { kind: 'sqrt', error: points[0]!.error, atS: points[0]!.hS } : { kind: 'points', points };
  return { kind: 'gaussian', curve, everyS, horizonS, text: spec };
}

/** The curve's sd as a fraction of the mean at lead time h (s). */
export function curveAt(curve: ErrorCurve, hS: number): number {
  if (!(hS > 0)) return 0;
  if (curve.kind === 'sqrt') return curve.error * Math.sqrt(hS / curve.atS);
  let h0 = 0;
  let e0 = 0;
  for (const p of curve.points) {
    if (hS <= p.hS) return e0 + ((p.error - e0) * (hS - h0)) / (p.hS - h0);
    h0 = p.hS;
    e0 = p.error;
  }
  return e0;
}

/**
 * Bind a spec to the actual signal. Synthetic issues are seeded from (seed, issue index) alone, so
 * any issue can be drawn on its own and reruns are byte-identical.
 */
export function issuedForecast(spec: IssuedSpec, actual: CarbonSignal, seed: string | number = 0): IssuedForecast {
  if (actual.allowNegative) throw new Error(`carbon signal ${actual.name} is a forecast view: pass the actual signal`);
  if (spec.kind === 'file') return loadForecastFile(spec.path, actual, spec.text);
  return new SyntheticIssued(spec, actual, seed);
}

/** `parseIssuedSpec` then `issuedForecast`. */
export function parseIssuedForecast(text: string, actual: CarbonSignal, seed: string | number = 0): IssuedForecast {
  return issuedForecast(parseIssuedSpec(text), actual, seed);
}

/** Index of the first step of `times` starting strictly after t (times.length when none). */
export function firstStepAfter(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! > t + EPS_S) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

class SyntheticIssued implements IssuedForecast {
  readonly kind: 'gaussian' | 'oracle';
  readonly spec: string;
  readonly count: number;
  private readonly everyS: number;
  private readonly horizonS: number;
  private readonly curve: ErrorCurve | undefined;
  private readonly mean: number;

  constructor(
    s: Extract<IssuedSpec, { kind: 'gaussian' | 'oracle' }>,
    readonly actual: CarbonSignal,
    private readonly seed: string | number,
  ) {
    this.kind = s.kind;
    this.spec = s.text;
    this.everyS = s.everyS;
    this.horizonS = s.horizonS;
    this.curve = s.kind === 'gaussian' ? s.curve : undefined;
    this.mean = actual.meanIntensity(actual.start, actual.end);
    // issue instants start + k x every inside [start, end)
    this.count = Math.floor((actual.end - actual.start - EPS_S) / s.everyS) + 1;
  }

  issueIndexAt(t: number): number {
    if (t < this.actual.start - EPS_S) return -1;
    const k = Math.floor((t - this.actual.start + EPS_S) / this.everyS);
    if (k >= this.count) {
      throw new CarbonRangeError(
        `time ${t} s is past the end of carbon trace ${this.actual.name} (${this.actual.end} s): forecasts as issued are made only inside the trace`,
        t,
      );
    }
    return k;
  }

  errorSd(hS: number): number {
    return this.curve ? this.mean * curveAt(this.curve, hS) : 0;
  }

  issue(k: number): ForecastIssue {
    if (!(Number.isInteger(k) && k >= 0 && k < this.count)) throw new RangeError(`issue index ${k} outside [0, ${this.count})`);
    const { times, values } = this.actual;
    const issuedAt = this.actual.start + k * this.everyS;
    const i0 = firstStepAfter(times, issuedAt);
    let i1 = i0;
    while (i1 < times.length && times[i1]! - issuedAt <= this.horizonS + EPS_S) i1++;
    const out = new Float64Array(i1 - i0);
    // One stream per issue, one draw pair per target in lead order: the same draws at every error
    // level and horizon, so a sweep over E or over the horizon compares like with like.
    const rng = this.curve ? seededRandom(`${forecastSeed(this.seed)}:issue:${k}`) : undefined;
    for (let i = i0; i < i1; i++) {
      const c = values[i]!;
      out[i - i0] = rng ? c + this.errorSd(times[i]! - issuedAt) * standardNormal(rng) : c;
    }
    const end = i1 < times.length ? times[i1]! : this.actual.end;
    return { index: k, issuedAt, times: times.subarray(i0, i1), values: out, end };
  }
}

/** One standard normal draw by Box-Muller (as forecast.ts: the sine partner is not used). */
function standardNormal(rng: () => number): number {
  const u1 = 1 - rng();
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * What a scheduler deciding at issue k sees: the actual values before the issue's first target
 * (the past is known), the issue's values over its targets, and its last value held after them
 * (nothing beyond the horizon is known). Never charged.
 */
export function buildIssueView(forecast: IssuedForecast, k: number): CarbonSignal {
  const actual = forecast.actual;
  const issue = forecast.issue(k);
  const n = issue.times.length;
  const name = `${actual.name} (forecast ${forecast.spec} issued at ${issue.issuedAt} s)`;
  // past the trace's end the view holds its last value (the forecast's), never the actual repeated
  const extend = actual.extend === 'none' ? 'none' : 'hold';
  const base = { extend, name, epochMs: actual.epochMs, resolutionS: actual.resolutionS, allowNegative: true } as const;
  if (n === 0) return new CarbonSignal({ ...base, times: actual.times, values: actual.values, end: actual.end });
  const first = issue.times[0]!;
  const i0 = firstStepAfter(actual.times, first - 2 * EPS_S); // history: the steps starting before the first target
  const sameGrid = i0 + n <= actual.times.length && issue.times.every((t, j) => t === actual.times[i0 + j]);
  if (sameGrid) {
    const values = Float64Array.from(actual.values);
    values.set(issue.values, i0);
    values.fill(issue.values[n - 1]!, i0 + n);
    return new CarbonSignal({ ...base, times: actual.times, values, end: Math.max(actual.end, issue.end) });
  }
  // A file's targets on their own grid: history steps before the first target, then the targets.
  const times = new Float64Array(i0 + n);
  const values = new Float64Array(i0 + n);
  times.set(actual.times.subarray(0, i0));
  values.set(actual.values.subarray(0, i0));
  times.set(issue.times, i0);
  values.set(issue.values, i0);
  return new CarbonSignal({ ...base, times, values, end: Math.max(actual.end, issue.end) });
}

const VIEW_CACHE = new WeakMap<IssuedForecast, Map<number, CarbonSignal>>();
/** Views kept per forecast: decisions come in time order, so a few recent issues suffice. */
const CACHE_SIZE = 8;

/** The view of issue k, memoised (views are immutable and depend only on the forecast and k). */
export function issueView(forecast: IssuedForecast, k: number): CarbonSignal {
  let cache = VIEW_CACHE.get(forecast);
  if (!cache) VIEW_CACHE.set(forecast, (cache = new Map()));
  const hit = cache.get(k);
  if (hit) {
    cache.delete(k); // re-insert: most recent last
    cache.set(k, hit);
    return hit;
  }
  const view = buildIssueView(forecast, k);
  cache.set(k, view);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return view;
}

/**
 * The carbon view of a scheduler deciding at `issueTime` (s since the epoch): the forecast issued
 * at the latest issue instant <= issueTime. Before the first issue of a file it is an error.
 */
export function issuedView(forecast: IssuedForecast, issueTime: number): CarbonSignal {
  const k = forecast.issueIndexAt(issueTime);
  if (k < 0) {
    throw new CarbonRangeError(`no forecast of ${forecast.spec} was issued at or before ${issueTime} s`, issueTime);
  }
  return issueView(forecast, k);
}
