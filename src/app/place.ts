// The library form of `carbon-sim place`: a what-if scenario, or an openb trace placed on the
// online engine over real time (creation to deletion), optionally with a carbon hold.
import { readFileSync } from 'node:fs';
import { parseTimestamp } from '../carbon/csv.js';
import { loadCarbonTrace } from '../carbon/load.js';
import { JOULES_PER_KWH, type CarbonSignal, type ExtendMode } from '../carbon/signal.js';
import { shapeCarbon } from '../carbon/transform.js';
import { clusterSummary } from '../accounting/metrics.js';
import { targetWorkload } from '../cluster/placement/frag.js';
import type { TieRule } from '../cluster/placement/placer.js';
import { defaultPlacementPower, type PowerMode } from '../cluster/placement/power.js';
import { parsePlacementPolicy } from '../cluster/placement/registry.js';
import { parseScenario, runScenario, type ScenarioResult } from '../cluster/placement/scenario.js';
import { simulate, type SimulationResult } from '../cluster/simulate.js';
import { ClusterState } from '../cluster/state.js';
import type { ClusterSpec } from '../cluster/types.js';
import { InputError } from '../errors.js';
import { knownModels, openbJobs, placementNodes, readOpenbPods, type OpenbPod } from '../io/openb.js';
import { readClusterSpec, type PowerOverrides } from '../cluster/spec.js';
import { decodeTextFile } from '../io/text.js';
import { placementPolicy, type PlacementPolicyStats } from '../policies/placement.js';
import { summarize, type RunSummary } from '../report/summary.js';

export interface PlaceScenarioOptions {
  /** `fgd`, `pwr=200,fgd=800`, ... */
  policy: string;
  /** default 'name' */
  ties?: TieRule;
  seed?: string | number;
  /** default 'binary' (PWR's model) */
  powerMode?: PowerMode;
}

/** Read and place a scenario file. */
export function placeScenarioFile(path: string, options: PlaceScenarioOptions): ScenarioResult {
  const policy = parsePlacementPolicy(options.policy);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field: 'scenario' });
  }
  const scenario = parseScenario(decodeTextFile(bytes, path, 'a placement scenario (JSON)'), { file: path });
  return runScenario(scenario, {
    policy,
    ...(options.ties && { ties: options.ties }),
    seed: options.seed ?? 0,
    power: defaultPlacementPower(options.powerMode ?? 'binary'),
  });
}

export interface PlaceOnlineOptions {
  /** openb node list (or JSON node file), or a built spec */
  nodes: string | ClusterSpec;
  /** openb pod list with creation_time and deletion_time, or parsed pods */
  pods: string | OpenbPod[];
  policy: string;
  /** carbon file path, bundled name (`DE-2023`), or a signal; the trace's time 0 is its start */
  carbon: string | CarbonSignal;
  extend?: ExtendMode;
  /** ISO 8601 instant where the pod trace's time 0 sits on the carbon trace; default: the carbon start */
  start?: string;
  /** hold pods of these QoS classes (e.g. BE) while the intensity is in the dirtier half of the next 24 h */
  holdQos?: readonly string[];
  /** a held pod starts at the latest after waiting this long (s); default 24 h */
  maxHoldS?: number;
  /** creation times divided by this factor (arrivals denser, durations kept); default 1 */
  compress?: number;
  /** default 'ranked' */
  ties?: TieRule;
  seed?: string | number;
  power?: PowerOverrides;
}

export interface PlaceOnlineOutput {
  summary: RunSummary;
  placement: {
    policy: string;
    pods: number;
    /** pods no node could ever hold (dropped and counted, as the protocol does) */
    dropped_never_fit: number;
    /** pods whose deletion equals their creation (they never ran) */
    dropped_zero_duration: number;
    placed: number;
    /** placement attempts that found no room (the pod waited) */
    no_room_attempts: number;
    held_passes: number;
    /** draw above the empty cluster's, integrated over the run: what placement and timing change */
    busy_energy_kwh: number;
    busy_carbon_g: number;
    /** the empty cluster's draw (W) */
    empty_power_w: number;
  };
  simulation: SimulationResult;
  stats: PlacementPolicyStats;
}

/** Place an openb trace on the online engine. */
export function placeOnline(options: PlaceOnlineOptions): PlaceOnlineOutput {
  const policy = parsePlacementPolicy(options.policy);
  const spec = typeof options.nodes === 'string' ? readClusterSpec(options.nodes, options.power ? { powerOverrides: options.power } : {}) : options.nodes;
  const nodes = placementNodes(spec);
  const podFile = typeof options.pods === 'string' ? options.pods : undefined;
  const pods = typeof options.pods === 'string' ? readOpenbPods(options.pods, { models: knownModels(spec) }) : options.pods;
  const { signal: raw } =
    typeof options.carbon === 'string' ? loadCarbonTrace(options.carbon, { extend: options.extend ?? 'none' }) : { signal: options.carbon };
  let carbon = raw;
  if (options.start !== undefined) {
    const ms = parseTimestamp(options.start);
    if (Number.isNaN(ms)) throw new InputError('bad_start', `"${options.start}" is not an ISO 8601 instant`, { field: 'start' });
    carbon = shapeCarbon(raw, { startMs: ms });
  }
  // pods no node could ever hold are dropped and counted
  const everFits = (p: OpenbPod): boolean =>
    nodes.some(
      (n) =>
        n.cpuMilli >= p.cpuMilli &&
        n.memMiB >= p.memMiB &&
        (p.numGpu === 0 ||
          (n.model !== null && (p.gpuSpec === '' || p.gpuSpec.split('|').includes(n.model)) && (p.gpuMilli < 1000 ? n.gpus >= 1 : n.gpus >= p.numGpu))),
    );
  const fitting = pods.filter(everFits);
  const maxHold = options.maxHoldS ?? 24 * 3600;
  let built;
  try {
    built = openbJobs(fitting, { offsetS: carbon.start, maxWaitS: options.holdQos ? maxHold : Infinity, ...(options.compress !== undefined && { compress: options.compress }) });
  } catch (err) {
    if (err instanceof InputError) err.at({ file: podFile });
    throw err;
  }
  const { jobs, pods: kept, zeroDuration } = built;
  const holdQos = options.holdQos ? new Set(options.holdQos) : undefined;
  const policyObj = placementPolicy({
    placement: policy,
    nodes,
    shapes: kept,
    target: targetWorkload(pods),
    ties: options.ties ?? 'ranked',
    seed: options.seed ?? 0,
    ...(holdQos && { hold: { holdable: (j: number) => holdQos.has(kept[j]!.qos) } }),
  });
  const simulation = simulate(jobs, { policy: policyObj, cluster: spec, carbon, seed: options.seed ?? 0 });
  const summary = summarize(simulation.outcomes);
  if (simulation.cluster) summary.cluster = clusterSummary(simulation.outcomes, simulation.cluster, spec.source);
  const emptyW = new ClusterState(spec).powerW;
  let busyJ = 0;
  let busyWeight = 0;
  const rec = simulation.cluster;
  if (rec) {
    for (let i = 0; i < rec.powerT.length; i++) {
      const a = rec.powerT[i]!;
      const b = i + 1 < rec.powerT.length ? rec.powerT[i + 1]! : rec.endS;
      const extra = rec.powerW[i]! - emptyW;
      if (!(b > a) || extra === 0) continue;
      busyJ += extra * (b - a);
      busyWeight += extra * carbon.integrate(a, b);
    }
  }
  return {
    summary,
    placement: {
      policy: policyObj.name,
      pods: pods.length,
      dropped_never_fit: pods.length - fitting.length,
      dropped_zero_duration: zeroDuration,
      placed: policyObj.stats.placed,
      no_room_attempts: policyObj.stats.noRoom,
      held_passes: policyObj.stats.heldPasses,
      busy_energy_kwh: busyJ / JOULES_PER_KWH,
      busy_carbon_g: busyWeight / JOULES_PER_KWH,
      empty_power_w: emptyW,
    },
    simulation,
    stats: policyObj.stats,
  };
}
