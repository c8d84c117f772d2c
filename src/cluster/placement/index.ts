// GPU placement: Kubernetes-style scoring plugins (PWR, FGD, BestFit, DotProd, GpuPacking,
// GpuClustering, Random, weighted mixes) over a cluster of GPU nodes. docs/placement.md.
export { affinityKind, affinityLabel, cleanSpec, describeShape, isSharing, MILLI, shapeKey, shapeRequest, specModels, totalGpuMilli, type NamedPod, type PodShape } from './shape.js';
export { checkStartingUsage, DEFAULT_MAX_PODS, PlacementState, type PlacementNode } from './state.js';
export { cpuPowerW, defaultPlacementPower, gpuPowerW, nodePowerW, POWER_MODES, type PlacementPower, type PowerMode } from './power.js';
export { clusterFragRatio, FragModel, targetWorkload, type TargetOptions, type TargetShape } from './frag.js';
export { MAX_NODE_SCORE, MAX_SPEC_CPU, MAX_SPEC_GPU, MIN_NODE_SCORE, type PluginContext, type ScorePlugin } from './plugin.js';
export {
  createPlugin,
  gpuRulePlugin,
  parsePlacementPolicy,
  PLUGIN_DESCRIPTIONS,
  PLUGIN_NAMES,
  SINGLE_WEIGHT,
  type PlacementPolicy,
  type PlacementTerm,
  type PluginName,
} from './registry.js';
export { nameRanking, Placer, seededRanking, TIE_RULES, type Decision, type PlacerOptions, type TieRule } from './placer.js';
export { arrivalList, checkpoints, peersAllocAt, runProtocol, valueAt, type Checkpoint, type ProtocolOptions, type ProtocolRun } from './protocol.js';
