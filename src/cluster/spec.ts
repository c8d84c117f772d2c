// The cluster-spec reader for `--cluster FILE|SPEC`: shorthands (`procs:N`, `Nx{cpus:..}+..`, `swf`),
// a JSON file, or openb's node-list CSV, all into one ClusterSpec. Bad input is one InputError naming
// file, line and field; sizes are never coerced or clamped.
import { readFileSync, statSync } from 'node:fs';
import { InputError, type InputLocation } from '../errors.js';
import { decodeTextFile } from '../io/text.js';
import {
  CPU_PACKAGE_POWER,
  GPU_POWER,
  PROCESSOR_POWER,
  VCPUS_PER_PACKAGE,
  type ClusterSpec,
  type DevicePower,
  type NodeSpec,
  type PowerModel,
} from './types.js';

/** Power values from CLI flags; they replace the spec's own (or the defaults). */
export interface PowerOverrides {
  processor?: DevicePower;
  cpuPackage?: DevicePower;
  vcpusPerPackage?: number;
  /** GPU models added to or replacing entries of the power table */
  gpus?: Readonly<Record<string, DevicePower>>;
}

export interface ClusterSpecOptions {
  /** header comment lines of the SWF workload (text after `;`), for `swf` */
  swfHeader?: readonly string[];
  /** the SWF log's file name, for messages about its header */
  swfFile?: string;
  powerOverrides?: PowerOverrides;
  /** file name for messages (readClusterSpec sets it) */
  file?: string;
}

export const OPENB_HEADER = 'sn,cpu_milli,memory_mib,gpu,model';
const SHORTHANDS = 'procs:N, NxN{cpus:..,mem:..}, swf';

/** Parse a shorthand or a spec file's text. */
export function parseClusterSpec(text: string, options: ClusterSpecOptions = {}): ClusterSpec {
  return parseShorthand(text, options) ?? parseClusterFile(text, options);
}

/** A shorthand, or the path of a JSON / openb file (an existing file wins over a shorthand). */
export function readClusterSpec(arg: string, options: ClusterSpecOptions = {}): ClusterSpec {
  const stat = statSync(arg, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    const spec = parseShorthand(arg, options);
    if (spec) return spec;
    const what = stat?.isDirectory() ? 'is a folder, not a file' : 'no such file';
    throw new InputError('not_a_cluster', `${what}, and not a cluster shorthand (${SHORTHANDS})`, { file: arg, field: 'cluster' });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(arg);
  } catch (err) {
    throw new InputError('unreadable_file', `cannot read file (${(err as NodeJS.ErrnoException).code})`, { file: arg, field: 'cluster' });
  }
  const file = options.file ?? arg;
  return parseClusterFile(decodeTextFile(bytes, file, 'a cluster spec (JSON or an openb node list)'), { ...options, file });
}

/** Total vCPUs, memory (Infinity if any node is unlimited) and GPUs. */
export function clusterCapacity(spec: ClusterSpec): { cpus: number; memMiB: number; gpus: number } {
  let cpus = 0;
  let memMiB = 0;
  let gpus = 0;
  for (const n of spec.nodes) {
    cpus += n.cpus;
    memMiB += n.memMiB;
    gpus += n.gpus;
  }
  return { cpus, memMiB, gpus };
}

/** One line: "1,523 nodes: 125,514 vCPUs, 6,212 GPUs (T4 x 842, ...)", GPU models in power-table order. */
export function describeCluster(spec: ClusterSpec): string {
  const fmt = new Intl.NumberFormat('en-US').format;
  const { cpus, gpus } = clusterCapacity(spec);
  const n = spec.nodes.length;
  let line = `${fmt(n)} node${n === 1 ? '' : 's'}: ${fmt(cpus)} ${spec.power.kind === 'processor' ? 'processors' : 'vCPUs'}`;
  if (gpus === 0) return line;
  const byModel = new Map<string, number>();
  for (const node of spec.nodes) if (node.gpuModel) byModel.set(node.gpuModel, (byModel.get(node.gpuModel) ?? 0) + node.gpus);
  const order = Object.keys(GPU_POWER);
  const rank = (m: string) => (order.includes(m) ? order.indexOf(m) : order.length);
  const models = [...byModel.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  line += `, ${fmt(gpus)} GPUs (${models.map((m) => `${m} x ${fmt(byModel.get(m)!)}`).join(', ')})`;
  return line;
}

/** A CLI power value `idle/busy` in W, e.g. `95/190`. */
export function parsePowerFlag(text: string, field: string): DevicePower {
  const parts = text.split('/');
  if (parts.length !== 2) throw new InputError('bad_power', `"${text}" is not idle/busy watts (e.g. 95/190)`, { field });
  const idleW = sizeText(parts[0]!.trim(), { field });
  const busyW = sizeText(parts[1]!.trim(), { field });
  return checkedPower({ idleW, busyW }, { field });
}

// ---- numbers: plain decimals only; Number() would accept hex, `Infinity` and '' ----

const DECIMAL = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;

interface SizeRule {
  integer?: boolean;
  positive?: boolean;
}

function sizeText(text: string, where: InputLocation, rule: SizeRule = {}): number {
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  if (!DECIMAL.test(digits)) throw new InputError('not_a_number', `"${text}" is not a plain decimal number`, where);
  return checkSize((negative ? -1 : 1) * Number(digits), text, where, rule);
}

function checkSize(v: number, shown: string, where: InputLocation, rule: SizeRule): number {
  if (!Number.isFinite(v)) throw new InputError('not_finite', `${shown} is out of range (not a finite number)`, where);
  if (v < 0) throw new InputError('negative', `${shown} is negative`, where);
  if (rule.integer && !Number.isInteger(v)) throw new InputError('not_integer', `${shown} is not a whole number`, where);
  if (rule.positive && v === 0) throw new InputError('not_positive', `${shown} must be more than 0`, where);
  return v;
}

const MEM_UNIT_MIB: Record<string, number> = { '': 1, M: 1, G: 1024, T: 1024 * 1024 };

/** `256G`, `1T`, `512M` or a plain number of MiB. */
function memText(text: string, where: InputLocation): number {
  const [, number, unit] = /^(.*?)([A-Za-z]*)$/.exec(text)!;
  const factor = MEM_UNIT_MIB[unit!];
  if (factor === undefined) {
    if (number === '') throw new InputError('not_a_number', `"${text}" is not a memory size`, where);
    throw new InputError('bad_unit', `memory unit "${unit}" in "${text}": use M, G or T (MiB, GiB, TiB) or a plain number of MiB`, where);
  }
  return checkSize(sizeText(number!, where) * factor, text, where, {});
}

// ---- power ----

function checkedPower(p: DevicePower, where: InputLocation): DevicePower {
  checkSize(p.idleW, String(p.idleW), where, {});
  checkSize(p.busyW, String(p.busyW), where, {});
  if (p.busyW < p.idleW) throw new InputError('busy_below_idle', `busy ${p.busyW} W is below idle ${p.idleW} W`, where);
  return p;
}

function processorModel(processor: DevicePower, overrides: PowerOverrides = {}): PowerModel {
  for (const key of ['cpuPackage', 'vcpusPerPackage', 'gpus'] as const) {
    if (overrides[key] !== undefined) {
      throw new InputError('unused_power_override', `${key} power applies to the device power model; this cluster counts processors`, {
        field: `powerOverrides.${key}`,
      });
    }
  }
  const p = overrides.processor ? checkedPower(overrides.processor, { field: 'powerOverrides.processor' }) : processor;
  return { kind: 'processor', processor: p };
}

function deviceModel(
  base: { cpuPackage?: DevicePower; vcpusPerPackage?: number; gpus?: Record<string, DevicePower> },
  overrides: PowerOverrides = {},
): PowerModel & { kind: 'device' } {
  if (overrides.processor) {
    throw new InputError('unused_power_override', 'processor power applies to the processor power model; this cluster has CPU packages and GPUs', {
      field: 'powerOverrides.processor',
    });
  }
  const gpus = { ...GPU_POWER, ...base.gpus };
  for (const [model, p] of Object.entries(overrides.gpus ?? {})) gpus[model] = checkedPower(p, { field: `powerOverrides.gpus.${model}` });
  const vcpus = overrides.vcpusPerPackage ?? base.vcpusPerPackage ?? VCPUS_PER_PACKAGE;
  checkSize(vcpus, String(vcpus), { field: 'powerOverrides.vcpusPerPackage' }, { integer: true, positive: true });
  return {
    kind: 'device',
    cpuPackage: overrides.cpuPackage ? checkedPower(overrides.cpuPackage, { field: 'powerOverrides.cpuPackage' }) : (base.cpuPackage ?? CPU_PACKAGE_POWER),
    vcpusPerPackage: vcpus,
    gpus,
  };
}

// ---- nodes ----

/** Collects nodes: unnamed ones become node-0000, ... by position; a name used twice is an error. */
class NodeList {
  readonly nodes: NodeSpec[] = [];
  private readonly names = new Set<string>();

  add(name: string | undefined, node: Omit<NodeSpec, 'name'>, where: InputLocation): void {
    const n = name ?? `node-${String(this.nodes.length).padStart(4, '0')}`;
    if (this.names.has(n)) throw new InputError('duplicate_node', `node name "${n}" is used twice`, where);
    this.names.add(n);
    this.nodes.push({ name: n, ...node });
  }

  done(source: string, power: PowerModel, where: InputLocation): ClusterSpec {
    if (this.nodes.length === 0) throw new InputError('no_nodes', 'the cluster has no nodes', where);
    return { nodes: this.nodes, power, source };
  }
}

/** The GPU model of a node: required with GPUs, absent without, and priced in the power table. */
function gpuModelOf(gpus: number, model: string | undefined, table: Readonly<Record<string, DevicePower>>, where: InputLocation): string | null {
  if (gpus === 0) {
    if (model) throw new InputError('gpu_model_without_gpus', `GPU model "${model}" given for a node without GPUs`, where);
    return null;
  }
  const known = Object.keys(table).join(', ');
  if (!model) throw new InputError('missing_gpu_model', `${gpus} GPUs need a model (one of ${known})`, where);
  if (!Object.hasOwn(table, model)) throw new InputError('unknown_gpu_model', `unknown GPU model "${model}" (known: ${known})`, where);
  return model;
}

function poolCluster(procs: number, source: string, overrides?: PowerOverrides): ClusterSpec {
  const power = processorModel(PROCESSOR_POWER, overrides);
  return { nodes: [{ name: 'pool', cpus: procs, memMiB: Infinity, gpus: 0, gpuModel: null }], power, source };
}

// ---- shorthands ----

/** The spec a shorthand describes, or undefined when the text is not shaped like one. */
function parseShorthand(arg: string, options: ClusterSpecOptions): ClusterSpec | undefined {
  const text = arg.trim();
  if (text === 'swf') return swfCluster(options);
  if (text.startsWith('procs:')) {
    const procs = sizeText(text.slice('procs:'.length).trim(), { field: 'procs' }, { integer: true, positive: true });
    return poolCluster(procs, text, options.powerOverrides);
  }
  if (/^[^{}/\\]*x\s*\{/.test(text)) return groupsCluster(text, options);
  return undefined;
}

const GROUP_KEYS = ['cpus', 'mem', 'gpus', 'gpu'];

/** `4x{cpus:96,mem:1T,gpus:8,gpu:A100}+16x{cpus:32}`. */
function groupsCluster(text: string, options: ClusterSpecOptions): ClusterSpec {
  const power = deviceModel({}, options.powerOverrides);
  const list = new NodeList();
  for (const group of splitGroups(text)) {
    const m = /^\s*([^{}]*?)\s*x\s*\{([^{}]*)\}\s*$/.exec(group);
    if (!m) throw new InputError('bad_shorthand', `"${group}" is not COUNTx{cpus:N,mem:256G,gpus:N,gpu:MODEL}`, { field: 'cluster' });
    const count = sizeText(m[1]!, { field: 'count' }, { integer: true, positive: true });
    const values = new Map<string, string>();
    for (const item of m[2]!.split(',')) {
      const colon = item.indexOf(':');
      if (colon === -1) throw new InputError('bad_shorthand', `"${item.trim()}" in "${group}" is not key:value`, { field: 'cluster' });
      const key = item.slice(0, colon).trim();
      if (!GROUP_KEYS.includes(key)) throw new InputError('unknown_key', `unknown key "${key}" in "${group}" (keys: ${GROUP_KEYS.join(', ')})`, { field: key });
      if (values.has(key)) throw new InputError('duplicate_key', `"${key}" given twice in "${group}"`, { field: key });
      values.set(key, item.slice(colon + 1).trim());
    }
    const cpusText = values.get('cpus');
    if (cpusText === undefined) throw new InputError('missing_field', `"${group}" does not say cpus`, { field: 'cpus' });
    const mem = values.get('mem');
    const gpusText = values.get('gpus');
    const gpus = gpusText === undefined ? 0 : sizeText(gpusText, { field: 'gpus' }, { integer: true });
    const node = {
      cpus: sizeText(cpusText, { field: 'cpus' }, { positive: true }),
      memMiB: mem === undefined ? Infinity : memText(mem, { field: 'mem' }),
      gpus,
      gpuModel: gpuModelOf(gpus, values.get('gpu'), power.gpus, { field: 'gpu' }),
    };
    for (let i = 0; i < count; i++) list.add(undefined, node, {});
  }
  return list.done(text, power, { field: 'cluster' });
}

/** Split at `+` outside braces. */
function splitGroups(text: string): string[] {
  const groups: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
    else if (text[i] === '+' && depth === 0) {
      groups.push(text.slice(start, i));
      start = i + 1;
    }
  }
  groups.push(text.slice(start));
  return groups;
}

/** One pool of the log's MaxProcs processors. MaxNodes is not a substitute: a node may hold several. */
function swfCluster(options: ClusterSpecOptions): ClusterSpec {
  const header = options.swfHeader;
  if (!header) {
    const message = 'cluster "swf" takes MaxProcs from the header of an SWF workload, and the workload is not one';
    throw new InputError('swf_cluster_without_swf', message, { field: 'cluster' });
  }
  const where = { file: options.swfFile, field: 'MaxProcs' };
  const value = headerValue(header, 'MaxProcs');
  if (value === undefined) {
    const nodes = headerValue(header, 'MaxNodes');
    const hint = nodes === undefined ? '' : ` (it gives MaxNodes: ${nodes}, but a node may hold several processors)`;
    throw new InputError('missing_field', `the SWF header has no MaxProcs${hint}: give the size with --cluster procs:N`, where);
  }
  return poolCluster(sizeText(value, where, { integer: true, positive: true }), 'swf:MaxProcs', options.powerOverrides);
}

function headerValue(header: readonly string[], key: string): string | undefined {
  for (const line of header) {
    const text = line.trimStart();
    if (text.startsWith(`${key}:`)) return text.slice(key.length + 1).trim();
  }
  return undefined;
}

// ---- files ----

function parseClusterFile(text: string, options: ClusterSpecOptions): ClusterSpec {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (/^\s*\{/.test(body)) return jsonCluster(body, options);
  const firstLine = body.split('\n', 1)[0]!.replace(/\r$/, '');
  if (firstLine === OPENB_HEADER) return openbCluster(body, options);
  throw new InputError(
    'unknown_cluster_format',
    `not a cluster spec: expected a JSON file ({"nodes": [...]}), an openb node list (header ${OPENB_HEADER}) or a shorthand (${SHORTHANDS})`,
    { file: options.file, line: 1 },
  );
}

/** openb's node list: sn,cpu_milli,memory_mib,gpu,model; plain fields, no quoting. */
function openbCluster(text: string, options: ClusterSpecOptions): ClusterSpec {
  const file = options.file;
  const power = deviceModel({}, options.powerOverrides);
  const list = new NodeList();
  const rows = text.split('\n');
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!.endsWith('\r') ? rows[i]!.slice(0, -1) : rows[i]!;
    if (row.trim() === '') continue;
    const line = i + 1;
    const at = (field: string) => ({ file, line, field });
    if (row.includes('"')) throw new InputError('malformed_csv', 'a quote character: openb node lists have plain, unquoted fields', { file, line });
    const fields = row.split(',');
    if (fields.length !== 5) throw new InputError('field_count', `expected 5 comma-separated fields (${OPENB_HEADER}), got ${fields.length}`, { file, line });
    const [sn, cpuMilli, memMiB, gpu, model] = fields as [string, string, string, string, string];
    if (sn === '') throw new InputError('missing_value', 'empty node name', at('sn'));
    const gpus = sizeText(gpu, at('gpu'), { integer: true });
    list.add(
      sn,
      {
        cpus: sizeText(cpuMilli, at('cpu_milli'), { positive: true }) / 1000,
        memMiB: sizeText(memMiB, at('memory_mib')),
        gpus,
        gpuModel: gpuModelOf(gpus, model, power.gpus, at('model')),
      },
      at('sn'),
    );
  }
  return list.done(file ?? 'openb', power, { file });
}

const ROOT_KEYS = ['nodes', 'power', 'model'];
const NODE_KEYS = ['name', 'cpus', 'mem', 'gpus', 'gpu', 'count'];
const POWER_KEYS = ['processor', 'cpu_package', 'vcpus_per_package', 'gpus'];
const DEVICE_KEYS = ['idle_w', 'busy_w'];
type Json = Record<string, unknown>;

/**
 * {"nodes": [{"name"?, "cpus", "mem"?, "gpus"?, "gpu"?, "count"?}], "power"?: {...}, "model"?: "processor"|"device"}.
 * Errors in a node give the line where its object starts.
 */
function jsonCluster(text: string, options: ClusterSpecOptions): ClusterSpec {
  const file = options.file;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /at position (\d+)/.exec(message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new InputError('bad_json', `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, { file, line });
  }
  const top = jsonObject(root, '', ROOT_KEYS, { file });
  const model = top.model ?? 'device';
  if (model !== 'device' && model !== 'processor') throw new InputError('bad_value', `model ${JSON.stringify(model)}: use "processor" or "device"`, { file, field: 'model' });
  const power = jsonPower(top.power, model, options.powerOverrides, file);

  if (top.nodes === undefined) throw new InputError('missing_field', 'no "nodes" list', { file, field: 'nodes' });
  if (!Array.isArray(top.nodes)) throw new InputError('wrong_type', '"nodes" must be a list of node objects', { file, field: 'nodes' });
  const lines = nodeLines(text);
  const list = new NodeList();
  top.nodes.forEach((value: unknown, i: number) => {
    const path = `nodes[${i}]`;
    const at = (key: string) => ({ file, line: lines[i], field: `${path}.${key}` });
    const node = jsonObject(value, path, NODE_KEYS, { file, line: lines[i] });
    if (node.cpus === undefined) throw new InputError('missing_field', `${path} does not say cpus`, at('cpus'));
    const gpus = node.gpus === undefined ? 0 : jsonSize(node.gpus, at('gpus'), { integer: true });
    if (gpus > 0 && power.kind === 'processor') throw new InputError('wrong_model', 'a node with GPUs needs the device power model, not "processor"', at('gpus'));
    const gpu = node.gpu === undefined ? undefined : jsonString(node.gpu, at('gpu'));
    const spec = {
      cpus: jsonSize(node.cpus, at('cpus'), { positive: true }),
      memMiB: node.mem === undefined ? Infinity : typeof node.mem === 'string' ? memText(node.mem, at('mem')) : jsonSize(node.mem, at('mem'), {}),
      gpus,
      gpuModel: gpuModelOf(gpus, gpu, power.kind === 'device' ? power.gpus : {}, at('gpu')),
    };
    const count = node.count === undefined ? 1 : jsonSize(node.count, at('count'), { integer: true, positive: true });
    const name = node.name === undefined ? undefined : jsonString(node.name, at('name'));
    if (name === '') throw new InputError('missing_value', 'empty node name', at('name'));
    for (let k = 0; k < count; k++) list.add(name === undefined || count === 1 ? name : `${name}-${k}`, spec, at('name'));
  });
  return list.done(file ?? 'json', power, { file, field: 'nodes' });
}

function jsonPower(value: unknown, model: 'processor' | 'device', overrides: PowerOverrides | undefined, file: string | undefined): PowerModel {
  const power = value === undefined ? {} : jsonObject(value, 'power', POWER_KEYS, { file });
  const own = model === 'processor' ? ['processor'] : ['cpu_package', 'vcpus_per_package', 'gpus'];
  for (const key of Object.keys(power)) {
    if (!own.includes(key)) throw new InputError('wrong_model', `power.${key} does not apply to the "${model}" power model`, { file, field: `power.${key}` });
  }
  if (model === 'processor') {
    return processorModel(power.processor === undefined ? PROCESSOR_POWER : jsonDevice(power.processor, 'power.processor', file), overrides);
  }
  const gpus: Record<string, DevicePower> = {};
  if (power.gpus !== undefined) {
    for (const [name, p] of Object.entries(jsonObject(power.gpus, 'power.gpus', null, { file }))) {
      if (name === '') throw new InputError('missing_value', 'empty GPU model name', { file, field: 'power.gpus' });
      gpus[name] = jsonDevice(p, `power.gpus.${name}`, file);
    }
  }
  const vcpus = power.vcpus_per_package;
  return deviceModel(
    {
      cpuPackage: power.cpu_package === undefined ? undefined : jsonDevice(power.cpu_package, 'power.cpu_package', file),
      vcpusPerPackage: vcpus === undefined ? undefined : jsonSize(vcpus, { file, field: 'power.vcpus_per_package' }, { integer: true, positive: true }),
      gpus,
    },
    overrides,
  );
}

function jsonDevice(value: unknown, path: string, file: string | undefined): DevicePower {
  const o = jsonObject(value, path, DEVICE_KEYS, { file });
  for (const key of DEVICE_KEYS) if (o[key] === undefined) throw new InputError('missing_field', `${path} needs idle_w and busy_w`, { file, field: `${path}.${key}` });
  const idleW = jsonSize(o.idle_w, { file, field: `${path}.idle_w` }, {});
  const busyW = jsonSize(o.busy_w, { file, field: `${path}.busy_w` }, {});
  return checkedPower({ idleW, busyW }, { file, field: `${path}.busy_w` });
}

/** An object with only `keys` (null: any keys); the error for a stray key names its path. */
function jsonObject(value: unknown, path: string, keys: readonly string[] | null, where: InputLocation): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('wrong_type', `${path || 'the file'} must be an object`, { ...where, field: path || undefined });
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (keys && !keys.includes(key)) throw new InputError('unknown_key', `unknown key "${key}" (keys: ${keys.join(', ')})`, { ...where, field });
  }
  return value as Json;
}

/** JSON numbers only ("32" is not one); 1e400 parses as Infinity and is rejected here. */
function jsonSize(value: unknown, where: InputLocation, rule: SizeRule): number {
  if (typeof value !== 'number') throw new InputError('not_a_number', `${JSON.stringify(value)} is not a number`, where);
  return checkSize(value, String(value), where, rule);
}

function jsonString(value: unknown, where: InputLocation): string {
  if (typeof value !== 'string') throw new InputError('wrong_type', `${JSON.stringify(value)} is not a string`, where);
  return value;
}

/** 1-based line where each element of the root object's "nodes" array starts; `text` is valid JSON. */
function nodeLines(text: string): number[] {
  let lines: number[] = [];
  let line = 1;
  let depth = 0;
  let key = ''; // last string seen in the root object: the key of the value that follows it
  let inNodes = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') continue;
    if (inNodes && depth === 2 && expectElement && c !== ']') {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1; // valid JSON strings hold no raw newline
      if (depth === 1) key = text.slice(i + 1, j);
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && c === '[' && key === 'nodes') {
        inNodes = true; // a repeated "nodes" key: JSON.parse keeps the last, and so do we
        expectElement = true;
        lines = [];
      }
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1) inNodes = false;
    } else if (c === ',' && inNodes && depth === 2) expectElement = true;
  }
  return lines;
}
