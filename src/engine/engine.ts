import { EventQueue } from './queue.js';

/**
 * The discrete-event core: a clock and a queue, nothing else (SimPy's Environment, in small).
 * An event is an integer payload the caller decodes; the handler may schedule more events.
 */
export class Engine {
  private readonly queue = new EventQueue(1024);
  private clock = -Infinity;

  get now(): number {
    return this.clock;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Schedule a payload at an absolute time, never before now. */
  schedule(time: number, payload: number): void {
    if (time < this.clock) throw new Error(`cannot schedule at ${time} s, before now (${this.clock} s)`);
    this.queue.push(time, payload);
  }

  peek(): number {
    return this.queue.peekTime();
  }

  /** Process one event; false when the queue is empty. */
  step(handler: (time: number, payload: number) => void): boolean {
    if (this.queue.size === 0) return false;
    const time = this.queue.peekTime();
    const payload = this.queue.pop();
    this.clock = time;
    handler(time, payload);
    return true;
  }

  /** Process events in (time, sequence) order until the queue is empty or the next is after `until`. */
  run(handler: (time: number, payload: number) => void, until = Infinity): void {
    const queue = this.queue;
    while (queue.size > 0 && queue.peekTime() <= until) {
      const time = queue.peekTime();
      const payload = queue.pop();
      this.clock = time;
      handler(time, payload);
    }
  }
}
