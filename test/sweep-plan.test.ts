import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShard, planSweep, runId, shardRuns, type RunSpec } from '../src/sweep/plan.js';
import { normalizeSuite, parseSuite } from '../src/sweep/suite.js';
import { inputErrorOf } from './helpers.js';

const FILE = 'suites/demo.json';

function suite(extra: Record<string, unknown> = {}) {
  return normalizeSuite({ name: 'demo', schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h', '24h'], workloads: ['w.csv'], ...extra }, FILE);
}


describe('suite files', () => {
  it('fill in defaults: forecast oracle, seed 0, one 24 h wait, CLI defaults for the settings', () => {
    const s = normalizeSuite({ name: 'x', schedulers: ['agnostic'], carbon: ['DE-2023'], workloads: ['w.csv'] }, FILE);
    expect(s).toMatchObject({ max_wait: ['24h'], forecast: ['oracle'], seeds: ['0'], optional_schedulers: [], slot: '', time_unit: 's', watts_per_cpu: 1, carbon_column: 'direct', extend: 'none', start: '', timezone: '' });
  });

  it('seeds may be integers or strings and become strings', () => {
    expect(suite({ seeds: [0, 7, 'a'] }).seeds).toEqual(['0', '7', 'a']);
  });

  it.each([
    [{ schedulers: [] }, 'schedulers', 'must not be empty'],
    [{ schedulers: ['oracle', 'oracle'] }, 'schedulers[1]', 'appears twice'],
    [{ carbon: 'DE-2023' }, 'carbon', 'must be a list'],
    [{ max_wait: ['6h', 6] }, 'max_wait[1]', 'non-empty strings'],
    [{ colour: 'red' }, 'colour', 'unknown key'],
    [{ time_unit: 'min' }, 'time_unit', 'not one of s, h'],
    [{ watts_per_cpu: -1 }, 'watts_per_cpu', 'non-negative'],
    [{ optional_schedulers: ['oracle'] }, 'optional_schedulers[0]', 'both'],
    [{ name: 'a b' }, 'name', 'may only use'],
  ])('reject bad shapes naming the file and field: %j', (extra, field, message) => {
    const err = inputErrorOf(() => suite(extra));
    expect(err.file).toBe(FILE);
    expect(err.field).toBe(field);
    expect(err.message).toContain(message);
  });

  it('reject a missing required key and invalid JSON', () => {
    expect(inputErrorOf(() => normalizeSuite({ name: 'x', carbon: ['DE-2023'], workloads: ['w'] }, FILE)).field).toBe('schedulers');
    expect(inputErrorOf(() => parseSuite('{"name": ', FILE)).message).toContain('not valid JSON');
  });
});

describe('the cross product', () => {
  it('2 schedulers x 2 carbon x 2 waits: 8 suite runs and one agnostic baseline per (carbon, wait)', () => {
    const runs = planSweep(suite(), ['oracle', 'waitawhile']);
    expect(runs.filter((r) => r.role === 'suite')).toHaveLength(8);
    const baselines = runs.filter((r) => r.role === 'baseline');
    expect(baselines).toHaveLength(4);
    expect(new Set(baselines.map((b) => `${b.spec.carbon}/${b.spec.max_wait}`)).size).toBe(4);
    for (const r of runs) {
      const base = runs.find((b) => b.id === r.baselineId)!;
      expect(base.spec).toEqual({ ...r.spec, scheduler: 'agnostic' });
    }
  });

  it('agnostic in the list is its own baseline: no extra runs', () => {
    const runs = planSweep(suite({ schedulers: ['agnostic', 'oracle'] }), ['agnostic', 'oracle']);
    expect(runs).toHaveLength(8);
    expect(runs.every((r) => r.role === 'suite')).toBe(true);
  });

  it('runs are sorted by id and ids are unique', () => {
    const runs = planSweep(suite({ seeds: [0, 1, 2], forecast: ['oracle', 'gaussian:0.05'] }), ['oracle', 'waitawhile']);
    const ids = runs.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('a run id depends on the inputs only, not on key order; any input changes it', () => {
    const spec: RunSpec = { scheduler: 'oracle', carbon: 'DE-2023', max_wait: '24h', workload: 'w.csv', forecast: 'oracle', seed: '0', slot: '', time_unit: 's', watts_per_cpu: 1, carbon_column: 'direct', extend: 'none', start: '', timezone: '' };
    const reversed = Object.fromEntries(Object.entries(spec).reverse()) as unknown as RunSpec;
    expect(runId(reversed)).toBe(runId(spec));
    expect(runId(spec)).toMatch(/^[0-9a-f]{16}$/);
    const ids = new Set([runId(spec)]);
    for (const [k, v] of Object.entries({ scheduler: 'waitawhile', carbon: 'GB-2023', max_wait: '6h', workload: 'x.csv', forecast: 'gaussian:0.1', seed: '1', slot: '30m', time_unit: 'h', watts_per_cpu: 2, carbon_column: 'lca', extend: 'hold', start: '2023-02-01', timezone: 'Europe/Berlin' })) {
      ids.add(runId({ ...spec, [k]: v }));
    }
    expect(ids.size).toBe(14);
  });
});

describe('shards', () => {
  it('parse i/n and reject the rest', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3']) expect(inputErrorOf(() => parseShard(bad)).field).toBe('shard');
  });

  it('property: the shards of a sweep split its suite runs exactly, each with the baselines it needs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 7 }), fc.boolean(), (nc, nw, ns, count, withAgnostic) => {
        const schedulers = withAgnostic ? ['agnostic', 'oracle'] : ['oracle', 'waitawhile'];
        const s = suite({ schedulers, carbon: ['A', 'B', 'C'].slice(0, nc), max_wait: ['1h', '2h', '3h'].slice(0, nw), seeds: [0, 1, 2].slice(0, ns) });
        const all = planSweep(s, schedulers);
        const suiteIds = all.filter((r) => r.role === 'suite').map((r) => r.id);
        const seen: string[] = [];
        for (let index = 1; index <= count; index++) {
          const mine = shardRuns(all, { index, count });
          const ids = new Set(mine.map((r) => r.id));
          for (const r of mine) expect(ids.has(r.baselineId)).toBe(true);
          const own = suiteIds.filter((_, i) => i % count === index - 1);
          for (const id of own) expect(ids.has(id)).toBe(true);
          seen.push(...own);
          // nothing else but those runs and their baselines
          expect(mine.every((r) => own.includes(r.id) || mine.some((o) => own.includes(o.id) && o.baselineId === r.id))).toBe(true);
        }
        expect(seen.sort()).toEqual([...suiteIds].sort());
      }),
    );
  });
});
