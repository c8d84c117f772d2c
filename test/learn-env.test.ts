// The step API: same seed, same episode; a scripted episode is the engine's schedule; invalid
// actions are clear errors that change nothing; rewards add up to the run's totals; JSON lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSummary } from '../src/accounting/metrics.js';
import { simulate } from '../src/cluster/simulate.js';
import type { SimEvent } from '../src/engine/events.js';
import { summaryReturn } from '../src/learn/agent.js';
import { createEnv, type Env, type StepResult } from '../src/learn/env.js';
import type { Actions, ClusterView, Policy } from '../src/policies/types.js';
import { cli } from './helpers.js';
import { syntheticSwf } from './learn-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-env-'));
const logPath = join(dir, 'synthetic.swf');
writeFileSync(logPath, syntheticSwf({ jobs: 400, procs: 16, seed: 'env' }));
const K = 4;
const make = (extra: Partial<Parameters<typeof createEnv>[0]> = {}): Env =>
  createEnv({ workload: logPath, cluster: 'swf', carbon: 'DE-2023', k: K, horizonH: 6, ...extra });

/** A fixed rule: every 5th decision waits, else the last startable observed job. */
function scripted(env: Env, seed: number): { actions: (number | 'wait')[]; answers: StepResult[]; ret: number } {
  let { info } = env.reset(seed);
  const actions: (number | 'wait')[] = [];
  const answers: StepResult[] = [];
  let ret = 0;
  for (let n = 0; ; n++) {
    const valid = info.valid.slice(0, K).flatMap((v, i) => (v ? [i] : []));
    const a = n % 5 === 4 || valid.length === 0 ? 'wait' : valid[valid.length - 1]!;
    const s = env.step(a);
    actions.push(a);
    answers.push(s);
    ret += s.reward;
    info = s.info;
    if (s.terminated) return { actions, answers, ret };
  }
}

describe('env', () => {
  it('reset with the same seed gives the same episode; another seed another window', () => {
    const env = make({ episodeJobs: 120 });
    const a = scripted(env, 5);
    const b = scripted(env, 5);
    expect(JSON.stringify(b.answers)).toBe(JSON.stringify(a.answers));
    const first = env.reset(5).observation;
    expect(env.reset(6).observation).not.toEqual(first);
    expect(env.episodeJobs().length).toBe(120);
  });

  it('a scripted episode is the schedule the engine runs directly: same starts, energy, carbon', () => {
    const env = make();
    const run = scripted(env, 0);
    const res = env.result();
    const envSummary = run.answers.at(-1)!.info.summary!;
    // replay the env's starts through the engine: start each job at its recorded start, in order
    const starts = res.results.map((r, j) => ({ j, t: r.execution.intervals[0]![0] }));
    starts.sort((a, b) => a.t - b.t || a.j - b.j);
    const times = [...new Set(starts.map((s) => s.t))];
    let next = 0;
    let armed = false;
    const replay: Policy = {
      name: 'replay-env',
      wantsPass: true,
      onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
        if (!armed) {
          armed = true;
          for (const t of times) if (t > view.now) act.wakeAt(t);
        }
        if (e.kind !== 'pass') return;
        while (next < starts.length && starts[next]!.t === view.now) expect(act.start(starts[next++]!.j)).toBe(true);
      },
    };
    const direct = simulate(env.episodeJobs(), { policy: replay, cluster: env.cluster, carbon: env.carbon });
    expect(direct.results.map((r) => r.execution.intervals)).toEqual(res.results.map((r) => r.execution.intervals));
    const directSummary = clusterSummary(direct.results, direct.cluster!, env.cluster.source);
    expect(directSummary).toEqual(envSummary);
    // the rewards add up to minus the weighted totals of the run (kg CO2e + queued job-hours)
    const expected = summaryReturn(directSummary, direct.results.length, env.reward);
    expect(Math.abs(run.ret - expected) / Math.abs(expected)).toBeLessThan(1e-9);
    expect(run.answers.at(-1)!.info.energy_kwh).toBeCloseTo(directSummary.energy_kwh, 6);
  });

  it('always the first fitting job equals a greedy engine policy over the first K queued jobs', () => {
    const env = make();
    let { info } = env.reset(0);
    for (;;) {
      const s = env.step(info.valid.indexOf(true));
      info = s.info;
      if (s.terminated) break;
    }
    const greedy: Policy = {
      name: 'greedy',
      wantsPass: true,
      onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
        if (e.kind !== 'pass') return;
        for (let started = true; started; ) {
          started = false;
          let i = 0;
          for (let j = view.queueHead(); j !== -1 && i < K; j = view.queueNext(j), i++) {
            if (act.start(j)) {
              started = true;
              break;
            }
          }
        }
      },
    };
    const direct = simulate(env.episodeJobs(), { policy: greedy, cluster: env.cluster, carbon: env.carbon });
    expect(clusterSummary(direct.results, direct.cluster!, env.cluster.source)).toEqual(info.summary);
  });

  it('invalid actions are clear errors and change nothing', () => {
    const env = make({ episodeJobs: 60 });
    const clean = scripted(env, 2);
    let { info } = env.reset(2);
    const answers: StepResult[] = [];
    let errors = 0;
    for (let n = 0; ; n++) {
      // before each step, try an out-of-range action and, when there is one, an empty slot
      expect(() => env.step(K + 1)).toThrow(`action must be a whole number 0..${K} or "wait", got ${K + 1}`);
      expect(() => env.step(1.5)).toThrow('action must be a whole number');
      const empty = info.jobs.indexOf('');
      if (empty >= 0) {
        expect(() => env.step(empty)).toThrow(`action ${empty}: slot ${empty} is empty`);
        errors++;
      }
      const full = info.jobs.findIndex((id, i) => id !== '' && !info.valid[i]);
      if (full >= 0) {
        expect(() => env.step(full)).toThrow(/does not fit now/);
        errors++;
      }
      const a = clean.actions[n]!;
      const s = env.step(a);
      answers.push(s);
      info = s.info;
      if (s.terminated) break;
    }
    expect(errors).toBeGreaterThan(0);
    expect(JSON.stringify(answers)).toBe(JSON.stringify(clean.answers));
    expect(() => env.step(0)).toThrow('the episode is over (terminated): call reset');
    expect(() => make().step(0)).toThrow('call reset before step');
  });

  it('truncates at max steps; waiting when nothing runs moves time to the next carbon step', () => {
    const env = make({ maxSteps: 3 });
    const r = env.reset(0);
    expect(r.info.valid.at(-1)).toBe(true);
    const t0 = r.observation.time_s;
    const w = env.step('wait');
    expect(w.observation.time_s).toBeGreaterThan(t0);
    env.step(0 + w.info.valid.indexOf(true));
    const last = env.step('wait');
    expect(last.truncated).toBe(true);
    expect(() => env.step('wait')).toThrow('truncated');
  });

  it('carbon-sim env --stdio answers a bad request with {"error"} and keeps serving', () => {
    const requests = ['{"op":"reset","seed":1}', 'not json', '{"op":"step"}', '{"op":"step","action":"later"}', '{"op":"fly"}', '{"op":"step","action":0}', '{"op":"close"}', '{"op":"step","action":0}'];
    const r = cli(['env', '--stdio', '--workload', logPath, '--cluster', 'swf', '--carbon', 'DE-2023', '--k', String(K), '--horizon', '6'], { input: requests.join('\n') + '\n' });
    expect(r.code).toBe(0);
    const answers = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(answers.length).toBe(7);
    const env = make();
    expect(answers[0]).toEqual(JSON.parse(JSON.stringify(env.reset(1))));
    expect(answers[1].error).toMatch(/^line 2: not JSON/);
    expect(answers[2]).toEqual({ error: 'step needs "action": a slot number 0..K-1, K or "wait"' });
    expect(answers[3]).toEqual({ error: `action must be a whole number 0..${K} or "wait", got "later"` });
    expect(answers[4]).toEqual({ error: 'unknown op "fly" (reset, step or close)' });
    expect(answers[5]).toEqual(JSON.parse(JSON.stringify(env.step(0))));
    expect(answers[6]).toEqual({ closed: true });
    const bad = cli(['env', '--stdio', '--workload', join(dir, 'none.swf'), '--cluster', 'swf', '--carbon', 'DE-2023']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`carbon-sim: error: ${join(dir, 'none.swf')} (field "workload"): no such file\n`);
  });
});
