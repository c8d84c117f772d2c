// The best window of a forecast for a job of a given length: the carbon-aware SDK's "optimal
// data point", computed exactly. Written apart from the oracle scheduler (schedulers/oracle.ts) so
// that the tests can check one against the other.

/** One forecast data point: `value` holds on [t, t + d). Times in any unit, consistently. */
export interface DataPoint {
  t: number;
  d: number;
  v: number;
}

export interface BestWindow {
  /** window start */
  start: number;
  /** time-weighted mean value over [start, start + length] */
  mean: number;
}

/**
 * The start s in [from, to - length] whose window [s, s + length] has the least mean value; ties
 * go to the earliest start. The points must be contiguous and in order and cover [from, to].
 *
 * The window's integral is piecewise linear in s, with kinks where its start or its end crosses a
 * point boundary; a minimum over an interval lies at a kink or an end, so those candidates are
 * exhaustive. (The SDK tries only starts at data points; with a length that is a multiple of the
 * points' duration and a grid-aligned range the two coincide.)
 */
export function bestWindow(points: readonly DataPoint[], from: number, to: number, length: number): BestWindow {
  const n = points.length;
  if (n === 0) throw new RangeError('no forecast data points');
  if (!(length > 0) || from + length > to) throw new RangeError(`window of ${length} does not fit in [${from}, ${to}]`);
  const edges = new Float64Array(n + 1); // point boundaries
  const cum = new Float64Array(n + 1); // integral from edges[0] to edges[i]
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    edges[i] = p.t;
    cum[i + 1] = cum[i]! + p.v * p.d;
  }
  edges[n] = points[n - 1]!.t + points[n - 1]!.d;
  if (from < edges[0]! || to > edges[n]!) throw new RangeError(`[${from}, ${to}] is outside the forecast data`);
  const integralTo = (x: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    return cum[lo]! + points[lo]!.v * (x - edges[lo]!);
  };
  const last = to - length;
  const candidates = [from, last];
  for (let i = 0; i <= n; i++) {
    for (const s of [edges[i]!, edges[i]! - length]) if (s > from && s < last) candidates.push(s);
  }
  candidates.sort((a, b) => a - b);
  const costs = candidates.map((s) => integralTo(s + length) - integralTo(s));
  let min = Infinity;
  for (const c of costs) if (c < min) min = c;
  // earliest start within rounding of the least cost (as the oracle's relative 1e-12 tolerance)
  const tol = 1e-12 * Math.abs(min);
  const k = costs.findIndex((c) => c <= min + tol);
  return { start: candidates[k]!, mean: costs[k]! / length };
}
