// Provenance of sweep results: every row records the SHA-256 of the workload and carbon files it
// was computed from and the carbon-sim version that computed it, so that a resumed sweep, a merge
// or a distributed worker can tell a changed input from an unchanged one. Pure: no sweep imports.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { version as packageVersion } from '../../package.json';
import { InputError } from '../errors.js';

/** The carbon-sim version recorded with every result row (package.json, bundled at build time). */
export const CARBON_SIM_VERSION: string = packageVersion;

export const PROVENANCE_COLUMNS = ['workload_sha256', 'carbon_sha256', 'carbon_sim_version'] as const;

export interface Provenance {
  /** SHA-256 (hex) of the workload file's bytes, as read (before gunzip) */
  workload_sha256: string;
  /** SHA-256 (hex) of the carbon file's bytes (a bundled name: its file in traces/carbon) */
  carbon_sha256: string;
  carbon_sim_version: string;
}

/** One input file of a sweep: the suite entry, the file it names, and its content hash. */
export interface InputFile {
  entry: string;
  path: string;
  sha256: string;
}

/** The input files of a sweep by suite entry. */
export interface SweepInputs {
  carbon: Record<string, InputFile>;
  workloads: Record<string, InputFile>;
}

/** What a run reads and must find unchanged: the files and their expected hashes. */
export interface RunInputs {
  workload: { path: string; sha256: string };
  carbon: { path: string; sha256: string };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of an input file; unreadable is an InputError naming it. */
export function readInputBytes(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field });
  }
}

export function sha256File(path: string, field: string): string {
  return sha256Hex(readInputBytes(path, field));
}

/** 12 hex digits, for messages. */
export function shortHash(sha: string | undefined): string {
  return sha === undefined ? 'none' : `${sha.slice(0, 12)}…`;
}

/** The input error for a file whose content is not the one a sweep (or its log) was made from. */
export function changedInput(file: string, expected: string, now: string, since: string, advice = ''): InputError {
  return new InputError('input_changed', `changed since ${since} (sha256 ${shortHash(expected)} then, ${shortHash(now)} now)${advice ? `: ${advice}` : ''}`, { file });
}

/** The rows of a log as they bear on provenance (old logs have no such fields). */
type LoggedRow = { id: string; workload: string; carbon: string } & Partial<Provenance>;

/**
 * `--resume`: every logged row must come from the current inputs and carbon-sim version, else
 * the sweep would mix results of two inputs. The first mismatch is one InputError naming the file.
 */
export function checkLoggedProvenance(rows: readonly LoggedRow[], inputs: SweepInputs, logPath: string): void {
  const since = `the runs logged in ${logPath} were made`;
  const advice = '--resume would mix results of both; restore the file or use another --out';
  for (const row of rows) {
    if (row.carbon_sim_version === undefined || row.workload_sha256 === undefined || row.carbon_sha256 === undefined) {
      throw new InputError('bad_run_log', `run ${row.id} records no input hashes (written by an older carbon-sim): cannot tell whether its inputs changed; use another --out`, { file: logPath, field: 'workload_sha256' });
    }
    if (row.carbon_sim_version !== CARBON_SIM_VERSION) {
      throw new InputError('version_changed', `run ${row.id} was computed by carbon-sim ${row.carbon_sim_version}, this is ${CARBON_SIM_VERSION}: --resume would mix results of two versions; use another --out`, { file: logPath, field: 'carbon_sim_version' });
    }
    const workload = inputs.workloads[row.workload];
    if (workload && workload.sha256 !== row.workload_sha256) throw changedInput(workload.path, row.workload_sha256, workload.sha256, since, advice);
    const carbon = inputs.carbon[row.carbon];
    if (carbon && carbon.sha256 !== row.carbon_sha256) throw changedInput(carbon.path, row.carbon_sha256, carbon.sha256, since, advice);
  }
}

/**
 * merge: all rows must agree on the hash of each workload and carbon entry and on the version
 * (shards computed from different inputs do not make one sweep). `where` names a row's folder.
 */
export function checkConsistentProvenance(rows: Iterable<{ row: LoggedRow; dir: string }>): void {
  const seen = new Map<string, { value: string; dir: string }>();
  const agree = (what: string, value: string | undefined, dir: string, file: string | undefined): void => {
    const v = value ?? 'none (older carbon-sim)';
    const first = seen.get(what);
    if (!first) seen.set(what, { value: v, dir });
    else if (first.value !== v) {
      throw new InputError('conflicting_inputs', `${what} differs between ${first.dir} (${shortOrVersion(first.value)}) and ${dir} (${shortOrVersion(v)}): the folders were computed from different inputs`, { ...(file !== undefined && { file }) });
    }
  };
  for (const { row, dir } of rows) {
    agree('carbon-sim version', row.carbon_sim_version, dir, undefined);
    agree(`sha256 of workload ${row.workload}`, row.workload_sha256, dir, row.workload);
    agree(`sha256 of carbon ${row.carbon}`, row.carbon_sha256, dir, row.carbon);
  }
}

function shortOrVersion(v: string): string {
  return /^[0-9a-f]{64}$/.test(v) ? shortHash(v) : v;
}
