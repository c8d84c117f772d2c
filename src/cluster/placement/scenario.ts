// What-if scenarios for `carbon-sim place scenario.json`: a few nodes (possibly partly used), an
// optional target workload, pods placed in order. Errors name file, line (where the offending
// node, pod or target entry starts) and field.
import { InputError, type InputLocation } from '../../errors.js';
import { GPU_POWER } from '../types.js';
import { clusterFragRatio, targetWorkload, type TargetShape } from './frag.js';
import { Placer, type TieRule } from './placer.js';
import { defaultPlacementPower, nodePowerW, type PlacementPower } from './power.js';
import type { PlacementPolicy } from './registry.js';
import { cleanSpec, MILLI, totalGpuMilli, type NamedPod } from './shape.js';
import { checkStartingUsage, PlacementState, type PlacementNode } from './state.js';

export interface Scenario {
  nodes: PlacementNode[];
  pods: NamedPod[];
  /** the target workload given in the file; undefined: built from the pods */
  target: TargetShape[] | undefined;
}

type Json = Record<string, unknown>;

const ROOT_KEYS = ['nodes', 'target', 'pods'];
const NODE_KEYS = ['name', 'cpu_milli', 'memory_mib', 'gpu', 'model', 'cpu_left', 'mem_left', 'gpu_left', 'aff'];
const POD_KEYS = ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli', 'gpu_spec'];
const TARGET_KEYS = ['cpu_milli', 'gpu_milli', 'num_gpu', 'gpu_spec', 'p'];

export interface ScenarioOptions {
  file?: string;
  /** GPU models nodes and specs may name; default: the power table's */
  models?: readonly string[];
}

/** Parse a scenario file's text. */
export function parseScenario(text: string, options: ScenarioOptions = {}): Scenario {
  const file = options.file;
  const models = options.models ?? Object.keys(GPU_POWER);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /at position (\d+)/.exec(message);
    const line = pos ? body.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new InputError('bad_json', `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`, { file, line });
  }
  const top = object(root, '', ROOT_KEYS, { file });
  const lines = elementLines(body);
  const list = (key: string, required: boolean): unknown[] => {
    const v = top[key];
    if (v === undefined) {
      if (required) throw new InputError('missing_field', `no "${key}" list`, { file, field: key });
      return [];
    }
    if (!Array.isArray(v)) throw new InputError('wrong_type', `"${key}" must be a list`, { file, field: key });
    return v;
  };

  const nodes: PlacementNode[] = [];
  const names = new Set<string>();
  list('nodes', true).forEach((value, i) => {
    const path = `nodes[${i}]`;
    const line = lines.get('nodes')?.[i];
    const at = (k: string): InputLocation & { field: string } => ({ file, line, field: `${path}.${k}` });
    const o = object(value, path, NODE_KEYS, { file, line });
    const name = str(need(o, 'name', at), at('name'));
    if (name === '') throw new InputError('missing_value', 'empty node name', at('name'));
    if (names.has(name)) throw new InputError('duplicate_node', `node name "${name}" is used twice`, at('name'));
    names.add(name);
    const gpus = o.gpu === undefined ? 0 : int(o.gpu, at('gpu'));
    const rawModel = o.model === undefined || o.model === null ? '' : str(o.model, at('model'));
    let model: string | null = null;
    if (gpus > 0) {
      if (rawModel === '') throw new InputError('missing_gpu_model', `${gpus} GPUs need a model (one of ${models.join(', ')})`, at('model'));
      if (!models.includes(rawModel)) throw new InputError('unknown_gpu_model', `unknown GPU model "${rawModel}" (known: ${models.join(', ')})`, at('model'));
      model = rawModel;
    } else if (rawModel !== '') throw new InputError('gpu_model_without_gpus', `GPU model "${rawModel}" given for a node without GPUs`, at('model'));
    const node: PlacementNode = {
      name,
      cpuMilli: num(need(o, 'cpu_milli', at), at('cpu_milli')),
      memMiB: num(need(o, 'memory_mib', at), at('memory_mib')),
      gpus,
      model,
    };
    if (o.cpu_left !== undefined) node.cpuLeftMilli = num(o.cpu_left, at('cpu_left'));
    if (o.mem_left !== undefined) node.memLeftMiB = num(o.mem_left, at('mem_left'));
    if (o.gpu_left !== undefined) {
      if (!Array.isArray(o.gpu_left)) throw new InputError('wrong_type', 'gpu_left must be a list of free thousandths per GPU', at('gpu_left'));
      node.gpuLeft = o.gpu_left.map((v: unknown, g: number) => int(v, at(`gpu_left[${g}]`)));
    }
    if (o.aff !== undefined) {
      const aff = object(o.aff, `${path}.aff`, null, { file, line });
      const map = new Map<number, number>();
      for (const [label, count] of Object.entries(aff)) {
        const m = /^(?:share-gpu|([1-9]\d*)-gpu)$/.exec(label);
        if (!m) throw new InputError('bad_value', `aff key "${label}": use "share-gpu" or "<k>-gpu"`, at(`aff.${label}`));
        const kind = m[1] === undefined ? 0 : Number(m[1]);
        if (kind > gpus || (kind === 0 && gpus === 0)) throw new InputError('bad_value', `aff "${label}" on a node with ${gpus} GPUs`, at(`aff.${label}`));
        map.set(kind, int(count, at(`aff.${label}`)));
      }
      node.affinity = map;
    }
    checkStartingUsage(node, at);
    nodes.push(node);
  });
  if (nodes.length === 0) throw new InputError('no_nodes', 'the scenario has no nodes', { file, field: 'nodes' });

  const pods: NamedPod[] = [];
  const podNames = new Set<string>();
  list('pods', true).forEach((value, i) => {
    const path = `pods[${i}]`;
    const line = lines.get('pods')?.[i];
    const at = (k: string): InputLocation & { field: string } => ({ file, line, field: `${path}.${k}` });
    const o = object(value, path, POD_KEYS, { file, line });
    const name = o.name === undefined ? `pod-${i}` : str(o.name, at('name'));
    if (podNames.has(name)) throw new InputError('duplicate_pod', `pod name "${name}" is used twice`, at('name'));
    podNames.add(name);
    const shape = gpuShape(o, at, models);
    pods.push({ name, cpuMilli: num(need(o, 'cpu_milli', at), at('cpu_milli')), memMiB: o.memory_mib === undefined ? 0 : num(o.memory_mib, at('memory_mib')), ...shape });
  });

  let target: TargetShape[] | undefined;
  if (top.target !== undefined) {
    target = [];
    let sum = 0;
    list('target', false).forEach((value, i) => {
      const path = `target[${i}]`;
      const line = lines.get('target')?.[i];
      const at = (k: string): InputLocation & { field: string } => ({ file, line, field: `${path}.${k}` });
      const o = object(value, path, TARGET_KEYS, { file, line });
      const p = num(need(o, 'p', at), at('p'));
      if (!(p > 0) || p > 1) throw new InputError('bad_value', `p = ${p}: a target share is more than 0 and at most 1`, at('p'));
      sum += p;
      target!.push({ cpuMilli: num(need(o, 'cpu_milli', at), at('cpu_milli')), ...gpuShape(o, at, models), p });
    });
    if (target.length === 0) throw new InputError('bad_value', 'the target workload is empty (leave "target" out to build it from the pods)', { file, field: 'target' });
    if (Math.abs(sum - 1) > 1e-3) throw new InputError('bad_value', `the target shares p sum to ${sum}, not 1`, { file, field: 'target' });
  }
  return { nodes, pods, target };
}

/** num_gpu, gpu_milli and gpu_spec of a pod or target entry, checked as the openb reader checks them. */
function gpuShape(o: Json, at: (k: string) => InputLocation & { field: string }, models: readonly string[]) {
  const numGpu = o.num_gpu === undefined ? 0 : int(o.num_gpu, at('num_gpu'));
  const given = o.gpu_milli === undefined ? (numGpu > 0 ? MILLI : 0) : intSigned(o.gpu_milli, at('gpu_milli'));
  if (numGpu > 0 && (given <= 0 || given > MILLI)) throw new InputError('bad_gpu_milli', `gpu_milli ${given} with num_gpu ${numGpu}: a GPU share is 1..1000 thousandths`, at('gpu_milli'));
  if (numGpu > 1 && given !== MILLI) throw new InputError('bad_gpu_milli', `gpu_milli ${given} with num_gpu ${numGpu}: pods of several GPUs take whole GPUs (1000)`, at('gpu_milli'));
  if (numGpu === 0 && given !== 0) throw new InputError('bad_gpu_milli', `gpu_milli ${given} given without GPUs (num_gpu 0)`, at('gpu_milli'));
  const spec = cleanSpec(o.gpu_spec === undefined || o.gpu_spec === null ? '' : str(o.gpu_spec, at('gpu_spec')));
  for (const m of spec === '' ? [] : spec.split('|')) {
    if (!models.includes(m)) throw new InputError('unknown_gpu_model', `unknown GPU model "${m}" in gpu_spec (known: ${models.join(', ')})`, at('gpu_spec'));
  }
  return { numGpu, gpuMilli: numGpu === 0 ? 0 : given, gpuSpec: numGpu === 0 ? '' : spec };
}

function need(o: Json, key: string, at: (k: string) => InputLocation & { field: string }): unknown {
  if (o[key] === undefined) throw new InputError('missing_field', `no "${key}"`, at(key));
  return o[key];
}

function object(value: unknown, path: string, keys: readonly string[] | null, where: InputLocation): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('wrong_type', `${path || 'the file'} must be an object`, { ...where, field: path || undefined });
  }
  if (keys) {
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) throw new InputError('unknown_key', `unknown key "${key}" (keys: ${keys.join(', ')})`, { ...where, field: path ? `${path}.${key}` : key });
    }
  }
  return value as Json;
}

function num(v: unknown, where: InputLocation): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError('not_a_number', `${JSON.stringify(v)} is not a number`, where);
  if (v < 0) throw new InputError('negative', `${v} is negative`, where);
  return v;
}

function int(v: unknown, where: InputLocation): number {
  const n = num(v, where);
  if (!Number.isInteger(n)) throw new InputError('not_integer', `${n} is not a whole number`, where);
  return n;
}

function intSigned(v: unknown, where: InputLocation): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InputError('not_integer', `${JSON.stringify(v)} is not a whole number`, where);
  return v;
}

function str(v: unknown, where: InputLocation): string {
  if (typeof v !== 'string') throw new InputError('wrong_type', `${JSON.stringify(v)} is not a string`, where);
  return v;
}

/** 1-based line where each element of each top-level array starts, by key; `text` is valid JSON. */
function elementLines(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let line = 1;
  let depth = 0;
  let key = '';
  let current: number[] | null = null;
  let expect = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') continue;
    if (current && depth === 2 && expect && c !== ']') {
      current.push(line);
      expect = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) key = text.slice(i + 1, j);
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && c === '[') {
        current = [];
        out.set(key, current);
        expect = true;
      }
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1) current = null;
    } else if (c === ',' && current && depth === 2) expect = true;
  }
  return out;
}

export interface ScenarioStep {
  pod: string;
  /** null when no node can take the pod now */
  node: string | null;
  gpus: number[];
  /** weighted total of every feasible node */
  scores: Record<string, number>;
  /** no node could ever take it, even empty */
  never_fits?: true;
}

export interface ScenarioNodeResult {
  name: string;
  cpu_left: number;
  mem_left: number;
  gpu_left: number[];
  power_w: number;
  frag_milli: number;
}

export interface ScenarioResult {
  policy: string;
  ties: TieRule;
  target: TargetShape[];
  steps: ScenarioStep[];
  summary: {
    pods: number;
    placed: number;
    failed: number;
    never_fit: number;
    gpu_capacity_milli: number;
    gpu_arrived_milli: number;
    /** allocated at the end, what the nodes started with included */
    gpu_allocated_milli: number;
    /** GPU of the placed pods */
    gpu_placed_milli: number;
    /** placed / arrived GPU (1 when no GPU arrived) */
    grar: number;
    power_w: number;
    frag_milli: number;
    frag_ratio: number;
    nodes: ScenarioNodeResult[];
  };
}

export interface RunScenarioOptions {
  policy: PlacementPolicy | string;
  ties?: TieRule;
  seed?: string | number;
  power?: PlacementPower;
}

/** Place the scenario's pods in order. */
export function runScenario(scenario: Scenario, options: RunScenarioOptions): ScenarioResult {
  const state = new PlacementState(scenario.nodes);
  const target = scenario.target ?? targetWorkload(scenario.pods);
  const power = options.power ?? defaultPlacementPower();
  const ties = options.ties ?? 'name';
  const placer = new Placer(state, { policy: options.policy, target, power, ties, seed: options.seed ?? 0, keepTotals: true });
  const steps: ScenarioStep[] = [];
  let placed = 0;
  let neverFit = 0;
  let arrived = 0;
  let placedMilli = 0;
  for (const pod of scenario.pods) {
    arrived += totalGpuMilli(pod);
    const d = placer.place(pod);
    const scores: Record<string, number> = {};
    for (const [n, v] of d?.totals ?? []) scores[state.names[n]!] = v;
    const step: ScenarioStep = { pod: pod.name, node: d ? state.names[d.node]! : null, gpus: d ? d.gpus : [], scores };
    if (d) {
      placed++;
      placedMilli += totalGpuMilli(pod);
    } else if (!placer.couldEverFit(pod)) {
      step.never_fits = true;
      neverFit++;
    }
    steps.push(step);
  }
  const frag = placer.ctx.frag;
  const nodes = state.names.map((name, n) => ({
    name,
    cpu_left: state.cpuLeft[n]!,
    mem_left: state.memLeft[n]!,
    gpu_left: state.gpuLeftOf(n),
    power_w: nodePowerW(power, state, n),
    frag_milli: frag.nodeFrag(state, n),
  }));
  const allocated = state.allocatedGpuMilli();
  return {
    policy: placer.policy.name,
    ties,
    target: [...target],
    steps,
    summary: {
      pods: scenario.pods.length,
      placed,
      failed: scenario.pods.length - placed,
      never_fit: neverFit,
      gpu_capacity_milli: state.capacityGpuMilli,
      gpu_arrived_milli: arrived,
      gpu_allocated_milli: allocated,
      gpu_placed_milli: placedMilli,
      grar: arrived > 0 ? placedMilli / arrived : 1,
      power_w: nodes.reduce((a, x) => a + x.power_w, 0),
      frag_milli: nodes.reduce((a, x) => a + x.frag_milli, 0),
      frag_ratio: clusterFragRatio(frag, state),
      nodes,
    },
  };
}
