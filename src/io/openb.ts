// openb pod lists (Alibaba's GPU cluster trace, as the FGD artifact publishes it):
// name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time]
// The node list (sn,cpu_milli,memory_mib,gpu,model) is read by cluster/spec.ts; placementNodes
// turns that spec into the placement plugins' nodes. Bad input is one InputError naming file, line
// and field; plain unquoted fields only, as the trace files are.
import { readFileSync } from 'node:fs';
import { readClusterSpec, type PowerOverrides } from '../cluster/spec.js';
import { GPU_POWER, type ClusterSpec, type DevicePower } from '../cluster/types.js';
import { cleanSpec, MILLI, shapeRequest, type NamedPod } from '../cluster/placement/shape.js';
import type { PlacementNode } from '../cluster/placement/state.js';
import { InputError, type InputLocation } from '../errors.js';
import { constantProfile, type Job } from '../model/jobs.js';
import { compileProfile } from '../model/profile.js';
import { decodeTextFile } from './text.js';

export const OPENB_POD_REQUIRED = ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli'] as const;
export const OPENB_POD_OPTIONAL = ['gpu_spec', 'qos', 'pod_phase', 'creation_time', 'deletion_time', 'scheduled_time'] as const;

export interface OpenbPod extends NamedPod {
  qos: string;
  phase: string;
  /** seconds from the trace's start; undefined when the file has no such column */
  creationS: number | undefined;
  deletionS: number | undefined;
  /** undefined when empty (never scheduled) or absent */
  scheduledS: number | undefined;
  /** 1-based line in the file */
  line: number;
}

export interface OpenbPodOptions {
  file?: string;
  /** GPU models a gpu_spec may name; default: the power table's (GPU_POWER) */
  models?: readonly string[];
}

/** Whether text starts with an openb pod list header. */
export function isOpenbPodList(text: string): boolean {
  const first = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n', 1)[0]!.replace(/\r$/, '');
  return first.startsWith(OPENB_POD_REQUIRED.join(','));
}

const WHOLE = /^\d+$/;
const DECIMAL = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

function whole(text: string, where: InputLocation): number {
  if (!WHOLE.test(text)) throw new InputError(text === '' ? 'missing_value' : 'not_integer', text === '' ? 'empty value' : `"${text}" is not a whole number >= 0`, where);
  const v = Number(text);
  if (!Number.isSafeInteger(v)) throw new InputError('not_finite', `${text} is out of range`, where);
  return v;
}

function decimal(text: string, where: InputLocation): number {
  if (!DECIMAL.test(text)) throw new InputError(text === '' ? 'missing_value' : 'not_a_number', text === '' ? 'empty value' : `"${text}" is not a plain decimal number >= 0`, where);
  return Number(text);
}

/** Parse a pod list's text. */
export function parseOpenbPods(text: string, options: OpenbPodOptions = {}): OpenbPod[] {
  const file = options.file ?? '<pods>';
  const models = options.models ?? Object.keys(GPU_POWER);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows = body.split('\n');
  const header = rows[0]!.replace(/\r$/, '').split(',');
  if (rows[0]!.trim() === '') throw new InputError('empty_file', 'pod list is empty (expected a header line)', { file, line: 1 });
  const known = new Set<string>([...OPENB_POD_REQUIRED, ...OPENB_POD_OPTIONAL]);
  const col = new Map<string, number>();
  header.forEach((h, i) => {
    if (!known.has(h)) throw new InputError('unknown_column', `unknown column "${h}" (openb pod lists have ${[...known].join(',')})`, { file, line: 1, field: h });
    if (col.has(h)) throw new InputError('duplicate_column', `column "${h}" appears twice`, { file, line: 1, field: h });
    col.set(h, i);
  });
  for (const c of OPENB_POD_REQUIRED) if (!col.has(c)) throw new InputError('missing_column', `no "${c}" column (required: ${OPENB_POD_REQUIRED.join(',')})`, { file, line: 1, field: c });
  const hasTimes = col.has('creation_time') || col.has('deletion_time');
  if (hasTimes && !(col.has('creation_time') && col.has('deletion_time'))) {
    const missing = col.has('creation_time') ? 'deletion_time' : 'creation_time';
    throw new InputError('missing_column', `creation_time and deletion_time come together; "${missing}" is missing`, { file, line: 1, field: missing });
  }
  const pods: OpenbPod[] = [];
  const names = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!.endsWith('\r') ? rows[i]!.slice(0, -1) : rows[i]!;
    if (row.trim() === '') continue;
    const line = i + 1;
    const at = (field: string): InputLocation => ({ file, line, field });
    if (row.includes('"')) throw new InputError('malformed_csv', 'a quote character: openb pod lists have plain, unquoted fields', { file, line });
    const f = row.split(',');
    if (f.length !== header.length) throw new InputError('field_count', `expected ${header.length} comma-separated fields (${header.join(',')}), got ${f.length}`, { file, line });
    const get = (c: string): string | undefined => (col.has(c) ? f[col.get(c)!]!.trim() : undefined);
    const name = get('name')!;
    if (name === '') throw new InputError('missing_value', 'empty pod name', at('name'));
    const seen = names.get(name);
    if (seen !== undefined) throw new InputError('duplicate_pod', `pod name "${name}" is used twice (first on line ${seen})`, at('name'));
    names.set(name, line);
    const cpuMilli = whole(get('cpu_milli')!, at('cpu_milli'));
    const memMiB = decimal(get('memory_mib')!, at('memory_mib'));
    const numGpu = whole(get('num_gpu')!, at('num_gpu'));
    const gpuMilliText = get('gpu_milli')!;
    if (!/^-?\d+$/.test(gpuMilliText)) throw new InputError(gpuMilliText === '' ? 'missing_value' : 'not_integer', gpuMilliText === '' ? 'empty value' : `"${gpuMilliText}" is not a whole number`, at('gpu_milli'));
    const gpuMilli = Number(gpuMilliText);
    if (numGpu > 0 && (gpuMilli <= 0 || gpuMilli > MILLI)) {
      throw new InputError('bad_gpu_milli', `gpu_milli ${gpuMilli} with num_gpu ${numGpu}: a GPU share is 1..1000 thousandths`, at('gpu_milli'));
    }
    if (numGpu > 1 && gpuMilli !== MILLI) {
      throw new InputError('bad_gpu_milli', `gpu_milli ${gpuMilli} with num_gpu ${numGpu}: pods of several GPUs take whole GPUs (1000)`, at('gpu_milli'));
    }
    if (numGpu === 0 && gpuMilli !== 0) throw new InputError('bad_gpu_milli', `gpu_milli ${gpuMilli} given for a pod without GPUs (num_gpu 0)`, at('gpu_milli'));
    const spec = cleanSpec(get('gpu_spec') ?? '');
    for (const m of spec === '' ? [] : spec.split('|')) {
      if (!models.includes(m)) throw new InputError('unknown_gpu_model', `unknown GPU model "${m}" in gpu_spec (known: ${models.join(', ')})`, at('gpu_spec'));
    }
    let creationS: number | undefined;
    let deletionS: number | undefined;
    if (hasTimes) {
      creationS = whole(get('creation_time')!, at('creation_time'));
      deletionS = whole(get('deletion_time')!, at('deletion_time'));
      if (deletionS < creationS) throw new InputError('bad_value', `deletion_time ${deletionS} is before creation_time ${creationS}`, at('deletion_time'));
    }
    const sched = get('scheduled_time');
    pods.push({
      name,
      cpuMilli,
      memMiB,
      numGpu,
      gpuMilli: numGpu === 0 ? 0 : gpuMilli,
      // the peers' converter gives pods without GPUs no model annotation
      gpuSpec: numGpu === 0 ? '' : spec,
      qos: get('qos') ?? '',
      phase: get('pod_phase') ?? '',
      creationS,
      deletionS,
      scheduledS: sched === undefined || sched === '' ? undefined : whole(sched, at('scheduled_time')),
      line,
    });
  }
  if (pods.length === 0) throw new InputError('no_pods', 'the pod list has a header but no pods', { file, line: 2 });
  return pods;
}

/** Read a pod list file (UTF-8, plain or gzip). */
export function readOpenbPods(path: string, options: OpenbPodOptions = {}): OpenbPod[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field: 'pods' });
  }
  const file = options.file ?? path;
  return parseOpenbPods(decodeTextFile(bytes, file, 'an openb pod list (CSV)'), { ...options, file });
}

/** The placement plugins' nodes of a cluster spec (an openb node list or a JSON node file). */
export function placementNodes(spec: ClusterSpec): PlacementNode[] {
  if (spec.power.kind !== 'device') {
    throw new InputError('wrong_model', `placement needs nodes with CPUs and GPUs (an openb node list or a JSON node file), not ${spec.source}`, { field: 'nodes' });
  }
  return spec.nodes.map((n) => ({ name: n.name, cpuMilli: Math.round(n.cpus * 1000), memMiB: n.memMiB, gpus: n.gpus, model: n.gpuModel }));
}

/** An openb node list (or JSON node file) as the placement plugins' nodes, and the spec the engine runs on. */
export function readOpenbNodes(path: string, powerOverrides?: PowerOverrides): { spec: ClusterSpec; nodes: PlacementNode[] } {
  const spec = readClusterSpec(path, powerOverrides ? { powerOverrides } : {});
  return { spec, nodes: placementNodes(spec) };
}

/** GPU models of a cluster's power table (what gpu_spec may name). */
export function knownModels(spec: ClusterSpec): string[] {
  return spec.power.kind === 'device' ? Object.keys(spec.power.gpus as Record<string, DevicePower>) : Object.keys(GPU_POWER);
}

export interface OpenbJobsOptions {
  /** seconds added to every creation time (where the trace starts on the carbon signal); default 0 */
  offsetS?: number;
  /** latest finish = creation + duration + maxWaitS; default Infinity (no deadline) */
  maxWaitS?: number;
  /** creation times divided by this (arrivals that much denser), durations kept; default 1 */
  compress?: number;
}

export interface OpenbJobs {
  jobs: Job[];
  /** the pod of each job, index for index */
  pods: OpenbPod[];
  /** pods left out: no times in the file would be an error; these existed for 0 s */
  zeroDuration: number;
}

/**
 * Pods as jobs of the online engine: submitted at creation, running until deletion (a constant
 * profile of that length), asking for their shape on one node. Pods draw no power of their own:
 * the cluster meter charges the devices they occupy (docs/placement.md). Pods whose deletion
 * equals their creation never ran and are counted, not simulated.
 */
export function openbJobs(pods: readonly OpenbPod[], options: OpenbJobsOptions = {}): OpenbJobs {
  const offset = options.offsetS ?? 0;
  const maxWait = options.maxWaitS ?? Infinity;
  const compress = options.compress ?? 1;
  if (!(compress >= 1) || !Number.isFinite(compress)) throw new InputError('bad_option', `compress ${compress}: use a factor >= 1`, { field: 'compress' });
  const jobs: Job[] = [];
  const kept: OpenbPod[] = [];
  let zero = 0;
  for (const p of pods) {
    if (p.creationS === undefined || p.deletionS === undefined) {
      throw new InputError('missing_column', 'the online run needs creation_time and deletion_time', { line: p.line, field: 'creation_time' });
    }
    const d = p.deletionS - p.creationS;
    if (d === 0) {
      zero++;
      continue;
    }
    const arrival = p.creationS / compress + offset;
    jobs.push({
      id: p.name,
      type: 'constant',
      arrival,
      deadline: arrival + d + maxWait,
      cpus: p.cpuMilli / 1000,
      profile: compileProfile(constantProfile(d, 0)),
      request: shapeRequest(p),
    });
    kept.push(p);
  }
  // the engine feeds arrivals in (arrival, index) order; keep jobs and pods aligned in that order
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[a]!.arrival - jobs[b]!.arrival || a - b);
  return { jobs: order.map((i) => jobs[i]!), pods: order.map((i) => kept[i]!), zeroDuration: zero };
}
