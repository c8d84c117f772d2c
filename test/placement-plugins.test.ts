// Hand-computed scores and choices of every placement plugin and one weighted mix on small
// clusters (docs/placement.md). Units: CPU and GPU in thousandths; totals = weight x score, a lone
// plugin weighing 1000.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { cpuPowerW, defaultPlacementPower, FragModel, gpuPowerW, gpuRulePlugin, nameRanking, parsePlacementPolicy, PlacementState, seededRanking, targetWorkload } from '../src/cluster/placement/index.js';
import { parseScenario, runScenario, type ScenarioResult } from '../src/cluster/placement/scenario.js';
import { inputErrorOf, ROOT } from './helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Two T4 nodes: a is empty; b has 4 of its 32 vCPUs and 400/1000 of GPU 1 taken by one share pod.
 * Target workload: half (4 vCPU, 500/1000 GPU), half (8 vCPU, one whole GPU).
 * Pods: s1, s2 = (4 vCPU, 500/1000 GPU); s3 = (8 vCPU, 1 whole GPU).
 */
const S1 = readFileSync(join(ROOT, 'test', 'fixtures', 'placement', 'two-t4.json'), 'utf8');

function place(text: string, policy: string, options: { ties?: 'name' | 'ranked' | 'random'; seed?: number } = {}): ScenarioResult {
  return runScenario(parseScenario(text, { file: 's.json' }), { policy, ...options });
}

function steps(r: ScenarioResult): [string, string | null, number[], Record<string, number>][] {
  return r.steps.map((s) => [s.pod, s.node, s.gpus, s.scores]);
}

describe('fragmentation and power, by hand', () => {
  const target = [
    { cpuMilli: 4000, gpuMilli: 500, numGpu: 1, gpuSpec: '', p: 0.5 },
    { cpuMilli: 8000, gpuMilli: 1000, numGpu: 1, gpuSpec: '', p: 0.5 },
  ];
  const frag = new FragModel(target, ['T4']);
  it('node fragmentation w.r.t. the target', () => {
    // both targets fit, no GPU below their share: 0
    expect(frag.fragOf(0, 32000, [1000, 1000], 2)).toBe(0);
    // the whole-GPU target fits on GPU 0 only: GPU 1's 600 is its fragment, x 0.5
    expect(frag.fragOf(0, 28000, [1000, 600], 2)).toBe(300);
    // no GPU takes the whole-GPU target: all 1100 free is its fragment (0.5 x 1100)
    expect(frag.fragOf(0, 24000, [500, 600], 2)).toBe(550);
    // 100 is below both shares: 0.5 x 100 + 0.5 x 100
    expect(frag.fragOf(0, 24000, [1000, 100], 2)).toBe(100);
    // too little CPU for either target: all free GPU, twice half
    expect(frag.fragOf(0, 3000, [1000, 1000], 2)).toBe(2000);
    // nothing free: 0
    expect(frag.fragOf(0, 32000, [0, 0], 2)).toBe(0);
  });

  it('a target whose spec excludes the model counts all free GPU, a CPU-only target too', () => {
    const m = new FragModel(
      [
        { cpuMilli: 1000, gpuMilli: 500, numGpu: 1, gpuSpec: 'V100M32', p: 0.25 },
        { cpuMilli: 1000, gpuMilli: 0, numGpu: 0, gpuSpec: '', p: 0.25 },
        { cpuMilli: 1000, gpuMilli: 500, numGpu: 1, gpuSpec: '', p: 0.5 },
      ],
      ['T4', 'V100M32'],
    );
    // on a T4 node [1000, 300]: 0.25 x 1300 (not allowed) + 0.25 x 1300 (no GPU asked) + 0.5 x 300 (below 500)
    expect(m.fragOf(0, 8000, [1000, 300], 2)).toBe(325 + 325 + 150);
    // on a V100M32 node the first target fits: 0.25 x 300 + 0.25 x 1300 + 0.5 x 300
    expect(m.fragOf(1, 8000, [1000, 300], 2)).toBe(75 + 325 + 150);
  });

  it('PWR power: 16-core packages (2 vCPU per core), a GPU busy when anything is on it', () => {
    const p = defaultPlacementPower();
    expect(cpuPowerW(p, 32000, 32000)).toBe(15); // 16 cores, one package, idle
    expect(cpuPowerW(p, 32000, 28000)).toBe(120); // 2 working cores: the package is busy
    expect(cpuPowerW(p, 64000, 60000)).toBe(120 + 15); // 2 packages, one busy
    expect(cpuPowerW(p, 96000, 32000)).toBe(2 * 120 + 15); // 48 cores in 3 packages, 32 working (packed): 2 busy
    expect(gpuPowerW(p, 'T4', 2, 1600, 1)).toBe(70 + 10);
    expect(gpuPowerW(p, 'V100M16', 4, 4000, 4)).toBe(4 * 30);
    const q = defaultPlacementPower('proportional');
    expect(cpuPowerW(q, 32000, 24000)).toBe(15 + 105 * 0.25);
    expect(gpuPowerW(q, 'T4', 2, 1600, 1)).toBeCloseTo(2 * 10 + 60 * 0.4, 12);
  });
});

describe('hand-computed placements on two T4 nodes (scenario S1)', () => {
  it('FGD: the share goes where it lowers fragmentation; ties to the smaller name; GPU by best FGD score', () => {
    // s1: a: F 0 -> 250 (0.5 x 500 below the whole-GPU share): trunc(100 sigmoid(-0.25)) = 43.
    //     b: F 300; on GPU 0 -> [500, 600], F 550: 43; on GPU 1 -> [1000, 100], F 100: trunc(100 sigmoid(0.2)) = 54. b, GPU 1.
    // s2: a 43 again; b: only GPU 0 -> [500, 100], F 350 (50 + 300): sigmoid(-0.25) -> 43. Tie: a, GPU 0 (lowest index of equal scores).
    // s3: a [500, 1000] F 250 -> [500, 0] F 250: 50; b [1000, 100] F 100 -> [0, 100] F 100: 50. Tie: a, the free GPU 1.
    expect(steps(place(S1, 'fgd'))).toEqual([
      ['s1', 'b', [1], { a: 43000, b: 54000 }],
      ['s2', 'a', [0], { a: 43000, b: 43000 }],
      ['s3', 'a', [1], { a: 50000, b: 50000 }],
    ]);
  });

  it('PWR: the smallest power increase, min-max normalised; a lone feasible node scores 100', () => {
    // s1: a 35 W -> 200 W (CPU package busy 120, one T4 busy 70 + idle 10): -165. b 200 W; on GPU 0 260 W: -60; on
    //     GPU 1 (already busy) 200 W: 0. Normalised: a 0, b 100. b, GPU 1.
    // s2: a -165; b: GPU 0 only -> both T4 busy, 260 W: -60. b, GPU 0.
    // s3: b has no fully free GPU; a alone: all equal -> 100. a, GPU 0 (lowest free).
    const r = place(S1, 'pwr');
    expect(steps(r)).toEqual([
      ['s1', 'b', [1], { a: 0, b: 100000 }],
      ['s2', 'b', [0], { a: 0, b: 100000 }],
      ['s3', 'a', [0], { a: 100000 }],
    ]);
    // a: 24 vCPU free (package busy 120) + one T4 busy 70 + one idle 10; b: 120 + 2 x 70
    expect(r.summary.power_w).toBe(200 + 260);
  });

  it('BestFit: least CPU and GPU left, normalised min-max (all equal -> 0); tightest GPU', () => {
    // s1: a 1 - (0.5 x 28000/128000 + 0.5 x 1500/8000) = 0.796875 -> 79; b 1 - (0.09375 + 0.06875) -> 83. -> a 0, b 100.
    //     tightest GPU of b with >= 500 free: GPU 1 (600).
    // s2: b 1 - (0.078125 + 0.0375) -> 88 > a 79: b, GPU 0. s3: a alone: 0.
    expect(steps(place(S1, 'bestfit'))).toEqual([
      ['s1', 'b', [1], { a: 0, b: 100000 }],
      ['s2', 'b', [0], { a: 0, b: 100000 }],
      ['s3', 'a', [0], { a: 0 }],
    ]);
  });

  it('DotProd: 100 x (1 - dot / 2) of free and request over (128 vCPU, 8 GPU)', () => {
    // s1: a dot 0.25 x 0.03125 + 0.25 x 0.0625 = 0.0234375 -> 98; b 0.21875 x 0.03125 + 0.2 x 0.0625 -> 99.
    // s2: b 0.1875 x 0.03125 + 0.1375 x 0.0625 -> 99. s3: a 0.25 x 0.0625 + 0.25 x 0.125 -> 97.
    expect(steps(place(S1, 'dotprod'))).toEqual([
      ['s1', 'b', [1], { a: 98000, b: 99000 }],
      ['s2', 'b', [0], { a: 98000, b: 99000 }],
      ['s3', 'a', [0], { a: 97000 }],
    ]);
  });

  it('GpuPacking: used GPUs first (100 - free% / 10), then free GPUs of used nodes (50 - k), then empty nodes (33 - GPUs)', () => {
    // s1: a untouched: max(33 - 2, 2) = 31; b: GPU 1 (600 free) takes it: 100 - 60 / 10 = 94.
    // s2: b: only the fully free GPU 0: max(50 - 1, 33) = 49. s3: a 31.
    expect(steps(place(S1, 'gpupacking'))).toEqual([
      ['s1', 'b', [1], { a: 31000, b: 94000 }],
      ['s2', 'b', [0], { a: 31000, b: 49000 }],
      ['s3', 'a', [0], { a: 31000 }],
    ]);
  });

  it('GpuClustering: nodes with only the same kind 75 + used, empty nodes 25 + used; used = 25 x (8000 - free) / 8000', () => {
    // s1: a 25 + trunc(25 x 6000 / 8000) = 43; b (share-gpu only) 75 + trunc(25 x 6400 / 8000) = 95.
    // s2: b 75 + trunc(25 x 6900 / 8000) = 96. s3 (kind 1-gpu): a 43.
    expect(steps(place(S1, 'gpuclustering'))).toEqual([
      ['s1', 'b', [1], { a: 43000, b: 95000 }],
      ['s2', 'b', [0], { a: 43000, b: 96000 }],
      ['s3', 'a', [0], { a: 43000 }],
    ]);
  });

  it('pwr=200,fgd=800: weighted sum of the normalised scores; FGD (the heavier) picks the GPUs', () => {
    // s1: a 200 x 0 + 800 x 43 = 34400; b 200 x 100 + 800 x 54 = 63200. b, GPU 1 (FGD's best).
    // s2: a 34400; b 200 x 100 + 800 x 43 = 54400: b this time (FGD alone chose a). s3: a alone: 200 x 100 + 800 x 50.
    expect(steps(place(S1, 'pwr=200,fgd=800'))).toEqual([
      ['s1', 'b', [1], { a: 34400, b: 63200 }],
      ['s2', 'b', [0], { a: 34400, b: 54400 }],
      ['s3', 'a', [0], { a: 60000 }],
    ]);
  });

  it('summary: GRAR, power, fragmentation of the end state', () => {
    const r = place(S1, 'fgd');
    // a [500, 0] with 20 vCPU free: F 250; b [1000, 100]: F 100
    expect(r.summary).toMatchObject({ pods: 3, placed: 3, failed: 0, never_fit: 0, gpu_arrived_milli: 2000, gpu_placed_milli: 2000, grar: 1, power_w: 460, frag_milli: 350 });
    expect(r.summary.frag_ratio).toBeCloseTo(350 / 1600, 12);
  });
});

describe('gpu_spec filter, never-fitting pods, ties', () => {
  const SPEC = JSON.stringify({
    nodes: [
      { name: 't4', cpu_milli: 16000, memory_mib: 32768, gpu: 1, model: 'T4' },
      { name: 'v100', cpu_milli: 16000, memory_mib: 32768, gpu: 1, model: 'V100M32' },
      { name: 'cpu', cpu_milli: 32000, memory_mib: 65536 },
    ],
    pods: [
      { name: 'g1', cpu_milli: 2000, memory_mib: 4096, num_gpu: 1, gpu_milli: 300, gpu_spec: 'V100M32' },
      { name: 'g2', cpu_milli: 2000, memory_mib: 4096, num_gpu: 1, gpu_milli: 300, gpu_spec: 'T4|V100M32' },
      { name: 'c1', cpu_milli: 4000, memory_mib: 4096 },
      { name: 'g3', cpu_milli: 2000, memory_mib: 4096, num_gpu: 1, gpu_milli: 300, gpu_spec: 'A100' },
      { name: 'g4', cpu_milli: 2000, memory_mib: 4096, num_gpu: 1, gpu_milli: 500, gpu_spec: 'T4' },
    ],
  });

  it('PWR with model constraints: only allowed models are feasible', () => {
    // g1: v100 alone (100). g2: t4 25 W -> 190 W (-165), v100 420 W -> 420 W (0): v100.
    // c1: t4 25 -> 130 (-105), v100 0 (its package is busy already), cpu 15 -> 120 (-105): v100.
    // g3 asks for an A100: no node has one, ever. g4: T4 only: t4.
    const r = place(SPEC, 'pwr');
    expect(steps(r)).toEqual([
      ['g1', 'v100', [0], { v100: 100000 }],
      ['g2', 'v100', [0], { t4: 0, v100: 100000 }],
      ['c1', 'v100', [], { t4: 0, v100: 100000, cpu: 0 }],
      ['g3', null, [], {}],
      ['g4', 't4', [0], { t4: 100000 }],
    ]);
    expect(r.steps[3]!.never_fits).toBe(true);
    expect(r.summary).toMatchObject({ placed: 4, failed: 1, never_fit: 1, gpu_arrived_milli: 1400, gpu_placed_milli: 1100 });
  });

  it('the target built from the pods: most frequent first, equal counts larger shape first, 95 % covered', () => {
    const pods = parseScenario(SPEC).pods;
    const t = targetWorkload(pods);
    expect(t.map((x) => [x.cpuMilli, x.gpuMilli, x.gpuSpec, x.p])).toEqual([
      [4000, 0, '', 0.2],
      [2000, 500, 'T4', 0.2],
      [2000, 300, 'V100M32', 0.2],
      [2000, 300, 'T4|V100M32', 0.2],
      [2000, 300, 'A100', 0.2],
    ]);
    // 5 x A, 3 x B, 1 x C, 1 x D at 80 %: A and B reach 8 of 10, renormalised
    const shape = (cpuMilli: number) => ({ cpuMilli, memMiB: 0, numGpu: 1, gpuMilli: 500, gpuSpec: '' });
    const list = [...Array(5).fill(shape(1000)), ...Array(3).fill(shape(2000)), shape(3000), shape(4000)];
    // the peers' arithmetic: (3 / 10) / (8 / 10), which is 0.37499999999999994 in floats
    const chopped = targetWorkload(list, { popularity: 80 });
    expect(chopped.map((x) => x.cpuMilli)).toEqual([1000, 2000]);
    expect(chopped.map((x) => x.p)).toEqual([5 / 10 / (8 / 10), 3 / 10 / (8 / 10)]);
    expect(targetWorkload(list).map((x) => [x.cpuMilli, x.p])).toEqual([
      [1000, 0.5],
      [2000, 0.3],
      [4000, 0.1],
      [3000, 0.1],
    ]);
  });

  const TIES = JSON.stringify({
    nodes: ['n2', 'n10', 'n1'].map((name) => ({ name, cpu_milli: 16000, memory_mib: 32768, gpu: 1, model: 'T4' })),
    pods: [
      { name: 'p1', cpu_milli: 1000, memory_mib: 1024, num_gpu: 1, gpu_milli: 500 },
      { name: 'p2', cpu_milli: 1000, memory_mib: 1024, num_gpu: 1, gpu_milli: 500 },
      { name: 'p3', cpu_milli: 1000, memory_mib: 1024, num_gpu: 1, gpu_milli: 500 },
      { name: 'p4', cpu_milli: 20000, memory_mib: 1024 },
    ],
  });

  it('equal totals go to the smallest node name (byte order: n1 < n10 < n2)', () => {
    // p1: three empty nodes, BestFit all equal -> 0: n1. p2: n1 is tighter now: 100. p3: n1 is full: n10 and n2 tie: n10.
    expect(steps(place(TIES, 'bestfit'))).toEqual([
      ['p1', 'n1', [0], { n2: 0, n10: 0, n1: 0 }],
      ['p2', 'n1', [0], { n2: 0, n10: 0, n1: 100000 }],
      ['p3', 'n10', [0], { n2: 0, n10: 0 }],
      ['p4', null, [], {}],
    ]);
  });

  it("'ranked' ties: the lowest rank of a seeded permutation of the name-sorted nodes", () => {
    const names = ['n2', 'n10', 'n1'];
    const rank = seededRanking(names, seedrandom('3'));
    expect([...rank].sort()).toEqual([0, 1, 2]);
    const lowest = (cands: string[]) => cands.reduce((a, b) => (rank[names.indexOf(b)]! < rank[names.indexOf(a)]! ? b : a));
    const r = place(TIES, 'bestfit', { ties: 'ranked', seed: 3 });
    const first = lowest(names);
    expect(r.steps[0]!.node).toBe(first);
    expect(r.steps[2]!.node).toBe(lowest(names.filter((n) => n !== first)));
    expect([...nameRanking(names)]).toEqual([2, 1, 0]);
  });

  it('Random: one feasible node drawn uniformly scores 100, the rest 0; its GPU drawn among those that fit', () => {
    const r = place(TIES, 'random', { seed: 7 });
    // replay the draws: one per pod among the feasible nodes (input order), one per fitting GPU (reservoir)
    const rng = seedrandom('7');
    const full = new Set<string>();
    const halves = new Map<string, number>();
    for (const step of r.steps.slice(0, 3)) {
      const feasible = ['n2', 'n10', 'n1'].filter((n) => !full.has(n));
      const pick = feasible[Math.floor(rng() * feasible.length)]!;
      expect(step.node).toBe(pick);
      expect(step.scores).toEqual(Object.fromEntries(feasible.map((n) => [n, n === pick ? 100000 : 0])));
      expect(Math.floor(rng() * 1)).toBe(0); // the GPU draw: one GPU fits
      halves.set(pick, (halves.get(pick) ?? 0) + 1);
      if (halves.get(pick) === 2) full.add(pick);
    }
    expect(place(TIES, 'random', { seed: 7 })).toEqual(r);
  });
});

describe('policy texts', () => {
  it('one plugin or a weighted mix; the GPU rule follows the heaviest (ties: the peers\' order)', () => {
    expect(parsePlacementPolicy('FGD')).toEqual({ name: 'fgd', terms: [{ plugin: 'fgd', weight: 1000 }] });
    const mix = parsePlacementPolicy('pwr=200, FGDScore=800');
    expect(mix.name).toBe('pwr=200,fgd=800');
    expect(gpuRulePlugin(mix)).toBe('fgd');
    expect(gpuRulePlugin(parsePlacementPolicy('pwr=500,fgd=500'))).toBe('fgd');
    expect(gpuRulePlugin(parsePlacementPolicy('pwr=500,bestfit=500'))).toBe('bestfit');
    for (const [text, code] of [
      ['h100', 'unknown_plugin'],
      ['pwr=0', 'bad_weight'],
      ['pwr=1.5,fgd=2', 'bad_weight'],
      ['pwr,fgd', 'bad_weight'],
      ['pwr=1,pwr=2', 'duplicate_plugin'],
    ] as const) {
      expect(inputErrorOf(() => parsePlacementPolicy(text)).code, text).toBe(code);
    }
  });
});

describe('scenario errors name file, line and field', () => {
  const bad = (patch: (s: { nodes: Record<string, unknown>[]; pods: Record<string, unknown>[] }) => void): string => {
    const s = JSON.parse(S1);
    patch(s);
    return JSON.stringify(s, null, 2);
  };
  const cases: [string, string, string][] = [
    [bad((s) => (s.nodes[0]!.model = 'H100')), 's.json:3 (field "nodes[0].model"): unknown GPU model "H100"', 'unknown_gpu_model'],
    [bad((s) => (s.pods[1]!.gpu_milli = 1200)), 's.json:48 (field "pods[1].gpu_milli"): gpu_milli 1200 with num_gpu 1', 'bad_gpu_milli'],
    [bad((s) => (s.pods[0]!.gpu_milli = 0)), 's.json:41 (field "pods[0].gpu_milli"): gpu_milli 0 with num_gpu 1', 'bad_gpu_milli'],
    [bad((s) => (s.pods[2]!.num_gpu = 2) && (s.pods[2]!.gpu_milli = 500)), 's.json:55 (field "pods[2].gpu_milli"): gpu_milli 500 with num_gpu 2', 'bad_gpu_milli'],
    [bad((s) => (s.pods[0]!.gpu_spec = 'T4|H100')), 's.json:41 (field "pods[0].gpu_spec"): unknown GPU model "H100" in gpu_spec', 'unknown_gpu_model'],
    [bad((s) => (s.nodes[1]!.gpu_left = [1000, 1200])), 's.json:10 (field "nodes[1].gpu_left[1]")', 'bad_value'],
    [bad((s) => (s.nodes[1]!.aff = { '4-gpu': 1 })), 's.json:10 (field "nodes[1].aff.4-gpu")', 'bad_value'],
    [bad((s) => (s.pods[0]!.cpu = 1)), 's.json:41 (field "pods[0].cpu"): unknown key "cpu"', 'unknown_key'],
  ];
  for (const [text, line, code] of cases) {
    it(line, () => {
      const err = inputErrorOf(() => parseScenario(text, { file: 's.json' }));
      expect(err.code).toBe(code);
      expect(err.oneLine()).toContain(line);
    });
  }
  it('target shares must sum to 1', () => {
    const s = JSON.parse(S1);
    s.target[0].p = 0.4;
    expect(inputErrorOf(() => parseScenario(JSON.stringify(s), { file: 's.json' })).oneLine()).toBe('s.json (field "target"): the target shares p sum to 0.9, not 1');
  });
});

describe('PlacementState', () => {
  it('interns node states: identical nodes share one state id, a change gives a new one and undoing it the old', () => {
    const node = { name: 'x', cpuMilli: 8000, memMiB: 1024, gpus: 2, model: 'T4' };
    const s = new PlacementState([node, { ...node, name: 'y' }]);
    expect(s.stateId[0]).toBe(s.stateId[1]);
    const pod = { cpuMilli: 1000, memMiB: 10, numGpu: 1, gpuMilli: 300, gpuSpec: '' };
    s.allocate(0, pod, [1]);
    expect(s.stateId[0]).not.toBe(s.stateId[1]);
    s.allocate(1, pod, [0]); // the same multiset of free shares on the other GPU index
    expect(s.stateId[0]).toBe(s.stateId[1]);
    s.release(0, pod, [1]);
    expect(s.stateId[0]).toBe(0);
    expect([...s.gpuLeft]).toEqual([1000, 1000, 700, 1000]);
  });
});
