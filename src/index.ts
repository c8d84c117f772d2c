// Public API: named re-exports only.
export { InputError, type InputLocation } from './errors.js';
export { parseDuration } from './io/units.js';

export {
  compileProfile,
  checkpointAt,
  powerAt,
  workEnergyBetween,
  workPhaseIndexAt,
  ProfileError,
  TIME_EPS_S,
  type Phase,
  type PowerProfile,
  type CompiledProfile,
} from './model/profile.js';
export {
  JOB_TYPES,
  ML_KEYS,
  constantProfile,
  mlProfile,
  mockedConstantProfile,
  isJobType,
  type Job,
  type JobType,
  type MlParameters,
} from './model/jobs.js';
export { executePlan, validatePlan, PlanError, type Interval, type Execution, type PieceSink } from './model/execution.js';

export { CarbonSignal, CarbonRangeError, JOULES_PER_KWH, EXTEND_MODES, type ExtendMode, type CarbonSignalInit } from './carbon/signal.js';
export {
  parseCarbonCsv,
  readCarbonRows,
  readCarbonColumns,
  parseTimestamp,
  MAX_INTENSITY_G_PER_KWH,
  type CarbonColumn,
  type CarbonRows,
  type CarbonTable,
} from './carbon/csv.js';
export {
  loadCarbon,
  loadCarbonTrace,
  readCarbonText,
  signalFromTable,
  bundledTraceNames,
  bundledTracesDir,
  resolveCarbonPath,
  type LoadCarbonOptions,
  type LoadedCarbon,
} from './carbon/load.js';
export {
  regularize,
  cutWindow,
  resample,
  shapeCarbon,
  describeFill,
  FILL_MODES,
  type FillMode,
  type FillReport,
  type ShapeOptions,
} from './carbon/transform.js';
export { parseForecast, forecastView, forecastSeed, forecastName, type Forecast } from './carbon/forecast.js';

export { EventQueue, MAX_PRIORITY } from './engine/queue.js';
export { Sim, type Handle } from './engine/sim.js';
export { EVENT_PRIORITY, EVENT_KINDS, type EventKind, type SimEvent } from './engine/events.js';
export { JobRun } from './model/jobrun.js';
export { JobTable } from './model/job-table.js';
export { slackS, requestOf, estimateOf, cpuRequest, type ResourceRequest } from './model/jobs.js';
export { ClusterState, WHOLE_GPU_MILLI, type Allocation } from './cluster/state.js';
export { GPU_POWER, CPU_PACKAGE_POWER, VCPUS_PER_PACKAGE, PROCESSOR_POWER, type DevicePower, type PowerModel, type NodeSpec, type ClusterSpec } from './cluster/types.js';
export { parseClusterSpec, readClusterSpec, clusterCapacity, describeCluster, parsePowerFlag, OPENB_HEADER, type PowerOverrides, type ClusterSpecOptions } from './cluster/spec.js';
export { fromPlanner } from './policies/from-planner.js';
export { fcfsPolicy, easyPolicy, carbonEasyPolicy, type CarbonEasyOptions, type ReservationObserver } from './policies/batch.js';
export { POLICIES, createPolicy, isPolicyName, type PolicyEntry } from './policies/registry.js';
export type { Policy, ClusterView, Actions, JobState } from './policies/types.js';
export { JobMeter, ClusterMeter, type ClusterRecord } from './accounting/meters.js';
export { emissionsWeight } from './carbon/emissions.js';
export { clusterSummary, quantileSorted, SLOWDOWN_TAU_S, type ClusterSummary } from './accounting/metrics.js';
export { parseBatsim, type BatsimWorkload, type BatsimOptions } from './io/batsim.js';

export { parseLiteral, LiteralError, type LiteralValue } from './io/literal.js';
export {
  parseWorkload,
  phasesFromArgs,
  toJobs,
  fastJobTable,
  LENGTH_TOLERANCE_S,
  TIME_UNIT_SECONDS,
  type JobSpec,
  type WorkloadOptions,
  type TimeUnit,
  readWorkloadFile,
  parseWorkloadBytes,
  detectWorkloadFormat,
  WORKLOAD_FORMATS,
  type WorkloadFormat,
  type ReadWorkloadOptions,
  type LoadedWorkload,
} from './io/trace.js';
export {
  maxWaitRule,
  type DeadlineRule,
  parseMaxWait,
  queueWaitRule,
  SHORT_QUEUE_LIMIT_S,
  CALENDAR_RULES,
  WORKDAY_START_HOUR,
  WORKDAY_END_HOUR,
  calendarRule,
  nextWorkdayRule,
  semiWeeklyRule,
  chooseDeadlineRule,
  zoneClock,
  type CalendarRuleName,
  type CalendarRuleOptions,
  type DeadlineChoice,
  type ZoneClock,
} from './model/deadlines.js';
export {
  parseSwf,
  swfJobSpecs,
  swfValue,
  swfHeaderValue,
  describeSkipped,
  totalSkipped,
  noSkippedJobs,
  SWF_FIELDS,
  SWF_FIELD_COUNT,
  SWF_MISSING,
  SKIP_REASONS,
  type SwfLog,
  type SwfField,
  type SwfJobOptions,
  type SkipReason,
  type SkippedJobs,
} from './io/swf.js';
export { gaiaCsv, typedTrace, swfLog, pythonLiteral, type WriteOptions } from './io/writers.js';

export { runAtArrival, type Scheduler, type Plan, type PlanContext } from './schedulers/types.js';
export { agnosticScheduler } from './schedulers/agnostic.js';
export { oracleScheduler, bestUninterruptedStart } from './schedulers/oracle.js';
export { waitAWhileScheduler, cheapestSlots } from './schedulers/waitawhile.js';
export { replayScheduler, parsePlanBook, checkPlanBook, type PlanBook } from './schedulers/replay.js';
export { lowestSlotScheduler, cheapestInstant } from './schedulers/lowest-slot.js';
export { lowestWindowScheduler } from './schedulers/lowest-window.js';
export { carbonTimeScheduler } from './schedulers/carbon-time.js';
export {
  ecovisorScheduler,
  timeQuantile,
  thresholdRuns,
  ECOVISOR_WINDOW_S,
  DEFAULT_THRESHOLD_QUANTILE,
  type EcovisorOptions,
} from './schedulers/ecovisor.js';
export {
  candidateStarts,
  runPlanner,
  runEmissionsG,
  START_GRIDS,
  PLAN_LENGTHS,
  type StartGrid,
  type PlanLength,
  type StartChoiceOptions,
  type RunShape,
  type RunPlanner,
} from './schedulers/candidates.js';
export { SCHEDULERS, createScheduler, schedulerNames, type SchedulerEntry, type SchedulerOptions } from './schedulers/registry.js';
export { lpScheduler, lpProblem, type LpOptions } from './schedulers/lp.js';

export { slotBoundaries, type CheckpointResumeProblem, type CheckpointResumeSolution } from './solvers/problem.js';
export { solveByDp } from './solvers/dp.js';
export { buildIntervalNetwork, networkMilp, planFromArcs, type IntervalNetwork, type MilpModel } from './solvers/network.js';
export {
  loadMilpBackend,
  loadedMilpBackend,
  solveByMilp,
  SolverError,
  MILP_SOLVERS,
  DEFAULT_TIME_LIMIT_S,
  type MilpBackend,
  type MilpResult,
  type MilpSolveOptions,
  type MilpSolverName,
  type MilpStatus,
} from './solvers/milp.js';
export { solveCheckpointResume, SOLVERS, type SolverName, type SolveOptions } from './solvers/solve.js';

export { chargePlan, type ChargedRun } from './accounting/charge.js';
export {
  simulate,
  Simulation,
  LIFECYCLE,
  type JobResult,
  type LifecycleKind,
  type SimulationListener,
  type SimulationOptions,
  type SimulationResult,
} from './cluster/simulate.js';
export { EventCollector, eventsCsv, eventsJsonl, type LoggedEvent } from './accounting/eventlog.js';

export { summarize, jobRecord, jobsCsv, summaryTable, type RunSummary, type JobRecord } from './report/summary.js';
export { Adder } from './report/sum.js';
export { describeSample, describeFields, percentiles, studentTQuantile, type Description } from './report/stats.js';
export { runChartData, timelineSpec, powerSpec, barsSpec, savingSpec, renderSvg, TIMELINE_JOBS, BASELINE_LABEL, type RunChartData, type BarDatum, type SavingDatum, type Piece, type PieceKind } from './report/charts.js';
export { renderReport, type ReportInput, type ReportTable, type RenderedReport } from './report/html.js';

export { parseSuite, normalizeSuite, type Suite, type SuiteSettings } from './sweep/suite.js';
export { planSweep, runId, parseShard, shardRuns, RUN_INPUTS, BASELINE_SCHEDULER, type RunSpec, type PlannedRun, type Shard } from './sweep/plan.js';
export { readRunLog, type LogRow, type RunLog } from './sweep/log.js';
export { finalizeResults, resultsCsv, resultsJsonl, RESULT_COLUMNS, type ResultRow } from './sweep/results.js';
export { runSweep, checkSuiteInputs, resolveSchedulers, defaultWorkers, type SweepOptions, type SweepOutcome, type SweepRecord } from './sweep/runner.js';
export { mergeSweeps, type MergeOutcome } from './sweep/merge.js';
export { builtinSuiteNames, materializeBuiltin, thesisWorkload } from './sweep/builtin.js';
export { synthesizeWorkloadCsv } from './sweep/synth.js';

export { runWorkload, DEFAULT_MAX_WAIT_S, type RunOptions, type RunOutput } from './app/run.js';
export * from './cluster/placement/index.js';
export { parseScenario, runScenario, type Scenario, type ScenarioResult, type ScenarioStep, type RunScenarioOptions } from './cluster/placement/scenario.js';
export { parseOpenbPods, readOpenbPods, readOpenbNodes, placementNodes, openbJobs, isOpenbPodList, type OpenbPod, type OpenbJobs, type OpenbJobsOptions } from './io/openb.js';
export { placementPolicy, type PlacementPolicyOptions, type PlacementOnlinePolicy, type CarbonHoldOptions, type PlacementPolicyStats } from './policies/placement.js';
export { placeScenarioFile, placeOnline, type PlaceScenarioOptions, type PlaceOnlineOptions, type PlaceOnlineOutput } from './app/place.js';
export { placementRow, runPlacementSuite, builtinPlacementSuite, parsePlacementSuite, PLACEMENT_POLICIES, PLACEMENT_SEEDS, type PlacementSuite, type PlacementRunRow } from './sweep/placement.js';

// learning: features, surrogates, the step API, the example agent (docs/learning.md)
export { FeatureTracker, swfFeatureTable, swfJobRows, swfClock, FEATURE_NAMES, FEATURE_COUNT, type SubmitRecord, type QueueState, type FeatureTable, type SwfJobRow } from './learn/features.js';
export { trainSurrogate, evaluateSurrogate, loadSurrogate, saveSurrogate, parseSurrogate, Surrogate, loadSwfReplay, replayWithPredictions, OnlineFeatures, lastTwoPredictor, surrogatePredictor, type SurrogateModel, type MetricRow, type ReplayRow } from './learn/surrogate.js';
export { createEnv, loadEnvInputs, DEFAULT_REWARD, QUEUE_FEATURES, type Env, type EnvOptions, type Observation, type StepInfo, type StepResult, type ResetResult, type RewardWeights } from './learn/env.js';
export { trainAndEvaluate, runEpisode, greedyWeights, type AgentOptions, type AgentResult } from './learn/agent.js';
export { easyPredictedPolicy, templatePredictor, CORRECTION_STEPS_S, type RunTimePredictor, type EasyPredictedOptions } from './policies/easy-predicted.js';

// demand response: power-target timelines, DVFS curves, the four Emerald policies (docs/demand-response.md)
export { a100Reference, a100SweepPath, dvfsCurve, parseDvfsSweep, powerPerGpuAt, throughputRatioAt, maxPowerPerGpu, minCapForRatio, capForPowerPerGpu, scaleCurve, type DvfsCurve, type DvfsCurveSpec } from './model/dvfs.js';
export { powerTargetTimeline, stepAt, shiftTimeline, parseDrEvents, parseTargetSpec, parseGridSignal, eventsFromGridSignal, DEFAULT_MARGIN_FRAC, DEFAULT_RAMP_STEP_S, type DrEvent, type TargetSpec, type TargetStep, type StepKind, type ResolvedEvent, type PowerTargetTimeline, type TimelineOptions, type DrEventsFile, type GridSignal, type GridEventOptions } from './cluster/demand-response.js';
export { drJobs, baselinePowerW, eventFlex, pausableShare, dvfsFair, jobPowerW, jobRatio, violations, FLEX_LOSS, DR_POLICY_NAMES, FAIR_MODES, isDrPolicyName, type DrJob, type DrJobSpec, type DrPlan, type DrSegment, type DrOptions, type DrPolicyName, type EventFlex, type EventPlanner, type EventPiece, type EventInput, type FairMode, type JobThroughput } from './policies/dr/shared.js';
export { planDemandResponse, EVENT_PLANNERS, DR_POLICY_DESCRIPTIONS } from './policies/dr/plan.js';
export { drOnlinePolicy, type DrOnlinePolicy, type DrOnlineSetup, type DrOnlineOptions, type DrAction, type DrEventProgress } from './policies/dr/online.js';
export { runDrOnEngine, type DrEngineOptions, type DrEngineResult, type DrEngineJob, type RestartSpec, type ShiftableSpec } from './policies/dr/engine.js';
export { parseDrScenario, planScenario, planJson, planSummary, scenarioOptions, type DrScenario, type PlanJson, type ScenarioOverrides } from './policies/dr/scenario.js';
export { readMeasuredPower, meanPower, meanMeasured, rmseAgainst, fixedPlanner, fieldReplays, type MeasuredPower, type RmseResult, type ActionTimeline, type FieldReplayInput, type DrReplayRow } from './policies/dr/replay.js';
