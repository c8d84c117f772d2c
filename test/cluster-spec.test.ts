// Cluster specs for --cluster: each shorthand and file form checked by hand, the real openb node list
// and the three SWF logs' MaxProcs, and one test per bad-input rule (exact code, field and line).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { clusterCapacity, describeCluster, parseClusterSpec, parsePowerFlag, readClusterSpec } from '../src/cluster/spec.js';
import { CPU_PACKAGE_POWER, GPU_POWER, PROCESSOR_POWER, VCPUS_PER_PACKAGE } from '../src/cluster/types.js';
import { inputErrorOf, sharedData } from './helpers.js';

const DEVICE = { kind: 'device', cpuPackage: CPU_PACKAGE_POWER, vcpusPerPackage: VCPUS_PER_PACKAGE, gpus: GPU_POWER };
const tmp = mkdtempSync(join(tmpdir(), 'carbon-sim-cluster-'));
function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}
/** code, file, line and field of the InputError f throws */
function where(f: () => unknown) {
  const e = inputErrorOf(f);
  return { code: e.code, file: e.file, line: e.line, field: e.field };
}
const spec = (text: string) => () => parseClusterSpec(text);
const json = (value: unknown) => () => parseClusterSpec(JSON.stringify(value, null, 2), { file: 'c.json' });
const openb = (...rows: string[]) => () => parseClusterSpec(['sn,cpu_milli,memory_mib,gpu,model', ...rows].join('\n'), { file: 'n.csv' });

describe('shorthands', () => {
  it('procs:100 is one pool node of 100 processors, unlimited memory, processor power', () => {
    expect(parseClusterSpec('procs:100')).toEqual({
      nodes: [{ name: 'pool', cpus: 100, memMiB: Infinity, gpus: 0, gpuModel: null }],
      power: { kind: 'processor', processor: PROCESSOR_POWER },
      source: 'procs:100',
    });
  });

  it('64x{cpus:32,mem:256G} is 64 nodes node-0000..node-0063 of 32 vCPUs and 262,144 MiB, device power', () => {
    const s = parseClusterSpec('64x{cpus:32,mem:256G}');
    expect(s.nodes).toHaveLength(64);
    expect(s.nodes[0]).toEqual({ name: 'node-0000', cpus: 32, memMiB: 262144, gpus: 0, gpuModel: null });
    expect(s.nodes[63]!.name).toBe('node-0063');
    expect(s.power).toEqual(DEVICE);
    expect(clusterCapacity(s)).toEqual({ cpus: 2048, memMiB: 64 * 262144, gpus: 0 });
  });

  it('groups joined with + keep their order; mem T/M/plain MiB; no mem is unlimited', () => {
    const s = parseClusterSpec('4x{cpus:96,mem:1T,gpus:8,gpu:A100}+16x{cpus:32}+1x{ cpus: 2.5, mem: 512M }+1x{cpus:1,mem:100}');
    expect(s.nodes).toHaveLength(22);
    expect(s.nodes[3]).toEqual({ name: 'node-0003', cpus: 96, memMiB: 1024 * 1024, gpus: 8, gpuModel: 'A100' });
    expect(s.nodes[4]).toEqual({ name: 'node-0004', cpus: 32, memMiB: Infinity, gpus: 0, gpuModel: null });
    expect(s.nodes[20]).toEqual({ name: 'node-0020', cpus: 2.5, memMiB: 512, gpus: 0, gpuModel: null });
    expect(s.nodes[21]!.memMiB).toBe(100);
    expect(clusterCapacity(s)).toEqual({ cpus: 4 * 96 + 16 * 32 + 3.5, memMiB: Infinity, gpus: 32 });
    expect(describeCluster(s)).toBe('22 nodes: 899.5 vCPUs, 32 GPUs (A100 x 32)');
  });

  it('swf takes MaxProcs from the header lines', () => {
    const s = parseClusterSpec('swf', { swfHeader: [' Version: 2.2', ' MaxNodes: 25', ' MaxProcs: 100'] });
    expect(s.nodes).toEqual([{ name: 'pool', cpus: 100, memMiB: Infinity, gpus: 0, gpuModel: null }]);
    expect(s.power).toEqual({ kind: 'processor', processor: PROCESSOR_POWER });
    expect(s.source).toBe('swf:MaxProcs');
    expect(describeCluster(s)).toBe('1 node: 100 processors');
  });

  it('power overrides replace the defaults of the model in use', () => {
    const over = { processor: parsePowerFlag('50/100', 'processor-power') };
    expect(parseClusterSpec('procs:8', { powerOverrides: over }).power).toEqual({ kind: 'processor', processor: { idleW: 50, busyW: 100 } });
    const s = parseClusterSpec('2x{cpus:8,gpus:1,gpu:H100}', {
      powerOverrides: { cpuPackage: { idleW: 10, busyW: 100 }, vcpusPerPackage: 8, gpus: { H100: parsePowerFlag(' 60 / 700 ', 'gpu-power') } },
    });
    expect(s.power).toEqual({ ...DEVICE, cpuPackage: { idleW: 10, busyW: 100 }, vcpusPerPackage: 8, gpus: { ...GPU_POWER, H100: { idleW: 60, busyW: 700 } } });
    expect(s.nodes[1]!.gpuModel).toBe('H100');
  });

  it('parsePowerFlag reads idle/busy W, decimals allowed', () => {
    expect(parsePowerFlag('95/190', 'f')).toEqual({ idleW: 95, busyW: 190 });
    expect(parsePowerFlag('0/12.5', 'f')).toEqual({ idleW: 0, busyW: 12.5 });
  });
});

describe('readClusterSpec: a file or a shorthand', () => {
  it('an existing file is read; anything else must be a shorthand', () => {
    const path = file('small.json', '{"nodes": [{"cpus": 4}]}');
    expect(readClusterSpec(path).source).toBe(path);
    expect(readClusterSpec('procs:4').nodes[0]!.cpus).toBe(4);
    expect(where(() => readClusterSpec(join(tmp, 'absent.json')))).toEqual({ code: 'not_a_cluster', file: join(tmp, 'absent.json'), line: undefined, field: 'cluster' });
    expect(inputErrorOf(() => readClusterSpec('procz:4')).message).toBe('no such file, and not a cluster shorthand (procs:N, NxN{cpus:..,mem:..}, swf)');
  });

  it('a file that is neither JSON nor an openb node list lists the accepted forms', () => {
    const path = file('nodes.txt', 'name,cpus\na,4\n');
    const e = inputErrorOf(() => readClusterSpec(path));
    expect([e.code, e.file, e.line]).toEqual(['unknown_cluster_format', path, 1]);
    expect(e.message).toContain('JSON');
    expect(e.message).toContain('sn,cpu_milli,memory_mib,gpu,model');
    expect(e.message).toContain('procs:N');
  });
});

describe('JSON files', () => {
  it('names, counts, mem as text or MiB, GPUs; unnamed nodes numbered by position', () => {
    const s = parseClusterSpec(
      JSON.stringify({
        nodes: [
          { name: 'big', cpus: 96, mem: '1T', gpus: 8, gpu: 'V100' },
          { cpus: 16, mem: 65536 },
          { name: 'web', cpus: 4, count: 2 },
        ],
      }),
      { file: 'c.json' },
    );
    expect(s.nodes).toEqual([
      { name: 'big', cpus: 96, memMiB: 1048576, gpus: 8, gpuModel: 'V100' },
      { name: 'node-0001', cpus: 16, memMiB: 65536, gpus: 0, gpuModel: null },
      { name: 'web-0', cpus: 4, memMiB: Infinity, gpus: 0, gpuModel: null },
      { name: 'web-1', cpus: 4, memMiB: Infinity, gpus: 0, gpuModel: null },
    ]);
    expect(s.power).toEqual(DEVICE);
    expect(s.source).toBe('c.json');
  });

  it('a power section adds GPU models and replaces package power; CLI overrides win over it', () => {
    const text = JSON.stringify({
      nodes: [{ cpus: 64, gpus: 4, gpu: 'H100' }],
      power: { cpu_package: { idle_w: 20, busy_w: 150 }, vcpus_per_package: 64, gpus: { H100: { idle_w: 60, busy_w: 700 } } },
    });
    expect(parseClusterSpec(text).power).toEqual({
      kind: 'device',
      cpuPackage: { idleW: 20, busyW: 150 },
      vcpusPerPackage: 64,
      gpus: { ...GPU_POWER, H100: { idleW: 60, busyW: 700 } },
    });
    const over = parseClusterSpec(text, { powerOverrides: { cpuPackage: { idleW: 1, busyW: 2 } } });
    expect(over.power.kind === 'device' && over.power.cpuPackage).toEqual({ idleW: 1, busyW: 2 });
  });

  it('model "processor" with its own processor power', () => {
    const s = parseClusterSpec('{"model": "processor", "power": {"processor": {"idle_w": 80, "busy_w": 200}}, "nodes": [{"name": "a", "cpus": 8}]}');
    expect(s.power).toEqual({ kind: 'processor', processor: { idleW: 80, busyW: 200 } });
  });
});

describe('openb node list', () => {
  it('sn, cpu_milli/1000, memory_mib, gpu, model (null without GPUs); CRLF tolerated', () => {
    const s = parseClusterSpec('sn,cpu_milli,memory_mib,gpu,model\r\na,32000,262144,0,\r\nb,500,1024,2,T4\r\n', { file: 'n.csv' });
    expect(s.nodes).toEqual([
      { name: 'a', cpus: 32, memMiB: 262144, gpus: 0, gpuModel: null },
      { name: 'b', cpus: 0.5, memMiB: 1024, gpus: 2, gpuModel: 'T4' },
    ]);
    expect(s.power).toEqual(DEVICE);
    expect(s.source).toBe('n.csv');
  });

  const all = sharedData('workloads/openb/openb_node_list_all_node.csv');
  it.skipIf(all.skip)(`the real openb_node_list_all_node.csv: totals checked with awk${all.skip ? ` (skipped: ${all.skip})` : ''}`, () => {
    const s = readClusterSpec(all.path);
    expect(s.nodes).toHaveLength(1523);
    expect(s.nodes[0]).toEqual({ name: 'openb-node-0000', cpus: 32, memMiB: 262144, gpus: 0, gpuModel: null });
    expect(s.nodes[123]).toEqual({ name: 'openb-node-0123', cpus: 64, memMiB: 262144, gpus: 2, gpuModel: 'P100' });
    expect(s.nodes[1522]).toEqual({ name: 'openb-node-1522', cpus: 96, memMiB: 393216, gpus: 8, gpuModel: 'G2' });
    expect(clusterCapacity(s)).toEqual({ cpus: 125514, memMiB: 612028416, gpus: 6212 });
    const gpus: Record<string, number> = {};
    const nodes: Record<string, number> = {};
    for (const n of s.nodes) {
      const m = n.gpuModel ?? 'none';
      gpus[m] = (gpus[m] ?? 0) + n.gpus;
      nodes[m] = (nodes[m] ?? 0) + 1;
    }
    // awk -F, 'NR>1 {g[$5]+=$4; n[$5]++}' openb_node_list_all_node.csv
    expect(gpus).toEqual({ none: 0, T4: 842, A10: 2, G2: 4392, P100: 265, V100M16: 195, V100M32: 204, G3: 312 });
    expect(nodes).toEqual({ none: 310, T4: 404, A10: 2, G2: 549, P100: 134, V100M16: 55, V100M32: 30, G3: 39 });
    expect(describeCluster(s)).toBe(
      '1,523 nodes: 125,514 vCPUs, 6,212 GPUs (T4 x 842, A10 x 2, G2 x 4,392, P100 x 265, V100M16 x 195, V100M32 x 204, G3 x 312)',
    );
  });

  const gpuNodes = sharedData('workloads/openb/openb_node_list_gpu_node.csv');
  it.skipIf(gpuNodes.skip)(`the real openb_node_list_gpu_node.csv: 1,213 GPU nodes${gpuNodes.skip ? ` (skipped: ${gpuNodes.skip})` : ''}`, () => {
    const s = readClusterSpec(gpuNodes.path);
    expect([s.nodes.length, clusterCapacity(s).cpus, clusterCapacity(s).gpus]).toEqual([1213, 107018, 6212]);
  });
});

describe('SWF logs of the Parallel Workloads Archive: MaxProcs', () => {
  const header = (path: string) =>
    gunzipSync(readFileSync(path))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith(';'))
      .map((l) => l.slice(1));
  for (const [log, procs] of [
    ['KTH-SP2-1996-2.1-cln.swf.gz', 100],
    ['NASA-iPSC-1993-3.1-cln.swf.gz', 128],
    ['LLNL-Thunder-2007-1.1-cln.swf.gz', 4008],
  ] as const) {
    const data = sharedData(`workloads/swf/${log}`);
    it.skipIf(data.skip)(`${log}: MaxProcs ${procs}${data.skip ? ` (skipped: ${data.skip})` : ''}`, () => {
      const s = parseClusterSpec('swf', { swfHeader: header(data.path), swfFile: log });
      expect(s.nodes).toEqual([{ name: 'pool', cpus: procs, memMiB: Infinity, gpus: 0, gpuModel: null }]);
    });
  }
});

describe('bad input: one InputError naming file, line and field', () => {
  const at = (code: string, field: string | undefined, line?: number, file?: string) => ({ code, file, line, field });

  describe('shorthands', () => {
    it('negative procs', () => expect(where(spec('procs:-4'))).toEqual(at('negative', 'procs')));
    it('non-numeric procs', () => expect(where(spec('procs:many'))).toEqual(at('not_a_number', 'procs')));
    it('zero procs', () => expect(where(spec('procs:0'))).toEqual(at('not_positive', 'procs')));
    it('fractional procs', () => expect(where(spec('procs:1.5'))).toEqual(at('not_integer', 'procs')));
    it('hex procs', () => expect(where(spec('procs:0x10'))).toEqual(at('not_a_number', 'procs')));
    it('Infinity procs', () => expect(where(spec('procs:Infinity'))).toEqual(at('not_a_number', 'procs')));
    it('1e400 procs', () => expect(where(spec('procs:1e400'))).toEqual(at('not_finite', 'procs')));
    it('zero cpus', () => expect(where(spec('4x{cpus:0}'))).toEqual(at('not_positive', 'cpus')));
    it('negative cpus', () => expect(where(spec('4x{cpus:-2}'))).toEqual(at('negative', 'cpus')));
    it('missing cpus', () => expect(where(spec('4x{mem:1G}'))).toEqual(at('missing_field', 'cpus')));
    it('negative mem', () => expect(where(spec('4x{cpus:1,mem:-1G}'))).toEqual(at('negative', 'mem')));
    it('non-numeric mem', () => expect(where(spec('4x{cpus:1,mem:lots}'))).toEqual(at('not_a_number', 'mem')));
    it('unknown mem unit', () => expect(where(spec('4x{cpus:1,mem:256GB}'))).toEqual(at('bad_unit', 'mem')));
    it('1e400 mem', () => expect(where(spec('4x{cpus:1,mem:1e400}'))).toEqual(at('not_finite', 'mem')));
    it('fractional gpus', () => expect(where(spec('4x{cpus:1,gpus:0.5,gpu:T4}'))).toEqual(at('not_integer', 'gpus')));
    it('negative gpus', () => expect(where(spec('4x{cpus:1,gpus:-1,gpu:T4}'))).toEqual(at('negative', 'gpus')));
    it('fractional count', () => expect(where(spec('2.5x{cpus:1}'))).toEqual(at('not_integer', 'count')));
    it('negative count', () => expect(where(spec('-2x{cpus:1}'))).toEqual(at('negative', 'count')));
    it('zero count', () => expect(where(spec('0x{cpus:1}'))).toEqual(at('not_positive', 'count')));
    it('unknown key', () => expect(where(spec('2x{cpus:1,cpuz:2}'))).toEqual(at('unknown_key', 'cpuz')));
    it('a key given twice', () => expect(where(spec('2x{cpus:1,cpus:2}'))).toEqual(at('duplicate_key', 'cpus')));
    it('a malformed group', () => expect(where(spec('2x{cpus:1}+3x'))).toEqual(at('bad_shorthand', 'cluster')));
    it('GPUs without a model', () => expect(where(spec('2x{cpus:1,gpus:2}'))).toEqual(at('missing_gpu_model', 'gpu')));
    it('a model without GPUs', () => expect(where(spec('2x{cpus:1,gpu:T4}'))).toEqual(at('gpu_model_without_gpus', 'gpu')));
    it('an unknown GPU model lists the known ones', () => {
      const e = inputErrorOf(spec('2x{cpus:1,gpus:1,gpu:H100}'));
      expect([e.code, e.field]).toEqual(['unknown_gpu_model', 'gpu']);
      expect(e.message).toBe(`unknown GPU model "H100" (known: ${Object.keys(GPU_POWER).join(', ')})`);
    });
  });

  describe('swf', () => {
    it('no SWF header at all', () => expect(where(spec('swf'))).toEqual(at('swf_cluster_without_swf', 'cluster')));
    it('no MaxProcs', () => expect(where(() => parseClusterSpec('swf', { swfHeader: [' Version: 2.2'], swfFile: 'a.swf' }))).toEqual(at('missing_field', 'MaxProcs', undefined, 'a.swf')));
    it('MaxNodes is not taken for MaxProcs', () => {
      const e = inputErrorOf(() => parseClusterSpec('swf', { swfHeader: [' MaxNodes: 128'] }));
      expect([e.code, e.field]).toEqual(['missing_field', 'MaxProcs']);
      expect(e.message).toContain('MaxNodes: 128');
    });
    it('MaxProcs 0', () => expect(where(() => parseClusterSpec('swf', { swfHeader: [' MaxProcs: 0'] }))).toEqual(at('not_positive', 'MaxProcs')));
    it('MaxProcs -1', () => expect(where(() => parseClusterSpec('swf', { swfHeader: [' MaxProcs: -1'] }))).toEqual(at('negative', 'MaxProcs')));
  });

  describe('power values', () => {
    it('busy below idle', () => expect(where(() => parsePowerFlag('190/95', 'cpu-power'))).toEqual(at('busy_below_idle', 'cpu-power')));
    it('negative', () => expect(where(() => parsePowerFlag('-1/95', 'cpu-power'))).toEqual(at('negative', 'cpu-power')));
    it('non-numeric', () => expect(where(() => parsePowerFlag('low/high', 'cpu-power'))).toEqual(at('not_a_number', 'cpu-power')));
    it('not idle/busy', () => expect(where(() => parsePowerFlag('95', 'cpu-power'))).toEqual(at('bad_power', 'cpu-power')));
    it('an override the model does not use', () => {
      const cpu = { cpuPackage: { idleW: 1, busyW: 2 } };
      expect(where(() => parseClusterSpec('procs:4', { powerOverrides: cpu }))).toEqual(at('unused_power_override', 'powerOverrides.cpuPackage'));
      expect(where(() => parseClusterSpec('1x{cpus:4}', { powerOverrides: { processor: { idleW: 1, busyW: 2 } } }))).toEqual(
        at('unused_power_override', 'powerOverrides.processor'),
      );
    });
  });

  describe('JSON', () => {
    const nodes = (...n: unknown[]) => json({ nodes: n });
    // JSON.stringify(_, null, 2): "{", '  "nodes": [', then node i starts on line 3 + i*k for one-key-per-line objects
    it('unknown node key: path and the line its object starts on', () =>
      expect(where(nodes({ cpus: 1 }, { cpus: 1 }, { cpus: 1 }, { cpuz: 1 }))).toEqual(at('unknown_key', 'nodes[3].cpuz', 12, 'c.json')));
    it('unknown top-level key', () => expect(where(json({ nodes: [{ cpus: 1 }], nodez: [] }))).toEqual(at('unknown_key', 'nodez', undefined, 'c.json')));
    it('unknown power key', () => expect(where(json({ nodes: [{ cpus: 1 }], power: { gpu: {} } }))).toEqual(at('unknown_key', 'power.gpu', undefined, 'c.json')));
    it('zero cpus', () => expect(where(nodes({ cpus: 1 }, { cpus: 0 }))).toEqual(at('not_positive', 'nodes[1].cpus', 6, 'c.json')));
    it('cpus as a string', () => expect(where(nodes({ cpus: '4' }))).toEqual(at('not_a_number', 'nodes[0].cpus', 3, 'c.json')));
    it('missing cpus', () => expect(where(nodes({ mem: '1G' }))).toEqual(at('missing_field', 'nodes[0].cpus', 3, 'c.json')));
    it('1e400 cpus', () => expect(where(() => parseClusterSpec('{"nodes": [\n{"cpus": 1e400}]}', { file: 'c.json' }))).toEqual(at('not_finite', 'nodes[0].cpus', 2, 'c.json')));
    it('hex cpus is not JSON', () => expect(where(() => parseClusterSpec('{"nodes": [\n{"cpus": 0x10}]}', { file: 'c.json' }))).toEqual(at('bad_json', undefined, 2, 'c.json')));
    it('negative mem', () => expect(where(nodes({ cpus: 1, mem: -5 }))).toEqual(at('negative', 'nodes[0].mem', 3, 'c.json')));
    it('bad mem text', () => expect(where(nodes({ cpus: 1, mem: '0x10G' }))).toEqual(at('not_a_number', 'nodes[0].mem', 3, 'c.json')));
    it('fractional gpus', () => expect(where(nodes({ cpus: 1, gpus: 1.5, gpu: 'T4' }))).toEqual(at('not_integer', 'nodes[0].gpus', 3, 'c.json')));
    it('fractional count', () => expect(where(nodes({ cpus: 1, count: 1.5 }))).toEqual(at('not_integer', 'nodes[0].count', 3, 'c.json')));
    it('negative count', () => expect(where(nodes({ cpus: 1, count: -1 }))).toEqual(at('negative', 'nodes[0].count', 3, 'c.json')));
    it('unknown GPU model', () => expect(where(nodes({ cpus: 1, gpus: 1, gpu: 'H100' }))).toEqual(at('unknown_gpu_model', 'nodes[0].gpu', 3, 'c.json')));
    it('duplicate node names', () => expect(where(nodes({ name: 'a', cpus: 1 }, { name: 'a', cpus: 1 }))).toEqual(at('duplicate_node', 'nodes[1].name', 7, 'c.json')));
    it('a name clashing with a generated one', () => expect(where(nodes({ cpus: 1 }, { name: 'node-0000', cpus: 1 }))).toEqual(at('duplicate_node', 'nodes[1].name', 6, 'c.json')));
    it('an empty node list', () => expect(where(json({ nodes: [] }))).toEqual(at('no_nodes', 'nodes', undefined, 'c.json')));
    it('no node list', () => expect(where(json({ model: 'device' }))).toEqual(at('missing_field', 'nodes', undefined, 'c.json')));
    it('a node that is not an object', () => expect(where(nodes({ cpus: 1 }, 4))).toEqual(at('wrong_type', 'nodes[1]', 6, 'c.json')));
    it('an unknown model', () => expect(where(json({ model: 'gpu', nodes: [{ cpus: 1 }] }))).toEqual(at('bad_value', 'model', undefined, 'c.json')));
    it('GPUs under the processor model', () =>
      expect(where(json({ model: 'processor', nodes: [{ cpus: 1, gpus: 1, gpu: 'T4' }] }))).toEqual(at('wrong_model', 'nodes[0].gpus', 4, 'c.json')));
    it('device power under the processor model', () =>
      expect(where(json({ model: 'processor', power: { cpu_package: { idle_w: 1, busy_w: 2 } }, nodes: [{ cpus: 1 }] }))).toEqual(
        at('wrong_model', 'power.cpu_package', undefined, 'c.json'),
      ));
    const power = (p: unknown) => json({ nodes: [{ cpus: 1 }], power: p });
    it('negative power', () => expect(where(power({ cpu_package: { idle_w: -1, busy_w: 2 } }))).toEqual(at('negative', 'power.cpu_package.idle_w', undefined, 'c.json')));
    it('non-numeric power', () => expect(where(power({ gpus: { T4: { idle_w: 1, busy_w: '70' } } }))).toEqual(at('not_a_number', 'power.gpus.T4.busy_w', undefined, 'c.json')));
    it('busy below idle', () => expect(where(power({ cpu_package: { idle_w: 20, busy_w: 10 } }))).toEqual(at('busy_below_idle', 'power.cpu_package.busy_w', undefined, 'c.json')));
    it('missing busy_w', () => expect(where(power({ cpu_package: { idle_w: 20 } }))).toEqual(at('missing_field', 'power.cpu_package.busy_w', undefined, 'c.json')));
    it('unknown device power key', () => expect(where(power({ cpu_package: { idle_w: 1, busy: 2 } }))).toEqual(at('unknown_key', 'power.cpu_package.busy', undefined, 'c.json')));
    it('zero vcpus_per_package', () => expect(where(power({ vcpus_per_package: 0 }))).toEqual(at('not_positive', 'power.vcpus_per_package', undefined, 'c.json')));
    it('malformed JSON gives its line', () => expect(where(() => parseClusterSpec('{"nodes": [\n  {"cpus": 1,}\n]}', { file: 'c.json' }))).toEqual(at('bad_json', undefined, 2, 'c.json')));
  });

  describe('openb', () => {
    // header on line 1: the first row is line 2
    it('negative cpu_milli', () => expect(where(openb('a,1000,1,0,', 'b,-1000,1,0,'))).toEqual(at('negative', 'cpu_milli', 3, 'n.csv')));
    it('zero cpu_milli', () => expect(where(openb('a,0,1,0,'))).toEqual(at('not_positive', 'cpu_milli', 2, 'n.csv')));
    it('non-numeric memory_mib', () => expect(where(openb('a,1000,lots,0,'))).toEqual(at('not_a_number', 'memory_mib', 2, 'n.csv')));
    it('Infinity memory_mib', () => expect(where(openb('a,1000,Infinity,0,'))).toEqual(at('not_a_number', 'memory_mib', 2, 'n.csv')));
    it('fractional gpu', () => expect(where(openb('a,1000,1,0.5,T4'))).toEqual(at('not_integer', 'gpu', 2, 'n.csv')));
    it('empty model with GPUs', () => expect(where(openb('a,1000,1,2,'))).toEqual(at('missing_gpu_model', 'model', 2, 'n.csv')));
    it('a model without GPUs', () => expect(where(openb('a,1000,1,0,T4'))).toEqual(at('gpu_model_without_gpus', 'model', 2, 'n.csv')));
    it('unknown GPU model', () => expect(where(openb('a,1000,1,2,H100'))).toEqual(at('unknown_gpu_model', 'model', 2, 'n.csv')));
    it('duplicate sn', () => expect(where(openb('a,1000,1,0,', '', 'a,1000,1,0,'))).toEqual(at('duplicate_node', 'sn', 4, 'n.csv')));
    it('empty sn', () => expect(where(openb(',1000,1,0,'))).toEqual(at('missing_value', 'sn', 2, 'n.csv')));
    it('a quote character', () => expect(where(openb('"a",1000,1,0,'))).toEqual(at('malformed_csv', undefined, 2, 'n.csv')));
    it('a missing field', () => expect(where(openb('a,1000,1,0'))).toEqual(at('field_count', undefined, 2, 'n.csv')));
    it('no nodes', () => expect(where(openb())).toEqual(at('no_nodes', undefined, undefined, 'n.csv')));
  });
});
