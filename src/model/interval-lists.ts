// Per-job lists of time intervals in typed arrays: what the engine ran and what planners planned,
// for a million jobs without a million small arrays kept alive (the garbage collector's old space
// is what a run of 1M jobs paid for most). Appends are amortised O(1); a job's list is linked, so
// jobs may append in any interleaving.
import type { Interval } from './execution.js';

const NONE = -1;

export class IntervalLists {
  private starts: Float64Array;
  private ends: Float64Array;
  private next: Int32Array;
  private used = 0;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;

  /**
   * `capacity`: intervals held before the storage grows; by default one and a half per job, as planners
   * that interrupt usually need (growing copies the storage, and each 64 MB of new typed arrays costs a
   * full garbage collection of the job heap).
   */
  constructor(jobs: number, capacity = Math.ceil(jobs * 1.5)) {
    const cap = Math.max(16, capacity);
    this.starts = new Float64Array(cap);
    this.ends = new Float64Array(cap);
    this.next = new Int32Array(cap);
    this.head = new Int32Array(jobs).fill(NONE);
    this.tail = new Int32Array(jobs).fill(NONE);
  }

  /** Append [start, end] to job j's list. */
  push(j: number, start: number, end: number): void {
    if (this.used === this.starts.length) this.grow();
    const i = this.used++;
    this.starts[i] = start;
    this.ends[i] = end;
    this.next[i] = NONE;
    const t = this.tail[j]!;
    if (t === NONE) this.head[j] = i;
    else this.next[t] = i;
    this.tail[j] = i;
  }

  /** Number of intervals of job j (walks the list: lists are short). */
  count(j: number): number {
    let n = 0;
    for (let i = this.head[j]!; i !== NONE; i = this.next[i]!) n++;
    return n;
  }

  /** Start of job j's last interval (NaN when it has none). */
  lastStart(j: number): number {
    const t = this.tail[j]!;
    return t === NONE ? NaN : this.starts[t]!;
  }

  /** Start of job j's first interval (NaN when it has none). */
  firstStart(j: number): number {
    const h = this.head[j]!;
    return h === NONE ? NaN : this.starts[h]!;
  }

  /** End of job j's last interval (NaN when it has none). */
  lastEnd(j: number): number {
    const t = this.tail[j]!;
    return t === NONE ? NaN : this.ends[t]!;
  }

  setLastEnd(j: number, end: number): void {
    this.ends[this.tail[j]!] = end;
  }

  /** Start of interval k of job j (k < count(j)). */
  startAt(j: number, k: number): number {
    let i = this.head[j]!;
    for (; k > 0; k--) i = this.next[i]!;
    return this.starts[i]!;
  }

  /** End of interval k of job j (k < count(j)). */
  endAt(j: number, k: number): number {
    let i = this.head[j]!;
    for (; k > 0; k--) i = this.next[i]!;
    return this.ends[i]!;
  }

  /** Job j's intervals as a new array, in the order appended. */
  list(j: number): Interval[] {
    const out: Interval[] = [];
    for (let i = this.head[j]!; i !== NONE; i = this.next[i]!) out.push([this.starts[i]!, this.ends[i]!]);
    return out;
  }

  private grow(): void {
    const cap = Math.ceil(this.starts.length * 1.5);
    const starts = new Float64Array(cap);
    starts.set(this.starts);
    const ends = new Float64Array(cap);
    ends.set(this.ends);
    const next = new Int32Array(cap);
    next.set(this.next);
    this.starts = starts;
    this.ends = ends;
    this.next = next;
  }
}
