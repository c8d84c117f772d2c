// The Python client (examples/python, stdlib only) against the real CLI: 100 steps through
// `carbon-sim env --stdio` from the system python3 equal the TypeScript env, answer for answer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnv } from '../src/learn/env.js';
import { ROOT } from './helpers.js';
import { syntheticSwf } from './learn-helpers.js';

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const noPython = python.status === 0 ? false : 'python3 is not on PATH';

describe('python client', () => {
  it.skipIf(noPython && process.env.CI !== 'true')('100 steps from python3 equal the TS env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-py-'));
    const log = join(dir, 'synthetic.swf');
    writeFileSync(log, syntheticSwf({ jobs: 300, procs: 16, seed: 'python' }));
    const envArgs = ['--workload', log, '--cluster', 'swf', '--carbon', 'DE-2023', '--horizon', '6', '--episode-jobs', '150'];
    const r = spawnSync(
      'python3',
      [join(ROOT, 'examples', 'python', 'run_steps.py'), '--steps', '100', '--seed', '3', '--k', '4', '--', process.execPath, join(ROOT, 'dist', 'cli.js'), '--', ...envArgs],
      { encoding: 'utf8', cwd: join(ROOT, 'examples', 'python'), maxBuffer: 1 << 26 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const transcript = JSON.parse(r.stdout);
    expect(transcript.steps.length).toBe(100);
    expect(transcript.invalid_action_error).toBe('action must be a whole number 0..4 or "wait", got 9');

    const env = createEnv({ workload: log, cluster: 'swf', carbon: 'DE-2023', k: 4, horizonH: 6, episodeJobs: 150 });
    const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
    expect(transcript.reset).toEqual(json(env.reset(3)));
    for (const { action, answer } of transcript.steps) expect(answer).toEqual(json(env.step(action)));
    expect(transcript.steps.some((s: { action: unknown }) => s.action === 'wait')).toBe(true);
  });
});
