// --cluster on the command line: an SWF replay by hand, and bad cluster input as one line, exit 2.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const LOG = 'test/fixtures/swf/small-cluster.swf';

describe('carbon-sim run --cluster swf', () => {
  it('replays a log on its MaxProcs, skipping and counting what the field skips', () => {
    const r = cli(['run', LOG, '--cluster', 'swf', '--scheduler', 'easy', '--carbon', 'DE-2023', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2 incomplete SWF jobs skipped: 1 with zero run time, 1 larger than the cluster/);
    const { summary, jobs } = JSON.parse(r.stdout) as { summary: { jobs: number; cluster: Record<string, number | string> }; jobs: { id: string; start: number }[] };
    expect(summary.jobs).toBe(3);
    // 8 processors: job 1 (4) at 0; job 2 (6) waits for job 1's end at 100; job 5 (2, estimate 10) backfills at 40
    expect(Object.fromEntries(jobs.map((j) => [j.id, j.start]))).toEqual({ '1': 0, '2': 100, '5': 40 });
    expect(summary.cluster.capacity_cpus).toBe(8);
    expect(summary.cluster.makespan_s).toBe(150);
    expect(summary.cluster.mean_queue_wait_s).toBe(30); // (0 + 90 + 0) / 3
    // busy processor-seconds 4 x 100 + 6 x 50 + 2 x 20 = 740 of 8 x 150
    expect(summary.cluster.utilisation).toBeCloseTo(740 / 1200, 12);
    expect(summary.cluster.energy_kwh).toBeCloseTo((740 * 190 + (1200 - 740) * 95) / 3.6e6, 12);
  });
});

describe('bad cluster input: one line naming the field, exit 2, nothing on stdout', () => {
  const cases: [string, string[], RegExp][] = [
    ['a negative size', ['--cluster', 'procs:-4'], /field "procs".*negative/],
    ['a non-numeric size', ['--cluster', '4x{cpus:many}'], /field "cpus".*many/],
    ['an unknown GPU model', ['--cluster', '2x{cpus:8,gpus:1,gpu:H900}'], /unknown GPU model "H900"/],
    ['a job larger than every node', ['--cluster', 'procs:2'], /pai_1k.csv:\d+ \(field "cpus"\): job "\d+" needs \d+ cpus, more than any node/],
    ['power flags without a cluster', ['--processor-power', '10/20'], /give --cluster/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const r = cli(['run', 'traces/workloads/pai_1k.csv', '--carbon', 'DE-2023', '--scheduler', 'easy', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
