// `carbon-sim bench placement`: the FGD / PWR evaluation protocol as a built-in suite. Seeds 42-51
// x the peers' 11 policies on the default openb trace (read from its path: the data is for
// research use only and is not bundled), each run as in cluster/placement/protocol.ts; then GRAR
// at x = 1 and power saving vs FGD at x = 0.2, 0.5, 0.8, 0.9, 1.0, curves (power, GRAR,
// fragmentation vs x: mean and spread over seeds) as CSV and in an HTML report.
//
// Self-contained: it does not go through the scheduler sweep's runner. Runs go to worker threads
// when the package is built (dist/index.js next to this bundle), else run in this thread.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkpoints, peersAllocAt, runProtocol, valueAt, type ProtocolRun } from '../cluster/placement/protocol.js';
import { TIE_RULES, type TieRule } from '../cluster/placement/placer.js';
import { defaultPlacementPower, POWER_MODES, type PowerMode } from '../cluster/placement/power.js';
import { parsePlacementPolicy } from '../cluster/placement/registry.js';
import { InputError } from '../errors.js';
import { csvField } from '../io/csv.js';
import { writeFilesAtomically } from '../io/files.js';
import { knownModels, readOpenbNodes, readOpenbPods, type OpenbPod } from '../io/openb.js';
import type { PlacementNode } from '../cluster/placement/state.js';

export const PLACEMENT_SUITE = 'placement';

/** The peers' 11 policies (PWR's experiments/run_scripts/generate_run_scripts.py). */
export const PLACEMENT_POLICIES = [
  'random',
  'dotprod',
  'gpuclustering',
  'gpupacking',
  'bestfit',
  'fgd',
  'pwr',
  'pwr=500,fgd=500',
  'pwr=200,fgd=800',
  'pwr=100,fgd=900',
  'pwr=50,fgd=950',
];
export const PLACEMENT_SEEDS = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51];
export const PLACEMENT_CHECKPOINTS = [0.2, 0.5, 0.8, 0.9, 1.0];

export interface PlacementSuite {
  kind: 'placement';
  name: string;
  /** openb node list (or JSON node file) */
  nodes: string;
  /** openb pod list */
  pods: string;
  seeds: number[];
  policies: string[];
  ratio: number;
  ties: TieRule;
  power_model: PowerMode;
  checkpoints: number[];
  /** the policy power savings are measured against */
  baseline: string;
}

/** Where the openb data is: $CARBON_SIM_OPENB, else ../shared/data/workloads/openb from here or the package. */
export function openbDataDir(): string | undefined {
  const env = process.env.CARBON_SIM_OPENB;
  if (env) return env;
  const candidates = [resolve('..', 'shared', 'data', 'workloads', 'openb'), resolve('shared', 'data', 'workloads', 'openb')];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    candidates.push(join(dir, '..', 'shared', 'data', 'workloads', 'openb'));
    dir = dirname(dir);
  }
  return candidates.find((c) => existsSync(join(c, 'openb_pod_list_default.csv')));
}

/** The built-in suite, on the openb files found by openbDataDir. */
export function builtinPlacementSuite(): PlacementSuite {
  const dir = openbDataDir();
  if (dir === undefined) {
    throw new InputError(
      'no_openb_data',
      'the openb trace was not found (research use only, so it is not bundled): set CARBON_SIM_OPENB to the folder with openb_node_list_gpu_node.csv and openb_pod_list_default.csv, or give a placement suite file',
      { field: 'suite' },
    );
  }
  return {
    kind: 'placement',
    name: PLACEMENT_SUITE,
    nodes: join(dir, 'openb_node_list_gpu_node.csv'),
    pods: join(dir, 'openb_pod_list_default.csv'),
    seeds: PLACEMENT_SEEDS,
    policies: PLACEMENT_POLICIES,
    ratio: 1.3,
    ties: 'ranked',
    power_model: 'binary',
    checkpoints: PLACEMENT_CHECKPOINTS,
    baseline: 'fgd',
  };
}

/** `placement`, or a JSON file whose "kind" is "placement". */
export function isPlacementSuite(arg: string): boolean {
  if (arg === PLACEMENT_SUITE) return !(existsSync(arg) && statSync(arg).isFile());
  if (!arg.endsWith('.json') || !existsSync(arg) || !statSync(arg).isFile()) return false;
  try {
    const v = JSON.parse(readFileSync(arg, 'utf8')) as { kind?: unknown };
    return v?.kind === 'placement';
  } catch {
    return false;
  }
}

const SUITE_KEYS = ['kind', 'name', 'nodes', 'pods', 'seeds', 'policies', 'ratio', 'ties', 'power_model', 'checkpoints', 'baseline'];

/** A placement suite file: the built-in suite's keys, each optional but kind; paths relative to the file. */
export function parsePlacementSuite(text: string, file: string): PlacementSuite {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new InputError('bad_json', `not valid JSON: ${(err as Error).message}`, { file });
  }
  for (const k of Object.keys(o)) if (!SUITE_KEYS.includes(k)) throw new InputError('unknown_key', `unknown key "${k}" (keys: ${SUITE_KEYS.join(', ')})`, { file, field: k });
  const dir = dirname(resolve(file));
  const base = (): PlacementSuite => {
    try {
      return builtinPlacementSuite();
    } catch {
      return { kind: 'placement', name: 'placement', nodes: '', pods: '', seeds: PLACEMENT_SEEDS, policies: PLACEMENT_POLICIES, ratio: 1.3, ties: 'ranked', power_model: 'binary', checkpoints: PLACEMENT_CHECKPOINTS, baseline: 'fgd' };
    }
  };
  const s = base();
  const path = (k: 'nodes' | 'pods'): string => {
    const v = o[k];
    if (v === undefined) {
      if (s[k] === '') throw new InputError('missing_field', `no "${k}" file (and the openb data was not found for the default)`, { file, field: k });
      return s[k];
    }
    if (typeof v !== 'string' || v === '') throw new InputError('wrong_type', `"${k}" must be a file path`, { file, field: k });
    return resolve(dir, v);
  };
  const numbers = (k: 'seeds' | 'checkpoints', integer: boolean): number[] => {
    const v = o[k];
    if (v === undefined) return s[k];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && (!integer || Number.isInteger(x)))) {
      throw new InputError('wrong_type', `"${k}" must be a non-empty list of ${integer ? 'whole numbers' : 'numbers'} >= 0`, { file, field: k });
    }
    return v as number[];
  };
  const policies = o.policies === undefined ? s.policies : o.policies;
  if (!Array.isArray(policies) || policies.length === 0 || !policies.every((p) => typeof p === 'string')) {
    throw new InputError('wrong_type', '"policies" must be a non-empty list of policy texts (fgd, pwr=200,fgd=800, ...)', { file, field: 'policies' });
  }
  const names = policies.map((p: string, i: number) => {
    try {
      return parsePlacementPolicy(p, `policies[${i}]`).name;
    } catch (err) {
      if (err instanceof InputError) err.at({ file });
      throw err;
    }
  });
  const baseline = o.baseline === undefined ? s.baseline : o.baseline;
  if (typeof baseline !== 'string') throw new InputError('wrong_type', '"baseline" must be a policy text', { file, field: 'baseline' });
  const baselineName = parsePlacementPolicy(baseline, 'baseline').name;
  if (!names.includes(baselineName)) throw new InputError('bad_value', `baseline "${baselineName}" is not one of the policies`, { file, field: 'baseline' });
  const ratio = o.ratio === undefined ? s.ratio : o.ratio;
  if (typeof ratio !== 'number' || !(ratio >= 0)) throw new InputError('wrong_type', '"ratio" must be a number >= 0 (0: no inflation)', { file, field: 'ratio' });
  const ties = o.ties === undefined ? s.ties : o.ties;
  if (!TIE_RULES.includes(ties as TieRule)) throw new InputError('bad_value', `"ties" must be one of ${TIE_RULES.join(', ')}`, { file, field: 'ties' });
  const power = o.power_model === undefined ? s.power_model : o.power_model;
  if (!POWER_MODES.includes(power as PowerMode)) throw new InputError('bad_value', `"power_model" must be one of ${POWER_MODES.join(', ')}`, { file, field: 'power_model' });
  const name = o.name === undefined ? 'placement' : o.name;
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw new InputError('bad_value', '"name" must be letters, digits, . _ -', { file, field: 'name' });
  return {
    kind: 'placement',
    name,
    nodes: path('nodes'),
    pods: path('pods'),
    seeds: numbers('seeds', true),
    policies: names,
    ratio,
    ties: ties as TieRule,
    power_model: power as PowerMode,
    checkpoints: numbers('checkpoints', false),
    baseline: baselineName,
  };
}

/** What one run keeps: its numbers at the checkpoints and its curves on the x grid. */
export interface PlacementRunRow {
  policy: string;
  seed: number;
  arrivals: number;
  placed: number;
  failed: number;
  never_fit: number;
  ms: number;
  /** at each checkpoint, in suite order */
  grar: number[];
  power_w: number[];
  frag_ratio: number[];
  /** the FGD artifact's reading: mean allocated % over arrivals whose arrived share rounds to 100 % */
  peers_alloc_pct_at_100: number;
  /** curves on GRID */
  curve_power_w: number[];
  curve_grar: number[];
  curve_frag_ratio: number[];
}

/** x grid of the curves: 0.01 .. 1.30. */
export const GRID = Array.from({ length: 130 }, (_, i) => Math.round((i + 1) * 10) / 1000);

let inputs: { key: string; nodes: PlacementNode[]; pods: OpenbPod[] } | undefined;

/** The suite's nodes and pods, read once per thread. */
function suiteInputs(nodesFile: string, podsFile: string): { nodes: PlacementNode[]; pods: OpenbPod[] } {
  const key = `${nodesFile}\n${podsFile}`;
  if (inputs?.key !== key) {
    const { spec, nodes } = readOpenbNodes(nodesFile);
    inputs = { key, nodes, pods: readOpenbPods(podsFile, { models: knownModels(spec) }) };
  }
  return inputs;
}

/** One protocol run reduced to its row (what a worker thread runs). */
export function placementRow(suite: PlacementSuite, policy: string, seed: number): PlacementRunRow {
  const { nodes, pods } = suiteInputs(suite.nodes, suite.pods);
  return rowOf(
    runProtocol({ nodes, pods, policy, seed, ratio: suite.ratio, ties: suite.ties, power: defaultPlacementPower(suite.power_model) }),
    suite.checkpoints,
  );
}

function rowOf(run: ProtocolRun, xs: readonly number[]): PlacementRunRow {
  const cp = checkpoints(run, xs);
  const grid = checkpoints(run, GRID);
  return {
    policy: run.policy,
    seed: run.seed,
    arrivals: run.arrivals,
    placed: run.placed,
    failed: run.failed,
    never_fit: run.neverFit,
    ms: Math.round(run.ms),
    grar: cp.map((c) => c.grar),
    power_w: cp.map((c) => c.powerW),
    frag_ratio: cp.map((c) => c.fragRatio),
    peers_alloc_pct_at_100: peersAllocAt(run, 100),
    curve_power_w: grid.map((c) => c.powerW),
    curve_grar: grid.map((c) => c.grar),
    curve_frag_ratio: grid.map((c) => c.fragRatio),
  };
}

export interface PlacementSuiteOptions {
  outDir: string;
  /** worker threads; default: cores (at most the runs) */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PlacementSuiteOutcome {
  rows: PlacementRunRow[];
  summary: string;
  ms: number;
}

/** Run every (seed, policy), write the results into outDir. */
export async function runPlacementSuite(suite: PlacementSuite, options: PlacementSuiteOptions): Promise<PlacementSuiteOutcome> {
  const t0 = performance.now();
  // read (and check) the inputs here first, so bad input fails before any run or output
  const { nodes, pods } = suiteInputs(suite.nodes, suite.pods);
  const tasks: { policy: string; seed: number }[] = [];
  for (const seed of suite.seeds) for (const policy of suite.policies) tasks.push({ policy, seed });
  const rows: PlacementRunRow[] = new Array(tasks.length);
  let done = 0;
  const library = builtLibrary();
  const threads = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  if (library && threads > 1) {
    await runOnWorkers(library, suite, tasks, rows, threads, () => options.onProgress?.(++done, tasks.length));
  } else {
    for (const [i, t] of tasks.entries()) {
      const run = runProtocol({ nodes, pods, policy: t.policy, seed: t.seed, ratio: suite.ratio, ties: suite.ties, power: defaultPlacementPower(suite.power_model) });
      rows[i] = rowOf(run, suite.checkpoints);
      options.onProgress?.(++done, tasks.length);
    }
  }
  const ms = performance.now() - t0;
  const summary = summaryMarkdown(suite, rows, ms);
  const files: Record<string, string> = {
    'suite.json': JSON.stringify(suite, null, 2) + '\n',
    'runs.csv': runsCsv(suite, rows),
    'curves.csv': curvesCsv(suite, rows),
    'summary.md': summary,
  };
  files['report.html'] = await reportHtml(suite, rows, summary);
  writeFilesAtomically(options.outDir, files);
  return { rows, summary, ms };
}

/** dist/index.js next to this bundle (the CLI's), when the package is built. */
function builtLibrary(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.js')) return undefined;
  const lib = join(dirname(here), 'index.js');
  return existsSync(lib) ? lib : undefined;
}

/** The worker: runs tasks it is sent with the built library's placementRow. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.library).then(({ placementRow }) => {
  parentPort.on('message', (t) => {
    try {
      parentPort.postMessage({ i: t.i, row: placementRow(workerData.suite, t.policy, t.seed) });
    } catch (err) {
      parentPort.postMessage({ i: t.i, error: String(err && err.stack || err) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

async function runOnWorkers(
  library: string,
  suite: PlacementSuite,
  tasks: { policy: string; seed: number }[],
  rows: PlacementRunRow[],
  threads: number,
  progress: () => void,
): Promise<void> {
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolveAll, reject) => {
      let finished = 0;
      let live = threads;
      for (let w = 0; w < threads; w++) {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { library: pathToFileURL(library).href, suite } });
        workers.push(worker);
        const feed = (): void => {
          if (next < tasks.length) {
            const i = next++;
            worker.postMessage({ i, ...tasks[i]! });
          } else if (--live === 0 && finished === tasks.length) resolveAll();
        };
        worker.on('message', (m: { ready?: boolean; i?: number; row?: PlacementRunRow; error?: string }) => {
          if (m.error !== undefined) return reject(new Error(`placement run ${JSON.stringify(tasks[m.i!])}: ${m.error}`));
          if (m.row) {
            rows[m.i!] = m.row;
            finished++;
            progress();
          }
          feed();
        });
        worker.on('error', reject);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function sd(v: readonly number[]): number {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

function byPolicy(suite: PlacementSuite, rows: readonly PlacementRunRow[]): Map<string, PlacementRunRow[]> {
  const out = new Map<string, PlacementRunRow[]>(suite.policies.map((p) => [p, []]));
  for (const r of rows) out.get(r.policy)!.push(r);
  return out;
}

/** Mean over seeds of a per-run vector. */
function meanVector(rows: readonly PlacementRunRow[], pick: (r: PlacementRunRow) => readonly number[]): number[] {
  const n = pick(rows[0]!).length;
  return Array.from({ length: n }, (_, i) => mean(rows.map((r) => pick(r)[i]!)));
}

/** 1 - mean power of the policy / mean power of the baseline, at each checkpoint. */
export function powerSavings(suite: PlacementSuite, rows: readonly PlacementRunRow[]): Map<string, number[]> {
  const groups = byPolicy(suite, rows);
  const base = meanVector(groups.get(suite.baseline)!, (r) => r.power_w);
  const out = new Map<string, number[]>();
  for (const [p, rs] of groups) out.set(p, meanVector(rs, (r) => r.power_w).map((v, i) => 1 - v / base[i]!));
  return out;
}

function pct(v: number, digits = 1): string {
  return `${(100 * v).toFixed(digits)} %`;
}

export function summaryMarkdown(suite: PlacementSuite, rows: readonly PlacementRunRow[], ms: number): string {
  const groups = byPolicy(suite, rows);
  const savings = powerSavings(suite, rows);
  const at1 = suite.checkpoints.findIndex((x) => x === 1);
  const lines = [
    `# bench ${suite.name}: GPU placement, the FGD / PWR protocol`,
    '',
    `${rows.length} runs (${suite.seeds.length} seeds x ${suite.policies.length} policies) on ${suite.nodes} and ${suite.pods}; inflation to ${suite.ratio} x the cluster's GPUs, ties ${suite.ties}, power model ${suite.power_model}; ${(ms / 1000).toFixed(1)} s.`,
    '',
    `| policy | GRAR at x = 1 (mean ± sd) | peers' reading: allocated % at arrived 100 % | failed pods | ${suite.checkpoints.map((x) => `power saving vs ${suite.baseline} at x = ${x}`).join(' | ')} | ms per run |`,
    `|---|---|---|---|${suite.checkpoints.map(() => '---').join('|')}|---|`,
  ];
  for (const [p, rs] of groups) {
    const grar = at1 >= 0 ? rs.map((r) => r.grar[at1]!) : [];
    const g = grar.length ? `${mean(grar).toFixed(4)} ± ${sd(grar).toFixed(4)}` : 'n/a';
    const alloc = mean(rs.map((r) => r.peers_alloc_pct_at_100)).toFixed(2);
    const failed = mean(rs.map((r) => r.failed)).toFixed(0);
    const s = savings.get(p)!.map((v) => pct(v)).join(' | ');
    lines.push(`| ${p} | ${g} | ${alloc} | ${failed} | ${s} | ${mean(rs.map((r) => r.ms)).toFixed(0)} |`);
  }
  lines.push('', 'GRAR: allocated / arrived GPU; x: arrived GPU / cluster GPUs; power saving: 1 - mean power / mean power of the baseline at the same x.', '');
  return lines.join('\n');
}

function runsCsv(suite: PlacementSuite, rows: readonly PlacementRunRow[]): string {
  const xs = suite.checkpoints;
  const head = ['policy', 'seed', 'arrivals', 'placed', 'failed', 'never_fit', 'ms', 'peers_alloc_pct_at_100', ...xs.map((x) => `grar_x${x}`), ...xs.map((x) => `power_w_x${x}`), ...xs.map((x) => `frag_ratio_x${x}`)];
  const lines = [head.join(',')];
  for (const r of rows) {
    lines.push(
      [r.policy, r.seed, r.arrivals, r.placed, r.failed, r.never_fit, r.ms, r.peers_alloc_pct_at_100, ...r.grar, ...r.power_w, ...r.frag_ratio].map((v) => csvField(typeof v === 'number' ? +v.toPrecision(10) : v)).join(','),
    );
  }
  return lines.join('\n') + '\n';
}

interface CurvePoint {
  policy: string;
  x: number;
  metric: string;
  mean: number;
  lo: number;
  hi: number;
}

function curvePoints(suite: PlacementSuite, rows: readonly PlacementRunRow[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  const metrics: [string, (r: PlacementRunRow) => number[]][] = [
    ['power_kw', (r) => r.curve_power_w.map((w) => w / 1000)],
    ['grar', (r) => r.curve_grar],
    ['frag_ratio', (r) => r.curve_frag_ratio],
  ];
  for (const [p, rs] of byPolicy(suite, rows)) {
    for (const [metric, pick] of metrics) {
      const vectors = rs.map(pick);
      GRID.forEach((x, i) => {
        const vals = vectors.map((v) => v[i]!);
        out.push({ policy: p, x, metric, mean: mean(vals), lo: Math.min(...vals), hi: Math.max(...vals) });
      });
    }
  }
  return out;
}

function curvesCsv(suite: PlacementSuite, rows: readonly PlacementRunRow[]): string {
  const lines = ['policy,metric,x,mean,min,max'];
  for (const c of curvePoints(suite, rows)) lines.push([c.policy, c.metric, c.x, +c.mean.toPrecision(10), +c.lo.toPrecision(10), +c.hi.toPrecision(10)].map(csvField).join(','));
  return lines.join('\n') + '\n';
}

/** One self-contained page: the summary table and power, GRAR and fragmentation vs x (mean line, min-max band). */
async function reportHtml(suite: PlacementSuite, rows: readonly PlacementRunRow[], summary: string): Promise<string> {
  const { renderSvg } = await import('../report/charts.js');
  const points = curvePoints(suite, rows);
  const charts: string[] = [];
  const titles: Record<string, string> = { power_kw: 'Cluster power (kW)', grar: 'GPU allocation ratio (allocated / arrived)', frag_ratio: 'Fragmentation ratio (fragment / free GPU)' };
  for (const metric of ['power_kw', 'grar', 'frag_ratio']) {
    const values = points.filter((p) => p.metric === metric && (metric !== 'grar' || p.x >= 0.5));
    const color = { field: 'policy', type: 'nominal', sort: suite.policies, title: 'policy' } as const;
    const x = { field: 'x', type: 'quantitative', title: 'arrived GPU / cluster GPUs' } as const;
    const svg = await renderSvg({
      title: { text: titles[metric]!, subtitle: `mean over ${suite.seeds.length} seeds; band: min to max` },
      width: 720,
      height: 320,
      data: { values },
      layer: [
        { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: titles[metric]!, scale: { zero: false } }, y2: { field: 'hi' }, color } },
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
      ],
    });
    charts.push(`<figure>${svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')}</figure>`);
  }
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const table = summary
    .split('\n')
    .filter((l) => l.startsWith('|') && !l.startsWith('|---'))
    .map((l, i) => {
      const cells = l.slice(1, -1).split('|').map((c) => esc(c.trim()));
      const tag = i === 0 ? 'th' : 'td';
      return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
    })
    .join('\n');
  const notes = summary
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('|') && !l.startsWith('#'))
    .map((l) => `<p>${esc(l)}</p>`)
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>carbon-sim bench ${esc(suite.name)}</title>`,
    '<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3}svg{max-width:100%;height:auto}</style>',
    '</head><body>',
    `<h1>bench ${esc(suite.name)}: GPU placement (FGD / PWR protocol)</h1>`,
    notes,
    `<table>${table}</table>`,
    ...charts,
    '</body></html>',
    '',
  ].join('\n');
}

export interface PlacementBenchFlags {
  out?: string;
  workers?: string;
  /** the scheduler sweep's flags: not for this suite */
  resume?: boolean;
  shard?: string;
  queue?: string;
}

/** `carbon-sim bench placement | placement-suite.json`. */
export async function placementBenchCommand(arg: string, flags: PlacementBenchFlags): Promise<void> {
  for (const flag of ['resume', 'shard', 'queue'] as const) {
    if (flags[flag] !== undefined) throw new InputError('bad_option', `--${flag} is for scheduler sweeps; the placement suite runs whole in seconds`, { field: flag });
  }
  const suite = arg === PLACEMENT_SUITE && !existsSync(arg) ? builtinPlacementSuite() : parsePlacementSuite(readFileSync(arg, 'utf8'), arg);
  let workers: number | undefined;
  if (flags.workers !== undefined) {
    workers = Number(flags.workers);
    if (!/^\s*\d+\s*$/.test(flags.workers) || !(workers >= 1)) throw new InputError('bad_option', `"${flags.workers}" must be a whole number >= 1`, { field: 'workers' });
  }
  const outDir = flags.out ?? `bench-${suite.name}`;
  const tty = process.stderr.isTTY;
  const outcome = await runPlacementSuite(suite, {
    outDir,
    ...(workers !== undefined && { workers }),
    onProgress: (done, total) => {
      if (tty) process.stderr.write(`\rbench ${suite.name}: ${done}/${total} runs`);
      if (tty && done === total) process.stderr.write('\n');
    },
  });
  process.stdout.write(`${outcome.summary}\nresults: ${['summary.md', 'runs.csv', 'curves.csv', 'report.html'].map((f) => join(outDir, f)).join(', ')}\n`);
}

/** valueAt re-exported for scripts that read runs back. */
export { valueAt };
