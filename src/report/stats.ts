// Statistics over repeated runs: means, percentiles, 95% intervals. No dependency: the sums are
// the plain left-to-right ones mathjs computed (test/stats.test.ts holds its outputs and checks
// them bit for bit), and the Student t quantile is exact for integer degrees of freedom.

/** A sample of one metric over repeated runs. */
export interface Description {
  n: number;
  mean: number;
  /** sample standard deviation (n - 1); null when n < 2 */
  sd: number | null;
  /** 95% confidence interval of the mean: mean -/+ t(0.975, n - 1) x sd / sqrt(n); null when n < 2 */
  ci95: [number, number] | null;
  min: number;
  max: number;
  /** percentiles of the values themselves (linear interpolation between order statistics) */
  p2_5: number;
  median: number;
  p97_5: number;
}

/**
 * Percentiles (fractions in [0, 1]) of values, interpolated linearly between order statistics at
 * position (n - 1) p (the rule of mathjs's quantileSeq and R's type 7), written as lo + (hi - lo) f so that equal
 * neighbours give their value exactly (quantileSeq's lo (1 - f) + hi f does not).
 */
export function percentiles(values: readonly number[], fractions: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentiles of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  return fractions.map((p) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile fraction must be in [0, 1], got ${p}`);
    const pos = (sorted.length - 1) * p;
    const lo = Math.floor(pos);
    const a = sorted[lo]!;
    return lo + 1 < sorted.length ? a + (sorted[lo + 1]! - a) * (pos - lo) : a;
  });
}

/** Sum left to right, then divide: the mean as mathjs computed it. */
function plainMean(xs: readonly number[]): number {
  let sum = xs[0]!;
  for (let i = 1; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
}

/** Sample variance (divisor n - 1) by two passes: the mean, then the sum of squared deviations. */
function sampleVariance(xs: readonly number[]): number {
  const mean = plainMean(xs);
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i]! - mean;
    sum = i === 0 ? d * d : sum + d * d;
  }
  return sum / (xs.length - 1);
}

/** The smallest and largest value; the first of equal ones; NaN once a NaN is met. */
function extremes(xs: readonly number[]): [number, number] {
  let min = xs[0]!;
  let max = xs[0]!;
  for (let i = 1; i < xs.length; i++) {
    const v = xs[i]!;
    if (Number.isNaN(v)) {
      min = v;
      max = v;
    } else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return [min, max];
}

/** Mean, spread, percentiles and the 95% confidence interval of the mean of a sample. */
export async function describeSample(values: readonly number[]): Promise<Description> {
  const n = values.length;
  if (n === 0) throw new RangeError('describe needs at least one value');
  const data = [...values];
  // Moments of the data shifted by its first value: exact for a constant sample, and no
  // cancellation when the spread is small against the values (energy over seeds).
  const shift = data[0]!;
  const deviations = data.map((x) => x - shift);
  const mean = shift + plainMean(deviations);
  const [p2_5, median, p97_5] = percentiles(data, [0.025, 0.5, 0.975]);
  let sd: number | null = null;
  let ci95: [number, number] | null = null;
  if (n >= 2) {
    sd = Math.sqrt(sampleVariance(deviations));
    const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
    ci95 = [mean - half, mean + half];
  }
  const [min, max] = extremes(data);
  return { n, mean, sd, ci95, min, max, p2_5: p2_5!, median: median!, p97_5: p97_5! };
}

/** `describeSample` for each numeric field of a list of records (e.g. run summaries), in key order. */
export async function describeFields(records: readonly Record<string, unknown>[]): Promise<Record<string, Description>> {
  const out: Record<string, Description> = {};
  const first = records[0];
  if (!first) return out;
  for (const key of Object.keys(first)) {
    if (typeof first[key] !== 'number') continue;
    out[key] = await describeSample(records.map((r) => r[key] as number));
  }
  return out;
}

/**
 * Quantile of Student's t with an integer number of degrees of freedom, exact to rounding:
 * bisection on the closed-form P(|T| <= t) of Abramowitz & Stegun 26.7.3-4, with
 * theta = atan(t / sqrt(df)):
 *   df odd:  (2/pi) (theta + sin(theta) cos(theta) (1 + 2/3 cos^2 + 2.4/(3.5) cos^4 + ... up to cos^(df-3)))
 *   df even: sin(theta) (1 + 1/2 cos^2 + 1.3/(2.4) cos^4 + ... up to cos^(df-2))
 */
export function studentTQuantile(p: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const target = 2 * p - 1; // P(|T| <= t)
  let lo = 0;
  let hi = Math.PI / 2;
  for (let i = 0; i < 200 && hi - lo > 1e-17; i++) {
    const mid = (lo + hi) / 2;
    if (twoSidedT(mid, df) < target) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(df) * Math.tan((lo + hi) / 2);
}

/** P(|T| <= sqrt(df) tan(theta)) for integer df. */
function twoSidedT(theta: number, df: number): number {
  const c2 = Math.cos(theta) ** 2;
  const s = Math.sin(theta);
  let term = 1;
  let sum = 1;
  if (df % 2 === 1) {
    for (let k = 2; k <= df - 3 + 1e-9; k += 2) {
      term *= (c2 * k) / (k + 1);
      sum += term;
    }
    return df === 1 ? (2 / Math.PI) * theta : (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
  }
  for (let k = 1; k <= df - 3 + 1e-9; k += 2) {
    term *= (c2 * k) / (k + 1);
    sum += term;
  }
  return s * sum;
}

const STAT_COLUMNS = ['n', 'mean', 'sd', 'ci95_low', 'ci95_high', 'min', 'p2_5', 'median', 'p97_5', 'max'] as const;

function statRow(d: Description): Record<(typeof STAT_COLUMNS)[number], number | null> {
  return { ...d, ci95_low: d.ci95?.[0] ?? null, ci95_high: d.ci95?.[1] ?? null };
}

/** One CSV row per metric: `metric,n,mean,sd,ci95_low,ci95_high,min,p2_5,median,p97_5,max` (empty: undefined for n < 2). */
export function statsCsv(stats: Record<string, Description>): string {
  const lines = [['metric', ...STAT_COLUMNS].join(',')];
  for (const [metric, d] of Object.entries(stats)) {
    const row = statRow(d);
    lines.push([metric, ...STAT_COLUMNS.map((c) => (row[c] === null ? '' : String(row[c])))].join(','));
  }
  return lines.join('\n') + '\n';
}

/** A terminal table: each metric's mean, the 95% confidence interval of the mean and the sd. */
export function statsTable(stats: Record<string, Description>, title: string): string {
  const f = (x: number | null): string => (x === null ? '-' : Number.isInteger(x) ? String(x) : x.toPrecision(6));
  const head = ['metric', 'mean', '95% CI low', '95% CI high', 'sd'];
  const rows = Object.entries(stats).map(([metric, d]) => [metric, f(d.mean), f(d.ci95?.[0] ?? null), f(d.ci95?.[1] ?? null), f(d.sd)]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  const body = [line(head), ...rows.map(line)];
  return [title, '-'.repeat(Math.max(title.length, body[0]!.length)), ...body].join('\n') + '\n';
}
