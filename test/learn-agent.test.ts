// The example agent: seeded, trained on the first part only, evaluated once on the held-out rest.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentTable, trainAndEvaluate } from '../src/learn/agent.js';
import { syntheticSwf } from './learn-helpers.js';

describe('agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-agent-'));
  const log = join(dir, 'synthetic.swf');
  writeFileSync(log, syntheticSwf({ jobs: 500, procs: 16, seed: 'agent' }));
  const options = { env: { workload: log, cluster: 'swf', carbon: 'DE-2023', k: 4, horizonH: 6 }, seed: 7, episodeJobs: 100, iterations: 2, population: 4, episodes: 1 };

  it('is deterministic for a seed and keeps the held-out part out of training', () => {
    const a = trainAndEvaluate(options);
    const b = trainAndEvaluate(options);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.trainJobs).toEqual([0, 350]);
    expect(a.evalJobs).toEqual([350, 500]);
    expect(a.evaluation.map((r) => r.policy)).toEqual(['fcfs', 'easy', 'greedy (env, first fit)', 'agent (env, CEM linear)']);
    for (const r of a.evaluation) expect(r.jobs).toBe(150);
    expect(agentTable(a)).toContain('| agent (env, CEM linear) | 150 |');
    const c = trainAndEvaluate({ ...options, seed: 8 });
    expect(c.weights).not.toEqual(a.weights);
  });
});
