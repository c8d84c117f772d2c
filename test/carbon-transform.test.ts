// Carbon transforms: the grid check and --fill (hold, linear), window cuts, resampling, and the
// signal's forecast-only negative values. Hand-computed cases plus fast-check properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCarbonRows, type CarbonRows } from '../src/carbon/csv.js';
import { CarbonSignal } from '../src/carbon/signal.js';
import { cutWindow, describeFill, regularize, resample, shapeCarbon } from '../src/carbon/transform.js';
import { inputErrorOf } from './helpers.js';

const H = 3600;
const HEADER = 'Datetime (UTC),Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA)';

/** A file from [hour, direct value or '' for empty] rows on 2023-01-01. */
function rowsOf(spec: [number, number | ''][]): CarbonRows {
  const lines = spec.map(([h, v]) => `2023-01-01 ${String(h).padStart(2, '0')}:00:00,${v},1`);
  return readCarbonRows([HEADER, ...lines].join('\n') + '\n', { file: 'x.csv' });
}

const T0 = Date.UTC(2023, 0, 1);


// line 2..8 of the file: an empty value, a gap (03:00), a row out of order, two duplicates (one conflicting)
const DIRTY: [number, number | ''][] = [
  [0, 100],
  [1, ''],
  [4, 160],
  [2, 120],
  [4, 999],
  [4, 160],
  [5, 170],
];

describe('regularize without a fill rule: a regular grid or an error at the first bad line', () => {
  it('a clean trace passes through unchanged, its step the grid step', () => {
    const rows = rowsOf([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const t = regularize(rows, 'none');
    expect(t.timesMs).toBe(rows.timesMs);
    expect([...t.values]).toEqual([1, 2, 3]);
    expect(t.stepMs).toBe(H * 1000);
    expect(t.fill).toBeUndefined();
  });

  it('names the first problem in file order: here the empty value on line 3, before the gap on line 4', () => {
    const e = inputErrorOf(() => regularize(rowsOf(DIRTY), 'none'));
    expect([e.code, e.line]).toEqual(['missing_value', 3]);
  });

  it.each([
    ['gap', [[0, 1], [1, 2], [3, 4]], 'gap', 4],
    ['duplicate', [[0, 1], [1, 2], [1, 2]], 'duplicate_time', 4],
    // the step is the shortest between consecutive rows (2 h here), so the swap is reported, not gaps
    ['backwards', [[0, 1], [2, 2], [1, 2]], 'unsorted_time', 4],
    ['backwards after a regular start', [[0, 1], [1, 2], [2, 2], [1, 2]], 'unsorted_time', 5],
    ['a gap before the shortest step appears (the resolution is of the whole file)', [[0, 1], [2, 2], [3, 2]], 'gap', 3],
  ] as [string, [number, number][], string, number][])('%s', (_name, spec, code, line) => {
    const e = inputErrorOf(() => regularize(rowsOf(spec), 'none'));
    expect([e.code, e.line]).toEqual([code, line]);
  });
});

describe('regularize with --fill', () => {
  it('hold: sorts, keeps the first value of a duplicated time, holds the previous value into gaps and empties', () => {
    const t = regularize(rowsOf(DIRTY), 'hold');
    expect([...t.timesMs]).toEqual([0, 1, 2, 3, 4, 5].map((h) => T0 + h * H * 1000));
    expect([...t.values]).toEqual([100, 100, 120, 120, 160, 170]);
    expect(t.fill).toEqual({ mode: 'hold', filled: 2, missing: 1, empty: 1, duplicates: 2, conflicting: 1, reordered: 1 });
  });

  it('linear: interpolates between the neighbours on the grid', () => {
    const t = regularize(rowsOf(DIRTY), 'linear');
    expect([...t.values]).toEqual([100, 110, 120, 140, 160, 170]);
  });

  it('linear across a run of three missing steps', () => {
    const t = regularize(rowsOf([[0, 0], [4, 100]]), 'linear'); // the step is 4 h: nothing is missing
    expect([...t.values]).toEqual([0, 100]);
    const u = regularize(rowsOf([[0, 0], [1, 10], [5, 50]]), 'linear');
    expect([...u.values]).toEqual([0, 10, 20, 30, 40, 50]);
    expect(u.fill?.missing).toBe(3);
  });

  it('an empty first value of a duplicated time takes the later value, and counts as a duplicate, not an empty', () => {
    const t = regularize(rowsOf([[0, 5], [1, ''], [1, 7], [2, 9]]), 'hold');
    expect([...t.values]).toEqual([5, 7, 9]);
    expect(t.fill).toMatchObject({ filled: 0, empty: 0, duplicates: 1, conflicting: 0 });
  });

  it('a clean trace reports zero changes', () => {
    const t = regularize(rowsOf([[0, 1], [1, 2]]), 'linear');
    expect(t.fill).toEqual({ mode: 'linear', filled: 0, missing: 0, empty: 0, duplicates: 0, conflicting: 0, reordered: 0 });
    expect(describeFill(t.fill!)).toBe(
      'filled 0 values by linear (0 missing, 0 empty); dropped 0 duplicate rows (0 with a different value); sorted 0 out-of-order rows',
    );
  });

  it('property: hold keeps every first value, never invents one, and the grid is complete', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 900 })), { minLength: 2, maxLength: 40 }), (spec) => {
        const hours = new Set(spec.map(([h]) => h));
        fc.pre(hours.size >= 2);
        const sorted = [...hours].sort((a, b) => a - b);
        let step = Infinity;
        for (let i = 1; i < sorted.length; i++) step = Math.min(step, sorted[i]! - sorted[i - 1]!);
        fc.pre(sorted.every((h) => (h - sorted[0]!) % step === 0));
        const t = regularize(rowsOf(spec), 'hold');
        const first = new Map<number, number>();
        for (const [h, v] of spec) if (!first.has(h)) first.set(h, v);
        expect(t.values.length).toBe((sorted[sorted.length - 1]! - sorted[0]!) / step + 1);
        const seen = new Set(spec.map(([, v]) => v));
        for (let k = 0; k < t.values.length; k++) {
          const h = sorted[0]! + k * step;
          if (first.has(h)) expect(t.values[k]).toBe(first.get(h));
          else expect(seen.has(t.values[k]!)).toBe(true);
        }
        expect(t.fill!.duplicates).toBe(spec.length - hours.size);
      }),
    );
  });
});

describe('cutWindow: the part of a trace inside [start, end), rebased to start', () => {
  const s = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H]), values: Float64Array.from([10, 20, 30]), epochMs: T0, name: 's' });

  it('a cut inside steps keeps their values for the parts inside the window', () => {
    const w = cutWindow(s, H / 2, 2.5 * H);
    expect([...w.times]).toEqual([0, H / 2, 1.5 * H]);
    expect([...w.values]).toEqual([10, 20, 30]);
    expect(w.end).toBe(2 * H);
    expect(w.epochMs).toBe(T0 + (H / 2) * 1000);
    expect(w.resolutionS).toBe(H);
    expect(w.integrate(0, 2 * H)).toBe(10 * 1800 + 20 * 3600 + 30 * 1800);
  });

  it('shapeCarbon takes Unix ms; the window becomes simulation time 0', () => {
    const w = shapeCarbon(s, { startMs: T0 + H * 1000, endMs: T0 + 2 * H * 1000 });
    expect([...w.times]).toEqual([0]);
    expect([...w.values]).toEqual([20]);
    expect([w.start, w.end, w.epochMs]).toEqual([0, H, T0 + H * 1000]);
  });

  it('a cut on the repeat extend mode repeats the window', () => {
    const r = new CarbonSignal({ times: s.times, values: s.values, extend: 'repeat' });
    const w = cutWindow(r, H, 3 * H);
    expect(w.intensityAt(2 * H)).toBe(20);
    expect(w.intensityAt(3 * H)).toBe(30);
  });

  it('property: integrals over the window equal the source integrals shifted by the start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (vals, a, b) => {
          const src = new CarbonSignal({ times: Float64Array.from(vals, (_, i) => i * 900), values: Float64Array.from(vals) });
          const from = Math.floor(a * (src.end - 1));
          const to = from + 1 + Math.floor(b * (src.end - from - 1));
          const w = cutWindow(src, from, to);
          expect(w.integrate(0, to - from)).toBeCloseTo(src.integrate(from, to), 6);
          expect(w.intensityAt(0)).toBe(src.intensityAt(from));
        },
      ),
    );
  });
});

describe('resample: each bucket the time-weighted mean over it', () => {
  const s = new CarbonSignal({ times: Float64Array.from([0, H, 2 * H]), values: Float64Array.from([10, 20, 30]), name: 's' });

  it('down to 2 h: a full bucket is the mean, the short last bucket the mean of what the trace covers', () => {
    const r = resample(s, 2 * H);
    expect([...r.times]).toEqual([0, 2 * H]);
    expect([...r.values]).toEqual([15, 30]);
    expect([r.end, r.resolutionS]).toEqual([3 * H, 2 * H]);
  });

  it('up to 30 min: exactly the step values, twice each', () => {
    const r = resample(s, H / 2);
    expect([...r.values]).toEqual([10, 10, 20, 20, 30, 30]);
    expect(r.uniformStepS).toBe(H / 2);
  });

  it('45 min buckets straddling steps', () => {
    const r = resample(s, 2700);
    expect(r.values[0]).toBe(10);
    expect(r.values[1]).toBeCloseTo((10 * 900 + 20 * 1800) / 2700, 12);
  });

  it('property: resampling keeps the integral over the whole trace', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 20 }),
        (vals, k) => {
          const src = new CarbonSignal({ times: Float64Array.from(vals, (_, i) => i * H), values: Float64Array.from(vals), end: vals.length * H });
          const step = Math.min(src.end, (k * H) / 4);
          const r = resample(src, step);
          expect(r.integrate(r.start, r.end)).toBeCloseTo(src.integrate(src.start, src.end), 3);
        },
      ),
    );
  });
});

describe('CarbonSignal values', () => {
  it('the actual signal rejects a negative value; a forecast view keeps it as it is', () => {
    const times = Float64Array.from([0, H]);
    expect(() => new CarbonSignal({ times, values: Float64Array.from([5, -1]) })).toThrow(/non-negative/);
    const v = new CarbonSignal({ times, values: Float64Array.from([5, -1]) , allowNegative: true });
    expect(v.intensityAt(H)).toBe(-1);
    expect(v.integrate(0, 2 * H)).toBe(5 * H - H);
  });

  it('a uniform grid with a short last step keeps its O(1) look-up and agrees with the step values', () => {
    const s = new CarbonSignal({ times: Float64Array.from([0, 10, 20]), values: Float64Array.from([1, 2, 3]), end: 25 });
    expect(s.uniformStepS).toBe(10);
    expect([0, 9.99, 10, 19, 20, 24.9].map((t) => s.intensityAt(t))).toEqual([1, 1, 2, 2, 3, 3]);
  });
});
