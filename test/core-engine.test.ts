// The event queue and engine: (time, sequence) order, never the heap's shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, EventQueue } from '../src/index.js';

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

describe('Engine', () => {
  it('advances the clock event by event and lets handlers schedule more', () => {
    const engine = new Engine();
    const seen: [number, number][] = [];
    engine.schedule(5, 1);
    engine.schedule(1, 2);
    engine.run((time, payload) => {
      seen.push([time, payload]);
      expect(engine.now).toBe(time);
      if (payload === 2) engine.schedule(5, 3); // same time as payload 1: after it
    });
    expect(seen).toEqual([
      [1, 2],
      [5, 1],
      [5, 3],
    ]);
  });

  it('refuses to schedule in the past and stops at `until`', () => {
    const engine = new Engine();
    engine.schedule(2, 0);
    engine.schedule(10, 1);
    const seen: number[] = [];
    engine.run((t) => seen.push(t), 5);
    expect(seen).toEqual([2]);
    expect(engine.pending).toBe(1);
    expect(() => engine.schedule(1, 9)).toThrow(/before now/);
  });
});
