// An example agent for the step API: a linear policy trained by the cross-entropy method (seeded),
// on windows of the first part of a log, then evaluated once on the held-out later part against
// FCFS and EASY run through the engine on the same jobs. Nothing is tuned on the held-out part.
//
// The policy scores each startable observed job, w_s . [size, log estimate, log waited, log slack,
// carbon now vs the forecast mean, 1], and waiting, w_w . [carbon now vs mean, backlog, free share,
// 1]; it takes the best (ties: queue order). Its first mean (slot bias 1, wait bias -1) is the
// greedy policy: start the first observed job that fits, never wait.
import { clusterSummary, type ClusterSummary } from '../accounting/metrics.js';
import { simulate } from '../cluster/simulate.js';
import { easyPolicy, fcfsPolicy } from '../policies/batch.js';
import type { Policy } from '../policies/types.js';
import { InputError } from '../errors.js';
import { seededRandom } from '../model/random.js';
import { createEnv, loadEnvInputs, QUEUE_FEATURES, type Env, type EnvOptions, type Observation, type RewardWeights, type StepInfo } from './env.js';

const SLOT_W = 6;
const WAIT_W = 4;
export const AGENT_PARAMETERS = SLOT_W + WAIT_W;
const F_SIZE = QUEUE_FEATURES.indexOf('size_fraction');
const F_EST = QUEUE_FEATURES.indexOf('log1p_estimate_h');
const F_WAITED = QUEUE_FEATURES.indexOf('log1p_waited_h');
const F_SLACK = QUEUE_FEATURES.indexOf('log1p_slack_h');
const QF = QUEUE_FEATURES.length;

/** The greedy start: first fitting job, never wait. */
export function greedyWeights(): number[] {
  const w = new Array<number>(AGENT_PARAMETERS).fill(0);
  w[SLOT_W - 1] = 1;
  w[AGENT_PARAMETERS - 1] = -1;
  return w;
}

/** The action of the linear policy with weights w. */
export function act(w: readonly number[], obs: Observation, info: StepInfo, k: number): number {
  const c = obs.carbon;
  let mean = 0;
  for (const v of c) mean += v;
  mean = c.length ? mean / c.length : 0;
  const carbonRel = c.length && mean > 0 ? (c[0]! - mean) / mean : 0;
  let best = k;
  let bestScore = w[SLOT_W]! * carbonRel + w[SLOT_W + 1]! * obs.backlog_procs + w[SLOT_W + 2]! * obs.free_fraction + w[SLOT_W + 3]!;
  const q = obs.queue;
  for (let i = 0; i < k; i++) {
    if (!info.valid[i]) continue;
    const b = i * QF;
    const score = w[0]! * q[b + F_SIZE]! + w[1]! * q[b + F_EST]! + w[2]! * q[b + F_WAITED]! + w[3]! * q[b + F_SLACK]! + w[4]! * carbonRel + w[5]!;
    if (score > bestScore || (best === k && score === bestScore)) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** One episode under weights w: its return (sum of rewards) and the final summary. */
export function runEpisode(env: Env, w: readonly number[], seed: number): { return: number; steps: number; truncated: boolean; summary: ClusterSummary | undefined } {
  let { observation, info } = env.reset(seed);
  let ret = 0;
  let steps = 0;
  for (;;) {
    const s = env.step(act(w, observation, info, env.k));
    ret += s.reward;
    steps++;
    observation = s.observation;
    info = s.info;
    if (s.terminated || s.truncated) return { return: ret, steps, truncated: s.truncated, summary: info.summary };
  }
}

export interface AgentOptions {
  env: Omit<EnvOptions, 'jobRange' | 'episodeJobs' | 'maxSteps'>;
  seed?: number;
  trainFraction?: number;
  episodeJobs?: number;
  iterations?: number;
  population?: number;
  episodes?: number;
  /** evaluate on only the first n held-out jobs */
  evalJobs?: number;
}

export interface AgentRow {
  policy: string;
  jobs: number;
  mean_wait_s: number;
  mean_bsld: number;
  energy_kwh: number;
  carbon_kg: number;
  /** minus the weighted kWh, kg CO2e, queued job-hours and slowdown excess: the env's return */
  return: number;
}

export interface AgentResult {
  seed: number;
  reward: RewardWeights;
  trainJobs: [number, number];
  evalJobs: [number, number];
  weights: number[];
  /** per iteration: mean and best fitness (mean training return) of the population */
  training: { iteration: number; mean: number; best: number }[];
  evaluation: AgentRow[];
}

/** The env's return, from a run's summary: what the rewards add up to over an episode. */
export function summaryReturn(c: ClusterSummary, jobs: number, w: RewardWeights): number {
  return -(w.kwh * c.energy_kwh + w.co2_kg * (c.carbon_g / 1000) + w.wait_h * ((c.mean_queue_wait_s * jobs) / 3600) + w.slowdown * (c.mean_bounded_slowdown - 1) * jobs);
}

export function trainAndEvaluate(options: AgentOptions): AgentResult {
  const seed = options.seed ?? 0;
  const fraction = options.trainFraction ?? 0.7;
  const iterations = options.iterations ?? 8;
  const population = options.population ?? 16;
  const episodes = options.episodes ?? 2;
  const { jobs, cluster, carbon } = loadEnvInputs(options.env);
  const split = Math.floor(jobs.length * fraction);
  const episodeJobs = Math.min(options.episodeJobs ?? 1000, split);
  if (split < 2 || split >= jobs.length) throw new InputError('too_few_jobs', `${jobs.length} jobs do not split into a training and a held-out part at ${fraction}`, { field: 'train-fraction' });
  const evalEnd = Math.min(jobs.length, split + (options.evalJobs ?? jobs.length));
  const base = { ...options.env, workload: jobs, cluster, carbon };
  // A policy may wait for ever (waiting moves time to the next carbon step): episodes are truncated
  // at 20 steps per job, which such a policy's queued-hours penalty makes the worst of returns.
  const trainEnv = createEnv({ ...base, jobRange: [0, split], episodeJobs, maxSteps: 20 * episodeJobs });
  const rng = seededRandom(`agent:${seed}`);
  const gauss = (): number => {
    const u = 1 - rng();
    const v = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  let mu = greedyWeights();
  let sigma = new Array<number>(AGENT_PARAMETERS).fill(1);
  const elite = Math.max(2, Math.ceil(population / 4));
  const training: AgentResult['training'] = [];
  for (let it = 0; it < iterations; it++) {
    // common windows for every candidate of the iteration
    const windows = Array.from({ length: episodes }, () => Math.floor(rng() * 2 ** 31));
    const candidates: { w: number[]; fit: number }[] = [];
    for (let p = 0; p < population; p++) {
      const w = p === 0 ? mu.slice() : mu.map((m, d) => m + sigma[d]! * gauss());
      let fit = 0;
      for (const s of windows) fit += runEpisode(trainEnv, w, s).return;
      candidates.push({ w, fit: fit / episodes });
    }
    candidates.sort((a, b) => b.fit - a.fit);
    const top = candidates.slice(0, elite);
    mu = mu.map((_, d) => top.reduce((a, c) => a + c.w[d]!, 0) / elite);
    sigma = sigma.map((_, d) => Math.max(0.05, Math.sqrt(top.reduce((a, c) => a + (c.w[d]! - mu[d]!) ** 2, 0) / elite)));
    training.push({ iteration: it + 1, mean: candidates.reduce((a, c) => a + c.fit, 0) / population, best: candidates[0]!.fit });
  }

  // the held-out part, once, as one episode
  const held = jobs.slice(split, evalEnd);
  const evalEnv = createEnv({ ...base, jobRange: [split, evalEnd], maxSteps: 20 * held.length });
  const weights = evalEnv.reward;
  const rows: AgentRow[] = [];
  const row = (policy: string, c: ClusterSummary | undefined, ret?: number): AgentRow =>
    c === undefined
      ? { policy: `${policy}: truncated at ${20 * held.length} steps`, jobs: held.length, mean_wait_s: NaN, mean_bsld: NaN, energy_kwh: NaN, carbon_kg: NaN, return: ret ?? NaN }
      : {
          policy,
          jobs: held.length,
          mean_wait_s: c.mean_queue_wait_s,
          mean_bsld: c.mean_bounded_slowdown,
          energy_kwh: c.energy_kwh,
          carbon_kg: c.carbon_g / 1000,
          return: ret ?? summaryReturn(c, held.length, weights),
        };
  for (const [name, make] of [
    ['fcfs', fcfsPolicy],
    ['easy', () => easyPolicy()],
  ] as [string, () => Policy][]) {
    const sim = simulate(held, { policy: make(), cluster, carbon, seed });
    rows.push(row(name, clusterSummary(sim.results, sim.cluster!, cluster.source)));
  }
  const greedy = runEpisode(evalEnv, greedyWeights(), seed);
  rows.push(row('greedy (env, first fit)', greedy.summary, greedy.return));
  const agent = runEpisode(evalEnv, mu, seed);
  rows.push(row('agent (env, CEM linear)', agent.summary, agent.return));
  return { seed, reward: weights, trainJobs: [0, split], evalJobs: [split, evalEnd], weights: mu, training, evaluation: rows };
}

export function agentTable(r: AgentResult): string {
  const fmt = (v: number, d: number): string => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const w = r.reward;
  const lines = [
    `carbon-sim agent: trained on jobs ${r.trainJobs[0]}..${r.trainJobs[1] - 1}, evaluated on ${r.evalJobs[0]}..${r.evalJobs[1] - 1} | seed ${r.seed} | reward -(${w.kwh} kWh + ${w.co2_kg} kg CO2e + ${w.wait_h} queued job-h + ${w.slowdown} slowdown excess)`,
    '',
    '| iteration | mean training return | best |',
    '| ---: | ---: | ---: |',
    ...r.training.map((t) => `| ${t.iteration} | ${fmt(t.mean, 1)} | ${fmt(t.best, 1)} |`),
    '',
    '| policy | jobs | mean wait (s) | mean bsld | energy (MWh) | carbon (t) | return |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.evaluation.map((e) => `| ${e.policy} | ${fmt(e.jobs, 0)} | ${fmt(e.mean_wait_s, 0)} | ${fmt(e.mean_bsld, 2)} | ${fmt(e.energy_kwh / 1000, 3)} | ${fmt(e.carbon_kg / 1000, 3)} | ${fmt(e.return, 1)} |`),
    '',
    `weights: slot [size, log est, log waited, log slack, carbon, bias] = [${r.weights.slice(0, SLOT_W).map((x) => x.toFixed(3)).join(', ')}]; wait [carbon, backlog, free, bias] = [${r.weights.slice(SLOT_W).map((x) => x.toFixed(3)).join(', ')}]`,
  ];
  return lines.join('\n') + '\n';
}
