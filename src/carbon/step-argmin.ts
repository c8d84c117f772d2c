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
