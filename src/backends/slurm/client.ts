// The adapter's small interface to Slurm, and its implementation on the command-line tools:
// sbatch --begin, scontrol suspend/resume/show job, sacct. Nothing else of Slurm is used.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SubmitSpec {
  /** the job name (sbatch --job-name) */
  name: string;
  /** the batch script's text */
  script: string;
  /** earliest start (ms since 1970): sbatch --begin, whole seconds */
  beginMs: number;
  /** folder for the script file (--chdir) */
  workDir: string;
  /** the job's output file (--output) */
  output: string;
  cpus: number;
}

/** A job as accounting reports it: times in ms since 1970 (whole seconds), NaN when unknown. */
export interface SlurmAccounting {
  jobId: string;
  name: string;
  state: string;
  startMs: number;
  endMs: number;
}

export interface SlurmClient {
  /** submit a batch job; returns the Slurm job id */
  submit(spec: SubmitSpec): Promise<string>;
  suspend(jobId: string): Promise<void>;
  resume(jobId: string): Promise<void>;
  /** the job's state (PENDING, RUNNING, SUSPENDED, COMPLETED, ...); undefined when Slurm no longer knows it */
  state(jobId: string): Promise<string | undefined>;
  /** accounting of finished jobs */
  accounting(jobIds: readonly string[]): Promise<SlurmAccounting[]>;
}

export interface CommandClientOptions {
  /** SLURM_CONF for every command; default: the environment's */
  conf?: string;
  /**
   * where sacct reads finished jobs: 'slurmdbd' (accounting storage, the usual cluster) or
   * 'jobcomp' (sacct --completion: the job completion log, JobCompType=jobcomp/filetxt, no database)
   */
  accounting?: 'slurmdbd' | 'jobcomp';
}

export class SlurmCommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`${command} failed: ${stderr.trim() || 'no message'}`);
    this.name = 'SlurmCommandError';
  }
}

/** sbatch --begin takes local wall-clock time without a zone. */
export function slurmTime(ms: number): string {
  const d = new Date(Math.round(ms / 1000) * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** sacct's local wall-clock times; "Unknown", "None" and empty are NaN. */
export function parseSlurmTime(text: string): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return NaN;
  return new Date(text).getTime(); // no zone: local time, as Slurm prints it
}

export function commandClient(options: CommandClientOptions = {}): SlurmClient {
  const env = { ...process.env, ...(options.conf !== undefined && { SLURM_CONF: options.conf }) };
  const run = (cmd: string, args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(cmd, args, { env, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) reject(new SlurmCommandError(`${cmd} ${args.join(' ')}`, stderr || err.message));
        else resolve(stdout);
      });
    });
  let scripts = 0;
  return {
    async submit(spec) {
      const file = join(spec.workDir, `${spec.name}.${process.pid}.${++scripts}.sh`);
      writeFileSync(file, spec.script, { mode: 0o755 });
      const out = await run('sbatch', ['--parsable', `--begin=${slurmTime(spec.beginMs)}`, `--job-name=${spec.name}`, `--chdir=${spec.workDir}`, `--output=${spec.output}`, '--ntasks=1', `--cpus-per-task=${spec.cpus}`, file]);
      const id = out.trim().split(';')[0]!;
      if (!/^\d+$/.test(id)) throw new SlurmCommandError('sbatch', `unexpected output ${JSON.stringify(out)}`);
      return id;
    },
    async suspend(jobId) {
      await run('scontrol', ['suspend', jobId]);
    },
    async resume(jobId) {
      await run('scontrol', ['resume', jobId]);
    },
    async state(jobId) {
      try {
        return /\bJobState=(\S+)/.exec(await run('scontrol', ['show', 'job', '-o', jobId]))?.[1];
      } catch (err) {
        if (err instanceof SlurmCommandError && /Invalid job id/i.test(err.stderr)) return undefined;
        throw err;
      }
    },
    async accounting(jobIds) {
      if (jobIds.length === 0) return [];
      const args = ['-n', '-P', '-X', '--format=JobID,JobName,State,Start,End', `--jobs=${jobIds.join(',')}`];
      const out = await run('sacct', options.accounting === 'jobcomp' ? ['--completion', ...args] : args);
      return out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const [jobId = '', name = '', state = '', start = '', end = ''] = l.split('|');
          return { jobId, name, state: state.split(' ')[0]!, startMs: parseSlurmTime(start), endMs: parseSlurmTime(end) };
        })
        .filter((a) => jobIds.includes(a.jobId));
    },
  };
}
