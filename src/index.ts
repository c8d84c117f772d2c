// Public API: named re-exports only.
export { InputError, type InputLocation } from './errors.js';
export { parseDuration } from './units.js';

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
export { parseCarbonCsv, parseTimestamp, type CarbonColumn, type CarbonTable } from './carbon/csv.js';
export { loadCarbon, signalFromTable, bundledTraceNames, bundledTracesDir, resolveCarbonPath, type LoadCarbonOptions } from './carbon/load.js';

export { EventQueue } from './engine/queue.js';
export { Engine } from './engine/engine.js';

export { parseLiteral, LiteralError, type LiteralValue } from './workload/literal.js';
export {
  parseWorkload,
  phasesFromArgs,
  toJobs,
  maxWaitRule,
  LENGTH_TOLERANCE_S,
  TIME_UNIT_SECONDS,
  type JobSpec,
  type WorkloadOptions,
  type DeadlineRule,
  type TimeUnit,
} from './workload/trace.js';
export { parseMaxWait, queueWaitRule, SHORT_QUEUE_LIMIT_S } from './workload/deadlines.js';

export { runAtArrival, deadlineFeasible, type Scheduler, type Plan, type PlanContext } from './schedulers/types.js';
export { agnosticScheduler } from './schedulers/agnostic.js';
export { oracleScheduler, bestUninterruptedStart } from './schedulers/oracle.js';
export { waitAWhileScheduler, cheapestSlots } from './schedulers/waitawhile.js';
export { replayScheduler, parsePlanBook, type PlanBook } from './schedulers/replay.js';
export { SCHEDULERS, createScheduler, schedulerNames, type SchedulerEntry, type SchedulerOptions } from './schedulers/registry.js';

export {
  simulate,
  chargePlan,
  LIFECYCLE,
  type ChargedRun,
  type JobResult,
  type LifecycleKind,
  type SimulationListener,
  type SimulationOptions,
  type SimulationResult,
} from './cluster/simulate.js';
export { EventCollector, eventsCsv, eventsJsonl, type LoggedEvent } from './cluster/eventlog.js';

export { summarize, jobRecord, jobsCsv, summaryTable, type RunSummary, type JobRecord } from './report/summary.js';
export { Adder } from './report/sum.js';

export { runWorkload, DEFAULT_MAX_WAIT_S, type RunOptions, type RunOutput } from './run.js';
