// Built-in suites. `carbon-sim bench <name>` writes the suite and its input files into the output
// folder, then runs that folder's suite.json like any other: the folder says exactly what ran, and
// the suite can be copied and edited.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runWorkload } from '../app/run.js';
import { bundledTracesDir } from '../carbon/load.js';
import type { CarbonSignal } from '../carbon/signal.js';
import { JOULES_PER_KWH } from '../carbon/signal.js';
import { InputError } from '../errors.js';
import { parseWorkload } from '../io/trace.js';
import { writeFilesAtomically } from '../io/files.js';
import { maxWaitRule } from '../model/deadlines.js';
import type { Interval } from '../model/execution.js';
import type { CompiledProfile, Phase, PowerProfile } from '../model/profile.js';
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

// The `ml-overhead` suite's phased ML jobs (a synthetic demonstration, not the thesis's evaluation:
// that is the `thesis` suite below): the powers measured for RoBERTa (thesis section 4.1,
// traces/workloads/roberta.csv), with durations scaled up to hours (20 min startup, 55 min epochs)
// so that slot-level decisions and every restart's startup matter.
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

/** The `ml-overhead` suite's 24 ML jobs of 1, 3, 6 or 12 epochs arriving every 5 h, as `phases` or their constant mock. */
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

// ---------------------------------------------------------------------------------------------
// The thesis's own evaluation (Opitz 2024, chapter 5), rebuilt from its repository
// (github.com/Quacck/carbs: generate_evaluation_jobs.sh, src/power_consumption_profiles, results in
// results/simulation/evaluation_jobs). docs/thesis.md explains every choice below.

/** Job lengths (startup included) and waits of the evaluation. */
export const THESIS_LENGTHS_H = [1, 2, 4, 8, 16] as const;
export const THESIS_WAITS_H = [6, 12, 24, 48, 96] as const;
/** Work power patterns, repeated to fill the job: [power W, duration s] (generate_evaluation_jobs.sh). */
export const THESIS_PATTERNS = {
  balanced: [
    [200, 3600],
    [100, 3600],
  ],
  'long-high': [
    [200, 3600],
    [100, 1800],
  ],
  'short-high': [
    [200, 1800],
    [100, 3600],
  ],
} as const;
export type ThesisPattern = keyof typeof THESIS_PATTERNS;
export const THESIS_STARTUPS_S = [0, 300, 600, 1800] as const;
export const THESIS_STARTUP_POWERS_W = [100, 200] as const;
/** `phases`: the thesis's periodic-phases; `constant`: its constant-from-periodic-phases (averaged). */
export const THESIS_TYPES = ['phases', 'constant'] as const;
export type ThesisType = (typeof THESIS_TYPES)[number];
/** Baseline: GAIA's oracle as the thesis ran it (`carbon` policy, hourly starts from arrival); compared: lp, at most 5 starts. */
export const THESIS_SCHEDULERS = ['lowest-window --start-grid arrival', 'lp --max-starts 5'] as const;
export const THESIS_CARBON_FILE = 'carbs-de-2024-07.csv';
/** The thesis's carbon model reads 1,440 rows (60 days) from the start index (0: 2024-07-01 00:00 UTC). */
const THESIS_CARBON_ROWS = 1440;

/** One parameter group: a workload of the five job lengths. */
export interface ThesisGroup {
  type: ThesisType;
  pattern: ThesisPattern;
  startupS: number;
  startupW: number;
  file: string;
}

/** The 48 groups (2 types x 3 patterns x 4 startups x 2 startup powers), in a fixed order. */
export function thesisGroups(): ThesisGroup[] {
  const out: ThesisGroup[] = [];
  for (const type of THESIS_TYPES)
    for (const pattern of Object.keys(THESIS_PATTERNS) as ThesisPattern[])
      for (const startupS of THESIS_STARTUPS_S)
        for (const startupW of THESIS_STARTUP_POWERS_W) out.push({ type, pattern, startupS, startupW, file: `thesis-${type}-${pattern}-s${startupS}-p${startupW}.csv` });
  return out;
}

/**
 * A job of the group, `lengthS` long with its startup: periodic-phases repeats the pattern after
 * the startup until the length is reached, the last phase cut short (PeriodicPowerFunction);
 * constant-from-periodic-phases keeps the startup's and the work's durations at the average power
 * of the whole periodic job (periodic_phases_to_constant_via_average).
 */
export function thesisProfile(group: Pick<ThesisGroup, 'type' | 'pattern' | 'startupS' | 'startupW'>, lengthS: number): PowerProfile {
  const startup: Phase[] = group.startupS > 0 ? [{ name: 'startup', duration: group.startupS, power: group.startupW }] : [];
  const work: Phase[] = [];
  const pattern = THESIS_PATTERNS[group.pattern];
  for (let t = group.startupS, i = 0; t < lengthS; i++) {
    const [power, duration] = pattern[i % pattern.length]!;
    const d = Math.min(duration, lengthS - t);
    work.push({ name: power === 200 ? 'high' : 'low', duration: d, power });
    t += d;
  }
  if (group.type === 'phases') return { startup, work };
  const energy = [...startup, ...work].reduce((a, p) => a + p.duration * p.power, 0);
  const average = energy / lengthS;
  return {
    startup: group.startupS > 0 ? [{ name: 'startup', duration: group.startupS, power: average }] : [],
    work: [{ name: 'constant', duration: lengthS - group.startupS, power: average }],
  };
}

function pyPhases(phases: Phase[]): string {
  return `[${phases.map((p) => `{'name': '${p.name}', 'duration': ${p.duration}, 'power': ${p.power}}`).join(', ')}]`;
}

/** The workload files of the 48 groups: five jobs (1, 2, 4, 8, 16 h) arriving at 0, in the typed `|` format. */
export function thesisWorkloadFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const g of thesisGroups()) {
    const lines = ['id|arrival_time|length|cpus|name|args'];
    for (const h of THESIS_LENGTHS_H) {
      const p = thesisProfile(g, h * 3600);
      lines.push(`${h}h|0|${h * 3600}|1|phases|{'startup': ${pyPhases(p.startup)}, 'work': ${pyPhases(p.work)}}`);
    }
    files[g.file] = lines.join('\n') + '\n';
  }
  return files;
}

/**
 * Where the thesis's trace is read from: $CARBON_SIM_THESIS_TRACE, or the carbs export in
 * ../shared/data next to the package. It is not bundled: it is an Electricity Maps API export
 * whose terms are not established as allowing redistribution (traces/README.md).
 */
export function thesisTracePath(): string | undefined {
  const root = dirname(dirname(bundledTracesDir()));
  const candidates = [process.env.CARBON_SIM_THESIS_TRACE, join(root, '..', 'shared', 'data', 'carbon', 'carbs-de-2024', 'DE-hourly-start-july.csv')];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

/** The first 1,440 hourly rows of the thesis's trace (2024-07-01 00:00 UTC on), as the thesis read them. */
function thesisCarbonText(): string {
  const path = thesisTracePath();
  if (!path) {
    throw new InputError(
      'missing_input',
      "bench thesis needs the thesis's Germany trace DE-hourly-start-july.csv (github.com/Quacck/carbs src/traces/, Electricity Maps): set CARBON_SIM_THESIS_TRACE to its path",
      { field: 'suite' },
    );
  }
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l !== '');
  return lines.slice(0, THESIS_CARBON_ROWS + 1).join('\n') + '\n';
}

/**
 * The thesis's charging rule (carbon_waiting_policy.compute_carbon_consumption): the run seconds of
 * all intervals, concatenated, get the power of one uninterrupted run in order, the startup
 * included once; the seconds past its end draw nothing. Repeated startups are not charged.
 * Returns grams; for one uninterrupted interval it equals the engine's charge.
 */
export function thesisChargeG(profile: CompiledProfile, intervals: readonly Interval[], carbon: CarbonSignal): number {
  const offsets = profile.runOffsets;
  const powers = profile.runPowers;
  let sum = 0;
  let tau = 0; // run time before the interval
  for (const [s, e] of intervals) {
    const tauEnd = tau + (e - s);
    for (let k = 0; k + 1 < offsets.length; k++) {
      const a = Math.max(offsets[k]!, tau);
      const z = Math.min(offsets[k + 1]!, tauEnd);
      if (z > a && powers[k]! !== 0) sum += powers[k]! * carbon.integrate(s + (a - tau), s + (z - tau));
    }
    tau = tauEnd;
  }
  return sum / JOULES_PER_KWH;
}

/**
 * The thesis's results (results/simulation/evaluation_jobs in github.com/Quacck/carbs): per job
 * length and wait, the median over the parameter groups of the saving of suspend-resume (its MILP
 * with at most 5 starts and a 20-minute Gurobi time limit) against its `carbon` baseline, in %, with
 * the number of groups (one result file, periodic balanced 1800 s / 200 W / 12 h, is missing).
 */
export const THESIS_PUBLISHED: Record<ThesisType, Record<string, readonly [median: number, groups: number]>> = {
  phases: {
    '1h/6h': [0, 24], '1h/12h': [0, 23], '1h/24h': [0, 24], '1h/48h': [0, 24], '1h/96h': [0, 24],
    '2h/6h': [0, 24], '2h/12h': [0, 23], '2h/24h': [0, 24], '2h/48h': [0, 24], '2h/96h': [0, 24],
    '4h/6h': [0, 24], '4h/12h': [0, 23], '4h/24h': [0, 24], '4h/48h': [0, 24], '4h/96h': [0, 24],
    '8h/6h': [0, 24], '8h/12h': [0, 23], '8h/24h': [0.0044, 24], '8h/48h': [3.0785, 24], '8h/96h': [0, 24],
    '16h/6h': [0, 24], '16h/12h': [4.3517, 23], '16h/24h': [18.7997, 24], '16h/48h': [18.8123, 24], '16h/96h': [5.3289, 24],
  },
  constant: {
    '1h/6h': [0, 24], '1h/12h': [0, 24], '1h/24h': [0, 24], '1h/48h': [0, 24], '1h/96h': [0, 24],
    '2h/6h': [0, 24], '2h/12h': [0, 24], '2h/24h': [0, 24], '2h/48h': [0, 24], '2h/96h': [0, 24],
    '4h/6h': [0, 24], '4h/12h': [0, 24], '4h/24h': [0, 24], '4h/48h': [0, 24], '4h/96h': [0, 24],
    '8h/6h': [0, 24], '8h/12h': [0, 24], '8h/24h': [0, 24], '8h/48h': [5.2332, 24], '8h/96h': [0, 24],
    '16h/6h': [0, 24], '16h/12h': [4.522, 24], '16h/24h': [18.9865, 24], '16h/48h': [21.1261, 24], '16h/96h': [13.4019, 24],
  },
};

/** One job of the evaluation: the baseline's and lp's carbon (g), and lp's plan. */
export interface ThesisJobRow {
  group: ThesisGroup;
  lengthH: number;
  waitH: number;
  baselineG: number;
  /** lp as the engine charges it: every restart pays its startup */
  lpG: number;
  /** lp's plan under the thesis's charging rule (thesisChargeG) */
  lpThesisRuleG: number;
  lpStarts: number;
  lpIntervals: [number, number][];
}

/** Saving in % of x against the baseline. */
const saving = (base: number, x: number): number => (100 * (base - x)) / base;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Run the evaluation in this process from a folder holding the suite's inputs (materializeBuiltin):
 * per group, wait and job, the baseline and lp (carbon as the engine charges it, and lp's plan
 * under the thesis's rule).
 */
export async function thesisEvaluation(dir: string): Promise<ThesisJobRow[]> {
  const carbonPath = join(dir, THESIS_CARBON_FILE);
  let carbon: CarbonSignal | undefined;
  const rows: ThesisJobRow[] = [];
  for (const group of thesisGroups()) {
    for (const waitH of THESIS_WAITS_H) {
      const common = { workload: join(dir, group.file), deadlineRule: maxWaitRule(waitH * 3600), events: false };
      const base = await runWorkload({ ...common, carbon: carbon ?? carbonPath, ...(carbon ? {} : { carbonColumn: 'lca' as const }), scheduler: 'lowest-window', startGrid: 'arrival' });
      carbon ??= base.carbon;
      const lp = await runWorkload({ ...common, carbon, scheduler: 'lp', maxStarts: 5 });
      lp.simulation.results.forEach((r, i) => {
        const b = base.jobs[i]!;
        const l = lp.jobs[i]!;
        if (b.id !== l.id || r.job.id !== l.id) throw new Error('thesis evaluation: job order differs between runs (internal error)');
        rows.push({
          group,
          lengthH: r.job.profile.durationS / 3600,
          waitH,
          baselineG: b.carbon_g,
          lpG: l.carbon_g,
          lpThesisRuleG: thesisChargeG(r.job.profile, l.intervals, lp.carbon),
          lpStarts: l.interruptions + 1,
          lpIntervals: l.intervals,
        });
      });
    }
  }
  return rows;
}

/** Median savings (%) per type and cell `Lh/Wh`: under the thesis's rule and as the engine charges. */
export function thesisMedians(rows: readonly ThesisJobRow[]): Record<ThesisType, Record<string, { thesisRule: number; engine: number; groups: number }>> {
  const out = { phases: {}, constant: {} } as Record<ThesisType, Record<string, { thesisRule: number; engine: number; groups: number }>>;
  for (const type of THESIS_TYPES) {
    for (const L of THESIS_LENGTHS_H) {
      for (const w of THESIS_WAITS_H) {
        const cell = rows.filter((r) => r.group.type === type && r.lengthH === L && r.waitH === w);
        out[type][`${L}h/${w}h`] = {
          thesisRule: median(cell.map((r) => saving(r.baselineG, r.lpThesisRuleG))),
          engine: median(cell.map((r) => saving(r.baselineG, r.lpG))),
          groups: cell.length,
        };
      }
    }
  }
  return out;
}

/** The median saving tables beside the thesis's published ones, as markdown. */
export function thesisTable(rows: readonly ThesisJobRow[]): string {
  const medians = thesisMedians(rows);
  const f = (x: number): string => x.toFixed(2);
  const out: string[] = [
    "# bench thesis: median saving (%) against GAIA's oracle (hourly starts from arrival)",
    '',
    "Each cell: carbon-sim lp under the thesis's charging rule / carbon-sim lp as the engine charges it (every restart pays its startup) / the thesis's published result; median over the parameter groups (3 power patterns x 4 startups x 2 startup powers).",
  ];
  let within = 0;
  let cells = 0;
  let worst = Infinity;
  for (const type of THESIS_TYPES) {
    out.push('', `## ${type === 'phases' ? 'phases (periodic-phases)' : 'averaged constant (constant-from-periodic-phases)'}`, '');
    out.push(`| job | ${THESIS_WAITS_H.map((w) => `${w} h wait`).join(' | ')} |`, `| --- |${' --- |'.repeat(THESIS_WAITS_H.length)}`);
    for (const L of THESIS_LENGTHS_H) {
      const cellsOfRow = THESIS_WAITS_H.map((w) => {
        const key = `${L}h/${w}h`;
        const m = medians[type][key]!;
        const [published] = THESIS_PUBLISHED[type][key]!;
        cells++;
        if (m.thesisRule >= published - 0.5) within++;
        worst = Math.min(worst, m.thesisRule - published);
        return `${f(m.thesisRule)} / ${f(m.engine)} / ${f(published)}`;
      });
      out.push(`| ${L} h | ${cellsOfRow.join(' | ')} |`);
    }
  }
  out.push(
    '',
    `Under the thesis's charging rule carbon-sim is within 0.5 percentage points of the thesis or above it in ${within} of ${cells} cells (the largest shortfall: ${f(Math.max(0, -worst))} points). Where it saves more, the thesis's recorded plan costs more than lp's under the thesis MILP's own objective (every start charged its startup), mostly because that MILP stopped at its 20-minute time limit: docs/thesis.md, node bench/thesis.mjs --carbs DIR.`,
  );
  return out.join('\n') + '\n';
}

/**
 * What a built-in suite adds after its sweep, printed by `carbon-sim bench <name>` and written into
 * the folder; undefined for suites without one. `thesis`: thesis.md (the tables) and
 * thesis-jobs.csv (every job), after checking that the in-process runs reproduce the sweep's rows.
 */
export async function builtinReport(name: string, dir: string): Promise<string | undefined> {
  if (name !== 'thesis') return undefined;
  const rows = await thesisEvaluation(dir);
  checkAgainstSweep(rows, dir);
  const table = thesisTable(rows);
  const csv = ['type,pattern,startup_s,startup_w,length_h,wait_h,baseline_g,lp_g,lp_thesis_rule_g,lp_starts,lp_intervals'];
  for (const r of rows) {
    const g = r.group;
    csv.push([g.type, g.pattern, g.startupS, g.startupW, r.lengthH, r.waitH, r.baselineG, r.lpG, r.lpThesisRuleG, r.lpStarts, JSON.stringify(r.lpIntervals).replaceAll(',', ' ')].join(','));
  }
  writeFilesAtomically(dir, { 'thesis.md': table, 'thesis-jobs.csv': csv.join('\n') + '\n' });
  return table;
}

/** The per-job runs summed per workload must equal the sweep's rows for the same runs (when the sweep is there). */
function checkAgainstSweep(rows: readonly ThesisJobRow[], dir: string): void {
  const file = join(dir, 'results.jsonl');
  if (!existsSync(file)) return;
  const sums = new Map<string, number>();
  for (const r of rows) {
    for (const [scheduler, g] of [
      [THESIS_SCHEDULERS[0], r.baselineG],
      [THESIS_SCHEDULERS[1], r.lpG],
    ] as const) {
      const key = `${scheduler}|${r.waitH}h|${r.group.file}`;
      sums.set(key, (sums.get(key) ?? 0) + g);
    }
  }
  let matched = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { scheduler: string; max_wait: string; workload: string; carbon_g: number };
    const sum = sums.get(`${row.scheduler}|${row.max_wait}|${row.workload}`);
    if (sum === undefined) continue;
    matched++;
    if (Math.abs(sum - row.carbon_g) > 1e-9 * Math.max(1, Math.abs(row.carbon_g))) {
      throw new Error(`thesis report: ${row.scheduler} on ${row.workload}, ${row.max_wait}: ${sum} g in-process vs ${row.carbon_g} g in the sweep (internal error)`);
    }
  }
  if (matched !== sums.size) throw new Error(`thesis report: ${matched} of ${sums.size} runs found in ${file} (internal error)`);
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
        "The thesis's own evaluation (Opitz 2024, chapter 5; github.com/Quacck/carbs generate_evaluation_jobs.sh): one job each of 1, 2, 4, 8 and 16 h, startup included, arriving 2024-07-01 00:00 UTC on the thesis's Germany trace (Electricity Maps, life-cycle); 48 workloads: work alternating 200 W / 100 W (balanced 60/60 min, long-high 60/30, short-high 30/60) or its averaged constant x startup 0, 300, 600, 1800 s x 100 or 200 W; waits 6 to 96 h. Baseline GAIA's oracle (hourly starts from arrival), compared lp with at most 5 starts; the median saving table beside the thesis's published results is thesis.md in this folder (docs/thesis.md).",
      schedulers: [...THESIS_SCHEDULERS],
      carbon: [THESIS_CARBON_FILE],
      carbon_column: 'lca',
      max_wait: THESIS_WAITS_H.map((h) => `${h}h`),
      workloads: thesisGroups().map((g) => g.file),
    },
    files: () => ({ [THESIS_CARBON_FILE]: thesisCarbonText(), ...thesisWorkloadFiles() }),
  },
  'ml-overhead': {
    suite: {
      name: 'ml-overhead',
      description:
        'A synthetic demonstration of overhead-aware vs overhead-oblivious scheduling of phased ML jobs (not the thesis evaluation: bench thesis): the same 24 jobs, RoBERTa\'s measured powers scaled to hours, as `phases` (startup repeated at every restart, checkpoints at each epoch) and as `mocked-constant-from-phases` (the overhead-free assumption).',
      schedulers: ['agnostic', 'oracle', 'waitawhile'],
      optional_schedulers: LATER_SCHEDULERS,
      carbon: ['DE-2023', 'GB-2023', 'US-CAL-CISO-2023'],
      max_wait: ['12h', '24h', '48h'],
      workloads: ['ml-phases.csv', 'ml-mocked.csv'],
    },
    files: () => ({ 'ml-phases.csv': thesisWorkload('phases'), 'ml-mocked.csv': thesisWorkload('mocked-constant-from-phases') }),
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
