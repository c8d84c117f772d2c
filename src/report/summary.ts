import { csvField } from '../io/csv.js';
import { JOULES_PER_KWH } from '../carbon/signal.js';
import type { JobResult } from '../cluster/simulate.js';
import { Adder } from './sum.js';
import type { ClusterSummary } from '../accounting/metrics.js';
import { asOutcomes, outcomesOf, type JobOutcomes } from '../accounting/outcomes.js';

/** The run summary of the CLI contract (DESIGN.md). */
export interface RunSummary {
  jobs: number;
  completed: number;
  missed_deadlines: number;
  energy_kwh: number;
  carbon_g: number;
  overhead_energy_kwh: number;
  /** mean completion delay: finish - arrival - uninterrupted duration */
  mean_wait_s: number;
  /** suspensions summed over jobs (starts - 1 each) */
  interruptions: number;
  /** finite clusters only: waits, slowdown, utilisation, cluster energy and carbon */
  cluster?: ClusterSummary;
}

/** One job's record of the CLI contract (times in seconds since the epoch). */
export interface JobRecord {
  id: string;
  arrival: number;
  deadline: number;
  start: number;
  finish: number;
  energy_kwh: number;
  carbon_g: number;
  overhead_energy_kwh: number;
  interruptions: number;
  intervals: [number, number][];
}

export function summarize(results: readonly JobResult[] | JobOutcomes): RunSummary {
  const o = asOutcomes(results);
  const energy = new Adder();
  const carbon = new Adder();
  const overhead = new Adder();
  const wait = new Adder();
  let completed = 0;
  let missed = 0;
  let interruptions = 0;
  const n = o.length;
  for (let j = 0; j < n; j++) {
    if (Number.isFinite(o.finishS(j))) completed++;
    if (o.missed(j)) missed++;
    interruptions += o.starts(j) - 1;
    energy.add(o.energyJ(j));
    carbon.add(o.carbonG(j));
    overhead.add(o.overheadEnergyJ(j));
    wait.add(o.waitS(j));
  }
  return {
    jobs: n,
    completed,
    missed_deadlines: missed,
    energy_kwh: +energy / JOULES_PER_KWH,
    carbon_g: +carbon,
    overhead_energy_kwh: +overhead / JOULES_PER_KWH,
    mean_wait_s: n ? +wait / n : 0,
    interruptions,
  };
}

export function jobRecord(r: JobResult): JobRecord {
  const e = r.execution;
  return {
    id: r.job.id,
    arrival: r.job.arrival,
    deadline: r.job.deadline,
    start: e.start,
    finish: e.finish,
    energy_kwh: e.energyJ / JOULES_PER_KWH,
    carbon_g: r.carbonG,
    overhead_energy_kwh: e.overheadEnergyJ / JOULES_PER_KWH,
    interruptions: e.starts - 1,
    intervals: e.intervals.map(([s, t]) => [s, t]),
  };
}

const JOB_COLUMNS = ['id', 'arrival', 'deadline', 'start', 'finish', 'energy_kwh', 'carbon_g', 'overhead_energy_kwh', 'interruptions', 'intervals'] as const;

/** Per-job CSV; `intervals` as `s-e;s-e`. */
export function jobsCsv(records: readonly JobRecord[]): string {
  const lines = [JOB_COLUMNS.join(',')];
  for (const r of records) {
    lines.push(
      JOB_COLUMNS.map((c) => (c === 'intervals' ? r.intervals.map(([s, e]) => `${s}-${e}`).join(';') : csvField(r[c]))).join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * JSON.stringify(jobRecord(r)), byte for byte, without building the record: what `--format json`
 * writes for 1M jobs without holding 1M records.
 */
export function jobRecordJson(r: JobResult): string {
  return outcomeJson(outcomesOf([r]), 0);
}

function outcomeJson(o: JobOutcomes, j: number): string {
  const job = o.job(j);
  const start = o.startS(j);
  const finish = o.finishS(j);
  const startText = jsonValue(start);
  const finishText = jsonValue(finish);
  // keys in jobRecord's order; a value JSON.stringify leaves out (undefined) leaves out its key
  const head =
    member('id', job.id) +
    member('arrival', job.arrival) +
    member('deadline', job.deadline) +
    `"start":${startText},` +
    `"finish":${finishText},` +
    member('energy_kwh', o.energyJ(j) / JOULES_PER_KWH) +
    member('carbon_g', o.carbonG(j)) +
    member('overhead_energy_kwh', o.overheadEnergyJ(j) / JOULES_PER_KWH) +
    member('interruptions', o.starts(j) - 1);
  const list = o.intervals(j);
  let intervals = '[';
  for (let i = 0; i < list.length; i++) {
    const [a, b] = list[i]!;
    // the first start and the last end are most often the job's start and finish: formatted once
    const aText = a === start ? startText : jsonValue(a);
    const bText = b === finish ? finishText : jsonValue(b);
    intervals += `${i ? ',' : ''}[${aText ?? 'null'},${bText ?? 'null'}]`;
  }
  return `{${head}"intervals":${intervals}]}`;
}

/** `"key":value,` as JSON.stringify writes a member, or '' when it leaves the key out. */
function member(key: string, value: unknown): string {
  const text = jsonValue(value);
  return text === undefined ? '' : `"${key}":${text},`;
}

/** A value as JSON.stringify writes it inside an object; undefined when it leaves the key out. */
function jsonValue(v: unknown): string | undefined {
  // a finite number is ToString(v) in JSON.stringify too; NaN and the infinities are null
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return JSON.stringify(v) as string | undefined;
}

/** One data line of jobsCsv (no newline), without building the record. */
export function jobCsvLine(r: JobResult): string {
  return outcomeCsvLine(outcomesOf([r]), 0);
}

function outcomeCsvLine(o: JobOutcomes, j: number): string {
  const job = o.job(j);
  const list = o.intervals(j);
  let intervals = '';
  for (let i = 0; i < list.length; i++) {
    const [s, t] = list[i]!;
    intervals += `${i ? ';' : ''}${s}-${t}`;
  }
  return [
    csvField(job.id),
    csvField(job.arrival),
    csvField(job.deadline),
    csvField(o.startS(j)),
    csvField(o.finishS(j)),
    csvField(o.energyJ(j) / JOULES_PER_KWH),
    csvField(o.carbonG(j)),
    csvField(o.overheadEnergyJ(j) / JOULES_PER_KWH),
    csvField(o.starts(j) - 1),
    intervals,
  ].join(',');
}

/** About this many characters per piece of streamed output. */
const CHUNK_CHARS = 1 << 16;

/**
 * The `--format json` document, `JSON.stringify({summary, jobs: results.map(jobRecord)}) + '\n'`,
 * in pieces of about 64 KiB: concatenated they are that string exactly.
 */
export function* runJsonChunks(summary: RunSummary, results: readonly JobResult[] | JobOutcomes): Generator<string> {
  const o = asOutcomes(results);
  let buf = `{"summary":${JSON.stringify(summary)},"jobs":[`;
  for (let i = 0; i < o.length; i++) {
    buf += (i ? ',' : '') + outcomeJson(o, i);
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = '';
    }
  }
  yield buf + ']}\n';
}

/** jobsCsv(results.map(jobRecord)) in pieces of about 64 KiB. */
export function* jobsCsvChunks(results: readonly JobResult[] | JobOutcomes): Generator<string> {
  const o = asOutcomes(results);
  let buf = JOB_COLUMNS.join(',') + '\n';
  for (let i = 0; i < o.length; i++) {
    buf += outcomeCsvLine(o, i) + '\n';
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = '';
    }
  }
  yield buf;
}

/** A plain two-column table of the summary for terminals. */
export function summaryTable(summary: RunSummary, title: string): string {
  const rows: [string, string][] = [
    ['jobs', String(summary.jobs)],
    ['completed', String(summary.completed)],
    ['missed deadlines', String(summary.missed_deadlines)],
    ['energy (kWh)', fmt(summary.energy_kwh)],
    ['carbon (g CO2)', fmt(summary.carbon_g)],
    ['overhead energy (kWh)', fmt(summary.overhead_energy_kwh)],
    ['mean wait (s)', fmt(summary.mean_wait_s)],
    ['interruptions', String(summary.interruptions)],
  ];
  const c = summary.cluster;
  if (c) {
    rows.push(
      ['cluster', c.cluster],
      ['mean queue wait (s)', fmt(c.mean_queue_wait_s)],
      ['p95 queue wait (s)', fmt(c.p95_queue_wait_s)],
      ['mean bounded slowdown', fmt(c.mean_bounded_slowdown)],
      ['utilisation', fmt(c.utilisation)],
      ['makespan (s)', fmt(c.makespan_s)],
      ['cluster energy (kWh)', fmt(c.energy_kwh)],
      ['  of it idle (kWh)', fmt(c.idle_energy_kwh)],
      ['cluster carbon (g CO2)', fmt(c.carbon_g)],
      ['mean queue length', fmt(c.mean_queue_length)],
      ['max queue length', String(c.max_queue_length)],
    );
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  const v = Math.max(...rows.map((r) => r[1].length));
  return [title, '-'.repeat(Math.max(title.length, w + v + 2)), ...rows.map(([k, x]) => `${k.padEnd(w)}  ${x.padStart(v)}`)].join('\n') + '\n';
}

function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(4);
  return x.toFixed(a >= 100 ? 2 : 4);
}
