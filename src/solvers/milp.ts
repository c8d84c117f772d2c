// MILP back-ends behind one small interface, loaded lazily (HiGHS is a wasm module, and neither
// belongs on the CLI's start-up path), and the checkpoint-resume problem solved through them.
import { JOULES_PER_KWH } from '../carbon/signal.js';
import { buildIntervalNetwork, costScale, networkMilp, planFromArcs, type MilpModel } from './network.js';
import { problemFeasible, type CheckpointResumeProblem, type CheckpointResumeSolution } from './problem.js';

export const MILP_SOLVERS = ['highs', 'jslp'] as const;
export type MilpSolverName = (typeof MILP_SOLVERS)[number];

/** How a solve ended; only 'optimal' (proven, zero gap, integral) is ever used. */
export type MilpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'time_limit' | 'not_integral' | 'failed';

export interface MilpResult {
  status: MilpStatus;
  /** column values; present when status is 'optimal' */
  x?: Float64Array;
  /** the solver's objective, in the model's (scaled) units */
  objective?: number;
  /** what the solver said, for error messages */
  detail: string;
}

export interface MilpSolveOptions {
  /** give up after this many seconds (the solve then fails: only proven optima are accepted) */
  timeLimitS: number;
}

/** A loaded solver: solve() is synchronous and never shares state between calls. */
export interface MilpBackend {
  readonly name: MilpSolverName;
  solve(model: MilpModel, options: MilpSolveOptions): MilpResult;
}

/** A MILP solve that did not end in a proven optimum, or returned an answer that does not check out. */
export class SolverError extends Error {
  constructor(
    message: string,
    readonly solver: MilpSolverName,
    readonly status: MilpStatus,
  ) {
    super(message);
    this.name = 'SolverError';
  }
}

export const DEFAULT_TIME_LIMIT_S = 60;

const loaded = new Map<MilpSolverName, MilpBackend>();

/** Load a back-end once (dynamic import); later calls return the same instance. */
export async function loadMilpBackend(name: MilpSolverName): Promise<MilpBackend> {
  const have = loaded.get(name);
  if (have) return have;
  let backend: MilpBackend;
  if (name === 'highs') {
    const [{ highsBackend }, { default: loadHighs }] = await Promise.all([import('./highs.js'), import('highs')]);
    backend = highsBackend(await loadHighs());
  } else {
    const [{ jslpBackend }, { default: solver }] = await Promise.all([import('./jslp.js'), import('javascript-lp-solver')]);
    backend = jslpBackend(solver);
  }
  loaded.set(name, backend);
  return backend;
}

/** A back-end loaded before by loadMilpBackend (schedulers plan synchronously). */
export function loadedMilpBackend(name: MilpSolverName): MilpBackend {
  const backend = loaded.get(name);
  if (!backend) throw new Error(`MILP solver "${name}" is not loaded: await loadMilpBackend("${name}") first (runWorkload does)`);
  return backend;
}

/**
 * Solve the problem as a MILP over the interval network. The plan is read off the chosen arcs,
 * checked to be one source-to-sink path of 0/1 values, and priced from the arc costs; the
 * solver's own objective must agree with that price. Undefined when no plan meets the deadline.
 */
export function solveByMilp(
  problem: CheckpointResumeProblem,
  backend: MilpBackend,
  options: Partial<MilpSolveOptions> = {},
): CheckpointResumeSolution | undefined {
  if (!problemFeasible(problem)) return undefined;
  const net = buildIntervalNetwork(problem);
  const scale = costScale(net);
  const model = networkMilp(net, scale);
  const result = backend.solve(model, { timeLimitS: options.timeLimitS ?? DEFAULT_TIME_LIMIT_S });
  if (result.status !== 'optimal' || !result.x) {
    throw new SolverError(`${backend.name}: no proven optimum (${result.status}: ${result.detail})`, backend.name, result.status);
  }
  let plan: ReturnType<typeof planFromArcs>;
  try {
    plan = planFromArcs(net, result.x);
  } catch (err) {
    throw new SolverError(`${backend.name}: the returned solution is not a plan: ${(err as Error).message}`, backend.name, 'not_integral');
  }
  const objective = result.objective ?? NaN;
  const priced = plan.cost / scale;
  if (!(Math.abs(objective - priced) <= 1e-6 * Math.max(1, Math.abs(priced)))) {
    throw new SolverError(`${backend.name}: reported objective ${objective} but its solution costs ${priced}`, backend.name, 'failed');
  }
  return { intervals: plan.intervals, emissionsG: plan.cost / JOULES_PER_KWH, starts: plan.intervals.length };
}
