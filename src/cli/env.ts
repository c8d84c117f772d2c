// `carbon-sim env --stdio`: the step API as JSON lines over stdin/stdout, and `carbon-sim agent`:
// train the example agent on the first part of a log and evaluate it on the rest (docs/learning.md).
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { InputError } from '../errors.js';
import { parseDuration } from '../io/units.js';

export interface EnvFlags {
  stdio?: boolean;
  workload: string;
  cluster: string;
  carbon: string;
  extend: 'none' | 'repeat' | 'hold';
  k: string;
  horizon: string;
  reward?: string;
  maxSteps?: string;
  episodeJobs?: string;
  jobs?: string;
  maxWait: string;
}

export interface AgentFlags extends Omit<EnvFlags, 'stdio' | 'jobs' | 'episodeJobs' | 'maxSteps'> {
  seed: string;
  trainFraction: string;
  episodeJobs: string;
  iterations: string;
  population: string;
  episodes: string;
  evalJobs?: string;
  out?: string;
  format: 'table' | 'json';
}

function envOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--workload <file>', 'workload: SWF log, GAIA CSV, typed | trace or Batsim JSON, plain or gzip')
    .requiredOption('--cluster <spec>', 'finite cluster: swf (the log\'s MaxProcs), procs:N, NxN{cpus:32,...} or a JSON / openb file')
    .requiredOption('--carbon <trace>', 'carbon intensity CSV file or bundled name (e.g. DE-2023)')
    .addOption(new Option('--extend <mode>', 'past the end of the carbon trace').choices(['none', 'repeat', 'hold']).default('repeat'))
    .option('--k <n>', 'queued jobs observed (actions 0..K-1 start them; K waits)', '8')
    .option('--horizon <hours>', 'hours of carbon forecast in the observation', '12')
    .option('--reward <weights>', 'reward weights, e.g. kwh=0,co2=1,wait=1,slowdown=0 (per kWh, kg CO2e, queued job-hour, bounded slowdown above 1)')
    .option('--max-wait <duration>', 'deadlines for the slack feature: maximum wait', '24h');
}

/** Add the `env` and `agent` commands to the program (main.ts). */
export function registerEnv(cli: Command): void {
  envOptions(
    cli
      .command('env')
      .description('the Gymnasium-style step API over the simulator as a JSON-lines protocol on stdin/stdout (see docs/learning.md)')
      .option('--stdio', 'serve requests {"op":"reset","seed":N}, {"op":"step","action":A}, {"op":"close"}, one JSON object per line'),
  )
    .option('--max-steps <n>', 'truncate episodes after this many steps')
    .option('--episode-jobs <n>', 'episodes are windows of this many jobs, drawn by the reset seed (default: all jobs)')
    .option('--jobs <from:to>', 'only jobs from..to-1 (arrival order, 0-based) make episodes')
    .action((opts: EnvFlags) => envCommand(opts));

  envOptions(
    cli
      .command('agent')
      .description('train the example linear agent (cross-entropy search) on the first part of a log, evaluate it on the held-out rest against FCFS and EASY'),
  )
    .option('--seed <n>', 'seed of the search and of the training windows', '0')
    .option('--train-fraction <f>', 'the first fraction of the jobs trains, the rest evaluates', '0.7')
    .option('--episode-jobs <n>', 'jobs per training episode (a window of the training part)', '1000')
    .option('--iterations <n>', 'cross-entropy iterations', '8')
    .option('--population <n>', 'candidate policies per iteration', '16')
    .option('--episodes <n>', 'training episodes per candidate (the same windows for all candidates of an iteration)', '2')
    .option('--eval-jobs <n>', 'evaluate on only the first n held-out jobs (default: all of them)')
    .option('--out <file>', 'write the trained weights and the results as JSON')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((opts: AgentFlags) => agentCommand(opts));
}

function wholeNumber(text: string, field: string, min = 1): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < min) throw new InputError('bad_option', `"${text}" is not a whole number >= ${min}`, { field });
  return v;
}

/** `kwh=0,co2=1,wait=1,slowdown=0` -> weights. */
export function parseRewardWeights(text: string): Record<string, number> {
  const keys: Record<string, string> = { kwh: 'kwh', co2: 'co2_kg', co2_kg: 'co2_kg', wait: 'wait_h', wait_h: 'wait_h', slowdown: 'slowdown' };
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [k, v, extra] = part.split('=');
    const key = keys[(k ?? '').trim()];
    const value = Number(v);
    if (key === undefined || extra !== undefined || v === undefined || v.trim() === '' || !Number.isFinite(value)) {
      throw new InputError('bad_option', `"${part}" is not a reward weight (kwh=X, co2=X, wait=X or slowdown=X)`, { field: 'reward' });
    }
    out[key] = value;
  }
  return out;
}

function commonEnvOptions(opts: Omit<EnvFlags, 'stdio'>) {
  return {
    workload: opts.workload,
    cluster: opts.cluster,
    carbon: opts.carbon,
    extend: opts.extend,
    k: wholeNumber(opts.k, 'k'),
    horizonH: wholeNumber(opts.horizon, 'horizon', 0),
    maxWaitS: parseDuration(opts.maxWait, 'max-wait'),
    ...(opts.reward !== undefined && { reward: parseRewardWeights(opts.reward) }),
  };
}

export async function envCommand(opts: EnvFlags): Promise<void> {
  if (!opts.stdio) throw new InputError('bad_option', 'carbon-sim env speaks JSON lines on stdin/stdout only: give --stdio', { field: 'stdio' });
  let jobRange: [number, number] | undefined;
  if (opts.jobs !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(opts.jobs.trim());
    if (!m) throw new InputError('bad_option', `"${opts.jobs}" is not a job range from:to`, { field: 'jobs' });
    jobRange = [Number(m[1]), Number(m[2])];
  }
  const { createEnv } = await import('../learn/env.js');
  const env = createEnv({
    ...commonEnvOptions(opts),
    ...(opts.maxSteps !== undefined && { maxSteps: wholeNumber(opts.maxSteps, 'max-steps') }),
    ...(opts.episodeJobs !== undefined && { episodeJobs: wholeNumber(opts.episodeJobs, 'episode-jobs') }),
    ...(jobRange && { jobRange }),
  });
  await serveLines(env);
}

/**
 * Answer one JSON object per input line until {"op":"close"} or the end of input. Lines that arrive
 * together are answered together: the answers are written once the chunk's lines are handled.
 */
function serveLines(env: import('../learn/env.js').Env): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
    let buffer = '';
    let scheduled = false;
    let closed = false;
    let lineNo = 0;
    const flush = (): void => {
      scheduled = false;
      if (buffer) {
        process.stdout.write(buffer);
        buffer = '';
      }
    };
    const answer = (value: unknown): void => {
      buffer += JSON.stringify(value) + '\n';
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    };
    const handle = (line: string): void => {
      lineNo++;
      if (line.trim() === '') return;
      let req: unknown;
      try {
        req = JSON.parse(line);
      } catch (err) {
        answer({ error: `line ${lineNo}: not JSON (${(err as Error).message})` });
        return;
      }
      if (req === null || typeof req !== 'object' || Array.isArray(req)) {
        answer({ error: `line ${lineNo}: a request is an object with "op": reset, step or close` });
        return;
      }
      const r = req as Record<string, unknown>;
      try {
        if (r.op === 'reset') {
          const seed = r.seed === undefined || r.seed === null ? 0 : r.seed;
          if (typeof seed !== 'number') throw new InputError('bad_request', `seed must be a whole number, got ${JSON.stringify(seed)}`, { field: 'seed' });
          answer(env.reset(seed));
        } else if (r.op === 'step') {
          if (!('action' in r)) throw new InputError('bad_request', 'step needs "action": a slot number 0..K-1, K or "wait"', { field: 'action' });
          const a = r.action;
          if (typeof a !== 'number' && a !== 'wait') throw new InputError('bad_action', `action must be a whole number 0..${env.k} or "wait", got ${JSON.stringify(a)}`, { field: 'action' });
          answer(env.step(a as number | 'wait'));
        } else if (r.op === 'close') {
          answer({ closed: true });
          closed = true;
          env.close();
          rl.close();
        } else {
          throw new InputError('bad_request', `unknown op ${JSON.stringify(r.op)} (reset, step or close)`, { field: 'op' });
        }
      } catch (err) {
        answer({ error: err instanceof InputError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}` });
      }
    };
    rl.on('line', (line) => {
      if (!closed) handle(line);
    });
    rl.on('close', () => {
      flush();
      process.stdin.destroy();
      resolve();
    });
  });
}

export async function agentCommand(opts: AgentFlags): Promise<void> {
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new InputError('bad_option', `"${opts.seed}" is not a whole number`, { field: 'seed' });
  const fraction = Number(opts.trainFraction);
  if (!(fraction > 0 && fraction < 1)) throw new InputError('bad_option', `train fraction must be between 0 and 1, got ${opts.trainFraction}`, { field: 'train-fraction' });
  const { trainAndEvaluate, agentTable } = await import('../learn/agent.js');
  const result = trainAndEvaluate({
    env: commonEnvOptions(opts),
    seed,
    trainFraction: fraction,
    episodeJobs: wholeNumber(opts.episodeJobs, 'episode-jobs'),
    iterations: wholeNumber(opts.iterations, 'iterations'),
    population: wholeNumber(opts.population, 'population', 2),
    episodes: wholeNumber(opts.episodes, 'episodes'),
    ...(opts.evalJobs !== undefined && { evalJobs: wholeNumber(opts.evalJobs, 'eval-jobs') }),
  });
  if (opts.out !== undefined) {
    const { writeFileSync } = await import('node:fs');
    try {
      writeFileSync(opts.out, JSON.stringify(result) + '\n');
    } catch (err) {
      throw new InputError('unwritable_file', `cannot write (${(err as NodeJS.ErrnoException).code})`, { file: opts.out, field: 'out' });
    }
  }
  process.stdout.write(opts.format === 'json' ? JSON.stringify(result) + '\n' : agentTable(result));
}
