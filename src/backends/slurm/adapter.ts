// Carries out planned run intervals on a live Slurm cluster. Input: a list of {job, intervals}
// (what a planner's plan(job, ctx) returns, or the intervals of a simulation's results). Each job
// becomes a batch script submitted with sbatch --begin at its first start; between two intervals
// it is suspended (scontrol suspend) and resumed (scontrol resume) at the interval boundaries, at
// a time compression (1 simulated hour = secondsPerHour real seconds). Then accounting is read
// back (sacct) and set against the plan: start and end per job, suspensions counted.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executePlan, type Interval } from '../../model/execution.js';
import type { Job } from '../../model/jobs.js';
import type { SlurmClient } from './client.js';
import { jobScript, type ScriptPiece } from './script.js';

export interface SlurmItem {
  job: Job;
  /** planned run intervals, simulated seconds since the epoch */
  intervals: readonly Interval[];
}

export interface SlurmRunOptions {
  client: SlurmClient;
  /** folder (visible to the node) for the job scripts and their output */
  workDir: string;
  /** real seconds per simulated hour */
  secondsPerHour: number;
  /** real seconds from now to the earliest start (default 3): time to submit */
  leadS?: number;
  /** job name prefix (default "cs") */
  namePrefix?: string;
  /** script tick, real seconds (default 0.1) */
  tickS?: number;
  /** real seconds to wait for Slurm to act on a start, suspend or resume (default 20) */
  actionTimeoutS?: number;
  onNote?: (message: string) => void;
}

export interface SlurmJobReport {
  /** carbon-sim's job id */
  id: string;
  slurmJobId: string;
  /** the intervals as the engine runs them (the last cut at the finish), simulated seconds */
  intervals: Interval[];
  plannedStart: number;
  plannedFinish: number;
  plannedSuspensions: number;
  /** what Slurm did: accounting start and end mapped back to simulated seconds */
  state: string;
  slurmStart: number;
  slurmEnd: number;
  /** suspensions Slurm confirmed (the job was seen SUSPENDED after scontrol suspend) */
  suspensions: number;
  /** simulated seconds: Slurm minus plan (sacct prints whole seconds: 3600 / secondsPerHour simulated s) */
  startErrorS: number;
  endErrorS: number;
  /** the job's output file */
  output: string;
  /** simulated seconds, to the microsecond: the script's own first and last line, minus plan (NaN if unreadable) */
  scriptStartErrorS: number;
  scriptEndErrorS: number;
}

export interface SlurmRunReport {
  jobs: SlurmJobReport[];
  secondsPerHour: number;
  /** the simulated instant mapped to originRealMs */
  originSimS: number;
  originRealMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The intervals the engine runs for a plan, with the startup/work pieces of each. */
export function executedIntervals(item: SlurmItem): { intervals: Interval[]; pieces: ScriptPiece[][] } {
  const raw: [number, number, number, boolean][] = [];
  const execution = executePlan(item.job.profile, item.job.arrival, item.intervals, (s, e, p, startup) => raw.push([s, e, p, startup]));
  const pieces = execution.intervals.map(([s, e]) => {
    const mine: ScriptPiece[] = [];
    for (const [ps, pe, power, startup] of raw) {
      if (pe <= s || ps >= e) continue;
      const kind = startup ? 'startup' : 'work';
      const last = mine[mine.length - 1];
      const d = Math.min(pe, e) - Math.max(ps, s);
      if (last && last.kind === kind && last.powerW === power) last.durationS += d;
      else mine.push({ kind, durationS: d, powerW: power });
    }
    return mine;
  });
  return { intervals: execution.intervals, pieces };
}

/** Run the items on Slurm and report plan against accounting. Rejects if Slurm does not act in time. */
export async function runOnSlurm(items: readonly SlurmItem[], opts: SlurmRunOptions): Promise<SlurmRunReport> {
  if (!(opts.secondsPerHour > 0)) throw new RangeError(`secondsPerHour must be positive, got ${opts.secondsPerHour}`);
  const { client } = opts;
  const timeoutMs = (opts.actionTimeoutS ?? 20) * 1000;
  const plans = items.map((item) => ({ item, ...executedIntervals(item) }));
  if (plans.length === 0) return { jobs: [], secondsPerHour: opts.secondsPerHour, originSimS: 0, originRealMs: Date.now() };
  const originSimS = Math.min(...plans.map((p) => p.intervals[0]![0]));
  const originRealMs = Math.ceil((Date.now() + (opts.leadS ?? 3) * 1000) / 1000) * 1000;
  const realMs = (t: number): number => originRealMs + ((t - originSimS) * opts.secondsPerHour * 1000) / 3600;
  const simS = (ms: number): number => originSimS + ((ms - originRealMs) / 1000) * (3600 / opts.secondsPerHour);

  const names = plans.map((p, i) => `${opts.namePrefix ?? 'cs'}-${i}-${p.item.job.id}`.replace(/[^A-Za-z0-9._-]/g, '_'));
  const outputs = names.map((n) => join(opts.workDir, `${n}.out`));
  const ids = await Promise.all(
    plans.map((p, i) =>
      client.submit({
        name: names[i]!,
        output: outputs[i]!,
        script: jobScript({ jobId: p.item.job.id, intervals: p.intervals, pieces: p.pieces, secondsPerHour: opts.secondsPerHour, ...(opts.tickS !== undefined && { tickS: opts.tickS }) }),
        beginMs: realMs(p.intervals[0]![0]),
        workDir: opts.workDir,
        cpus: Math.max(1, Math.ceil(p.item.job.cpus)),
      }),
    ),
  );
  if (Date.now() > originRealMs) opts.onNote?.(`submitting took longer than the lead time: starts are late by ${Date.now() - originRealMs} ms`);

  const waitFor = async (jobId: string, want: (s: string | undefined) => boolean, what: string): Promise<string | undefined> => {
    const t0 = Date.now();
    for (;;) {
      const s = await client.state(jobId);
      if (want(s)) return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`Slurm job ${jobId}: ${what} did not happen within ${timeoutMs / 1000} s (state ${s ?? 'gone'})`);
      await sleep(50);
    }
  };
  const FINAL = (s: string | undefined): boolean => s === undefined || !['PENDING', 'RUNNING', 'SUSPENDED', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'RESIZING'].includes(s);

  const suspensions = await Promise.all(
    plans.map(async (p, i) => {
      const id = ids[i]!;
      let confirmed = 0;
      for (let k = 1; k < p.intervals.length; k++) {
        await sleep(realMs(p.intervals[k - 1]![1]) - Date.now());
        await waitFor(id, (s) => s === 'RUNNING', 'the start');
        await client.suspend(id);
        await waitFor(id, (s) => s === 'SUSPENDED', 'suspend');
        confirmed++;
        await sleep(realMs(p.intervals[k]![0]) - Date.now());
        await client.resume(id);
        await waitFor(id, (s) => s === 'RUNNING', 'resume');
      }
      const finishMs = realMs(p.intervals[p.intervals.length - 1]![1]);
      await sleep(finishMs - Date.now());
      const t0 = Date.now();
      while (!FINAL(await client.state(id))) {
        if (Date.now() - t0 > timeoutMs + 60_000) throw new Error(`Slurm job ${id} had not finished ${(Date.now() - finishMs) / 1000} s after its planned finish`);
        await sleep(100);
      }
      return confirmed;
    }),
  );

  // accounting may lag the job's end by a moment
  let acct = await client.accounting(ids);
  for (let tries = 0; tries < 50 && (acct.length < ids.length || acct.some((a) => Number.isNaN(a.endMs))); tries++) {
    await sleep(200);
    acct = await client.accounting(ids);
  }
  const byId = new Map(acct.map((a) => [a.jobId, a]));
  const jobs = plans.map((p, i): SlurmJobReport => {
    const a = byId.get(ids[i]!);
    const slurmStart = a ? simS(a.startMs) : NaN;
    const slurmEnd = a ? simS(a.endMs) : NaN;
    const plannedStart = p.intervals[0]![0];
    const plannedFinish = p.intervals[p.intervals.length - 1]![1];
    const log = existsSync(outputs[i]!) ? readFileSync(outputs[i]!, 'utf8') : '';
    const at = (what: string): number => {
      const m = new RegExp(`^carbon-sim: ${what} (\\d+)[.,](\\d+)$`, 'm').exec(log);
      return m ? simS(Number(m[1]) * 1000 + Number(`0.${m[2]}`) * 1000) : NaN;
    };
    return {
      id: p.item.job.id,
      slurmJobId: ids[i]!,
      intervals: p.intervals,
      plannedStart,
      plannedFinish,
      plannedSuspensions: p.intervals.length - 1,
      state: a?.state ?? 'UNKNOWN',
      slurmStart,
      slurmEnd,
      suspensions: suspensions[i]!,
      startErrorS: slurmStart - plannedStart,
      endErrorS: slurmEnd - plannedFinish,
      output: outputs[i]!,
      scriptStartErrorS: at('start') - plannedStart,
      scriptEndErrorS: at('finish') - plannedFinish,
    };
  });
  return { jobs, secondsPerHour: opts.secondsPerHour, originSimS, originRealMs };
}

/** The items of a simulation: each job with the intervals its scheduler planned. */
export function itemsOf(results: readonly { job: Job; plan: { intervals: readonly Interval[] } }[]): SlurmItem[] {
  return results.map((r) => ({ job: r.job, intervals: r.plan.intervals }));
}
