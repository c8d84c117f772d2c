import { InputError } from '../errors.js';

// Carbon intensity as a step function over time with cumulative (intensity x time) prefix sums,
// so the emissions of any constant-power interval cost one or two look-ups.

/** 1 kWh = 3.6e6 J (W x s); emissions g = W x s / 3.6e6 x gCO2/kWh. */
export const JOULES_PER_KWH = 3.6e6;

/** What happens past the last step of the trace. */
export type ExtendMode = 'none' | 'repeat' | 'hold';
export const EXTEND_MODES: readonly ExtendMode[] = ['none', 'repeat', 'hold'];

export class CarbonRangeError extends InputError {
  constructor(
    message: string,
    readonly timeS: number,
  ) {
    super('carbon_range', message);
    this.name = 'CarbonRangeError';
  }
}

export interface CarbonSignalInit {
  /** step start times, seconds since the simulation epoch, strictly increasing */
  times: Float64Array;
  /** gCO2/kWh holding on [times[i], times[i+1]) */
  values: Float64Array;
  /** end of the last step; default: last time + last step length */
  end?: number;
  extend?: ExtendMode;
  name?: string;
  /** Unix ms of simulation time 0 (for reports and calendar rules) */
  epochMs?: number;
  /**
   * the grid's nominal step (s), when a window cut or a partial last bucket made the first or
   * last step shorter; default: the shortest step
   */
  resolutionS?: number;
  /**
   * a forecast view may hold negative values (Gaussian noise on a low-carbon grid): schedulers
   * see them as they are; such a view is never charged. The actual signal must be non-negative.
   */
  allowNegative?: boolean;
}

/**
 * A step carbon-intensity signal. Row i holds on [times[i], times[i+1]); the last row holds for
 * one more step. Queries before the first step, or past the end without an extend mode, throw.
 */
export class CarbonSignal {
  readonly times: Float64Array;
  readonly values: Float64Array;
  /** cum[i] = integral of intensity from times[0] to times[i] (gCO2/kWh x s); cum[n] at end */
  readonly cum: Float64Array;
  readonly start: number;
  readonly end: number;
  readonly extend: ExtendMode;
  readonly name: string;
  readonly epochMs: number;
  /** step length when all steps are equal, the last possibly shorter (O(1) look-ups), else 0 */
  readonly uniformStepS: number;
  /** the signal's resolution: the nominal step given at construction, else the shortest step */
  readonly resolutionS: number;
  /** whether values may be negative (a forecast view, never charged) */
  readonly allowNegative: boolean;
  private readonly period: number;
  private readonly total: number;

  constructor(init: CarbonSignalInit) {
    const { times, values } = init;
    const n = times.length;
    if (n === 0 || values.length !== n) throw new Error('carbon signal needs equally many times and values (>= 1)');
    let minStep = Infinity;
    let uniform = true;
    for (let i = 1; i < n; i++) {
      const step = times[i]! - times[i - 1]!;
      if (!(step > 0)) throw new Error(`carbon signal times must increase strictly (index ${i})`);
      if (step < minStep) minStep = step;
      if (i > 1 && step !== times[1]! - times[0]!) uniform = false;
    }
    const lastStep = n > 1 ? times[n - 1]! - times[n - 2]! : 3600;
    this.end = init.end ?? times[n - 1]! + lastStep;
    if (!(this.end > times[n - 1]!)) throw new Error('carbon signal end must be after its last time');
    if (n === 1) minStep = this.end - times[0]!;
    const allowNegative = init.allowNegative ?? false;
    const cum = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v) || (v < 0 && !allowNegative)) {
        throw new Error(`carbon intensity ${v} at index ${i} is not a finite${allowNegative ? '' : ' non-negative'} number`);
      }
      const next = i + 1 < n ? times[i + 1]! : this.end;
      cum[i + 1] = cum[i]! + v * (next - times[i]!);
    }
    this.times = times;
    this.values = values;
    this.cum = cum;
    this.start = times[0]!;
    this.extend = init.extend ?? 'none';
    this.name = init.name ?? 'carbon';
    this.epochMs = init.epochMs ?? 0;
    this.uniformStepS = uniform && n > 1 && this.end - times[n - 1]! <= times[1]! - times[0]! ? times[1]! - times[0]! : 0;
    if (init.resolutionS !== undefined && !(init.resolutionS > 0)) throw new Error(`carbon signal resolution must be positive, got ${init.resolutionS}`);
    this.resolutionS = init.resolutionS ?? minStep;
    this.allowNegative = allowNegative;
    this.period = this.end - this.start;
    this.total = cum[n]!;
  }

  /** A signal with the same grid and other values (forecasts, which may be negative). */
  withValues(values: Float64Array, options: { name?: string; allowNegative?: boolean } = {}): CarbonSignal {
    return new CarbonSignal({
      times: this.times,
      values,
      end: this.end,
      extend: this.extend,
      name: options.name ?? this.name,
      epochMs: this.epochMs,
      resolutionS: this.resolutionS,
      allowNegative: options.allowNegative ?? false,
    });
  }

  /** Index of the step holding at t (t inside [start, end)). */
  private indexAt(t: number): number {
    const step = this.uniformStepS;
    const times = this.times;
    const last = times.length - 1;
    if (step > 0) {
      let i = Math.floor((t - this.start) / step);
      if (i > last) i = last;
      if (i < 0) i = 0;
      // Floating division can land one step off at a boundary.
      if (times[i]! > t && i > 0) i--;
      else if (i < last && times[i + 1]! <= t) i++;
      return i;
    }
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (times[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private outOfRange(t: number): never {
    if (t < this.start) {
      throw new CarbonRangeError(`time ${t} s is before the start of carbon trace ${this.name} (${this.start} s)`, t);
    }
    throw new CarbonRangeError(
      `simulation runs past the end of carbon trace ${this.name} at ${t} s (trace ends at ${this.end} s); use --extend repeat|hold`,
      t,
    );
  }

  /** Map t into the trace's own range according to the extend mode; returns whole periods skipped. */
  private fold(t: number): { t: number; periods: number } {
    if (t >= this.start && t < this.end) return { t, periods: 0 };
    if (t < this.start || this.extend === 'none') return this.outOfRange(t);
    if (this.extend === 'hold') return { t, periods: 0 };
    const periods = Math.floor((t - this.start) / this.period);
    return { t: t - periods * this.period, periods };
  }

  /**
   * End of the constant step holding at t: the first step boundary after t (the trace end for the
   * last step; Infinity past the end under `hold`, where nothing changes any more).
   */
  stepEnd(t: number): number {
    if (t >= this.start && t < this.end) {
      const i = this.indexAt(t);
      return i + 1 < this.times.length ? this.times[i + 1]! : this.end;
    }
    if (t < this.start || this.extend === 'none') return this.outOfRange(t);
    if (this.extend === 'hold') return Infinity;
    const { t: inside, periods } = this.fold(t);
    return this.stepEnd(inside) + periods * this.period;
  }

  /** Intensity (gCO2/kWh) at time t. */
  intensityAt(t: number): number {
    if (t >= this.start && t < this.end) return this.values[this.indexAt(t)]!;
    if (t < this.start || this.extend === 'none') return this.outOfRange(t);
    if (this.extend === 'hold') return this.values[this.values.length - 1]!;
    return this.values[this.indexAt(this.fold(t).t)]!;
  }

  /** Integral of intensity from start to t (gCO2/kWh x s); t may equal end. */
  private cumulativeTo(t: number): number {
    if (t >= this.start && t <= this.end) {
      if (t === this.end) return this.total;
      const i = this.indexAt(t);
      return this.cum[i]! + this.values[i]! * (t - this.times[i]!);
    }
    if (t < this.start || this.extend === 'none') return this.outOfRange(t);
    if (this.extend === 'hold') return this.total + this.values[this.values.length - 1]! * (t - this.end);
    const { t: inside, periods } = this.fold(t);
    return periods * this.total + this.cumulativeTo(inside);
  }

  /**
   * Integral of intensity over [a, b] (gCO2/kWh x s). Within one step it is v x (b - a) exactly;
   * across steps the partial end pieces are added to the difference of whole-step prefix sums,
   * which keeps the relative error near machine precision even on long traces.
   */
  integrate(a: number, b: number): number {
    if (!(b > a)) {
      if (b === a) return 0;
      throw new RangeError(`integrate needs a <= b, got [${a}, ${b}]`);
    }
    if (a >= this.start && b <= this.end) {
      const i = this.indexAt(a);
      const times = this.times;
      const values = this.values;
      const nextI = i + 1 < times.length ? times[i + 1]! : this.end;
      if (b <= nextI) return values[i]! * (b - a);
      const j = b === this.end ? times.length : this.indexAt(b);
      const head = values[i]! * (nextI - a);
      const middle = this.cum[j]! - this.cum[i + 1]!;
      const tail = j < times.length ? values[j]! * (b - times[j]!) : 0;
      return head + middle + tail;
    }
    if (a < this.start) return this.outOfRange(a);
    if (this.extend === 'none') return this.outOfRange(b);
    if (this.extend === 'hold' && a >= this.end) return this.values[this.values.length - 1]! * (b - a);
    if (a < this.end) return this.integrate(a, this.end) + this.integrate(this.end, b);
    if (this.extend === 'hold') return this.values[this.values.length - 1]! * (b - a);
    // repeat: shift a into the first period, keep the span
    const { t: a0, periods } = this.fold(a);
    const b0 = b - periods * this.period;
    if (b0 <= this.end) return this.integrate(a0, b0);
    return this.cumulativeTo(b0) - this.cumulativeTo(a0);
  }

  /** Emissions (g) of constant power (W) over [a, b]. */
  emissionsG(powerW: number, a: number, b: number): number {
    return (powerW * this.integrate(a, b)) / JOULES_PER_KWH;
  }

  /** Mean intensity (gCO2/kWh) over [a, b). */
  meanIntensity(a: number, b: number): number {
    return this.integrate(a, b) / (b - a);
  }

  /**
   * The step boundaries strictly inside (a, b), in order: where the intensity may change.
   * Calls visit(t) for each; honours the extend mode (repeat yields the repeated boundaries).
   */
  forEachBoundary(a: number, b: number, visit: (t: number) => void): void {
    if (!(b > a)) return;
    if (a < this.start) this.outOfRange(a);
    if (b > this.end) {
      if (this.extend === 'none') this.outOfRange(b);
    }
    const times = this.times;
    const n = times.length;
    if (this.extend !== 'repeat' || b <= this.end) {
      if (a >= this.end) return; // hold: constant past the end
      let i = this.indexAt(a) + 1;
      for (; i < n && times[i]! < b; i++) visit(times[i]!);
      if (this.end < b) visit(this.end);
      return;
    }
    let shift = Math.floor((a - this.start) / this.period) * this.period;
    let lo = a - shift;
    for (;;) {
      let i = this.indexAt(lo) + 1;
      for (; i < n && times[i]! + shift < b; i++) visit(times[i]! + shift);
      shift += this.period;
      if (this.start + shift >= b) return;
      visit(this.start + shift);
      lo = this.start;
    }
  }
}
