// The event queue and engine: (time, sequence) order, never the heap's shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, Sim } from '../src/index.js';

describe('EventQueue', () => {
  it('pops in (time, push order) for any sequence of pushes and pops', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
        const q = new EventQueue(2);
        const model: { time: number; seq: number }[] = [];
        let seq = 0;
        for (const op of ops) {
          if (op >= 0) {
            q.push(op, seq);
            model.push({ time: op, seq: seq++ });
          } else {
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = model.shift();
            expect(q.pop()).toBe(want ? want.seq : -1);
          }
          expect(q.size).toBe(model.length);
        }
        model.sort((a, b) => a.time - b.time || a.seq - b.seq);
        for (const m of model) {
          expect(q.peekTime()).toBe(m.time);
          expect(q.pop()).toBe(m.seq);
        }
        expect(q.peekTime()).toBe(Infinity);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Sim', () => {
  it('orders one instant by the priority table, then by scheduling order, and lets handlers schedule more', () => {
    const sim = new Sim();
    sim.at(5, 'pass', 1);
    sim.at(5, 'timer', 2);
    sim.at(5, 'finish', 3);
    sim.at(1, 'arrive', 4);
    sim.at(5, 'timer', 5);
    const seen: string[] = [];
    while (sim.next()) {
      seen.push(`${sim.now} ${sim.kind} ${sim.job}`);
      if (sim.job === 4) sim.at(5, 'finish', 6); // scheduled later than 3: after it
    }
    expect(seen).toEqual(['1 arrive 4', '5 finish 3', '5 finish 6', '5 timer 2', '5 timer 5', '5 pass 1']);
  });

  it('cancels by handle; a stale handle cancels nothing; refuses to schedule in the past', () => {
    const sim = new Sim();
    const a = sim.at(2, 'timer', 0);
    sim.at(3, 'timer', 1);
    sim.cancel(a);
    expect(sim.next()).toBe(true);
    expect(sim.job).toBe(1);
    const b = sim.at(4, 'timer', 2); // reuses a's slot with a new generation
    sim.cancel(a); // stale: must not cancel b
    expect(sim.next()).toBe(true);
    expect(sim.job).toBe(2);
    sim.cancel(b);
    expect(sim.next()).toBe(false);
    expect(() => sim.at(1, 'timer')).toThrow(/before now/);
  });
});
