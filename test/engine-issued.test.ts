// Forecasts as issued reach the planners through the engine: each decision sees the issue in force.
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../src/app/run.js';

const base = { workload: 'traces/workloads/pai_1k.csv', carbon: 'DE-2023', scheduler: 'oracle', events: false } as const;

describe('issued forecasts in a run', () => {
  it('are seeded: the same seed gives identical jobs, another seed other plans', async () => {
    const a = await runWorkload({ ...base, forecast: 'gaussian:0.05@24h', seed: 3 });
    const b = await runWorkload({ ...base, forecast: 'gaussian:0.05@24h', seed: 3 });
    const c = await runWorkload({ ...base, forecast: 'gaussian:0.05@24h', seed: 4 });
    expect(JSON.stringify(a.jobs)).toBe(JSON.stringify(b.jobs));
    expect(JSON.stringify(a.jobs)).not.toBe(JSON.stringify(c.jobs));
  });

  it('a perfect issued forecast with a long horizon plans as the oracle view does', async () => {
    const oracle = await runWorkload({ ...base, forecast: 'oracle' });
    const issued = await runWorkload({ ...base, forecast: 'oracle,horizon=72h' });
    // max wait 24 h: every decision looks at most 24 h + the job's length ahead, inside the horizon
    expect(issued.summary.carbon_g).toBe(oracle.summary.carbon_g);
  });
});

describe('overhead energy by construction', () => {
  it('is exactly 0 for every job without startup phases or lost work (pai_1k, waitawhile interrupts them)', async () => {
    const out = await runWorkload({ ...base, scheduler: 'waitawhile' });
    expect(out.summary.interruptions).toBeGreaterThan(0);
    expect(out.jobs.every((j) => j.overhead_energy_kwh === 0)).toBe(true);
    expect(out.summary.overhead_energy_kwh).toBe(0);
  });
});
