// The MILP back-ends (HiGHS, javascript-lp-solver) agree with the dynamic program on medium
// instances, and every way a solve can go wrong fails loudly.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  buildIntervalNetwork,
  CarbonSignal,
  chargePlan,
  compileProfile,
  loadedMilpBackend,
  loadMilpBackend,
  networkMilp,
  planFromArcs,
  slotBoundaries,
  solveByDp,
  solveByMilp,
  SolverError,
  type CheckpointResumeProblem,
  type Job,
  type MilpBackend,
  type MilpModel,
  type MilpResult,
  type Phase,
  type PowerProfile,
} from '../src/index.js';
import { jslpBackend } from '../src/solvers/jslp.js';
import { errorOf } from './helpers.js';

const H = 3600;
const close = (a: number, b: number, rel = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b));

/** Hourly carbon with sharp random swings, so that splitting a job pays and caps bind. */
function spikyCarbon(seed: string, hours: number): CarbonSignal {
  const rng = seedrandom(seed);
  const times = Float64Array.from({ length: hours }, (_, i) => i * H);
  const values = Float64Array.from({ length: hours }, () => Math.round(20 + rng() * 600));
  return new CarbonSignal({ times, values });
}

const epochs = (n: number, train: number): Phase[] =>
  Array.from({ length: n }, () => [
    { name: 'Train', duration: train, power: 220 },
    { name: 'Evaluate', duration: 300, power: 130 },
    { name: 'Save', duration: 100, power: 100, isCheckpoint: true },
  ]).flat();

const PROFILES: Record<string, PowerProfile> = {
  'constant 4 h, 5 min startup': { startup: [{ name: 'Start', duration: 300, power: 50 }], work: [{ name: 'Work', duration: 4 * H, power: 150 }] },
  'alternating 30 min blocks, 10 min startup': {
    startup: [{ name: 'Start', duration: 600, power: 30 }],
    work: Array.from({ length: 6 }, (_, i) => ({ name: 'Block', duration: 1800, power: i % 2 ? 100 : 200 })),
  },
  'five epochs with checkpoints, 10 min startup': { startup: [{ name: 'Start', duration: 600, power: 60 }], work: epochs(5, 2000) },
  'three epochs, startup longer than a slot': { startup: [{ name: 'Start', duration: 1.5 * H, power: 40 }], work: epochs(3, 1500) },
};

function problemOf(profile: PowerProfile, carbon: CarbonSignal, arrival: number, slots: number, maxStarts = Infinity): CheckpointResumeProblem {
  return { profile: compileProfile(profile), boundaries: slotBoundaries(arrival, arrival + slots * H, H, 0), carbon, maxStarts };
}

function jobOf(problem: CheckpointResumeProblem): Job {
  const b = problem.boundaries;
  return { id: 'j', type: 'phases', arrival: b[0]!, deadline: b[b.length - 1]!, cpus: 1, profile: problem.profile };
}

describe('MILP back-ends', () => {
  it('are loaded lazily: a scheduler cannot use one before loadMilpBackend', () => {
    expect(() => loadedMilpBackend('highs')).toThrow(/not loaded/);
  });

  it('DP, HiGHS and javascript-lp-solver agree on medium instances (T = 48..336), with and without a binding cap', async () => {
    const highs = await loadMilpBackend('highs');
    const jslp = await loadMilpBackend('jslp');
    const cases: [string, number, number][] = [
      ...Object.keys(PROFILES).map((name): [string, number, number] => [name, 48, 0]),
      ['five epochs with checkpoints, 10 min startup', 48, 1234.5], // arrival between grid points
      ['alternating 30 min blocks, 10 min startup', 168, 0],
      ['three epochs, startup longer than a slot', 168, 0],
      ['constant 4 h, 5 min startup', 336, 0],
      ['five epochs with checkpoints, 10 min startup', 336, 0],
    ];
    let capBound = 0;
    for (const [name, slots, arrival] of cases) {
      const carbon = spikyCarbon(`${name}/${slots}`, slots + 4);
      const uncapped = solveByDp(problemOf(PROFILES[name]!, carbon, arrival, slots))!;
      for (const maxStarts of [Infinity, 2]) {
        const problem = problemOf(PROFILES[name]!, carbon, arrival, slots, maxStarts);
        const dp = solveByDp(problem)!;
        const viaHighs = solveByMilp(problem, highs)!;
        const viaJslp = solveByMilp(problem, jslp)!;
        close(viaHighs.emissionsG, dp.emissionsG);
        close(viaJslp.emissionsG, dp.emissionsG);
        for (const sol of [dp, viaHighs, viaJslp]) {
          expect(sol.starts).toBeLessThanOrEqual(maxStarts);
          close(chargePlan(jobOf(problem), sol.intervals, carbon).carbonG, sol.emissionsG);
        }
        if (maxStarts === 2 && dp.emissionsG > uncapped.emissionsG * (1 + 1e-9)) capBound++;
      }
      expect(uncapped.starts).toBeGreaterThanOrEqual(1);
    }
    expect(capBound).toBeGreaterThanOrEqual(3); // the cap row matters, not only the network
  });
});

describe('MILP answers are checked, not trusted', () => {
  const carbon = spikyCarbon('checks', 12);
  const problem = problemOf(PROFILES['constant 4 h, 5 min startup']!, carbon, 0, 10);
  const net = buildIntervalNetwork(problem);

  /** A back-end that hands the real solver's answer through `tamper`. */
  const tampered = async (tamper: (r: MilpResult) => MilpResult): Promise<MilpBackend> => {
    const real = await loadMilpBackend('jslp');
    return { name: 'jslp', solve: (m, o) => tamper(real.solve(m, o)) };
  };
  const failure = (f: () => unknown): SolverError => errorOf(f, SolverError);

  it('the untampered answer is the DP optimum', async () => {
    close(solveByMilp(problem, await tampered((r) => r))!.emissionsG, solveByDp(problem)!.emissionsG);
  });

  it('a fractional column is rejected', async () => {
    const backend = await tampered((r) => {
      const x = Float64Array.from(r.x!);
      x[x.indexOf(1)] = 0.5;
      return { ...r, x };
    });
    expect(failure(() => solveByMilp(problem, backend)).status).toBe('not_integral');
  });

  it('a selection that is not one source-to-sink path is rejected', async () => {
    const stray = await tampered((r) => {
      const x = Float64Array.from(r.x!);
      x[x.indexOf(0)] = 1;
      return { ...r, x };
    });
    expect(failure(() => solveByMilp(problem, stray)).message).toMatch(/two chosen outgoing arcs|off the path/);
    expect(() => planFromArcs(net, new Float64Array(net.from.length))).toThrow(/stop at node 0/);
  });

  it('an objective that disagrees with the priced solution is rejected', async () => {
    const backend = await tampered((r) => ({ ...r, objective: r.objective! * 1.01 }));
    expect(failure(() => solveByMilp(problem, backend)).status).toBe('failed');
  });

  it('any status but a proven optimum fails, naming it', () => {
    for (const status of ['infeasible', 'time_limit', 'not_integral', 'failed'] as const) {
      const backend: MilpBackend = { name: 'highs', solve: () => ({ status, detail: 'fake' }) };
      expect(failure(() => solveByMilp(problem, backend)).message).toMatch(new RegExp(`no proven optimum \\(${status}`));
    }
  });

  it('javascript-lp-solver: fractional or unproven answers and timeouts are failures', async () => {
    const model = networkMilp(net, 1);
    const answer = (r: Record<string, unknown>) => jslpBackend({ Solve: () => r } as never).solve(model, { timeLimitS: 60 });
    expect(answer({ feasible: true, result: 1, bounded: true, x0: 0.5 }).status).toBe('not_integral'); // no isIntegral flag
    expect(answer({ feasible: true, result: 1, bounded: true, isIntegral: true, x0: 0.5 }).status).toBe('not_integral');
    expect(answer({ feasible: false, result: 0, bounded: true }).status).toBe('infeasible');
    // the real solver with no time at all: stopped by the limit, whatever it returned
    const real = await loadMilpBackend('jslp');
    expect(real.solve(model, { timeLimitS: 1e-9 }).status).toBe('time_limit');
    expect(() => solveByMilp(problem, real, { timeLimitS: 1e-9 })).toThrow(/time_limit/);
  });

  it('HiGHS reports an infeasible model as infeasible', async () => {
    const highs = await loadMilpBackend('highs');
    // x0 = 1 and x0 = 0 at once
    const model: MilpModel = {
      numCols: 1,
      numRows: 2,
      colCost: Float64Array.of(1),
      rowLower: Float64Array.of(1, 0),
      rowUpper: Float64Array.of(1, 0),
      matrix: { starts: Int32Array.of(0, 2), indices: Int32Array.of(0, 1), values: Float64Array.of(1, 1) },
    };
    expect(highs.solve(model, { timeLimitS: 10 }).status).toBe('infeasible');
  });
});
