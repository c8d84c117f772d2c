// HiGHS (wasm, npm `highs`) as a MILP back-end: zero relative and absolute gap, a time limit,
// and only a proven optimum accepted. Loaded by loadMilpBackend; never imported statically.
import type { Highs, ModelStatusCode } from 'highs';
import type { MilpModel } from './network.js';
import type { MilpBackend, MilpResult, MilpSolveOptions, MilpStatus } from './milp.js';

/** HiGHS model status codes (highs.constants.modelStatus) and what they mean here. */
const STATUS: Partial<Record<ModelStatusCode, MilpStatus>> = {
  7: 'optimal',
  8: 'infeasible',
  9: 'infeasible', // infeasible or unbounded; costs are bounded below by 0
  10: 'unbounded',
  13: 'time_limit',
};

export function highsBackend(highs: Highs): MilpBackend {
  return {
    name: 'highs',
    solve(model: MilpModel, options: MilpSolveOptions): MilpResult {
      const data = {
        numCols: model.numCols,
        numRows: model.numRows,
        colCost: model.colCost,
        colLower: new Float64Array(model.numCols),
        colUpper: new Float64Array(model.numCols).fill(1),
        rowLower: model.rowLower.map((v) => (v === -Infinity ? -highs.infinity : v)),
        rowUpper: model.rowUpper.map((v) => (v === Infinity ? highs.infinity : v)),
        matrix: { format: 'csc' as const, numRows: model.numRows, numCols: model.numCols, ...model.matrix },
        integrality: new Int32Array(model.numCols).fill(highs.constants.variableType.integer),
      };
      // withModel disposes the native model when the callback returns or throws. Presolve is off:
      // on these network models it took seconds and removed nothing (12 s vs 0.8 s at T = 336).
      return highs.withModel(data, (m): MilpResult => {
        m.options.set({ output_flag: false, presolve: 'off', mip_rel_gap: 0, mip_abs_gap: 0, time_limit: options.timeLimitS, random_seed: 0 });
        const run = m.run();
        const status = STATUS[run.modelStatus] ?? 'failed';
        const detail = `HiGHS model status ${run.modelStatus}${run.warnings.length ? `; ${run.warnings.join('; ')}` : ''}`;
        if (status !== 'optimal') return { status, detail };
        return { status, x: m.getSolution().colValue, objective: m.getObjectiveValue(), detail };
      });
    },
  };
}
