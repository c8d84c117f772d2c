// The GAIA policies through `carbon-sim run`: flags reach the schedulers, misuse exits 2 (issue 6).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const PAI = 'traces/workloads/pai_1k.csv';
type Doc = { summary: { carbon_g: number; missed_deadlines: number; interruptions: number; jobs: number }; jobs: { arrival: number; start: number; interruptions: number }[] };

function runJson(args: string[]): Doc {
  const r = cli(['run', PAI, '--carbon', 'DE-2023', '--max-wait', '6hx24h', '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}

describe('carbon-sim run with the GAIA policies', () => {
  it("lowest-window --start-grid arrival --length average (GAIA's `waiting`) starts on whole hours after arrival", () => {
    const doc = runJson(['--scheduler', 'lowest-window', '--start-grid', 'arrival', '--length', 'average']);
    expect(doc.summary.jobs).toBe(1000);
    expect(doc.summary.missed_deadlines).toBe(0);
    expect(doc.summary.interruptions).toBe(0);
    for (const j of doc.jobs) expect((j.start - j.arrival) % 3600).toBe(0);
    expect(doc.jobs.some((j) => j.start > j.arrival)).toBe(true);
  });

  it('each start-choice flag changes the outcome', () => {
    const base = runJson(['--scheduler', 'carbon-time']).summary.carbon_g;
    expect(runJson(['--scheduler', 'carbon-time', '--start-grid', 'arrival']).summary.carbon_g).not.toBe(base);
    expect(runJson(['--scheduler', 'carbon-time', '--length', 'average']).summary.carbon_g).not.toBe(base);
  });

  it('ecovisor suspends and resumes, meets every deadline, and --threshold-quantile changes it', () => {
    const doc = runJson(['--scheduler', 'ecovisor']);
    expect(doc.summary.missed_deadlines).toBe(0);
    expect(doc.summary.interruptions).toBeGreaterThan(0);
    expect(runJson(['--scheduler', 'ecovisor', '--threshold-quantile', '0.5']).summary.carbon_g).not.toBe(doc.summary.carbon_g);
  });

  it('a flag the scheduler does not read, or a bad value, is bad input (exit 2, one line)', () => {
    for (const [args, message] of [
      [['--scheduler', 'oracle', '--start-grid', 'arrival'], /--start-grid does not apply to scheduler "oracle"/],
      [['--scheduler', 'lowest-slot', '--length', 'average'], /--length does not apply/],
      [['--scheduler', 'waitawhile', '--threshold-quantile', '0.3'], /--threshold-quantile does not apply/],
      [['--scheduler', 'ecovisor', '--threshold-quantile', '1.2'], /threshold quantile 1.2 is not in \[0, 1\]/],
      [['--scheduler', 'ecovisor', '--threshold-quantile', 'x'], /"x" must be a non-negative number/],
      [['--scheduler', 'lowest-window', '--start-grid', 'hourly'], /hourly/],
    ] as const) {
      const r = cli(['run', PAI, '--carbon', 'DE-2023', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it("ecovisor's threshold day past the end of the carbon trace needs --extend", () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-gaia-'));
    const workload = join(dir, 'late.csv');
    // DE-2023 ends at 8760 h; a 10-minute job arriving at 8759 h fits, its next 24 h do not
    writeFileSync(workload, `arrival_time,length,cpus\n${8759 * 3600},600,1\n`);
    const args = ['run', workload, '--carbon', 'DE-2023', '--scheduler', 'ecovisor', '--max-wait', '0'];
    const bad = cli(args);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ecovisor threshold window .*--extend/);
    const ok = cli([...args, '--extend', 'repeat']);
    // the table comes with the power model in force (the CSV has no power column)
    expect(ok.stderr).toBe('carbon-sim: note: power model: 1 W per cpu for every job (the workload gives no power; set it with --watts-per-cpu)\n');
    expect(ok.code).toBe(0);
  });
});
