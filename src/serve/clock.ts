// The simulated clock of `carbon-sim serve`: Unix ms advancing at `speed` x real time from an
// anchor; speed 0 stands still until POST /clock moves it.

export interface ClockState {
  /** simulated now, Unix ms */
  nowMs: number;
  /** simulated seconds per real second (0: manual) */
  speed: number;
}

export class SimClock {
  private anchorSimMs: number;
  private anchorRealMs: number;
  private rate: number;

  constructor(
    startMs: number,
    speed: number,
    /** real time source (ms); injectable so tests can drive a running clock */
    private readonly realNowMs: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    if (!(speed >= 0 && Number.isFinite(speed))) throw new RangeError(`clock speed must be a finite number >= 0, got ${speed}`);
    this.anchorSimMs = startMs;
    this.anchorRealMs = realNowMs();
    this.rate = speed;
  }

  get speed(): number {
    return this.rate;
  }

  nowMs(): number {
    // speed 0 reads no real time at all: a manual clock is exactly where POST /clock put it
    if (this.rate === 0) return this.anchorSimMs;
    return this.anchorSimMs + (this.realNowMs() - this.anchorRealMs) * this.rate;
  }

  set(nowMs: number): void {
    this.anchorSimMs = nowMs;
    this.anchorRealMs = this.realNowMs();
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0 && Number.isFinite(speed))) throw new RangeError(`clock speed must be a finite number >= 0, got ${speed}`);
    this.set(this.nowMs()); // re-anchor so the change applies from now on
    this.rate = speed;
  }

  state(): ClockState {
    return { nowMs: this.nowMs(), speed: this.rate };
  }
}
