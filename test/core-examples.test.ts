// The examples are part of the product: they must run and print sane numbers.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

function runExample(name: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'examples', name)], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Rows of `scheduler number ...` lines as scheduler -> first number. */
function firstColumn(out: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^([a-z-]+)\s+(-?\d+(?:\.\d+)?)\s/.exec(line);
    if (m) rows.set(m[1]!, Number(m[2]));
  }
  return rows;
}

describe('examples', () => {
  it('one-phased-job.mjs: every scheduler runs; the oracle never emits more than agnostic', () => {
    const rows = firstColumn(runExample('one-phased-job.mjs'));
    for (const name of ['agnostic', 'oracle', 'waitawhile']) expect(rows.has(name)).toBe(true);
    expect(rows.get('oracle')!).toBeLessThanOrEqual(rows.get('agnostic')!);
  });

  it('compare-schedulers.mjs: agnostic saves 0 %, oracle and waitawhile save carbon', () => {
    const out = runExample('compare-schedulers.mjs');
    expect(out).toMatch(/^agnostic\s+\d+\.\d\s+0\.0\s/m);
    const rows = firstColumn(out);
    expect(rows.get('oracle')!).toBeLessThan(rows.get('agnostic')!);
    expect(rows.get('waitawhile')!).toBeLessThan(rows.get('agnostic')!);
  });
});
