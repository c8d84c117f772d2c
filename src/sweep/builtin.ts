// Built-in suites. `carbon-sim bench <name>` writes the suite and its input files into the output
// folder, then runs that folder's suite.json like any other: the folder says exactly what ran, and
// the suite can be copied and edited.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundledTracesDir } from '../carbon/load.js';
import { InputError } from '../errors.js';
import { parseWorkload } from '../io/trace.js';
import { writeFilesAtomically } from '../io/files.js';
import { synthesizeWorkloadCsv } from './synth.js';

export const SUITE_FILE = 'suite.json';

interface BuiltinSuite {
  suite: Record<string, unknown>;
  /** input files written next to suite.json */
  files(): Record<string, string>;
}

/** Schedulers other issues add; a built-in suite runs them once they are registered. */
const LATER_SCHEDULERS = ['lp', 'lowest-slot', 'lowest-window', 'carbon-time', 'ecovisor'];

function bundledWorkload(name: string): string {
  return readFileSync(join(dirname(bundledTracesDir()), 'workloads', name), 'utf8');
}

// Phased ML jobs: the powers measured for RoBERTa (thesis section 4.1, traces/workloads/roberta.csv),
// with durations scaled up to hours (20 min startup, 55 min epochs) so that slot-level decisions and
// every restart's startup matter.
const ML_STARTUP = [
  { name: 'Start', duration: 300, power: 59.9 },
  { name: 'Finish Imports', duration: 600, power: 53.77 },
  { name: 'Data loaded', duration: 300, power: 63.17 },
];
const ML_EPOCH = [
  { name: 'Train', duration: 2400, power: 221.93 },
  { name: 'Evaluate', duration: 600, power: 134.0 },
  { name: 'Save', duration: 300, power: 105.1, checkpoint: true },
];
const ML_EPOCHS = [1, 3, 6, 12];
const ML_JOBS = 24;
const ML_ARRIVAL_STEP_S = 5 * 3600;

function pyPhase(p: { name: string; duration: number; power: number; checkpoint?: boolean }): string {
  return `{'name': '${p.name}', 'duration': ${p.duration}, 'power': ${p.power}${p.checkpoint ? ", 'is_checkpoint': True" : ''}}`;
}

/** 24 ML jobs of 1, 3, 6 or 12 epochs arriving every 5 h, as `phases` or their constant mock. */
export function thesisWorkload(type: 'phases' | 'mocked-constant-from-phases'): string {
  const lines = ['id|arrival_time|length|cpus|name|args'];
  const startupS = ML_STARTUP.reduce((a, p) => a + p.duration, 0);
  const epochS = ML_EPOCH.reduce((a, p) => a + p.duration, 0);
  for (let k = 0; k < ML_JOBS; k++) {
    const epochs = ML_EPOCHS[k % ML_EPOCHS.length]!;
    const work = Array.from({ length: epochs }, () => ML_EPOCH.map(pyPhase).join(', ')).join(', ');
    const args = `{'startup': [${ML_STARTUP.map(pyPhase).join(', ')}], 'work': [${work}]}`;
    lines.push(`ml-${String(k + 1).padStart(2, '0')}|${k * ML_ARRIVAL_STEP_S}|${startupS + epochs * epochS}|1|${type}|${args}`);
  }
  return lines.join('\n') + '\n';
}

const PERF_SIZES = [10_000, 100_000, 1_000_000];
const PERF_SEED = 1;

function perfWorkloads(): Record<string, string> {
  const source = parseWorkload(bundledWorkload('pai_1k.csv'), { file: 'pai_1k.csv' });
  const files: Record<string, string> = {};
  for (const n of PERF_SIZES) files[`synth-pai-${n / 1000}k.csv`] = synthesizeWorkloadCsv(source, n, PERF_SEED);
  return files;
}

const SUITES: Record<string, BuiltinSuite> = {
  thesis: {
    suite: {
      name: 'thesis',
      description:
        'Overhead-aware vs overhead-oblivious scheduling of phased ML jobs (thesis section 4.4): the same 24 jobs as `phases` (startup repeated at every restart, checkpoints at each epoch) and as `mocked-constant-from-phases` (the overhead-free assumption).',
      schedulers: ['agnostic', 'oracle', 'waitawhile'],
      optional_schedulers: LATER_SCHEDULERS,
      carbon: ['DE-2023', 'GB-2023', 'US-CAL-CISO-2023'],
      max_wait: ['12h', '24h', '48h'],
      workloads: ['thesis-ml-phases.csv', 'thesis-ml-mocked.csv'],
    },
    files: () => ({ 'thesis-ml-phases.csv': thesisWorkload('phases'), 'thesis-ml-mocked.csv': thesisWorkload('mocked-constant-from-phases') }),
  },
  gaia: {
    suite: {
      name: 'gaia',
      description: "GAIA's policies on its pai_1k trace (one week, 1,000 jobs): queue-split waits (6hx24h: jobs under 2 h wait 6 h, others 24 h) and fixed waits.",
      schedulers: ['agnostic', 'oracle', 'waitawhile'],
      optional_schedulers: LATER_SCHEDULERS,
      carbon: ['US-CAL-CISO-2023', 'DE-2023'],
      max_wait: ['6hx24h', '24h', '48h'],
      workloads: ['pai_1k.csv'],
    },
    files: () => ({ 'pai_1k.csv': bundledWorkload('pai_1k.csv') }),
  },
  regions: {
    suite: {
      name: 'regions',
      description: 'Carbon saved by region and allowed wait, pai_1k (one week, 1,000 jobs).',
      schedulers: ['agnostic', 'oracle', 'waitawhile'],
      optional_schedulers: ['lowest-slot', 'carbon-time'],
      carbon: ['DE-2023', 'GB-2023', 'ES-2023', 'NO-2023', 'BR-2023', 'US-CAL-CISO-2023', 'US-TEX-ERCO-2024', 'CA-ON-2024', 'SG-2024'],
      max_wait: ['2h', '6h', '24h', '72h'],
      workloads: ['pai_1k.csv'],
    },
    files: () => ({ 'pai_1k.csv': bundledWorkload('pai_1k.csv') }),
  },
  perf: {
    suite: {
      name: 'perf',
      description:
        'Engine and scheduler speed: wall_s of 10k, 100k and 1M jobs resampled (seed 1) from the pai_1k distribution, arrivals over one week. Engine vs bare heap and solver times: node bench/perf.mjs.',
      schedulers: ['agnostic', 'oracle', 'waitawhile'],
      carbon: ['DE-2023'],
      max_wait: ['24h'],
      workloads: PERF_SIZES.map((n) => `synth-pai-${n / 1000}k.csv`),
    },
    files: perfWorkloads,
  },
};

export function builtinSuiteNames(): string[] {
  return Object.keys(SUITES);
}

/**
 * Write a built-in suite into dir (suite.json and its inputs) and return the suite file's path.
 * Files already there must be identical: an edited copy is run by its path, not by the name.
 */
export function materializeBuiltin(name: string, dir: string): string {
  const builtin = SUITES[name];
  if (!builtin) throw new InputError('unknown_suite', `"${name}" is neither a suite file nor a built-in suite (${builtinSuiteNames().join(', ')})`, { field: 'suite' });
  const files = { [SUITE_FILE]: JSON.stringify(builtin.suite, null, 2) + '\n', ...builtin.files() };
  for (const [file, text] of Object.entries(files)) {
    const path = join(dir, file);
    if (existsSync(path) && readFileSync(path, 'utf8') !== text) {
      throw new InputError('sweep_exists', `${path} differs from the built-in suite "${name}"; to run an edited copy give its path: carbon-sim bench ${join(dir, SUITE_FILE)} --out OTHER_DIR`, { file: path });
    }
  }
  writeFilesAtomically(dir, files);
  return join(dir, SUITE_FILE);
}
