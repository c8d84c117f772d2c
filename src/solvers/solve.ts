import { solveByDp } from './dp.js';
import { loadedMilpBackend, solveByMilp, type MilpSolverName } from './milp.js';
import type { CheckpointResumeProblem, CheckpointResumeSolution } from './problem.js';

export const SOLVERS = ['dp', 'highs', 'jslp'] as const;
export type SolverName = 'dp' | MilpSolverName;

export interface SolveOptions {
  /** 'dp' (default): the exact dynamic program; 'highs', 'jslp': the MILP (load the back-end first) */
  solver?: SolverName;
  /** MILP only: fail after this many seconds without a proven optimum */
  timeLimitS?: number;
}

/** The least-emission plan of the problem, or undefined when no plan meets the deadline. */
export function solveCheckpointResume(problem: CheckpointResumeProblem, options: SolveOptions = {}): CheckpointResumeSolution | undefined {
  const solver = options.solver ?? 'dp';
  if (solver === 'dp') return solveByDp(problem);
  return solveByMilp(problem, loadedMilpBackend(solver), options.timeLimitS !== undefined ? { timeLimitS: options.timeLimitS } : {});
}
