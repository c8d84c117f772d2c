// The Slurm adapter on a live one-node cluster started here (munged, slurmctld, slurmd on
// 127.0.0.1, proctrack/linuxproc, no cgroups): a 5-job workload planned by agnostic and waitawhile
// is carried out with sbatch --begin and scontrol suspend/resume; sacct's start and end times
// equal the plan within the compression tolerance, and every planned suspension happened.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkload } from '../src/app/run.js';
import { commandClient, itemsOf, jobScript, localClusterUnavailable, runOnSlurm, startLocalCluster, type LocalCluster, type SlurmClient, type SlurmRunReport } from '../src/backends/slurm/index.js';
import { parseMaxWait } from '../src/model/deadlines.js';

const unavailable = localClusterUnavailable();
const skip = unavailable !== false && process.env.CI !== 'true' ? unavailable : false;
if (skip) console.warn(`test/slurm.test.ts skipped: ${skip}`);

/** 1 simulated hour = 6 real seconds */
const SECONDS_PER_HOUR = 6;
/** real seconds: --begin is whole seconds, the scheduler runs every second, sacct prints whole seconds */
const START_TOLERANCE_REAL_S = 2;
/** the end adds each resume's latency and the script's tick */
const END_TOLERANCE_REAL_S = 3;
const toSim = (realS: number): number => (realS * 3600) / SECONDS_PER_HOUR;

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-slurm-'));
const WORKLOAD = join(dir, 'five.csv');
// five constant jobs (s): arrivals over 4 h, 1-3 h long; 8 h maximum wait
writeFileSync(WORKLOAD, 'arrival_time,length,cpus\n0,7200,1\n3600,10800,1\n5400,7200,1\n9000,3600,1\n14400,9000,1\n');

describe('the job script', () => {
  it('ticks through each interval’s pieces at the compression factor', () => {
    const s = jobScript({ jobId: 'j', intervals: [[0, 3600], [7200, 9000]], pieces: [[{ kind: 'startup', durationS: 600, powerW: 50 }, { kind: 'work', durationS: 3000, powerW: 200 }], [{ kind: 'work', durationS: 1800, powerW: 200 }]], secondsPerHour: 36 });
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    // cumulative running time targets in microseconds: 6 s, 36 s, then 18 s more
    expect([...s.matchAll(/until_us (\d+)/g)].map((m) => Number(m[1]))).toEqual([6e6, 36e6, 54e6]);
    expect(s).toContain('interval 2/2 [7200, 9000] s');
  });
});

describe.skipIf(skip)(`on a live slurmctld${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let cluster: LocalCluster | undefined;
  let client: SlurmClient;
  const runs: Record<string, { report: SlurmRunReport; sim: Awaited<ReturnType<typeof runWorkload>> }> = {};

  beforeAll(async () => {
    cluster = await startLocalCluster({ dir: join(dir, 'cluster') });
    client = commandClient({ conf: cluster.conf, accounting: 'jobcomp' });
    const work = join(dir, 'jobs');
    mkdirSync(work, { recursive: true });
    const schedulers = ['agnostic', 'waitawhile'];
    const sims = await Promise.all(schedulers.map((scheduler) => runWorkload({ workload: WORKLOAD, carbon: 'DE-2023', scheduler, deadlineRule: parseMaxWait('8h'), start: '2023-03-01T00:00:00Z', events: false })));
    // both schedulers' jobs on the cluster at once (16 CPUs, one each)
    const reports = await Promise.all(sims.map((sim, i) => runOnSlurm(itemsOf(sim.simulation.results), { client, workDir: work, secondsPerHour: SECONDS_PER_HOUR, namePrefix: schedulers[i]! })));
    schedulers.forEach((s, i) => (runs[s] = { report: reports[i]!, sim: sims[i]! }));
    const lines = schedulers.flatMap((s, i) =>
      reports[i]!.jobs.map((j) => `${s} job ${j.id}: planned ${j.plannedStart}-${j.plannedFinish} s, Slurm ${j.slurmStart}-${j.slurmEnd} s (start ${j.startErrorS >= 0 ? '+' : ''}${j.startErrorS} s, end ${j.endErrorS >= 0 ? '+' : ''}${j.endErrorS} s simulated; script's own clock ${j.scriptStartErrorS.toFixed(0)} s, ${j.scriptEndErrorS.toFixed(0)} s), suspensions ${j.suspensions}/${j.plannedSuspensions}`),
    );
    console.info(`Slurm vs plan, 1 simulated hour = ${SECONDS_PER_HOUR} s:\n${lines.join('\n')}`);
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it.each(['agnostic', 'waitawhile'])('%s: every job completed; sacct start times equal the plan within the tolerance', (scheduler) => {
    const { report, sim } = runs[scheduler]!;
    expect(report.jobs).toHaveLength(5);
    for (const [i, j] of report.jobs.entries()) {
      const record = sim.jobs[i]!;
      // the adapter ran what the simulation ran
      expect([j.id, j.plannedStart, j.plannedFinish, j.plannedSuspensions]).toEqual([record.id, record.start, record.finish, record.interruptions]);
      expect(j.state).toBe('COMPLETED');
      expect(Math.abs(j.startErrorS), `job ${j.id}: Slurm started it ${j.startErrorS} simulated s off the plan`).toBeLessThanOrEqual(toSim(START_TOLERANCE_REAL_S));
      expect(Math.abs(j.endErrorS), `job ${j.id}: Slurm ended it ${j.endErrorS} simulated s off the plan`).toBeLessThanOrEqual(toSim(END_TOLERANCE_REAL_S));
      // sacct prints whole seconds; the script's own microsecond clock says the same
      expect(Math.abs(j.scriptStartErrorS), `job ${j.id}: script start`).toBeLessThanOrEqual(toSim(START_TOLERANCE_REAL_S));
      expect(Math.abs(j.scriptEndErrorS), `job ${j.id}: script end`).toBeLessThanOrEqual(toSim(END_TOLERANCE_REAL_S));
    }
  });

  it('suspensions: each planned interruption was a confirmed scontrol suspend, and waitawhile has some', () => {
    for (const { report } of Object.values(runs)) for (const j of report.jobs) expect([j.id, j.suspensions]).toEqual([j.id, j.plannedSuspensions]);
    const count = (s: string): number => runs[s]!.report.jobs.reduce((a, j) => a + j.suspensions, 0);
    expect(count('agnostic')).toBe(0);
    expect(count('waitawhile')).toBe(runs.waitawhile!.sim.summary.interruptions);
    expect(count('waitawhile')).toBeGreaterThanOrEqual(1);
  });

  it('each job script logged every one of its intervals', () => {
    expect(readdirSync(join(dir, 'jobs')).filter((f) => f.endsWith('.out'))).toHaveLength(10);
    for (const { report } of Object.values(runs)) {
      for (const j of report.jobs) {
        const text = readFileSync(j.output, 'utf8');
        expect(text.match(/carbon-sim: interval \d+\//g)).toHaveLength(j.intervals.length);
        expect(text).toMatch(/carbon-sim: finish /);
      }
    }
  });
});
