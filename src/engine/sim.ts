// The discrete-event core of the online engine: a clock and a queue of typed events ordered by
// (time, priority, sequence), with cancellable handles. No I/O, no knowledge of jobs or clusters.
import { EVENT_KINDS, EVENT_PRIORITY, type EventKind } from './events.js';
import { EventQueue } from './queue.js';

/** A scheduled event, for cancel(). Stale handles (already fired or cancelled) are ignored. */
export type Handle = number;

const SLOT_BITS = 2 ** 24;
const KIND_INDEX: Record<EventKind, number> = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i])) as Record<EventKind, number>;

export class Sim {
  private readonly queue = new EventQueue(1024);
  private clock = -Infinity;
  // Event slots, recycled through a free list: kind, job, tag and a generation per slot.
  private kinds = new Uint8Array(1024);
  private jobs = new Int32Array(1024);
  private tags = new Int32Array(1024);
  private gens = new Uint32Array(1024);
  private live = new Uint8Array(1024);
  private free: number[] = [];
  private used = 0;

  /** The event being processed: kind, job, tag. */
  kind: EventKind = 'pass';
  job = -1;
  tag = 0;

  get now(): number {
    return this.clock;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Schedule an event at t (never before now). */
  at(t: number, kind: EventKind, job = -1, tag = 0): Handle {
    if (!(t >= this.clock)) throw new Error(`cannot schedule ${kind} at ${t} s, before now (${this.clock} s)`);
    const slot = this.free.length > 0 ? this.free.pop()! : this.newSlot();
    this.kinds[slot] = KIND_INDEX[kind];
    this.jobs[slot] = job;
    this.tags[slot] = tag;
    this.live[slot] = 1;
    this.queue.push(t, slot, EVENT_PRIORITY[kind]);
    return this.gens[slot]! * SLOT_BITS + slot;
  }

  cancel(h: Handle): void {
    const slot = h % SLOT_BITS;
    if (slot < this.used && this.gens[slot]! * SLOT_BITS + slot === h) this.live[slot] = 0;
  }

  /** Time and priority of the next live event (Infinity when none). */
  peekTime(): number {
    this.dropCancelled();
    return this.queue.peekTime();
  }

  peekPriority(): number {
    this.dropCancelled();
    return this.queue.peekPriority();
  }

  /** Pop the next live event into kind/job/tag and advance the clock; false when none is left. */
  next(): boolean {
    this.dropCancelled();
    if (this.queue.size === 0) return false;
    this.clock = this.queue.peekTime();
    const slot = this.queue.pop();
    this.kind = EVENT_KINDS[this.kinds[slot]!]!;
    this.job = this.jobs[slot]!;
    this.tag = this.tags[slot]!;
    this.release(slot);
    return true;
  }

  /** Move the clock to t without an event (an arrival fed from outside the queue). */
  advanceTo(t: number): void {
    if (t < this.clock) throw new Error(`clock cannot go back from ${this.clock} s to ${t} s`);
    this.clock = t;
  }

  private dropCancelled(): void {
    while (this.queue.size > 0) {
      const slot = this.queue.peekPayload();
      if (this.live[slot]) return;
      this.queue.pop();
      this.release(slot);
    }
  }

  private release(slot: number): void {
    this.live[slot] = 0;
    this.gens[slot] = (this.gens[slot]! + 1) % 512;
    this.free.push(slot);
  }

  private newSlot(): number {
    if (this.used === this.kinds.length) {
      const cap = this.kinds.length * 2;
      if (cap > SLOT_BITS) throw new Error('more than 2^24 events pending at once');
      this.kinds = grow(this.kinds, new Uint8Array(cap));
      this.jobs = grow(this.jobs, new Int32Array(cap));
      this.tags = grow(this.tags, new Int32Array(cap));
      this.gens = grow(this.gens, new Uint32Array(cap));
      this.live = grow(this.live, new Uint8Array(cap));
    }
    return this.used++;
  }
}

function grow<T extends Uint8Array | Int32Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
