// Replays against measured cluster power: read a measured series (the field's minute exports),
// average a simulated power step series over each sample's minute, and report the RMSE as a share
// of the mean measured power. Also: a fixed allocation timeline (the actions the field took, read
// off its per-job power) as an event planner, so the engine can replay it with restart phases.
import { InputError } from '../../errors.js';
import { parseCsvRows } from '../../io/csv.js';
import { runDrOnEngine } from './engine.js';
import { parseDrScenario, planScenario, scenarioOptions } from './scenario.js';
import type { DrPolicyName, EventPiece, EventPlanner } from './shared.js';
import { cutSteps } from './shared.js';

export interface MeasuredPower {
  /** sample start, s relative to `originMs` */
  t: number[];
  w: number[];
  /** each sample averages [t, t + sampleS) */
  sampleS: number;
}

/**
 * Read a measured power series: the row whose first cell is `timeHeader` (default "timestamp",
 * case-insensitive) is the header; `column` names the power column; times are ISO 8601 instants.
 * `clock` keeps only the time of day (HH:MM on the local clock of the stamps), for files stamped
 * on the wrong day (SRP_total_power.csv is a day late); t is then relative to `origin` (HH:MM).
 */
export function readMeasuredPower(text: string, file: string, options: { column: string; origin: string; timeHeader?: string; sampleS?: number }): MeasuredPower {
  const rows = parseCsvRows(text, { file });
  const th = (options.timeHeader ?? 'timestamp').toLowerCase();
  const h = rows.findIndex((r) => (r.record[0] ?? '').trim().toLowerCase() === th);
  if (h < 0) throw new InputError('bad_measured', `no header row starting with "${th}"`, { file });
  const header = rows[h]!.record.map((c) => c.trim());
  const k = header.indexOf(options.column);
  if (k < 0) throw new InputError('bad_measured', `no column "${options.column}" (columns: ${header.filter((c) => c).join(', ')})`, { file, line: rows[h]!.line, field: options.column });
  const om = /^(\d{1,2}):(\d{2})$/.exec(options.origin);
  if (!om) throw new InputError('bad_measured', `origin "${options.origin}" is not HH:MM`, { field: 'origin' });
  const origin = Number(om[1]) * 3600 + Number(om[2]) * 60;
  const t: number[] = [];
  const w: number[] = [];
  for (const { record, line } of rows.slice(h + 1)) {
    const ts = (record[0] ?? '').trim();
    if (ts === '') continue;
    const m = /^\d{4}-\d{2}-\d{2}[ T](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(ts);
    if (!m) throw new InputError('bad_measured', `"${ts}" is not a timestamp`, { file, line, field: th });
    const v = Number(record[k]);
    if (record[k] === undefined || record[k]!.trim() === '' || !Number.isFinite(v)) continue; // a blank cell: no sample
    t.push(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) - origin);
    w.push(v);
  }
  return { t, w, sampleS: options.sampleS ?? 60 };
}

/** Mean of a power step series (powerW[i] on [powerT[i], powerT[i+1]), the last value onwards) over [a, b). */
export function meanPower(powerT: ArrayLike<number>, powerW: ArrayLike<number>, a: number, b: number): number {
  let lo = 0;
  let hi = powerT.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (powerT[mid]! <= a) lo = mid;
    else hi = mid - 1;
  }
  let area = 0;
  for (let i = lo; i < powerT.length && powerT[i]! < b; i++) {
    const s = Math.max(a, powerT[i]!);
    const e = Math.min(b, i + 1 < powerT.length ? powerT[i + 1]! : Infinity);
    if (e > s) area += powerW[i]! * (e - s);
  }
  return area / (b - a);
}

export interface RmseResult {
  rmseW: number;
  meanMeasuredW: number;
  /** RMSE as a percentage of the mean measured power */
  pct: number;
  samples: number;
}

/** RMSE of the simulated series against the measured samples, each simulated value averaged over the sample's interval. */
export function rmseAgainst(powerT: ArrayLike<number>, powerW: ArrayLike<number>, measured: MeasuredPower, scale = 1, window: [number, number] = [-Infinity, Infinity]): RmseResult {
  let se = 0;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < measured.t.length; i++) {
    const a = measured.t[i]!;
    if (a < window[0] || a >= window[1]) continue;
    const sim = scale * meanPower(powerT, powerW, a, a + measured.sampleS);
    se += (sim - measured.w[i]!) ** 2;
    sum += measured.w[i]!;
    n++;
  }
  const rmseW = Math.sqrt(se / n);
  const meanMeasuredW = sum / n;
  return { rmseW, meanMeasuredW, pct: (100 * rmseW) / meanMeasuredW, samples: n };
}

/** Mean measured power over [a, b) (e.g. before the event: the calibration level). */
export function meanMeasured(measured: MeasuredPower, a: number, b: number): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < measured.t.length; i++) {
    if (measured.t[i]! >= a && measured.t[i]! < b) {
      s += measured.w[i]!;
      n++;
    }
  }
  return s / n;
}

/** A job's GPU counts from each instant on (s on the scenario axis), e.g. read off the field's per-job power. */
export type ActionTimeline = Readonly<Record<string, readonly (readonly [number, number])[]>>;

/**
 * An event planner that ignores the budget and follows fixed actions: each job runs on the GPUs of
 * its latest action at or before the piece (its own count before the first), at its highest cap.
 */
export function fixedPlanner(actions: ActionTimeline): EventPlanner {
  return (input) => {
    const { jobs, steps, event } = input;
    const cuts = [...new Set(Object.values(actions).flatMap((a) => a.map(([t]) => t)))].filter((t) => t > event.startS && t < event.endS).sort((a, b) => a - b);
    return cutSteps(steps, event.firstStep, cuts).map((p): EventPiece => {
      const gpus = new Int32Array(jobs.length);
      const caps = new Int32Array(jobs.length);
      for (const j of jobs) {
        let g = j.gpus;
        for (const [t, n] of actions[j.name] ?? []) if (t <= p.t0 + 1e-7) g = n;
        gpus[j.index] = g;
        caps[j.index] = j.curve.maxCap;
      }
      return { t0: p.t0, t1: p.t1, step: p.step, gpus, caps };
    });
  };
}

// ---- the field replays of docs/demand-response.md ----

export interface FieldReplayInput {
  /** traces/dr/srp-2025-05-03.json, parsed */
  srpScenario: unknown;
  /** SRP_total_power.csv */
  srpMeasured: string;
  /** traces/dr/aps-2025-05-01.json, parsed */
  apsScenario: unknown;
  /** traces/dr/aps-2025-05-01-actions.json, parsed */
  apsActions: unknown;
  /** xlsx_Fig345_data__Fig5.csv: per-job and total measured power, and the field simulator's projection */
  apsFig5: string;
}

export interface DrReplayRow {
  event: 'SRP' | 'APS';
  /** a policy name, `field actions` (the actions read off the per-job power) or `field simulator` */
  run: string;
  restarts: boolean;
  /** profile draw scaled so the baseline equals the metered mean before the event */
  calibrated: boolean;
  rmseW: number;
  meanW: number;
  pct: number;
  /** RMSE (% of the window's mean) over the ramp down and the ramp up alone: where restarts happen */
  rampDownPct: number;
  rampUpPct: number;
}

const REPLAY_POLICIES: readonly DrPolicyName[] = ['dvfs-fair', 'dvfs-pausing-fair', 'pausing-greedy', 'pausing-resize-fair'];

/**
 * Every replay of the docs' table: the SRP event (DVFS only, no restarts) and the APS event
 * (pauses and resizes), each policy and the field's own actions on the engine, against the
 * measured minute power; RMSE as a share of the mean measured power over the whole export.
 */
export function fieldReplays(input: FieldReplayInput): DrReplayRow[] {
  const rows: DrReplayRow[] = [];
  const srp = readMeasuredPower(input.srpMeasured, 'SRP_total_power.csv', { column: 'total', origin: '16:10' });
  const aps = readMeasuredPower(input.apsFig5, 'xlsx_Fig345_data__Fig5.csv', { column: 'total (W)', origin: '17:40' });
  const cases = [
    { event: 'SRP' as const, json: input.srpScenario, measured: srp, file: 'srp-2025-05-03.json' },
    { event: 'APS' as const, json: input.apsScenario, measured: aps, file: 'aps-2025-05-01.json' },
  ];
  const acts = (input.apsActions as { actions: Record<string, [number, number][]> }).actions;
  const actions: ActionTimeline = Object.fromEntries(Object.entries(acts).map(([k, v]) => [k, v.map(([m, g]) => [m * 60, g] as const)]));
  for (const c of cases) {
    const first = c.measured.t[0]!;
    const last = c.measured.t[c.measured.t.length - 1]! + c.measured.sampleS;
    const plain = parseDrScenario(c.json, c.file);
    const pre = meanMeasured(c.measured, -Infinity, plain.timeline.events[0]!.startS);
    const ev = plain.timeline.events[0]!;
    const windows: [number, number][] = [
      [ev.startS, ev.startS + ev.rampS + 600],
      [ev.endS - ev.rampS, ev.endS + 600],
    ];
    for (const calibrated of [false, true]) {
      const s = calibrated ? parseDrScenario(c.json, c.file, { powerScale: pre / plain.baselineW }) : plain;
      const runs: { run: string; policy: DrPolicyName; planner?: EventPlanner }[] = REPLAY_POLICIES.map((p) => ({ run: p, policy: p }));
      if (c.event === 'APS') runs.unshift({ run: 'field actions', policy: 'dvfs-fair', planner: fixedPlanner(actions) });
      for (const r of runs) {
        for (const restarts of s.restart.size > 0 ? [false, true] : [false]) {
          const plan = planScenario(s, r.policy);
          const e = runDrOnEngine(r.policy, s.jobs, s.timeline, plan, {
            ...scenarioOptions(s),
            leadS: ev.startS - first + 60,
            tailS: last - ev.endS + 60,
            ...(restarts && { restart: s.restart }),
            ...(r.planner && { planner: r.planner }),
          });
          const all = rmseAgainst(e.powerT, e.powerW, c.measured);
          rows.push({
            event: c.event,
            run: r.run,
            restarts,
            calibrated,
            rmseW: all.rmseW,
            meanW: all.meanMeasuredW,
            pct: all.pct,
            rampDownPct: rmseAgainst(e.powerT, e.powerW, c.measured, 1, windows[0]).pct,
            rampUpPct: rmseAgainst(e.powerT, e.powerW, c.measured, 1, windows[1]).pct,
          });
        }
      }
    }
  }
  // the field simulator's own projection, scored the same way
  const proj = readMeasuredPower(input.apsFig5.split('\n').map((l) => l.split(',').slice(9).join(',')).join('\n'), 'xlsx_Fig345_data__Fig5.csv', { column: 'projected power (W)', origin: '17:40' });
  const apsScenario = parseDrScenario(input.apsScenario, 'aps-2025-05-01.json');
  const ev = apsScenario.timeline.events[0]!;
  const all = rmseAgainst(proj.t, proj.w, aps);
  rows.push({
    event: 'APS',
    run: 'field simulator',
    restarts: true,
    calibrated: false,
    rmseW: all.rmseW,
    meanW: all.meanMeasuredW,
    pct: all.pct,
    rampDownPct: rmseAgainst(proj.t, proj.w, aps, 1, [ev.startS, ev.startS + ev.rampS + 600]).pct,
    rampUpPct: rmseAgainst(proj.t, proj.w, aps, 1, [ev.endS - ev.rampS, ev.endS + 600]).pct,
  });
  return rows;
}
