// GPU placement as an online policy: queued pods are placed by a scoring-plugin policy (PWR, FGD,
// a mix, ...) on the online engine, which runs them from creation to deletion and meters the
// cluster's power, energy and carbon. A carbon hold composes with it: low-priority pods wait while
// the intensity the policy sees is in the dirtier part of the coming hours (docs/placement.md).
//
// The policy keeps its own copy of the occupancy in the placement plugins' units (CPU thousandths,
// exact integers), updated by the starts it makes and the finishes the engine reports; the
// engine's own fit check (ClusterState.fitsOn) is applied too, so the two never disagree.
import type { CarbonSignal } from '../carbon/signal.js';
import { type TargetShape } from '../cluster/placement/frag.js';
import { Placer, type TieRule } from '../cluster/placement/placer.js';
import type { PlacementPower } from '../cluster/placement/power.js';
import type { PlacementPolicy } from '../cluster/placement/registry.js';
import { shapeKey, type PodShape } from '../cluster/placement/shape.js';
import { PlacementState, type PlacementNode } from '../cluster/placement/state.js';
import type { SimEvent } from '../engine/events.js';
import type { Actions, ClusterView, Policy } from './types.js';

export interface CarbonHoldOptions {
  /** which jobs may be held (e.g. the best-effort pods) */
  holdable: (j: number) => boolean;
  /** look-ahead window over which "dirty" is judged (s); default 24 h */
  windowS?: number;
  /** hold while the intensity now is above this quantile of the window; default 0.5 */
  quantile?: number;
}

export interface PlacementPolicyOptions {
  placement: PlacementPolicy | string;
  /** the nodes, in the order of the engine's cluster spec */
  nodes: readonly PlacementNode[];
  /** each job's shape, index for index with the engine's jobs */
  shapes: readonly PodShape[];
  /** FGD's target workload */
  target: readonly TargetShape[];
  power?: PlacementPower;
  /** default 'ranked' */
  ties?: TieRule;
  seed?: string | number;
  hold?: CarbonHoldOptions;
}

export interface PlacementPolicyStats {
  /** starts made */
  placed: number;
  /** placement attempts that found no node */
  noRoom: number;
  /** passes in which at least one pod was held for carbon */
  heldPasses: number;
  /** node index of each job's (last) start, -1 never */
  nodeOf: Int32Array;
}

export interface PlacementOnlinePolicy extends Policy {
  readonly stats: PlacementPolicyStats;
  readonly placer: Placer;
}

export function placementPolicy(options: PlacementPolicyOptions): PlacementOnlinePolicy {
  const state = new PlacementState(options.nodes);
  const shapes = options.shapes;
  let view: ClusterView | null = null;
  const placer = new Placer(state, {
    policy: options.placement,
    target: options.target,
    ...(options.power && { power: options.power }),
    ties: options.ties ?? 'ranked',
    seed: options.seed ?? 0,
    // the engine's own CPU check, in its units (vCPUs as floats); memory and GPU shares are whole
    // numbers in both
    extraFilter: (n, pod) => view === null || view.cluster === null || view.cluster.freeCpus[n]! >= pod.cpuMilli / 1000,
  });
  const gpusOf: (number[] | null)[] = shapes.map(() => null);
  const stats: PlacementPolicyStats = { placed: 0, noRoom: 0, heldPasses: 0, nodeOf: new Int32Array(shapes.length).fill(-1) };
  const hold = options.hold;
  const windowS = hold?.windowS ?? 24 * 3600;
  const q = hold?.quantile ?? 0.5;
  /** releases so far: a shape that found no room stays without room until the next release */
  let epoch = 0;
  const noRoomAt = new Map<string, number>();
  let dirtyAt = NaN;
  let dirty = false;
  let wokenFor = -Infinity;

  function isDirty(carbon: CarbonSignal, now: number): boolean {
    if (now >= carbon.end && carbon.extend === 'none') return false;
    const step = carbon.stepEnd(now);
    if (step !== dirtyAt) {
      dirtyAt = step;
      dirty = carbon.intensityAt(now) > windowQuantile(carbon, now, windowS, q);
    }
    return dirty;
  }

  function pass(v: ClusterView, act: Actions): void {
    const now = v.now;
    const holding = hold !== undefined && isDirty(v.carbon, now);
    let held = false;
    for (let j = v.queueHead(); j !== -1; ) {
      const next = v.queueNext(j);
      if (holding && hold!.holdable(j) && v.job(j).deadline - v.estimateS(j) > now) {
        held = true;
        j = next;
        continue;
      }
      const pod = shapes[j]!;
      const key = `${shapeKey(pod)}|${pod.memMiB}`;
      if (noRoomAt.get(key) === epoch) {
        j = next;
        continue;
      }
      const d = placer.decide(pod);
      if (d && act.start(j, d.node, d.gpus)) {
        state.allocate(d.node, pod, d.gpus);
        gpusOf[j] = d.gpus;
        stats.placed++;
        stats.nodeOf[j] = d.node;
      } else {
        stats.noRoom++;
        noRoomAt.set(key, epoch);
      }
      j = next;
    }
    if (!held) return;
    stats.heldPasses++;
    // wake at the next carbon step, or at the earliest latest start of a held pod
    let wake = v.carbon.stepEnd(now);
    for (let j = v.queueHead(); j !== -1; j = v.queueNext(j)) {
      if (!hold!.holdable(j)) continue;
      const latest = v.job(j).deadline - v.estimateS(j);
      if (latest > now && latest < wake) wake = latest;
    }
    if (wake > now && wake !== wokenFor && Number.isFinite(wake)) {
      wokenFor = wake;
      act.wakeAt(wake, -1, 1);
    }
  }

  return {
    name: `place:${placer.policy.name}${hold ? '+hold' : ''}`,
    wantsPass: true,
    stats,
    placer,
    onEvent(e: SimEvent, v: ClusterView, act: Actions): void {
      view = v;
      if (e.kind === 'finish') {
        const gpus = gpusOf[e.job];
        if (gpus) {
          state.release(stats.nodeOf[e.job]!, shapes[e.job]!, gpus);
          gpusOf[e.job] = null;
          epoch++;
        }
        return;
      }
      if (e.kind === 'pass') pass(v, act);
    },
  };
}

/** The q-quantile of the signal's step values over [t, t + windowS) (rank floor(q x n) of the n steps). */
function windowQuantile(carbon: CarbonSignal, t: number, windowS: number, q: number): number {
  const values: number[] = [];
  const end = carbon.extend === 'none' ? Math.min(t + windowS, carbon.end) : t + windowS;
  for (let s = t; s < end; s = carbon.stepEnd(s)) values.push(carbon.intensityAt(s));
  if (values.length === 0) return Infinity;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
}
