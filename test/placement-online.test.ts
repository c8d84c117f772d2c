// Placement on the online engine: pods from creation to deletion, the GPUs the plugins choose passed
// through Actions.start, cluster power and energy by hand, and a carbon hold composed with PWR.
import { describe, expect, it } from 'vitest';
import { placeOnline } from '../src/app/place.js';
import { CarbonSignal, JOULES_PER_KWH } from '../src/carbon/signal.js';
import { parseClusterSpec } from '../src/cluster/spec.js';
import { simulate } from '../src/cluster/simulate.js';
import { parseOpenbPods } from '../src/io/openb.js';
import { compileProfile } from '../src/model/profile.js';
import { constantProfile, type Job } from '../src/model/jobs.js';
import type { Policy } from '../src/policies/types.js';
import { sharedData } from './helpers.js';

const HEADER = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';
const H = 3600;

function flat(g: number, hours = 48): CarbonSignal {
  return new CarbonSignal({ times: Float64Array.from({ length: hours }, (_, i) => i * H), values: new Float64Array(hours).fill(g), name: 'flat' });
}

const oneNode = parseClusterSpec(JSON.stringify({ nodes: [{ name: 'a', cpus: 32, mem: 65536, gpus: 2, gpu: 'T4' }] }), { file: 'a.json' });

describe('PWR on the engine', () => {
  const pods = parseOpenbPods(
    [
      HEADER,
      // p1 takes GPU 0 (equal scores: the first), p2 does not fit next to it: GPU 1
      'p1,2000,1024,1,500,,LS,Running,0,100,0',
      'p2,2000,1024,1,700,,LS,Running,10,200,10',
      // at 150 GPU 0 is free again and GPU 1 has 300 free: PWR takes the busy GPU 1 (no GPU power
      // added), where lowest-index first fit would take GPU 0
      'p3,2000,1024,1,300,,LS,Running,150,250,150',
    ].join('\n'),
    { file: 'pods.csv' },
  );

  it('passes its GPU choice to the engine: power and energy by hand', () => {
    const out = placeOnline({ nodes: oneNode, pods, policy: 'pwr', carbon: flat(100) });
    expect(out.placement).toMatchObject({ pods: 3, placed: 3, dropped_never_fit: 0, dropped_zero_duration: 0, empty_power_w: 35 });
    const rec = out.simulation.cluster!;
    // 0: package busy 120 + T4 busy 70 + T4 idle 10; 10: both T4 busy; 100: GPU 0 idle again; 150: p3 on GPU 1, no change
    const steps = [...rec.powerT].map((t, i) => [t, rec.powerW[i]]);
    expect(steps.filter(([, w], i) => i === 0 || w !== steps[i - 1]![1])).toEqual([
      [0, 200],
      [10, 260],
      [100, 200],
      [250, 35],
    ]);
    const energyJ = 200 * 10 + 260 * 90 + 200 * 150; // p3 on GPU 0 would make it 58,400 J
    expect(out.summary.cluster!.energy_kwh).toBeCloseTo(energyJ / JOULES_PER_KWH, 12);
    expect(out.placement.busy_energy_kwh).toBeCloseTo((energyJ - 35 * 250) / JOULES_PER_KWH, 12);
    expect(out.summary.cluster!.carbon_g).toBeCloseTo((energyJ / JOULES_PER_KWH) * 100, 9);
    expect(out.summary.cluster!.mean_queue_wait_s).toBe(0);
  });

  it('a pod that fits no node is dropped and counted; one that must wait waits for a release', () => {
    const more = parseOpenbPods(
      [
        HEADER,
        'big,64000,1024,0,0,,LS,Running,0,10,0',
        'w1,2000,1024,2,1000,,LS,Running,0,100,0',
        'w2,2000,1024,1,1000,,LS,Running,5,50,5',
      ].join('\n'),
      { file: 'pods.csv' },
    );
    const out = placeOnline({ nodes: oneNode, pods: more, policy: 'fgd', carbon: flat(100) });
    expect(out.placement).toMatchObject({ pods: 3, dropped_never_fit: 1, placed: 2 });
    const w2 = out.simulation.results.find((r) => r.job.id === 'w2')!;
    expect(w2.queueWaitS).toBe(95); // w1 holds both GPUs until 100
  });

  it('Actions.start refuses GPUs that lack room, and places on the chosen ones', () => {
    const job = (id: string, gpuMilli: number): Job => ({
      id,
      type: 'constant',
      arrival: 0,
      deadline: Infinity,
      cpus: 1,
      profile: compileProfile(constantProfile(10, 0)),
      request: { cpus: 1, memMiB: 0, gpus: 1, gpuMilli, gpuModels: [] },
    });
    const answers: boolean[] = [];
    const policy: Policy = {
      name: 'chooser',
      wantsPass: true,
      onEvent(e, view, act) {
        if (e.kind !== 'pass' || view.queueLength === 0) return;
        answers.push(act.start(0, 0, [1]));
        answers.push(act.start(1, 0, [1])); // 700 + 400 > 1000 on GPU 1
        answers.push(act.start(1, 0, [0, 1])); // two GPUs for a one-GPU share
        answers.push(act.start(1, 0, [0]));
        expect(view.allocation(0)!.gpus).toEqual([1]);
        expect(view.allocation(1)!.gpus).toEqual([0]);
      },
    };
    simulate([job('x', 700), job('y', 400)], { policy, cluster: oneNode, carbon: flat(100) });
    expect(answers).toEqual([true, false, false, true]);
  });
});

describe('a carbon hold composed with placement', () => {
  // 6 dirty hours (500), 18 clean (100), then 24 at 300
  const values = [...Array(6).fill(500), ...Array(18).fill(100), ...Array(24).fill(300)];
  const carbon = new CarbonSignal({ times: Float64Array.from(values, (_, i) => i * H), values: Float64Array.from(values), name: 'steps' });
  const pods = parseOpenbPods([HEADER, 'be,2000,1024,1,500,,BE,Running,0,600,0', 'ls,2000,1024,1,500,,LS,Running,0,600,0'].join('\n'), { file: 'pods.csv' });

  it('holds best-effort pods while the intensity is above the median of the next 24 h; others start at once', () => {
    const out = placeOnline({ nodes: oneNode, pods, policy: 'pwr', carbon, holdQos: ['BE'] });
    const start = Object.fromEntries(out.simulation.results.map((r) => [r.job.id, r.job.arrival + r.queueWaitS]));
    // at 0..5 h the hour is 500 and the next 24 h's median 100: held; at 6 h, 100 is not above the median 100
    expect(start).toEqual({ be: 6 * H, ls: 0 });
    expect(out.placement.held_passes).toBeGreaterThan(0);
    const free = placeOnline({ nodes: oneNode, pods, policy: 'pwr', carbon });
    expect(free.simulation.results.map((r) => r.queueWaitS)).toEqual([0, 0]);
    // alone, the held pod draws its 165 W above the empty node (package 105, T4 60) at 100 instead of 500 g/kWh
    const alone = [pods[0]!];
    const held = placeOnline({ nodes: oneNode, pods: alone, policy: 'pwr', carbon, holdQos: ['BE'] }).placement.busy_carbon_g;
    const now = placeOnline({ nodes: oneNode, pods: alone, policy: 'pwr', carbon }).placement.busy_carbon_g;
    expect(held).toBeCloseTo((165 * 600 * 100) / JOULES_PER_KWH, 9);
    expect(now).toBeCloseTo((165 * 600 * 500) / JOULES_PER_KWH, 9);
  });

  it('a held pod starts at the latest after --max-hold', () => {
    const out = placeOnline({ nodes: oneNode, pods, policy: 'pwr', carbon, holdQos: ['BE'], maxHoldS: 2 * H });
    const be = out.simulation.results.find((r) => r.job.id === 'be')!;
    expect(be.queueWaitS).toBe(2 * H);
  });
});

const nodeFile = sharedData('workloads/openb/openb_node_list_gpu_node.csv');
const podFile = sharedData('workloads/openb/openb_pod_list_default.csv');
const skip = nodeFile.skip || podFile.skip;

describe('the openb trace over real time', () => {
  it.skipIf(skip)(`PWR and FGD on DE-2023: every pod runs at once; PWR draws less above the empty cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const run = (policy: string) => placeOnline({ nodes: nodeFile.path, pods: podFile.path, policy, carbon: 'DE-2023' });
    const pwr = run('pwr');
    const fgd = run('fgd');
    for (const out of [pwr, fgd]) {
      expect(out.placement).toMatchObject({ pods: 8152, dropped_never_fit: 0, dropped_zero_duration: 1, placed: 8151 });
      expect(out.summary.cluster!.mean_queue_wait_s).toBe(0);
    }
    expect(pwr.placement.busy_energy_kwh).toBeLessThan(0.6 * fgd.placement.busy_energy_kwh);
    expect(pwr.summary.cluster!.carbon_g).toBeLessThan(fgd.summary.cluster!.carbon_g);
  });
});
