// Binary min-heap of events keyed by (time, priority, sequence). Parallel typed arrays, no per-push
// allocation once grown. Ties in time pop by priority, then in push order: the sequence only grows,
// so the order never depends on the heap's shape. Priority and sequence share one float key
// (priority x 2^44 + sequence): exact while fewer than 2^44 events are pushed.

/** Events pushed into one queue before the (priority, sequence) key would lose exactness. */
const PRIORITY_STRIDE = 2 ** 44;
export const MAX_PRIORITY = 255;

export class EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private payloads: Int32Array;
  private count = 0;
  private nextSeq = 0;

  constructor(capacity = 64) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.payloads = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    return this.count > 0 ? this.times[0]! : Infinity;
  }

  /** Priority of the next event (Infinity when empty). */
  peekPriority(): number {
    return this.count > 0 ? Math.floor(this.seqs[0]! / PRIORITY_STRIDE) : Infinity;
  }

  /** Payload of the next event (-1 when empty). */
  peekPayload(): number {
    return this.count > 0 ? this.payloads[0]! : -1;
  }

  /** Push a payload at `time`; among equal times a lower `priority` (0..255) pops first. */
  push(time: number, payload: number, priority = 0): void {
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    const seq = priority * PRIORITY_STRIDE + this.nextSeq++;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      payloads[i] = payloads[parent]!;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    payloads[i] = payload;
  }

  /** Remove the earliest event and return its payload; -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const times = this.times;
    const seqs = this.seqs;
    const payloads = this.payloads;
    const top = payloads[0]!;
    const n = --this.count;
    if (n > 0) {
      const t = times[n]!;
      const s = seqs[n]!;
      const p = payloads[n]!;
      let i = 0;
      const half = n >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        const right = child + 1;
        if (right < n && (times[right]! < times[child]! || (times[right] === times[child] && seqs[right]! < seqs[child]!))) child = right;
        const ct = times[child]!;
        if (t < ct || (t === ct && s < seqs[child]!)) break;
        times[i] = ct;
        seqs[i] = seqs[child]!;
        payloads[i] = payloads[child]!;
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      payloads[i] = p;
    }
    return top;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    const seqs = new Float64Array(cap);
    const payloads = new Int32Array(cap);
    times.set(this.times);
    seqs.set(this.seqs);
    payloads.set(this.payloads);
    this.times = times;
    this.seqs = seqs;
    this.payloads = payloads;
  }
}
