// Forecast views: seeded and reproducible, the right error distributions, independent draws per
// step, a stream apart from the schedulers', and no effect on what the engine charges.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { forecastSeed, forecastView, parseForecast } from '../src/carbon/forecast.js';
import { loadCarbon } from '../src/carbon/load.js';
import { CarbonSignal } from '../src/carbon/signal.js';
import { chargePlan } from '../src/accounting/charge.js';
import { simulate } from '../src/cluster/simulate.js';
import { InputError } from '../src/errors.js';
import { constantProfile, type Job } from '../src/model/jobs.js';
import { compileProfile } from '../src/model/profile.js';
import { createScheduler } from '../src/schedulers/registry.js';

const actual = loadCarbon('DE-2023'); // 8,760 hourly steps
const n = actual.values.length;
const mean = actual.meanIntensity(actual.start, actual.end);

function moments(xs: Float64Array | number[]): { mean: number; sd: number } {
  let s = 0;
  for (const x of xs) s += x;
  const m = s / xs.length;
  let q = 0;
  for (const x of xs) q += (x - m) ** 2;
  return { mean: m, sd: Math.sqrt(q / (xs.length - 1)) };
}

const errors = (view: CarbonSignal): Float64Array => Float64Array.from(view.values, (v, i) => v - actual.values[i]!);

describe('parseForecast', () => {
  it('reads oracle, gaussian:E and uniform:E', () => {
    expect(parseForecast('oracle')).toEqual({ kind: 'oracle' });
    expect(parseForecast('gaussian:0.05')).toEqual({ kind: 'gaussian', error: 0.05 });
    expect(parseForecast('uniform:.1')).toEqual({ kind: 'uniform', error: 0.1 });
  });

  it.each(['', 'gaussian', 'gaussian:', 'gaussian:-0.1', 'gaussian:abc', 'normal:0.1', 'uniform:0.1:2'])('rejects %j', (text) => {
    expect(() => parseForecast(text)).toThrow(InputError);
  });
});

describe('forecastView', () => {
  it('oracle is the actual signal itself', () => {
    expect(forecastView(actual, { kind: 'oracle' }, 1)).toBe(actual);
  });

  it('is reproducible per seed and differs between seeds', () => {
    const f = { kind: 'gaussian', error: 0.05 } as const;
    expect(forecastView(actual, f, 7).values).toEqual(forecastView(actual, f, 7).values);
    expect(forecastView(actual, f, '7').values).toEqual(forecastView(actual, f, 7).values);
    expect(forecastView(actual, f, 8).values).not.toEqual(forecastView(actual, f, 7).values);
  });

  it('keeps the grid, epoch and resolution of the actual signal', () => {
    const v = forecastView(actual, { kind: 'uniform', error: 0.2 }, 1);
    expect(v.times).toBe(actual.times);
    expect([v.end, v.epochMs, v.resolutionS, v.extend]).toEqual([actual.end, actual.epochMs, actual.resolutionS, actual.extend]);
  });

  // With n = 8,760 independent N(0, s) errors, the sample mean has sd s/sqrt(n) and the sample sd
  // has sd about s/sqrt(2n): 5 of those (one in 1.7 million per check) is the tolerance.
  it('gaussian:0.05 errors have mean 0 and sd 0.05 x the mean intensity, for each of 10 seeds', () => {
    const s = 0.05 * mean;
    for (let seed = 0; seed < 10; seed++) {
      const m = moments(errors(forecastView(actual, { kind: 'gaussian', error: 0.05 }, seed)));
      expect(Math.abs(m.mean)).toBeLessThan((5 * s) / Math.sqrt(n));
      expect(Math.abs(m.sd - s)).toBeLessThan((5 * s) / Math.sqrt(2 * n));
    }
  });

  it('gaussian errors are normal: 68.27% within one sd, 95.45% within two (binomial 5-sigma tolerance)', () => {
    const s = 0.05 * mean;
    const e = errors(forecastView(actual, { kind: 'gaussian', error: 0.05 }, 3));
    for (const [k, p] of [[1, 0.682689], [2, 0.9545]] as const) {
      const share = e.filter((x) => Math.abs(x) <= k * s).length / n;
      expect(Math.abs(share - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('gaussian errors are independent per step: lag-1 autocorrelation within 5/sqrt(n) of 0', () => {
    const e = errors(forecastView(actual, { kind: 'gaussian', error: 0.1 }, 5));
    const { mean: m, sd } = moments(e);
    let c = 0;
    for (let i = 1; i < n; i++) c += (e[i]! - m) * (e[i - 1]! - m);
    expect(Math.abs(c / ((n - 1) * sd * sd))).toBeLessThan(5 / Math.sqrt(n));
  });

  it('uniform:0.2 relative errors stay within +-0.1, fill the range and have sd 0.2/sqrt(12)', () => {
    const v = forecastView(actual, { kind: 'uniform', error: 0.2 }, 11);
    const rel: number[] = [];
    for (let i = 0; i < n; i++) if (actual.values[i]! > 0) rel.push(v.values[i]! / actual.values[i]! - 1);
    expect(Math.min(...rel)).toBeGreaterThanOrEqual(-0.1 - 1e-12);
    expect(Math.max(...rel)).toBeLessThanOrEqual(0.1 + 1e-12);
    expect(Math.min(...rel)).toBeLessThan(-0.099);
    expect(Math.max(...rel)).toBeGreaterThan(0.099);
    const sd = 0.2 / Math.sqrt(12);
    expect(Math.abs(moments(rel).sd - sd)).toBeLessThan((5 * sd) / Math.sqrt(2 * rel.length));
  });

  it('error levels never compound: each level is drawn from the actual values with the same uniforms', () => {
    const a = forecastView(actual, { kind: 'uniform', error: 0.1 }, 2);
    const b = forecastView(actual, { kind: 'uniform', error: 0.4 }, 2);
    for (let i = 0; i < n; i += 97) {
      if (actual.values[i] === 0) continue;
      expect(b.values[i]! / actual.values[i]! - 1).toBeCloseTo(4 * (a.values[i]! / actual.values[i]! - 1), 12);
    }
  });

  it('the noise is its own stream, not the schedulers` seedrandom(seed)', () => {
    const v = forecastView(actual, { kind: 'uniform', error: 1 }, 9);
    const u = Array.from({ length: 5 }, (_, i) => v.values[i]! / actual.values[i]! - 1 + 0.5);
    const scheduler = seedrandom('9');
    const own = seedrandom(forecastSeed(9));
    for (const x of u) {
      expect(x).toBeCloseTo(own(), 12);
      expect(Math.abs(x - scheduler())).toBeGreaterThan(1e-9);
    }
  });

  it('noisy values may be negative and are kept as they are (never clamped)', () => {
    const low = new CarbonSignal({ times: Float64Array.from({ length: 1000 }, (_, i) => i * 3600), values: new Float64Array(1000).fill(1) });
    const v = forecastView(low, { kind: 'gaussian', error: 2 }, 1);
    const negative = v.values.filter((x) => x < 0).length;
    // P(N(0, 2) < -1) = 0.3085: 308.5 expected, binomial sd 14.6, 5-sigma tolerance
    expect(Math.abs(negative - 308.5)).toBeLessThan(5 * Math.sqrt(1000 * 0.3085 * 0.6915));
    expect(v.allowNegative).toBe(true);
  });
});

describe('the engine charges the actual signal whatever the forecast', () => {
  const jobs: Job[] = Array.from({ length: 30 }, (_, i) => ({
    id: String(i),
    type: 'constant',
    arrival: i * 7919,
    deadline: i * 7919 + 3 * 3600 + 24 * 3600,
    cpus: 1,
    profile: compileProfile(constantProfile(3 * 3600, 250)),
  }));

  it('a fixed plan (agnostic) costs the same under every forecast', () => {
    const run = (view?: CarbonSignal): number[] =>
      simulate(jobs, { scheduler: createScheduler('agnostic'), carbon: actual, ...(view && { view }) }).results.map((r) => r.carbonG);
    const base = run();
    expect(run(forecastView(actual, { kind: 'gaussian', error: 0.3 }, 1))).toEqual(base);
    expect(run(forecastView(actual, { kind: 'uniform', error: 0.9 }, 2))).toEqual(base);
  });

  it('a forecast-driven plan is charged against the actual signal, not the view', () => {
    const view = forecastView(actual, { kind: 'gaussian', error: 0.3 }, 4);
    const { results } = simulate(jobs, { scheduler: createScheduler('waitawhile'), carbon: actual, view });
    let differs = 0;
    for (const r of results) {
      expect(r.carbonG).toBe(chargePlan(r.job, r.plan.intervals, actual).carbonG);
      if (chargePlan(r.job, r.plan.intervals, view).carbonG !== r.carbonG) differs++;
    }
    expect(differs).toBe(jobs.length);
  });
});
