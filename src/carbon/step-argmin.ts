// The cheapest step of a range of a signal's steps in O(1): a sparse table of range argmins
// (level k holds the argmin of every run of 2^k steps). WaitAWhile asks this once per job for
// windows of dozens of steps; a year of hourly steps makes 14 levels (0.5 MB).

export class StepArgmin {
  /** levels[k][i]: the earliest least-valued step of [i, i + 2^k) */
  private readonly levels: Int32Array[];

  constructor(private readonly values: Float64Array) {
    const n = values.length;
    const first = new Int32Array(n);
    for (let i = 0; i < n; i++) first[i] = i;
    this.levels = [first];
    for (let span = 1; 2 * span <= n; span *= 2) {
      const below = this.levels[this.levels.length - 1]!;
      const level = new Int32Array(n - 2 * span + 1);
      for (let i = 0; i < level.length; i++) level[i] = this.earlier(below[i]!, below[i + span]!);
      this.levels.push(level);
    }
  }

  get length(): number {
    return this.values.length;
  }

  valueAt(i: number): number {
    return this.values[i]!;
  }

  /** The earliest step of [lo, hi] (inclusive, lo <= hi) with the least value. */
  argmin(lo: number, hi: number): number {
    const k = 31 - Math.clz32(hi - lo + 1);
    const level = this.levels[k]!;
    return this.earlier(level[lo]!, level[hi - (1 << k) + 1]!);
  }

  /** a before b in (value, index) order; a <= b or equal values with a the earlier one */
  private earlier(a: number, b: number): number {
    const va = this.values[a]!;
    const vb = this.values[b]!;
    return vb < va || (vb === va && b < a) ? b : a;
  }
}

interface Entry {
  queries: number;
  table: StepArgmin | undefined;
}
const entries = new WeakMap<Float64Array, Entry>();

/**
 * The table of these step values once it pays: after as many queries as a sixteenth of the steps
 * (a forecast issued every hour is asked a few times and never gets one; the actual year does).
 */
export function stepArgminOf(values: Float64Array): StepArgmin | undefined {
  let entry = entries.get(values);
  if (entry === undefined) entries.set(values, (entry = { queries: 0, table: undefined }));
  if (entry.table === undefined && ++entry.queries * 16 >= values.length) entry.table = new StepArgmin(values);
  return entry.table;
}

/**
 * The steps of [lo, hi] one by one in (value, step) order: cheapest first, ties to the earliest.
 * Steps are absolute, on the signal repeated every `values.length` steps (step m has the value of
 * m mod n), so a window past the trace's end under `--extend repeat` reads the same table. The steps
 * not yet given form ranges inside one copy each, in a heap keyed by their cheapest step; giving
 * that step splits its range in two. Reused across windows: no allocation once grown.
 */
export class StepsByValue {
  private lo = new Int32Array(64);
  private hi = new Int32Array(64);
  private at = new Int32Array(64);
  private key = new Float64Array(64);
  private size = 0;
  private table: StepArgmin | undefined;
  private n = 0;
  // the range of the step given last, split only when another step is asked for (most windows need one)
  private splitLo = 0;
  private splitAt = -1;
  private splitHi = 0;

  /** Start over with the steps [lo, hi] of `table`'s signal. */
  reset(table: StepArgmin, lo: number, hi: number): void {
    this.table = table;
    this.n = table.length;
    this.size = 0;
    this.splitAt = -1;
    if (lo <= hi) this.add(lo, hi);
  }

  /** The next step, or -1 when all are given. */
  next(): number {
    const m0 = this.splitAt;
    if (m0 >= 0) {
      this.splitAt = -1;
      if (m0 > this.splitLo) this.push(this.splitLo, m0 - 1);
      if (m0 < this.splitHi) this.push(m0 + 1, this.splitHi);
    }
    if (this.size === 0) return -1;
    const { lo, hi, at } = this;
    this.splitLo = lo[0]!;
    this.splitHi = hi[0]!;
    const m = (this.splitAt = at[0]!);
    this.removeTop();
    return m;
  }

  /** [l, h] cut at the copies of the signal, each piece a range */
  private add(l: number, h: number): void {
    const n = this.n;
    for (let c = Math.floor(l / n); l <= h; c++) {
      const end = Math.min(h, (c + 1) * n - 1);
      this.push(l, end);
      l = end + 1;
    }
  }

  /** a range inside one copy */
  private push(l: number, h: number): void {
    if (this.size === this.lo.length) this.grow();
    const base = l >= this.n ? l - (l % this.n) : 0;
    const m = this.table!.argmin(l - base, h - base) + base;
    const v = this.table!.valueAt(m - base);
    const { lo, hi, at, key } = this;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (key[parent]! < v || (key[parent] === v && at[parent]! < m)) break;
      lo[i] = lo[parent]!;
      hi[i] = hi[parent]!;
      at[i] = at[parent]!;
      key[i] = key[parent]!;
      i = parent;
    }
    lo[i] = l;
    hi[i] = h;
    at[i] = m;
    key[i] = v;
  }

  private removeTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const { lo, hi, at, key } = this;
    const l = lo[n]!;
    const h = hi[n]!;
    const m = at[n]!;
    const v = key[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (key[c + 1]! < key[c]! || (key[c + 1] === key[c] && at[c + 1]! < at[c]!))) c++;
      if (v < key[c]! || (v === key[c] && m < at[c]!)) break;
      lo[i] = lo[c]!;
      hi[i] = hi[c]!;
      at[i] = at[c]!;
      key[i] = key[c]!;
      i = c;
    }
    lo[i] = l;
    hi[i] = h;
    at[i] = m;
    key[i] = v;
  }

  private grow(): void {
    const size = 2 * this.lo.length;
    const int = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.lo = int(this.lo);
    this.hi = int(this.hi);
    this.at = int(this.at);
    const key = new Float64Array(size);
    key.set(this.key);
    this.key = key;
  }
}
