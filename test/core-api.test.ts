// The public surface: documented names exist in the built ESM and CJS entry points and in src.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as src from '../src/index.js';
import { ROOT } from './helpers.js';

/** Every `name(` or `name` in backticks that docs/api.md lists in its tables. */
function documentedNames(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
  const names = new Set<string>();
  for (const line of doc.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const m = /^\| `([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

describe('public API', () => {
  const names = documentedNames();

  it('docs/api.md documents a real surface', () => {
    expect(names.length).toBeGreaterThan(25);
  });

  it('every documented value export exists in src, dist ESM and dist CJS', async () => {
    const esm = (await import(join(ROOT, 'dist/index.js'))) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(join(ROOT, 'dist/index.cjs')) as Record<string, unknown>;
    const missing = names.filter((n) => !(n in src) || !(n in esm) || !(n in cjs));
    expect(missing).toEqual([]);
  });

  it('the package resolves itself by name through its exports map', async () => {
    const self = (await import('carbon-sim')) as Record<string, unknown>;
    expect(typeof self.runWorkload).toBe('function');
  });
});
