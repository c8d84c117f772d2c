// Surrogates of run time and energy: small multilayer perceptrons trained with TensorFlow.js
// (@tensorflow/tfjs-layers on the pure-JavaScript CPU backend; why this library: docs/learning.md)
// on the first 70 % of an SWF log (in submit order), tested on the last 30 %. The trained weights
// are saved as JSON; predictions are a plain forward pass here, so loading and predicting need no
// TensorFlow at all (it is imported only to train).
//
// Labels: run time as recorded (field 4); energy from the engine's power model, since SWF logs
// carry no measured energy: processors x the busy draw of one processor (190 W, PROCESSOR_POWER)
// x run time, what the cluster meter charges for the job's processors while it runs.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { seededRandom } from '../model/random.js';
import { JOULES_PER_KWH } from '../carbon/signal.js';
import { PROCESSOR_POWER } from '../cluster/types.js';
import { InputError } from '../errors.js';
import { clusterSummary } from '../accounting/metrics.js';
import type { CarbonSignal } from '../carbon/signal.js';
import { simulate } from '../cluster/simulate.js';
import { clusterCapacity, readClusterSpec } from '../cluster/spec.js';
import type { ClusterSpec } from '../cluster/types.js';
import { parseSwf } from '../io/swf.js';
import { decodeTextFile } from '../io/text.js';
import { readWorkloadFile, toJobs } from '../io/trace.js';
import { maxWaitRule } from '../model/deadlines.js';
import type { Job } from '../model/jobs.js';
import { easyPolicy } from '../policies/batch.js';
import { easyPredictedPolicy, type RunTimePredictor } from '../policies/easy-predicted.js';
import type { ClusterView, Policy } from '../policies/types.js';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FeatureTracker,
  swfFeatureTable,
  type FeatureTable,
  type QueueState,
  type SubmitRecord,
  type TrackerOptions,
} from './features.js';

export const SURROGATE_FORMAT = 'carbon-sim-surrogate';
export const SURROGATE_VERSION = 1;
export const DEFAULT_TRAIN_FRACTION = 0.7;

/** A dense layer: out[o] = b[o] + sum_i in[i] w[i * outputs + o]; ReLU on all but the last layer. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  w: number[];
  b: number[];
}

/** One target: ln(value), standardised as (ln v - mean) / std, predicted by the network. */
export interface TargetModel {
  /** what the value is: 'run_time_s' or 'energy_kwh' */
  target: string;
  mean: number;
  std: number;
  /** predictions are clipped to [lnMin, lnMax] (the training range widened by ln 4 above) */
  lnMin: number;
  lnMax: number;
  layers: DenseLayer[];
}

export interface SurrogateModel {
  format: typeof SURROGATE_FORMAT;
  version: number;
  features: string[];
  scaler: { mean: number[]; std: number[] };
  runtime: TargetModel;
  energy: TargetModel;
  /** the energy label: processors x busyW x run time */
  power: { busyWPerProcessor: number };
  training: {
    log: string;
    jobs: number;
    trainJobs: number;
    testJobs: number;
    trainFraction: number;
    /** submit time (s) of the first test job */
    splitSubmitS: number;
    /** median run time of the training jobs: the fallback of the naive predictors */
    medianRunS: number;
    seed: number;
    epochs: number;
    batchSize: number;
    learningRate: number;
    hidden: number[];
    library: string;
  };
}

export interface TrainOptions {
  /** the log's name, recorded in the model */
  log?: string;
  seed?: number;
  /** passes over the training part; default 10 */
  epochs?: number;
  /** hidden layer widths; default [32, 16] */
  hidden?: number[];
  batchSize?: number;
  learningRate?: number;
  trainFraction?: number;
  /** processor busy draw for the energy label (W); default 190 */
  busyW?: number;
  /** use only the first `limit` jobs of the table (tests, quick looks) */
  limit?: number;
}

/** Index of the first test row: the first `fraction` of the jobs (in submit order) train. */
export function splitIndex(n: number, fraction = DEFAULT_TRAIN_FRACTION): number {
  if (!(fraction > 0 && fraction < 1)) throw new InputError('bad_option', `train fraction must be between 0 and 1, got ${fraction}`, { field: 'train-fraction' });
  return Math.min(n - 1, Math.max(1, Math.floor(n * fraction)));
}

export function energyKwh(size: number, runS: number, busyW: number): number {
  return (size * busyW * runS) / JOULES_PER_KWH;
}

interface TfModules {
  tf: typeof import('@tensorflow/tfjs-core');
  tfl: typeof import('@tensorflow/tfjs-layers');
}

let tfModules: Promise<TfModules> | undefined;

/** TensorFlow.js on its CPU backend, loaded once; PROD mode (no debug checks, no console notice). */
function loadTf(): Promise<TfModules> {
  tfModules ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, tfl };
  })();
  return tfModules;
}

/** Train both surrogates on the first part of the table. Deterministic for a seed. */
export async function trainSurrogate(table: FeatureTable, options: TrainOptions = {}): Promise<SurrogateModel> {
  const n = Math.min(table.rows.length, options.limit ?? Infinity);
  if (n < 20) throw new InputError('too_few_jobs', `${n} jobs are too few to train on (at least 20)`, { field: 'workload' });
  const fraction = options.trainFraction ?? DEFAULT_TRAIN_FRACTION;
  const split = splitIndex(n, fraction);
  const seed = options.seed ?? 0;
  const epochs = options.epochs ?? 10;
  const hidden = options.hidden ?? [32, 16];
  const batchSize = options.batchSize ?? 512;
  const learningRate = options.learningRate ?? 0.003;
  const busyW = options.busyW ?? PROCESSOR_POWER.busyW;
  for (const [name, v] of [['epochs', epochs], ['batch-size', batchSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InputError('bad_option', `${name} must be a positive whole number, got ${v}`, { field: name });
  }
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new InputError('bad_option', `hidden layers must be positive whole numbers, got ${hidden.join(',')}`, { field: 'hidden' });

  // feature scaler from the training part
  const mean = new Array<number>(FEATURE_COUNT).fill(0);
  const std = new Array<number>(FEATURE_COUNT).fill(0);
  for (let i = 0; i < split; i++) for (let f = 0; f < FEATURE_COUNT; f++) mean[f]! += table.x[i * FEATURE_COUNT + f]!;
  for (let f = 0; f < FEATURE_COUNT; f++) mean[f] = mean[f]! / split;
  for (let i = 0; i < split; i++) for (let f = 0; f < FEATURE_COUNT; f++) std[f]! += (table.x[i * FEATURE_COUNT + f]! - mean[f]!) ** 2;
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const s = Math.sqrt(std[f]! / split);
    std[f] = s > 1e-9 ? s : 1;
  }
  const xs = new Float32Array(split * FEATURE_COUNT);
  for (let i = 0; i < split * FEATURE_COUNT; i++) xs[i] = (table.x[i]! - mean[i % FEATURE_COUNT]!) / std[i % FEATURE_COUNT]!;
  const lnRun = new Float64Array(split);
  const lnEnergy = new Float64Array(split);
  for (let i = 0; i < split; i++) {
    lnRun[i] = Math.log(table.runS[i]!);
    lnEnergy[i] = Math.log(energyKwh(table.rows[i]!.submit.size, table.runS[i]!, busyW));
  }
  const fit = { seed, epochs, hidden, batchSize, learningRate };
  const runtime = await trainTarget('run_time_s', xs, lnRun, fit, 1);
  const energy = await trainTarget('energy_kwh', xs, lnEnergy, fit, 2);
  const sortedRuns = Float64Array.from(table.runS.subarray(0, split)).sort();
  return {
    format: SURROGATE_FORMAT,
    version: SURROGATE_VERSION,
    features: [...FEATURE_NAMES],
    scaler: { mean, std },
    runtime,
    energy,
    power: { busyWPerProcessor: busyW },
    training: {
      log: options.log ?? '',
      jobs: n,
      trainJobs: split,
      testJobs: n - split,
      trainFraction: fraction,
      splitSubmitS: table.rows[split]!.submit.submit,
      medianRunS: sortedRuns[Math.floor(split / 2)]!,
      seed,
      epochs,
      batchSize,
      learningRate,
      hidden,
      library: 'tensorflow.js 4.22 (tfjs-layers, cpu backend): dense ReLU network, Adam, mean squared error on the standardised log target',
    },
  };
}

interface FitSettings {
  seed: number;
  epochs: number;
  hidden: number[];
  batchSize: number;
  learningRate: number;
}

async function trainTarget(target: string, xs: Float32Array, ln: Float64Array, s: FitSettings, salt: number): Promise<TargetModel> {
  const { tf, tfl } = await loadTf();
  const n = ln.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += ln[i]!;
  m /= n;
  let v = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    v += (ln[i]! - m) ** 2;
    lo = Math.min(lo, ln[i]!);
    hi = Math.max(hi, ln[i]!);
  }
  const sd = Math.sqrt(v / n) || 1;
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) ys[i] = (ln[i]! - m) / sd;

  // seeded initialisers: the 32-bit seeds tfjs takes, derived from the run's seed
  const seedOf = (layer: number): number => (Math.abs(s.seed * 7919 + salt * 104729 + layer * 1299709) % 2147483647) + 1;
  const model = tfl.sequential();
  const widths = [...s.hidden, 1];
  widths.forEach((units, k) => {
    model.add(
      tfl.layers.dense({
        units,
        ...(k === 0 && { inputShape: [FEATURE_COUNT] }),
        activation: k < widths.length - 1 ? 'relu' : 'linear',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seedOf(k) }),
        biasInitializer: 'zeros',
      }),
    );
  });
  model.compile({ optimizer: tf.train.adam(s.learningRate), loss: 'meanSquaredError' });
  const rng = seededRandom(`${s.seed}:${target}`);
  const order = new Int32Array(n);
  const bx = new Float32Array(n * FEATURE_COUNT);
  const by = new Float32Array(n);
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    // a seeded shuffle each epoch (Fisher-Yates); fit itself does not shuffle
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      bx.set(xs.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT), i * FEATURE_COUNT);
      by[i] = ys[r]!;
    }
    const x = tf.tensor2d(bx, [n, FEATURE_COUNT]);
    const y = tf.tensor2d(by, [n, 1]);
    await model.fit(x, y, { epochs: 1, batchSize: s.batchSize, shuffle: false, verbose: 0 });
    x.dispose();
    y.dispose();
  }
  const layers: DenseLayer[] = model.layers.map((layer, k) => {
    const [kernel, bias] = layer.getWeights();
    const inputs = k === 0 ? FEATURE_COUNT : widths[k - 1]!;
    return { inputs, outputs: widths[k]!, w: Array.from(kernel!.dataSync()), b: Array.from(bias!.dataSync()) };
  });
  model.dispose();
  return { target, mean: m, std: sd, lnMin: lo, lnMax: hi + Math.log(4), layers };
}

const LOG2_SIZE = FEATURE_NAMES.indexOf('log2_size');
const LOG_REQUESTED = FEATURE_NAMES.indexOf('log_requested_s');
const REQUESTED_MISSING = FEATURE_NAMES.indexOf('requested_missing');

/** A model ready to predict: scratch buffers and the forward pass. */
export class Surrogate {
  private readonly scaled = new Float64Array(FEATURE_COUNT);
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(readonly model: SurrogateModel) {
    const widest = Math.max(FEATURE_COUNT, ...model.runtime.layers.map((l) => l.outputs), ...model.energy.layers.map((l) => l.outputs));
    this.a = new Float64Array(widest);
    this.b = new Float64Array(widest);
  }

  /**
   * Predicted run time (s) from a feature row (x[offset .. offset + FEATURE_COUNT)), capped at the
   * requested time when the job has one (as Tsafrir's predictor is: logs kill jobs at their limit).
   */
  runtimeS(x: ArrayLike<number>, offset = 0): number {
    const p = this.predict(this.model.runtime, x, offset);
    return x[offset + REQUESTED_MISSING] === 0 ? Math.min(p, Math.exp(x[offset + LOG_REQUESTED]!)) : p;
  }

  /** Predicted energy (kWh) from a feature row, capped at processors x busy draw x requested time. */
  energyKwh(x: ArrayLike<number>, offset = 0): number {
    const p = this.predict(this.model.energy, x, offset);
    if (x[offset + REQUESTED_MISSING] !== 0) return p;
    return Math.min(p, energyKwh(2 ** x[offset + LOG2_SIZE]!, Math.exp(x[offset + LOG_REQUESTED]!), this.model.power.busyWPerProcessor));
  }

  private predict(t: TargetModel, x: ArrayLike<number>, offset: number): number {
    const { mean, std } = this.model.scaler;
    const s = this.scaled;
    for (let f = 0; f < FEATURE_COUNT; f++) s[f] = (x[offset + f]! - mean[f]!) / std[f]!;
    let input: Float64Array = s;
    let out = this.a;
    const layers = t.layers;
    for (let k = 0; k < layers.length; k++) {
      const { inputs, outputs, w, b } = layers[k]!;
      for (let o = 0; o < outputs; o++) {
        let acc = b[o]!;
        for (let i = 0; i < inputs; i++) acc += input[i]! * w[i * outputs + o]!;
        out[o] = k < layers.length - 1 && acc < 0 ? 0 : acc;
      }
      input = out;
      out = out === this.a ? this.b : this.a;
    }
    const ln = input[0]! * t.std + t.mean;
    return Math.exp(Math.min(t.lnMax, Math.max(t.lnMin, ln)));
  }
}

// ---- saving and loading ----

/** The model as the file holds it: deterministic JSON, one line per top-level key is not needed. */
export function surrogateJson(model: SurrogateModel): string {
  return JSON.stringify(model) + '\n';
}

export function saveSurrogate(path: string, model: SurrogateModel): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, surrogateJson(model));
    renameSync(tmp, path);
  } catch (err) {
    throw new InputError('unwritable_file', `cannot write the model (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: path, field: 'out' });
  }
}

/** Read a model file; bad content is an InputError naming the file, the line (JSON syntax) and the field. */
export function loadSurrogate(path: string): SurrogateModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field: 'model' });
  }
  return parseSurrogate(text, path);
}

export function parseSurrogate(text: string, file = '<model>'): SurrogateModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new InputError('bad_json', `not valid JSON: ${msg}`, { file, ...(line !== undefined && { line }) });
  }
  const bad = (field: string, what: string): never => {
    throw new InputError('bad_model', what, { file, field });
  };
  const obj = (v: unknown, field: string): Record<string, unknown> => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(field, `${field} must be an object`);
    return v as Record<string, unknown>;
  };
  const num = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(field, `${field} must be a finite number, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const nums = (v: unknown, field: string, length: number): number[] => {
    if (!Array.isArray(v) || v.length !== length) bad(field, `${field} must be an array of ${length} numbers`);
    (v as unknown[]).forEach((x, i) => num(x, `${field}[${i}]`));
    return v as number[];
  };
  const m = obj(raw, 'model');
  if (m.format !== SURROGATE_FORMAT) bad('format', `not a carbon-sim surrogate model (format ${JSON.stringify(m.format)}, expected "${SURROGATE_FORMAT}")`);
  if (m.version !== SURROGATE_VERSION) bad('version', `model version ${JSON.stringify(m.version)} is not supported (expected ${SURROGATE_VERSION})`);
  const features = m.features;
  if (!Array.isArray(features) || features.join(',') !== FEATURE_NAMES.join(',')) {
    bad('features', `the model was trained on other features than this version computes (${FEATURE_COUNT}: ${FEATURE_NAMES.slice(0, 3).join(', ')}, ...)`);
  }
  const scaler = obj(m.scaler, 'scaler');
  nums(scaler.mean, 'scaler.mean', FEATURE_COUNT);
  nums(scaler.std, 'scaler.std', FEATURE_COUNT);
  (scaler.std as number[]).forEach((s, i) => s > 0 || bad(`scaler.std[${i}]`, `scaler.std[${i}] must be positive`));
  for (const key of ['runtime', 'energy'] as const) {
    const t = obj(m[key], key);
    for (const f of ['mean', 'std', 'lnMin', 'lnMax']) num(t[f], `${key}.${f}`);
    if (!Array.isArray(t.layers) || t.layers.length === 0) bad(`${key}.layers`, `${key}.layers must be a non-empty array`);
    let inputs: number = FEATURE_COUNT;
    (t.layers as unknown[]).forEach((l, k) => {
      const where = `${key}.layers[${k}]`;
      const layer = obj(l, where);
      if (num(layer.inputs, `${where}.inputs`) !== inputs) bad(`${where}.inputs`, `${where}.inputs must be ${inputs}`);
      const outputs = num(layer.outputs, `${where}.outputs`);
      if (!Number.isInteger(outputs) || outputs < 1) bad(`${where}.outputs`, `${where}.outputs must be a positive whole number`);
      nums(layer.w, `${where}.w`, inputs * outputs);
      nums(layer.b, `${where}.b`, outputs);
      inputs = outputs;
    });
    if (inputs !== 1) bad(`${key}.layers`, `the last layer of ${key} must have 1 output`);
  }
  const power = obj(m.power, 'power');
  num(power.busyWPerProcessor, 'power.busyWPerProcessor');
  const training = obj(m.training, 'training');
  num(training.medianRunS, 'training.medianRunS');
  num(training.trainJobs, 'training.trainJobs');
  return m as unknown as SurrogateModel;
}

// ---- evaluation against the naive predictors ----

export type PredictorName = 'surrogate' | 'requested' | 'last2';
export const PREDICTORS: readonly PredictorName[] = ['surrogate', 'requested', 'last2'];

export interface MetricRow {
  target: 'run time (s)' | 'energy (kWh)';
  /** which test jobs: all, or those with a requested time */
  subset: 'all' | 'with requested time';
  predictor: PredictorName;
  jobs: number;
  mae: number;
  r2: number;
  /** share of jobs predicted below their actual value */
  underRate: number;
  /** R2 of ln(value): the fit in relative terms, which long jobs do not dominate */
  r2Log: number;
}

/**
 * MAE, R2 and the under-prediction rate on the test part (rows from `model.training.trainJobs` on)
 * for the surrogate and the naive predictors: the user's requested time (jobs that have one), and
 * the mean of the user's last two finished runs capped at the requested time (Tsafrir et al. 2007;
 * no history yet: the requested time; neither: the training median). The surrogate is capped at the
 * requested time too. Energy predictions of the naive ones: processors x busy draw
 * x their run-time prediction.
 */
export function evaluateSurrogate(model: SurrogateModel, table: FeatureTable): MetricRow[] {
  const surrogate = new Surrogate(model);
  const from = model.training.trainJobs;
  const to = Math.min(table.rows.length, model.training.jobs);
  if (from >= to) throw new InputError('bad_model', `the model's split (${from} training jobs) leaves no test jobs in this log (${table.rows.length} jobs)`, { field: 'training.trainJobs' });
  const busyW = model.power.busyWPerProcessor;
  const median = model.training.medianRunS;
  const rows: MetricRow[] = [];
  const anyMissing = table.rows.slice(from, to).some((r) => Number.isNaN(r.submit.requestedS));
  const subsets: MetricRow['subset'][] = anyMissing ? ['all', 'with requested time'] : ['all'];
  for (const target of ['run time (s)', 'energy (kWh)'] as const) {
    for (const subset of subsets) {
      for (const predictor of PREDICTORS) {
        if (predictor === 'requested' && subset === 'all' && anyMissing) continue;
        const actual: number[] = [];
        const predicted: number[] = [];
        for (let i = from; i < to; i++) {
          const row = table.rows[i]!;
          const req = row.submit.requestedS;
          if (subset === 'with requested time' && Number.isNaN(req)) continue;
          const size = row.submit.size;
          const run = table.runS[i]!;
          let p: number;
          if (predictor === 'surrogate') {
            p = target === 'run time (s)' ? surrogate.runtimeS(table.x, i * FEATURE_COUNT) : surrogate.energyKwh(table.x, i * FEATURE_COUNT);
          } else {
            const last2 = table.lastTwoS[i]!;
            const runP = predictor === 'requested' ? req : lastTwoPrediction(last2, req, median);
            p = target === 'run time (s)' ? runP : energyKwh(size, runP, busyW);
          }
          actual.push(target === 'run time (s)' ? run : energyKwh(size, run, busyW));
          predicted.push(p);
        }
        const r2Log = metrics(actual.map(Math.log), predicted.map((p) => Math.log(Math.max(p, 1e-9)))).r2;
        rows.push({ target, subset, predictor, jobs: actual.length, ...metrics(actual, predicted), r2Log });
      }
    }
  }
  return rows;
}

/** Tsafrir et al.'s predictor: the mean of the user's last two runs, capped at the requested time; the requested time without history; else `fallback`. */
export function lastTwoPrediction(lastTwoS: number, requestedS: number, fallback: number): number {
  if (Number.isNaN(lastTwoS)) return Number.isNaN(requestedS) ? fallback : requestedS;
  return Number.isNaN(requestedS) ? lastTwoS : Math.min(lastTwoS, requestedS);
}

export function metrics(actual: readonly number[], predicted: readonly number[]): { mae: number; r2: number; underRate: number } {
  const n = actual.length;
  let mean = 0;
  for (const a of actual) mean += a;
  mean /= n;
  let abs = 0;
  let res = 0;
  let tot = 0;
  let under = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const p = predicted[i]!;
    abs += Math.abs(a - p);
    res += (a - p) ** 2;
    tot += (a - mean) ** 2;
    if (p < a) under++;
  }
  return { mae: abs / n, r2: tot > 0 ? 1 - res / tot : 0, underRate: under / n };
}

/** The metric rows as a markdown table. */
export function metricTable(rows: readonly MetricRow[], title = ''): string {
  const fmt = (v: number, d: number): string => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const lines = title ? [title, ''] : [];
  lines.push('| target | test jobs | predictor | jobs | MAE | R2 | under-predicted | R2 of ln |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const d = r.target === 'run time (s)' ? 0 : 2;
    lines.push(`| ${r.target} | ${r.subset} | ${r.predictor} | ${fmt(r.jobs, 0)} | ${fmt(r.mae, d)} | ${fmt(r.r2, 3)} | ${fmt(r.underRate, 3)} | ${fmt(r.r2Log, 3)} |`);
  }
  return lines.join('\n') + '\n';
}

export function logName(path: string): string {
  return basename(path).replace(/\.swf(\.gz)?$/i, '');
}

// ---- predictions inside a simulation, and EASY with them ----

/**
 * Features inside a simulation: the tracker fed with the simulated finishes, the queue state read
 * from the view at each submission. `records[j]` is job j's submission record (jobs in the
 * engine's order). Optionally warmed with the recorded history of earlier jobs.
 */
export class OnlineFeatures {
  readonly tracker: FeatureTracker;
  readonly row = new Float64Array(FEATURE_COUNT);

  constructor(
    readonly records: readonly SubmitRecord[],
    clock: TrackerOptions,
  ) {
    this.tracker = new FeatureTracker(clock);
  }

  /** Job j was submitted now: its features (in `row`, overwritten by the next call). */
  submitted(j: number, view: ClusterView): Float64Array {
    const rec = this.records[j]!;
    let queuedProcs = 0;
    for (let q = view.queueHead(); q !== -1; q = view.queueNext(q)) if (q !== j) queuedProcs += view.request(q).cpus;
    let busy = view.cluster?.busyCpus;
    if (busy === undefined) {
      busy = 0;
      for (let r = view.runningHead(); r !== -1; r = view.runningNext(r)) busy += view.request(r).cpus;
    }
    const queue: QueueState = { queuedJobs: view.queueLength - 1, queuedProcs, runningJobs: view.runningCount, busyProcs: busy };
    this.tracker.features(rec, queue, this.row, 0);
    this.tracker.submitted(rec);
    return this.row;
  }

  finished(j: number, view: ClusterView): void {
    this.tracker.finished(this.records[j]!, view.job(j).profile.durationS, view.now);
  }
}

/** Tsafrir's predictor online: the user's last two finished runs (capped at the requested time by the policy). */
export function lastTwoPredictor(online: OnlineFeatures, fallbackS: number): RunTimePredictor {
  return {
    name: 'last2',
    submitted(j, view) {
      online.submitted(j, view);
      const rec = online.records[j]!;
      return lastTwoPrediction(online.tracker.lastTwoMeanS(rec.user), rec.requestedS, fallbackS);
    },
    finished: (j, view) => online.finished(j, view),
  };
}

/** The trained run-time surrogate online. */
export function surrogatePredictor(online: OnlineFeatures, model: SurrogateModel): RunTimePredictor {
  const s = new Surrogate(model);
  return {
    name: 'surrogate',
    submitted: (j, view) => s.runtimeS(online.submitted(j, view)),
    finished: (j, view) => online.finished(j, view),
  };
}

/** An SWF log loaded as the engine replays it (`--cluster swf`), with each job's submission record. */
export interface SwfReplayInput {
  jobs: Job[];
  records: SubmitRecord[];
  table: FeatureTable;
  cluster: ClusterSpec;
}

export function loadSwfReplay(path: string, options: { maxWaitS?: number } = {}): SwfReplayInput {
  const workload = readWorkloadFile(path, { skipIncomplete: true });
  if (workload.format !== 'swf') throw new InputError('not_swf', `surrogates learn from SWF logs; this is a ${workload.format} workload`, { file: path, field: 'workload' });
  const cluster = readClusterSpec('swf', { swfHeader: workload.header, swfFile: path });
  const capacity = clusterCapacity(cluster).cpus;
  const specs = workload.specs.filter((s) => (s.size ?? s.cpus) <= capacity);
  const jobs = toJobs(specs, maxWaitRule(options.maxWaitS ?? 24 * 3600));
  const text = decodeTextFile(readFileBytes(path), path, 'an SWF log');
  const table = swfFeatureTable(parseSwf(text, { file: path }), { file: path });
  if (table.rows.length !== jobs.length || table.rows.some((r, i) => r.id !== jobs[i]!.id)) {
    throw new Error(`internal: the feature table of ${path} does not list the engine's jobs in its order`);
  }
  return { jobs, records: table.rows.map((r) => r.submit), table, cluster };
}

function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field: 'workload' });
  }
}

export interface ReplayRow {
  log: string;
  /** the test part alone, or the whole log */
  part: 'test' | 'all';
  policy: string;
  jobs: number;
  mean_wait_s: number;
  mean_bsld: number;
  energy_kwh: number;
  carbon_kg: number;
  utilisation: number;
}

/**
 * Plain EASY against EASY on predictions (the registry's template predictor, Tsafrir's last two,
 * the surrogate) on the test part of the log: the jobs from the model's split on, simulated alone
 * on the log's machine; the online predictors start with the recorded history of the training
 * jobs that had finished by the first test submission.
 */
export function replayWithPredictions(input: SwfReplayInput, model: SurrogateModel, carbon: CarbonSignal, log = '', part: 'test' | 'all' = 'test'): ReplayRow[] {
  const { jobs, records, table, cluster } = input;
  const trained = model.training.jobs === jobs.length ? model.training.trainJobs : splitIndex(jobs.length, model.training.trainFraction);
  // 'all': the whole log from an empty machine and no history; the surrogate sees its training jobs (in-sample)
  const split = part === 'all' ? 0 : trained;
  const test = jobs.slice(split);
  const testRecords = records.slice(split);
  const t0 = test[0]!.arrival;
  const clock = { capacity: table.capacity, timeZone: table.timeZone, unixStartS: table.unixStartS };
  const warm = (online: OnlineFeatures): OnlineFeatures => {
    const done = table.rows
      .slice(0, split)
      .map((r) => ({ rec: r.submit, run: r.outcome.runS, end: r.submit.submit + r.outcome.waitS + r.outcome.runS }))
      .filter((d) => d.end <= t0)
      .sort((a, b) => a.end - b.end);
    for (const d of done) online.tracker.finished(d.rec, d.run, d.end);
    return online;
  };
  const variants: [string, () => Policy][] = [
    ['easy', () => easyPolicy()],
    ['easy-predicted (template)', () => easyPredictedPolicy()],
    ['easy-predicted (last2)', () => easyPredictedPolicy({ predictor: lastTwoPredictor(warm(new OnlineFeatures(testRecords, clock)), model.training.medianRunS) })],
    ['easy-predicted (surrogate)', () => easyPredictedPolicy({ predictor: surrogatePredictor(warm(new OnlineFeatures(testRecords, clock)), model) })],
  ];
  return variants.map(([name, make]) => {
    const sim = simulate(test, { policy: make(), cluster, carbon, seed: 0 });
    const c = clusterSummary(sim.results, sim.cluster!, cluster.source);
    return {
      log,
      part,
      policy: name,
      jobs: test.length,
      mean_wait_s: c.mean_queue_wait_s,
      mean_bsld: c.mean_bounded_slowdown,
      energy_kwh: c.energy_kwh,
      carbon_kg: c.carbon_g / 1000,
      utilisation: c.utilisation,
    };
  });
}

export function replayTable(rows: readonly ReplayRow[]): string {
  const fmt = (v: number, d: number): string => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const lines = ['| log | jobs replayed | policy | jobs | mean wait (s) | mean bsld | energy (MWh) | carbon (t) | util |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    lines.push(`| ${r.log} | ${r.part === 'test' ? 'test part' : 'whole log'} | ${r.policy} | ${fmt(r.jobs, 0)} | ${fmt(r.mean_wait_s, 0)} | ${fmt(r.mean_bsld, 2)} | ${fmt(r.energy_kwh / 1000, 3)} | ${fmt(r.carbon_kg / 1000, 3)} | ${fmt(r.utilisation, 3)} |`);
  }
  return lines.join('\n') + '\n';
}
