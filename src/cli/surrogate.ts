// `carbon-sim surrogate train|eval`: run-time and energy surrogates from SWF logs (docs/learning.md).
// The learning modules (and TensorFlow.js, for training) are imported only when the command runs.
import { Option, type Command } from 'commander';
import { InputError } from '../errors.js';

export interface SurrogateTrainFlags {
  out: string;
  seed: string;
  epochs: string;
  hidden: string;
  batchSize: string;
  learningRate: string;
  trainFraction: string;
  limit?: string;
  format: 'table' | 'json';
}

export interface SurrogateEvalFlags {
  model: string;
  replay?: boolean;
  replayAll?: boolean;
  carbon: string;
  format: 'table' | 'json';
}

/** Add the `surrogate` command and its subcommands to the program (main.ts). */
export function registerSurrogate(cli: Command): void {
  const cmd = cli.command('surrogate').description('run-time and energy surrogates learnt from SWF logs: train, and evaluate against naive predictors (see docs/learning.md)');
  cmd
    .command('train')
    .description('train both surrogates on the first part of a log (in submit order), save them, and report the test part')
    .argument('<log>', 'SWF log, plain or gzip')
    .requiredOption('-o, --out <file>', 'model file to write (JSON)')
    .option('--seed <n>', 'seed of the initial weights and the shuffles', '0')
    .option('--epochs <n>', 'passes over the training jobs', '10')
    .option('--hidden <widths>', 'hidden layer widths, comma-separated', '32,16')
    .option('--batch-size <n>', 'jobs per gradient step', '512')
    .option('--learning-rate <x>', 'Adam step size', '0.003')
    .option('--train-fraction <f>', 'the first fraction of the jobs trains, the rest tests', '0.7')
    .option('--limit <n>', 'use only the first n jobs of the log (quick looks)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((log: string, opts: SurrogateTrainFlags) => trainCommand(log, opts));
  cmd
    .command('eval')
    .description("MAE, R2 and under-prediction rate on the model's test part, against the requested time and the user's last two runs")
    .argument('<log>', 'SWF log, plain or gzip (the one the model was trained on, for its test part)')
    .requiredOption('--model <file>', 'model file written by `surrogate train`')
    .option('--replay', 'also replay the test part under EASY and EASY on predicted run times (wait, bounded slowdown, energy, carbon)')
    .option('--replay-all', 'with --replay: also replay the whole log (the surrogate then predicts its own training jobs too)')
    .option('--carbon <trace>', 'carbon trace of the replay (repeated past its end)', 'DE-2023')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((log: string, opts: SurrogateEvalFlags) => evalCommand(log, opts));
}

function positiveInt(text: string, field: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !(v >= 1)) throw new InputError('bad_option', `"${text}" is not a positive whole number`, { field });
  return v;
}

function positiveNumber(text: string, field: string): number {
  const v = Number(text);
  if (text.trim() === '' || !(v > 0) || !Number.isFinite(v)) throw new InputError('bad_option', `"${text}" is not a positive number`, { field });
  return v;
}

async function loadTable(log: string) {
  const [{ readFileSync }, { decodeTextFile }, { parseSwf }, { swfFeatureTable }] = await Promise.all([
    import('node:fs'),
    import('../io/text.js'),
    import('../io/swf.js'),
    import('../learn/features.js'),
  ]);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(log);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: log, field: 'log' });
  }
  return swfFeatureTable(parseSwf(decodeTextFile(bytes, log, 'an SWF log'), { file: log }), { file: log });
}

export async function trainCommand(log: string, opts: SurrogateTrainFlags): Promise<void> {
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new InputError('bad_option', `"${opts.seed}" is not a whole number`, { field: 'seed' });
  const hidden = opts.hidden.split(',').map((h) => positiveInt(h, 'hidden'));
  const settings = {
    seed,
    epochs: positiveInt(opts.epochs, 'epochs'),
    hidden,
    batchSize: positiveInt(opts.batchSize, 'batch-size'),
    learningRate: positiveNumber(opts.learningRate, 'learning-rate'),
    trainFraction: positiveNumber(opts.trainFraction, 'train-fraction'),
    ...(opts.limit !== undefined && { limit: positiveInt(opts.limit, 'limit') }),
  };
  const table = await loadTable(log);
  const s = await import('../learn/surrogate.js');
  const model = await s.trainSurrogate(table, { ...settings, log: s.logName(log) });
  const rows = s.evaluateSurrogate(model, table);
  s.saveSurrogate(opts.out, model);
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify({ model: opts.out, training: model.training, metrics: rows }) + '\n');
    return;
  }
  const t = model.training;
  process.stdout.write(
    s.metricTable(rows, `carbon-sim surrogate train: ${log} | ${t.trainJobs} training jobs, ${t.testJobs} test jobs | seed ${t.seed}, ${t.epochs} epochs, hidden ${t.hidden.join('x')} | saved ${opts.out}`),
  );
}

export async function evalCommand(log: string, opts: SurrogateEvalFlags): Promise<void> {
  const s = await import('../learn/surrogate.js');
  const model = s.loadSurrogate(opts.model);
  let replay: Awaited<ReturnType<typeof s.replayWithPredictions>> | undefined;
  let table;
  if (opts.replay) {
    const { loadCarbon } = await import('../carbon/load.js');
    const carbon = loadCarbon(opts.carbon, { extend: 'repeat' });
    const input = s.loadSwfReplay(log);
    table = input.table;
    replay = s.replayWithPredictions(input, model, carbon, s.logName(log));
    if (opts.replayAll) replay.push(...s.replayWithPredictions(input, model, carbon, s.logName(log), 'all'));
  } else table = await loadTable(log);
  const rows = s.evaluateSurrogate(model, table);
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify({ model: opts.model, training: model.training, metrics: rows, ...(replay && { replay }) }) + '\n');
    return;
  }
  let out = s.metricTable(rows, `carbon-sim surrogate eval: ${log} | model ${opts.model} (trained on ${model.training.log || '?'}, ${model.training.trainJobs} jobs) | test jobs from #${model.training.trainJobs + 1}`);
  if (replay) out += `\nReplay on the log's machine, carbon ${opts.carbon} (repeated):\n\n` + s.replayTable(replay);
  process.stdout.write(out);
}
