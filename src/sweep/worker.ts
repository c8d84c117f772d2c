// Piscina worker (built to dist/sweep-worker.js): executes one run per task. Input problems come
// back as data, because an error crossing the thread boundary loses its class and location.
import { InputError } from '../errors.js';
import { executeRun } from './execute.js';
import type { LogRow } from './log.js';
import type { RunSpec } from './plan.js';
import type { RunInputs } from './provenance.js';

export interface RunTask {
  id: string;
  spec: RunSpec;
  suiteDir: string;
  /** the files to read and the hashes they must have (see executeRun) */
  inputs?: RunInputs;
}

export interface TaskInputError {
  code: string;
  message: string;
  file: string | undefined;
  line: number | undefined;
  field: string | undefined;
}

export type RunTaskResult = { row: LogRow; error?: undefined } | { row?: undefined; error: TaskInputError };

export default async function runTask(task: RunTask): Promise<RunTaskResult> {
  try {
    return { row: (await executeRun(task.id, task.spec, task.suiteDir, task.inputs)).row };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { error: { code: err.code, message: err.message, file: err.file, line: err.line, field: err.field } };
  }
}
