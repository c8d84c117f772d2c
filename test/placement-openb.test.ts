// The openb readers and the FGD / PWR protocol on the real trace (../shared/data/workloads/openb,
// research use only: read from there, never bundled).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { arrivalList, checkpoints, peersAllocAt, runProtocol, targetWorkload, valueAt } from '../src/cluster/placement/index.js';
import { parseOpenbPods, readOpenbNodes, readOpenbPods } from '../src/io/openb.js';
import { inputErrorOf, sharedData } from './helpers.js';

const HEADER = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';

describe('openb pod list reader', () => {
  it('reads shapes, specs and times; sharing and whole-GPU pods; empty scheduled_time', () => {
    const pods = parseOpenbPods(
      [
        HEADER,
        'p0,12000,16384,1,1000,,LS,Running,0,12537496,0',
        'p1,6000,12288,1,460,T4|P100||,BE,Failed,427061,12902960,',
        'p2,88000,327680,8,1000,V100M32,Burstable,Succeeded,9437497,10769854,9437497',
        'p3,4000,8000,0,0,,LS,Running,5,6,5',
      ].join('\n'),
      { file: 'pods.csv' },
    );
    expect(pods.map((p) => [p.name, p.cpuMilli, p.memMiB, p.numGpu, p.gpuMilli, p.gpuSpec, p.qos, p.creationS, p.deletionS, p.scheduledS, p.line])).toEqual([
      ['p0', 12000, 16384, 1, 1000, '', 'LS', 0, 12537496, 0, 2],
      ['p1', 6000, 12288, 1, 460, 'T4|P100', 'BE', 427061, 12902960, undefined, 3],
      ['p2', 88000, 327680, 8, 1000, 'V100M32', 'Burstable', 9437497, 10769854, 9437497, 4],
      ['p3', 4000, 8000, 0, 0, '', 'LS', 5, 6, 5, 5],
    ]);
  });

  it('the five-column lists of the multi-GPU traces read too', () => {
    const pods = parseOpenbPods('name,cpu_milli,memory_mib,num_gpu,gpu_milli\nopenb-pod-0000,12000,16384,1,1000\n', { file: 'm.csv' });
    expect(pods[0]).toMatchObject({ name: 'openb-pod-0000', numGpu: 1, gpuMilli: 1000, gpuSpec: '', creationS: undefined });
  });

  const row = (r: string) => `${HEADER}\n${r}\n`;
  const cases: [string, string, string][] = [
    [row('p,1000,1,1,500,H100,LS,Running,0,1,0'), 'pods.csv:2 (field "gpu_spec"): unknown GPU model "H100" in gpu_spec (known: T4,', 'unknown_gpu_model'],
    [row('p,1000,1,1,1200,,LS,Running,0,1,0'), 'pods.csv:2 (field "gpu_milli"): gpu_milli 1200 with num_gpu 1: a GPU share is 1..1000 thousandths', 'bad_gpu_milli'],
    [row('p,1000,1,1,0,,LS,Running,0,1,0'), 'pods.csv:2 (field "gpu_milli"): gpu_milli 0 with num_gpu 1', 'bad_gpu_milli'],
    [row('p,1000,1,2,-5,,LS,Running,0,1,0'), 'pods.csv:2 (field "gpu_milli"): gpu_milli -5 with num_gpu 2', 'bad_gpu_milli'],
    [row('p,1000,1,2,500,,LS,Running,0,1,0'), 'pods.csv:2 (field "gpu_milli"): gpu_milli 500 with num_gpu 2: pods of several GPUs take whole GPUs (1000)', 'bad_gpu_milli'],
    [row('p,1000,1,0,300,,LS,Running,0,1,0'), 'pods.csv:2 (field "gpu_milli"): gpu_milli 300 given for a pod without GPUs', 'bad_gpu_milli'],
    [row('p,1000,1,1,500,,LS,Running,0,1'), 'pods.csv:2: expected 11 comma-separated fields', 'field_count'],
    [row('p,12.5k,1,1,500,,LS,Running,0,1,0'), 'pods.csv:2 (field "cpu_milli"): "12.5k" is not a whole number >= 0', 'not_integer'],
    [row('p,1000,1,1,500,,LS,Running,9,3,0'), 'pods.csv:2 (field "deletion_time"): deletion_time 3 is before creation_time 9', 'bad_value'],
    [row('p,1000,1,1,500,,LS,Running,0,1,0\np,1,1,0,0,,LS,Running,0,1,0'), 'pods.csv:3 (field "name"): pod name "p" is used twice (first on line 2)', 'duplicate_pod'],
    [row('"p",1000,1,1,500,,LS,Running,0,1,0'), 'pods.csv:2: a quote character', 'malformed_csv'],
    ['name,cpu_milli,memory_mib,num_gpu\np,1,1,0\n', 'pods.csv:1 (field "gpu_milli"): no "gpu_milli" column', 'missing_column'],
    ['name,cpu_milli,memory_mib,num_gpu,gpu_milli,colour\n', 'pods.csv:1 (field "colour"): unknown column "colour"', 'unknown_column'],
    [`${HEADER}\n`, 'pods.csv:2: the pod list has a header but no pods', 'no_pods'],
  ];
  for (const [text, line, code] of cases) {
    it(line, () => {
      const err = inputErrorOf(() => parseOpenbPods(text, { file: 'pods.csv' }));
      expect(err.code).toBe(code);
      expect(err.oneLine()).toContain(line);
    });
  }
});

describe('the protocol, on a toy trace', () => {
  const nodes = [
    { name: 'a', cpuMilli: 32000, memMiB: 65536, gpus: 2, model: 'T4' },
    { name: 'b', cpuMilli: 32000, memMiB: 65536, gpus: 2, model: 'T4' },
  ];
  const pods = [
    { name: 'x', cpuMilli: 1000, memMiB: 10, numGpu: 1, gpuMilli: 1000, gpuSpec: '' },
    { name: 'y', cpuMilli: 1000, memMiB: 10, numGpu: 1, gpuMilli: 500, gpuSpec: '' },
    { name: 'z', cpuMilli: 64000, memMiB: 10, numGpu: 0, gpuMilli: 0, gpuSpec: '' },
  ];

  it('inflates with clones while the GPU request stays within ratio x capacity', () => {
    let draws = 0;
    const rng = () => [0.9, 0.1, 0.0, 0.5, 0.7, 0.3, 0.0, 0.99][draws++ % 8]!;
    const list = arrivalList(pods, 4000, 1.3, rng);
    let total = 0;
    for (const p of list) total += p.numGpu * p.gpuMilli;
    expect(total).toBeLessThanOrEqual(5200);
    expect(list.length).toBeGreaterThan(3);
    expect(list.slice(3).every((p) => /-tuned-\d+$/.test(p.name))).toBe(true);
  });

  it('drops (and counts) what fits nowhere; records arrived, allocated, power and fragmentation', () => {
    const run = runProtocol({ nodes, pods, policy: 'fgd', seed: 1, ratio: 0, noShuffle: true });
    expect([run.arrivals, run.placed, run.failed, run.neverFit]).toEqual([3, 2, 1, 1]);
    expect([...run.arrivedMilli]).toEqual([1000, 1500, 1500]);
    expect([...run.allocatedMilli]).toEqual([1000, 1500, 1500]);
    // empty: 2 x (15 + 2 x 10) = 70 W; after x: one package busy and one T4 busy: +105 +60
    expect(run.powerW[0]).toBe(70 + 105 + 60);
    const [c] = checkpoints(run, [0.25]);
    expect(c!.grar).toBe(1);
    expect(c!.x).toBe(0.25);
  });

  it('valueAt: the first point of equal x, linear between points, flat outside', () => {
    const x = [0.1, 0.2, 0.2, 0.4];
    const v = [1, 2, 5, 4];
    expect(valueAt(x, v, 0.05)).toBe(1);
    expect(valueAt(x, v, 0.2)).toBe(2);
    expect(valueAt(x, v, 0.3)).toBeCloseTo(3, 12);
    expect(valueAt(x, v, 0.9)).toBe(4);
  });
});

const nodeFile = sharedData('workloads/openb/openb_node_list_gpu_node.csv');
const podFile = sharedData('workloads/openb/openb_pod_list_default.csv');
const skip = nodeFile.skip || podFile.skip;

describe('the default openb trace', () => {
  it.skipIf(skip)(`reads 1,213 GPU nodes (6,212 GPUs) and 8,152 pods${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const { nodes } = readOpenbNodes(nodeFile.path);
    expect(nodes).toHaveLength(1213);
    expect(nodes.reduce((a, n) => a + n.gpus, 0)).toBe(6212);
    const pods = readOpenbPods(podFile.path);
    expect(pods).toHaveLength(8152);
    expect(readFileSync(podFile.path, 'utf8').split('\n')[0]).toBe(HEADER);
    // 35 of 91 shapes cover 95 % of the pods
    const target = targetWorkload(pods);
    expect(target).toHaveLength(35);
    expect(target[0]).toMatchObject({ cpuMilli: 3152, gpuMilli: 810, numGpu: 1 });
    expect(target.reduce((a, t) => a + t.p, 0)).toBeCloseTo(1, 12);
  });

  it.skipIf(skip)(`seed 42: FGD's GRAR at x = 1 is the artifact's 95.2 %; PWR saves 13-16 % power at x = 0.2-0.8${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const { nodes } = readOpenbNodes(nodeFile.path);
    const pods = readOpenbPods(podFile.path);
    const fgd = runProtocol({ nodes, pods, policy: 'fgd', seed: 42 });
    const pwr = runProtocol({ nodes, pods, policy: 'pwr', seed: 42 });
    // the inflation: ~10.8k arrivals for 1.3 x 6,212 GPUs
    expect(fgd.arrivals).toBe(10824);
    expect(pwr.arrivals).toBe(10824);
    expect(fgd.neverFit).toBe(0);
    const xs = [0.2, 0.5, 0.8, 0.9, 1.0];
    const f = checkpoints(fgd, xs);
    const p = checkpoints(pwr, xs);
    // published (hkust-adsl/kubernetes-scheduler-simulator expected_results, mean of seeds 42-51): 95.23
    expect(peersAllocAt(fgd, 100)).toBeCloseTo(95.23, 1);
    expect(f[4]!.grar).toBeGreaterThan(0.95);
    expect(f[4]!.grar).toBeLessThan(0.955);
    expect(p[4]!.grar).toBeLessThan(f[4]!.grar);
    for (let i = 0; i < 3; i++) {
      const saving = 1 - p[i]!.powerW / f[i]!.powerW;
      expect(saving, `x = ${xs[i]}`).toBeGreaterThan(0.13);
      expect(saving, `x = ${xs[i]}`).toBeLessThan(0.17);
    }
    // before the cluster fills, every GPU request is served
    expect(f[2]!.grar).toBe(1);
  });
});
