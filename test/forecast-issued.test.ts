// Forecasts as issued: the error grows with the lead time as the spec says (measured over 10k
// issues), each decision sees the issue in force at its time, reruns are byte-identical, and
// historical forecast files (CSV, Electricity Maps and carbon-aware SDK JSON) read into the same views.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forecastView, parseForecast } from '../src/carbon/forecast.js';
import { forecastFromText, loadForecastFile } from '../src/carbon/forecast-file.js';
import {
  curveAt,
  isIssuedForecastSpec,
  issuedForecast,
  issuedView,
  parseIssuedForecast,
  parseIssuedSpec,
  type IssuedForecast,
} from '../src/carbon/issued.js';
import { loadCarbon } from '../src/carbon/load.js';
import { CarbonRangeError, CarbonSignal } from '../src/carbon/signal.js';
import { InputError } from '../src/errors.js';
import { constantProfile, type Job } from '../src/model/jobs.js';
import { compileProfile } from '../src/model/profile.js';
import { oracleScheduler } from '../src/schedulers/oracle.js';
import type { PlanContext } from '../src/schedulers/types.js';
import { inputErrorOf } from './helpers.js';

const H = 3600;
const de23 = loadCarbon('DE-2023'); // 8,760 hourly steps
const mean23 = de23.meanIntensity(de23.start, de23.end);

/** DE 2022 then DE 2023 as one 17,520-hour signal: room for 10k hourly issues of 72 h each. */
function twoYears(): CarbonSignal {
  const a = loadCarbon('DE-2022');
  const values = new Float64Array(a.values.length + de23.values.length);
  values.set(a.values);
  values.set(de23.values, a.values.length);
  return new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values, name: 'DE-2022+2023', epochMs: a.epochMs });
}

/** Errors of issues 0..count-1 by lead time (s), from the issues themselves against the actual. */
function errorsByLead(f: IssuedForecast, count: number): Map<number, number[]> {
  const byLead = new Map<number, number[]>();
  for (let k = 0; k < count; k++) {
    const issue = f.issue(k);
    issue.times.forEach((t, j) => {
      const lead = t - issue.issuedAt;
      let list = byLead.get(lead);
      if (!list) byLead.set(lead, (list = []));
      list.push(issue.values[j]! - f.actual.intensityAt(t));
    });
  }
  return byLead;
}

function moments(xs: number[]): { mean: number; sd: number } {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean: m, sd: Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) };
}

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('parseIssuedSpec', () => {
  it('reads E@H with the cadence and horizon defaults, options and curves', () => {
    expect(parseIssuedSpec('gaussian:0.05@24h')).toEqual({ kind: 'gaussian', curve: { kind: 'sqrt', error: 0.05, atS: 24 * H }, everyS: H, horizonS: 72 * H, text: 'gaussian:0.05@24h' });
    expect(parseIssuedSpec('gaussian:0.05@24h,every=15m,horizon=2d')).toMatchObject({ everyS: 900, horizonS: 48 * H });
    expect(parseIssuedSpec('gaussian:0.02@1h/0.05@24h/.08@72h').kind === 'gaussian' && parseIssuedSpec('gaussian:0.02@1h/0.05@24h/.08@72h')).toMatchObject({
      curve: { kind: 'points', points: [{ hS: H, error: 0.02 }, { hS: 24 * H, error: 0.05 }, { hS: 72 * H, error: 0.08 }] },
    });
    expect(parseIssuedSpec('oracle,horizon=24h')).toEqual({ kind: 'oracle', everyS: H, horizonS: 24 * H, text: 'oracle,horizon=24h' });
    expect(parseIssuedSpec('file:x.csv')).toEqual({ kind: 'file', path: 'x.csv', text: 'file:x.csv' });
  });

  it('tells issued specs from the static ones, which stay as they are', () => {
    expect(['gaussian:0.05', 'uniform:0.1', 'oracle'].map(isIssuedForecastSpec)).toEqual([false, false, false]);
    expect(['gaussian:0.05@24h', 'oracle,every=1h', 'file:f.csv'].map(isIssuedForecastSpec)).toEqual([true, true, true]);
    expect(parseForecast('gaussian:0.05')).toEqual({ kind: 'gaussian', error: 0.05 });
    expect(() => parseForecast('gaussian:0.05@24h')).toThrow(InputError);
  });

  it.each([
    'gaussian:0.05',
    'gaussian:@24h',
    'gaussian:-0.1@24h',
    'gaussian:0.05@0h',
    'gaussian:0.05@24h,every=0',
    'gaussian:0.05@24h,every=1h,every=2h',
    'gaussian:0.05@24h,lag=1h',
    'gaussian:0.05@24h/0.02@1h',
    'uniform:0.1@24h',
    'file:',
  ])('rejects %j with a one-line InputError on field forecast', (text) => {
    const err = inputErrorOf(() => parseIssuedSpec(text));
    expect(err.field).toBe('forecast');
    expect(err.oneLine()).not.toContain('\n');
  });

  it('curves: sqrt through E at H, points piecewise linear from 0 and flat after the last', () => {
    expect(curveAt({ kind: 'sqrt', error: 0.05, atS: 24 * H }, 6 * H)).toBeCloseTo(0.025, 15);
    const pts = { kind: 'points', points: [{ hS: H, error: 0.02 }, { hS: 24 * H, error: 0.05 }] } as const;
    expect([0, 0.5 * H, H, 12.5 * H, 24 * H, 99 * H].map((h) => curveAt(pts, h))).toEqual([0, 0.01, 0.02, 0.035, 0.05, 0.05]);
  });
});

describe('error vs horizon over 10,000 issued forecasts', () => {
  const actual = twoYears();
  const mean = actual.meanIntensity(actual.start, actual.end);
  const N = 10_000;

  // Each lead time has N independent N(0, s) errors. The sample mean has sd s/sqrt(N) and the
  // sample sd has sd s/sqrt(2(N-1)) (0.71 % of s): 5 of those (3.5 % of s) is the tolerance, as in
  // forecast.test.ts: a chance miss is 6e-7 per check, 4e-5 over all 72 leads (4 would be 0.5 %,
  // and seed 11 does reach 4.0 at one lead). The draws are seeded, so the outcome is fixed anyway;
  // a wrong law is caught by far: sqrt(h) against h differs by 41 % already at h = 12 h.
  const tolSd = 5 / Math.sqrt(2 * (N - 1));
  const tolMean = 5 / Math.sqrt(N);

  it('gaussian:0.05@24h: sd = 0.05 x mean x sqrt(h / 24 h) at every lead 1..72 h, mean 0', () => {
    const f = parseIssuedForecast('gaussian:0.05@24h,every=1h,horizon=72h', actual, 11);
    const byLead = errorsByLead(f, N);
    expect([...byLead.keys()]).toEqual(Array.from({ length: 72 }, (_, i) => (i + 1) * H));
    const logs: [number, number][] = [];
    for (const [lead, errs] of byLead) {
      expect(errs.length).toBe(N);
      const spec = 0.05 * mean * Math.sqrt(lead / (24 * H));
      expect(f.errorSd(lead)).toBeCloseTo(spec, 9);
      const { mean: m, sd } = moments(errs);
      expect(Math.abs(sd / spec - 1)).toBeLessThan(tolSd);
      expect(Math.abs(m) / spec).toBeLessThan(tolMean);
      logs.push([Math.log(lead), Math.log(sd)]);
    }
    // the curve's shape as a whole: log sd against log h has slope 1/2
    const mx = logs.reduce((s, [x]) => s + x, 0) / logs.length;
    const my = logs.reduce((s, [, y]) => s + y, 0) / logs.length;
    const slope = logs.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / logs.reduce((s, [x]) => s + (x - mx) ** 2, 0);
    expect(slope).toBeGreaterThan(0.49);
    expect(slope).toBeLessThan(0.51);
  });

  it('a given curve: the measured sd follows it, flat past its last point', () => {
    const f = parseIssuedForecast('gaussian:0.02@1h/0.05@24h/0.08@48h,horizon=60h', actual, 3);
    const curve = { kind: 'points', points: [{ hS: H, error: 0.02 }, { hS: 24 * H, error: 0.05 }, { hS: 48 * H, error: 0.08 }] } as const;
    const byLead = errorsByLead(f, N);
    for (const lead of [1, 6, 12, 24, 36, 48, 60].map((h) => h * H)) {
      const spec = mean * curveAt(curve, lead);
      expect(Math.abs(moments(byLead.get(lead)!).sd / spec - 1)).toBeLessThan(tolSd);
    }
    expect(f.errorSd(60 * H)).toBeCloseTo(0.08 * mean, 9);
  });
});

describe('issuedView: what a scheduler deciding at t sees', () => {
  const f = parseIssuedForecast('gaussian:0.05@24h,every=6h,horizon=24h', de23, 5);

  it('is the issue at the latest cadence instant <= t, memoised', () => {
    expect(f.issueIndexAt(0)).toBe(0);
    expect(f.issueIndexAt(6 * H - 1)).toBe(0);
    expect(f.issueIndexAt(6 * H)).toBe(1);
    expect(issuedView(f, 7 * H)).toBe(issuedView(f, 11.5 * H));
    expect(issuedView(f, 12 * H)).not.toBe(issuedView(f, 11.5 * H));
    expect(f.count).toBe(8760 / 6);
  });

  it('the past is actual, the targets are the issue, the last target holds beyond the horizon', () => {
    const tau = 600 * H;
    const v = issuedView(f, tau + 3 * H);
    const issue = f.issue(100);
    expect(issue.issuedAt).toBe(tau);
    expect(v.times).toBe(de23.times);
    expect([v.end, v.epochMs, v.resolutionS]).toEqual([de23.end, de23.epochMs, de23.resolutionS]);
    for (let i = 0; i <= 600; i++) expect(v.values[i]).toBe(de23.values[i]); // steps begun by the issue time
    expect(Array.from(issue.times)).toEqual(Array.from({ length: 24 }, (_, j) => tau + (j + 1) * H));
    for (let j = 0; j < 24; j++) expect(v.values[601 + j]).toBe(issue.values[j]);
    expect(v.values[601]).not.toBe(de23.values[601]);
    for (let i = 625; i < 700; i++) expect(v.values[i]).toBe(issue.values[23]);
  });

  it('decisions outside the trace are errors', () => {
    expect(() => issuedView(f, -1)).toThrow(CarbonRangeError);
    expect(() => issuedView(f, de23.end)).toThrow(CarbonRangeError);
  });

  it('oracle,horizon=H: the actual values up to the horizon, then the last of them held', () => {
    const o = parseIssuedForecast('oracle,every=1h,horizon=12h', de23);
    const v = issuedView(o, 100 * H);
    for (let i = 0; i <= 112; i++) expect(v.values[i]).toBe(de23.values[i]);
    expect(v.values[113]).toBe(de23.values[112]);
    expect(o.errorSd(5 * H)).toBe(0);
  });
});

describe('seeded and reproducible', () => {
  const spec = 'gaussian:0.05@24h,every=1h';

  it('reruns are byte-identical, whatever order the issues are drawn in; seeds differ', () => {
    const a = parseIssuedForecast(spec, de23, 42);
    const b = parseIssuedForecast(spec, de23, '42');
    const first = [3, 500, 17].map((k) => bytes(a.issue(k).values));
    const second = [17, 500, 3].map((k) => bytes(b.issue(k).values)).reverse();
    expect(first).toEqual(second);
    expect(bytes(issuedView(a, 500 * H).values).equals(bytes(issuedView(b, 500.5 * H).values))).toBe(true);
    expect(bytes(parseIssuedForecast(spec, de23, 43).issue(500).values).equals(first[1]!)).toBe(false);
  });

  it('one draw per (issue, lead): the horizon cuts and the error level scales the same draws', () => {
    const base = parseIssuedForecast(spec, de23, 1).issue(9);
    const short = parseIssuedForecast(`${spec},horizon=10h`, de23, 1).issue(9);
    expect(Array.from(short.values)).toEqual(Array.from(base.values.subarray(0, 10)));
    const double = parseIssuedForecast('gaussian:0.1@24h', de23, 1).issue(9);
    base.values.forEach((v, j) => {
      const c = de23.values[10 + j]!;
      expect(double.values[j]! - c).toBeCloseTo(2 * (v - c), 9);
    });
  });

  it('independent of the static view: gaussian:E is unchanged by this module', () => {
    const a = forecastView(de23, { kind: 'gaussian', error: 0.05 }, 7);
    parseIssuedForecast(spec, de23, 7).issue(0);
    expect(bytes(forecastView(de23, { kind: 'gaussian', error: 0.05 }, 7).values).equals(bytes(a.values))).toBe(true);
  });
});

describe('a scheduler sees another issue when its decision time changes', () => {
  const f = parseIssuedForecast('gaussian:0.1@24h,every=1h', de23, 9);
  const oracle = oracleScheduler();
  const job = (i: number, arrival: number): Job => ({
    id: `j${i}`,
    type: 'constant',
    arrival,
    deadline: arrival + 27 * H,
    cpus: 1,
    profile: compileProfile(constantProfile(3 * H, 100)),
  });
  /** The plan of a job submitted at `arrival`, decided with the forecast in force at `decidedAt`. */
  const planAt = (j: Job, decidedAt: number) => {
    const ctx: PlanContext = { now: j.arrival, deadline: j.deadline, carbon: issuedView(f, decidedAt), slot: H, slotOrigin: 0, rng: () => 0 };
    return oracle.plan(j, ctx).intervals[0]![0];
  };

  it('same issue, same plan; the next issue changes many plans', () => {
    let changed = 0;
    const jobs = Array.from({ length: 200 }, (_, i) => job(i, (i * 41 + 7) * H));
    for (const j of jobs) {
      const atIssue = planAt(j, j.arrival);
      expect(planAt(j, j.arrival + 0.5 * H)).toBe(atIssue); // still the same issue
      if (planAt(j, j.arrival - H) !== atIssue) changed++; // one issue older: another forecast
    }
    expect(changed).toBeGreaterThan(40);
  });

  it('a decision loop as the engine would run it: plans by issue, charged on the actual, byte-identical reruns', () => {
    const run = (g: IssuedForecast) => {
      const jobs = Array.from({ length: 300 }, (_, i) => job(i, i * 29 * 60));
      return JSON.stringify(
        jobs.map((j) => {
          const ctx: PlanContext = { now: j.arrival, deadline: j.deadline, carbon: issuedView(g, j.arrival), slot: H, slotOrigin: 0, rng: () => 0 };
          const plan = oracle.plan(j, ctx);
          // constant power, one interval: charged on the actual signal
          const [[a, b]] = plan.intervals as [[number, number]];
          return [plan.intervals, de23.emissionsG(100, a, b)];
        }),
      );
    };
    const a = run(parseIssuedForecast('gaussian:0.1@24h,every=1h', de23, 9));
    expect(run(parseIssuedForecast('gaussian:0.1@24h,every=1h', de23, 9))).toBe(a);
    expect(run(parseIssuedForecast('gaussian:0.1@24h,every=1h', de23, 10))).not.toBe(a);
  });
});

describe('historical forecast files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-forecast-'));
  const isoAt = (s: number): string => new Date(de23.epochMs + s * 1000).toISOString();
  const synthetic = parseIssuedForecast('gaussian:0.05@24h,every=6h,horizon=12h', de23, 2);

  /** Issues 0..count-1 of a forecast as `issued,target,value` CSV. */
  function toCsv(f: IssuedForecast, count: number): string {
    const lines = ['issued,target,value'];
    for (let k = 0; k < count; k++) {
      const is = f.issue(k);
      // clamp the rare negative draw: a file holds non-negative intensities
      is.times.forEach((t, j) => lines.push(`${isoAt(is.issuedAt)},${isoAt(t)},${Math.max(0, is.values[j]!)}`));
    }
    return `${lines.join('\n')}\n`;
  }

  it('CSV: the views equal those of the forecast the file was written from', () => {
    const path = join(dir, 'issued.csv');
    writeFileSync(path, toCsv(synthetic, 8));
    const f = parseIssuedForecast(`file:${path}`, de23);
    expect([f.kind, f.count]).toEqual(['file', 8]);
    for (const t of [0, 5 * H, 6 * H, 20 * H, 47 * H, 90 * H]) {
      const k = synthetic.issueIndexAt(Math.min(t, 47 * H));
      expect(f.issueIndexAt(t)).toBe(k);
      expect(Array.from(issuedView(f, t).values)).toEqual(Array.from(issuedView(synthetic, Math.min(t, 47 * H)).values, (v) => Math.max(0, v)).slice(0, de23.values.length));
    }
  });

  it('Electricity Maps and carbon-aware SDK JSON (array, object, JSON lines, gzip) read into the same issues', () => {
    const issues = [0, 1, 2].map((k) => synthetic.issue(k));
    const em = issues.map((is) => ({ zone: 'DE', forecast: Array.from(is.times, (t, j) => ({ carbonIntensity: Math.max(0, is.values[j]!), datetime: isoAt(t) })), updatedAt: isoAt(is.issuedAt) }));
    const sdk = issues.map((is) => ({
      generatedAt: isoAt(is.issuedAt),
      location: 'DE',
      forecastData: Array.from(is.times, (t, j) => ({ location: 'DE', timestamp: isoAt(t), duration: 60, value: Math.max(0, is.values[j]!) })),
    }));
    const csv = forecastFromText(toCsv(synthetic, 3), 'x.csv', de23);
    const gz = join(dir, 'em.jsonl.gz');
    writeFileSync(gz, gzipSync(em.map((o) => JSON.stringify(o)).join('\n')));
    const variants = [
      forecastFromText(JSON.stringify(em), 'em.json', de23),
      loadForecastFile(gz, de23),
      forecastFromText(JSON.stringify(sdk, null, 2), 'sdk.json', de23),
      forecastFromText(sdk.map((o) => JSON.stringify([o])).join('\n'), 'sdk.jsonl', de23),
      forecastFromText(JSON.stringify(sdk[1]), 'one.json', de23),
    ];
    for (const f of variants.slice(0, 4)) {
      expect(f.count).toBe(3);
      for (let k = 0; k < 3; k++) expect(f.issue(k)).toEqual(csv.issue(k));
    }
    expect(variants[4]!.issue(0)).toEqual({ ...csv.issue(1), index: 0 });
  });

  it('targets on their own grid: each holds until the next, the history before them is actual', () => {
    const text = ['issued,target,value', '2023-01-02T10:15:00Z,2023-01-02T11:00:00Z,100', '2023-01-02T10:15:00Z,2023-01-02T11:30:00Z,50', '2023-01-02T10:15:00Z,2023-01-02T12:00:00Z,70'].join('\n');
    const f = forecastFromText(text, 'half.csv', de23);
    const v = issuedView(f, 34.5 * H);
    expect(f.issueIndexAt(34.25 * H - 1)).toBe(-1);
    expect(v.intensityAt(34.9 * H)).toBe(de23.intensityAt(34.9 * H));
    expect([35, 35.5, 36, 37, 500].map((h) => v.intensityAt(h * H))).toEqual([100, 50, 70, 70, 70]);
    expect(v.integrate(35 * H, 36.5 * H)).toBeCloseTo(100 * 1800 + 50 * 1800 + 70 * 1800, 6);
    expect(() => issuedView(f, 30 * H)).toThrow(/no forecast .* was issued at or before/);
  });

  it.each([
    ['time,value\n2023-01-01,1\n', 'unknown_forecast_format', 1, undefined],
    ['issued,target,value\n2023-01-01T00:00Z,2023-01-01T01:00Z,12\nyesterday,2023-01-01T02:00Z,1\n', 'bad_timestamp', 3, 'issued'],
    ['issued,target,value\n2023-01-01T00:00Z,2023-01-01T01:00Z,-3\n', 'bad_forecast_value', 2, 'value'],
    ['issued,target,value\n2023-01-01T00:00Z,2023-01-01T01:00Z,0x10\n', 'bad_forecast_value', 2, 'value'],
    ['issued,target,value\n2023-01-01T00:00Z,2023-01-01T01:00Z,1\n2023-01-01T00:00Z,2023-01-01T01:00Z,2\n', 'duplicate_forecast', 3, 'target'],
    ['issued,target,value\n', 'empty_file', undefined, undefined],
    ['{"updatedAt":"2023-01-01T00:00Z","forecast":[{"datetime":"2023-01-01T01:00Z","carbonIntensity":"12"}]}', 'bad_forecast_value', undefined, '.forecast[0].carbonIntensity'],
    ['{"a":1}\n{"b":2', 'malformed_json', 2, undefined],
    ['[\n  {"updatedAt": "2023-01-01T00:00Z",\n  }\n]', 'malformed_json', 3, undefined],
    ['[{"zone":"DE","updatedAt":"2023-01-01T00:00Z","forecast":[]},{"zone":"FR","updatedAt":"2023-01-01T01:00Z","forecast":[]}]', 'mixed_zones', undefined, undefined],
    ['[{"generatedAt":"2023-01-01T00:00Z"}]', 'unknown_forecast_format', undefined, '[0]'],
  ])('bad file %#: %s', (text, code, line, field) => {
    const err = inputErrorOf(() => forecastFromText(text, 'f.csv', de23));
    expect(err.code).toBe(code);
    expect(err.line).toBe(line);
    expect(err.field).toBe(field);
    expect(err.oneLine()).toMatch(/^f\.csv/);
    expect(err.oneLine()).not.toContain('\n');
  });

  it('a missing file names itself', () => {
    const err = inputErrorOf(() => parseIssuedForecast('file:/nonexistent/forecasts.csv', de23));
    expect(err.oneLine()).toMatch(/^\/nonexistent\/forecasts\.csv.*cannot read file/);
  });

  it('rejects a forecast view as the actual signal', () => {
    expect(() => issuedForecast(parseIssuedSpec('gaussian:0.05@24h'), issuedView(synthetic, 0))).toThrow(/forecast view/);
    expect(mean23).toBeGreaterThan(0);
  });
});
