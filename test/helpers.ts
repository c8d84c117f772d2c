// Shared test helpers.
import { InputError } from '../src/errors.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DATA = resolve(ROOT, '..', 'shared', 'data');

/**
 * Path of a file under ../shared/data. When it is absent the caller's tests are skipped with a
 * visible reason, except under CI=true, where they must run (and fail if the data is missing).
 */
export function sharedData(rel: string): { path: string; skip: string | false } {
  const path = join(SHARED_DATA, rel);
  if (existsSync(path)) return { path, skip: false };
  if (process.env.CI === 'true') return { path, skip: false };
  return { path, skip: `../shared/data/${rel} is absent (tests that need it run in CI)` };
}

/** Run the built CLI (dist/cli.js) with arguments; returns exit code, stdout and stderr. */
export function cli(args: string[], options: { cwd?: string; input?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The error of class `kind` that f throws; any other outcome fails the test. */
export function errorOf<E extends Error>(f: () => unknown, kind: abstract new (...args: never[]) => E): E {
  try {
    f();
  } catch (err) {
    if (err instanceof kind) return err;
    throw err;
  }
  throw new Error(`expected a ${kind.name}`);
}

/** The InputError that f throws; any other outcome fails the test. */
export function inputErrorOf(f: () => unknown): InputError {
  return errorOf(f, InputError);
}
