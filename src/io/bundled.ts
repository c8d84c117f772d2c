// Bundled workloads by name (`pai_1k` -> traces/workloads/pai_1k.csv), like bundled carbon traces.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundledTracesDir } from '../carbon/load.js';
import { InputError } from '../errors.js';

/** The bundled workloads folder (traces/workloads next to traces/carbon). */
export function bundledWorkloadsDir(): string {
  return join(dirname(bundledTracesDir()), 'workloads');
}

/** Names of the bundled workloads (file names without .csv), sorted. */
export function bundledWorkloadNames(): string[] {
  const dir = bundledWorkloadsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/**
 * A workload argument as a path: an existing file as it is, else a bundled name (`pai_1k`: letters,
 * digits, `_` and `-`, no extension). A bare name that is neither is an error listing the bundled
 * names; any other path is returned as given (reading it then says what is wrong with it).
 */
export function resolveWorkloadPath(spec: string, field = 'workload'): string {
  if (existsSync(spec) || !/^[A-Za-z0-9_-]+$/.test(spec)) return spec;
  const names = bundledWorkloadNames();
  if (names.includes(spec)) return join(bundledWorkloadsDir(), `${spec}.csv`);
  throw new InputError('unknown_workload', `no such file, and not a bundled workload (bundled: ${names.join(', ')})`, { file: spec, field });
}
