// javascript-lp-solver (pure JS) as a MILP back-end. It can stop at its timeout with a fractional
// or unproven "feasible" answer, so the status, the integrality flag, every value and the elapsed
// time are checked, and anything short of a proven integral optimum fails.
import type { Model, SolveResult, SolverAPI } from 'javascript-lp-solver';
import type { MilpModel } from './network.js';
import type { MilpBackend, MilpResult, MilpSolveOptions } from './milp.js';

/** Values this close to an integer count as integral; anything else is a failed solve. */
const INTEGRAL_TOL = 1e-6;

export function jslpBackend(solver: SolverAPI): MilpBackend {
  return {
    name: 'jslp',
    solve(model: MilpModel, options: MilpSolveOptions): MilpResult {
      const json = toJson(model, options.timeLimitS);
      const t0 = performance.now();
      const r = solver.Solve(json) as SolveResult;
      const elapsedS = (performance.now() - t0) / 1000;
      const detail = `jsLPSolver feasible=${r.feasible} bounded=${r.bounded} isIntegral=${r.isIntegral} after ${elapsedS.toFixed(3)} s`;
      if (elapsedS >= options.timeLimitS) return { status: 'time_limit', detail };
      if (r.feasible !== true) return { status: 'infeasible', detail };
      if (r.bounded === false) return { status: 'unbounded', detail };
      if (r.isIntegral !== true) return { status: 'not_integral', detail };
      const x = new Float64Array(model.numCols);
      for (let c = 0; c < model.numCols; c++) {
        const v = r[`x${c}`];
        x[c] = typeof v === 'number' ? v : 0;
        if (Math.abs(x[c]! - Math.round(x[c]!)) > INTEGRAL_TOL) return { status: 'not_integral', detail: `${detail}; x${c} = ${x[c]}` };
      }
      // The reported objective is rounded to the solver's precision; price it from x instead.
      let objective = 0;
      for (let c = 0; c < model.numCols; c++) objective += model.colCost[c]! * x[c]!;
      if (Math.abs(objective - r.result) > 1e-6 * Math.max(1, Math.abs(objective))) {
        return { status: 'failed', detail: `${detail}; reported objective ${r.result}, solution costs ${objective}` };
      }
      return { status: 'optimal', x, objective, detail };
    },
  };
}

/** The JSON model: variables x<c> (integers; x <= 1 follows from the unit flow), rows r<i>. */
function toJson(model: MilpModel, timeLimitS: number): Model {
  const constraints: Model['constraints'] = {};
  for (let i = 0; i < model.numRows; i++) {
    const lo = model.rowLower[i]!;
    const hi = model.rowUpper[i]!;
    constraints[`r${i}`] = lo === hi ? { equal: lo } : { ...(lo !== -Infinity && { min: lo }), ...(hi !== Infinity && { max: hi }) };
  }
  const variables: Model['variables'] = {};
  const ints: Record<string, 1> = {};
  const { starts, indices, values } = model.matrix;
  for (let c = 0; c < model.numCols; c++) {
    const coefficients: Record<string, number> = { cost: model.colCost[c]! };
    for (let k = starts[c]!; k < starts[c + 1]!; k++) coefficients[`r${indices[k]}`] = values[k]!;
    variables[`x${c}`] = coefficients;
    ints[`x${c}`] = 1;
  }
  return { optimize: 'cost', opType: 'min', constraints, variables, ints, options: { timeout: timeLimitS * 1000, tolerance: 0 } };
}
