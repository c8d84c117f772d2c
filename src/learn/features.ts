// Leakage-safe features of SWF jobs: only what a scheduler knows when the job is submitted.
// A job's own outcome (run time, wait, status, CPU time, memory used) never enters its features:
// `SubmitRecord` has no field for it, and a job's run time reaches the history (`FeatureTracker.
// finished`) only at its finish, which comes after its submission. The same tracker serves the
// offline table (fed with the log's recorded finishes) and the online predictor inside a
// simulation (fed with the simulated ones). test/learn-features.test.ts perturbs every outcome
// field of a job and checks that its features do not move.
import { InputError } from '../errors.js';
import { zoneClock, type ZoneClock } from '../model/deadlines.js';
import { SWF_FIELD_COUNT, SWF_MISSING, swfHeaderValue, type SwfLog } from '../io/swf.js';

/** What is known of a job at its submission. */
export interface SubmitRecord {
  /** submit time, s since the log's start */
  submit: number;
  /** processors asked for: requested (field 8), else allocated (field 5), as the engine sizes jobs */
  size: number;
  /** requested time (field 9), s; NaN when the log has none */
  requestedS: number;
  user: number;
  group: number;
  queue: number;
  partition: number;
}

/** The queue at the submission instant, the job itself excluded. */
export interface QueueState {
  queuedJobs: number;
  queuedProcs: number;
  runningJobs: number;
  busyProcs: number;
}

export const FEATURE_NAMES = [
  'log2_size',
  'size_fraction',
  'log_requested_s',
  'requested_missing',
  'user_log_last_s',
  'user_log_last2_mean_s',
  'user_log_mean_s',
  'user_log1p_finished',
  'user_mean_run_over_requested',
  'user_same_request_as_last',
  'user_log1p_outstanding',
  'user_log1p_since_last_finish_s',
  'group_log_mean_s',
  'queue_log_mean_s',
  'hour_sin',
  'hour_cos',
  'weekday_sin',
  'weekday_cos',
  'log1p_queued_jobs',
  'queued_procs_fraction',
  'log1p_running_jobs',
  'busy_fraction',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

const DAY_MS = 86_400_000;
/** prior for log run time before any job has finished: one hour */
const PRIOR_LOG_S = Math.log(3600);

class Mean {
  sum = 0;
  n = 0;
  add(v: number): void {
    this.sum += v;
    this.n++;
  }
  or(fallback: number): number {
    return this.n > 0 ? this.sum / this.n : fallback;
  }
}

interface UserHistory {
  last: number;
  last2: number;
  lastRequested: number;
  lastFinish: number;
  logRun: Mean;
  ratio: Mean;
  outstanding: number;
}

export interface TrackerOptions {
  /** processors of the machine (MaxProcs) */
  capacity: number;
  /** IANA zone of the submit clock (the log's TimeZoneString); default UTC */
  timeZone?: string;
  /** Unix time (s) of submit time 0 (the log's UnixStartTime); default 0 */
  unixStartS?: number;
}

/**
 * History of finished jobs (per user, group, queue) and the clock: the state features read.
 * `features` reads only the submit record, the queue state and this history.
 */
export class FeatureTracker {
  private readonly users = new Map<number, UserHistory>();
  private readonly groups = new Map<number, Mean>();
  private readonly queues = new Map<number, Mean>();
  private readonly global = new Mean();
  private readonly clock: ZoneClock;
  private readonly unixStartMs: number;
  readonly capacity: number;

  constructor(options: TrackerOptions) {
    this.capacity = options.capacity;
    this.clock = zoneClock(options.timeZone ?? 'UTC');
    this.unixStartMs = (options.unixStartS ?? 0) * 1000;
  }

  private user(id: number): UserHistory {
    let u = this.users.get(id);
    if (u === undefined) {
      u = { last: NaN, last2: NaN, lastRequested: NaN, lastFinish: NaN, logRun: new Mean(), ratio: new Mean(), outstanding: 0 };
      this.users.set(id, u);
    }
    return u;
  }

  /** The job was submitted: it counts as outstanding for its user until it finishes. */
  submitted(rec: SubmitRecord): void {
    this.user(rec.user).outstanding++;
  }

  /** The job finished at `finishS` after running `runS`: from now on its run time is history. */
  finished(rec: SubmitRecord, runS: number, finishS: number): void {
    const u = this.user(rec.user);
    const logRun = Math.log(Math.max(runS, 1));
    u.last2 = u.last;
    u.last = runS;
    u.lastRequested = rec.requestedS;
    u.lastFinish = finishS;
    u.logRun.add(logRun);
    if (rec.requestedS > 0) u.ratio.add(Math.min(runS / rec.requestedS, 4));
    u.outstanding = Math.max(0, u.outstanding - 1);
    mean(this.groups, rec.group).add(logRun);
    mean(this.queues, rec.queue).add(logRun);
    this.global.add(logRun);
  }

  /** Tsafrir's predictor: the mean of the user's last two finished run times (one if only one); NaN without history. */
  lastTwoMeanS(user: number): number {
    const u = this.users.get(user);
    if (u === undefined || Number.isNaN(u.last)) return NaN;
    return Number.isNaN(u.last2) ? u.last : (u.last + u.last2) / 2;
  }

  /** Write the job's features into out[offset ..]: they read the record, the queue and the history, nothing else. */
  features(rec: SubmitRecord, queue: QueueState, out: Float64Array | number[], offset = 0): void {
    const u = this.users.get(rec.user);
    const hasReq = rec.requestedS > 0;
    const globalLog = this.global.or(PRIOR_LOG_S);
    const userLog = u ? u.logRun.or(globalLog) : globalLog;
    const logReq = hasReq ? Math.log(rec.requestedS) : userLog;
    const hasHistory = u !== undefined && !Number.isNaN(u.last);
    const cap = this.capacity;
    const { day, msOfDay } = this.clock.wallClock(this.unixStartMs + rec.submit * 1000);
    const hour = (msOfDay / DAY_MS) * 2 * Math.PI;
    const weekday = (((day + 4) % 7) / 7) * 2 * Math.PI; // 1970-01-01 was a Thursday: 0 = Sunday
    let i = offset;
    out[i++] = Math.log2(rec.size);
    out[i++] = rec.size / cap;
    out[i++] = logReq;
    out[i++] = hasReq ? 0 : 1;
    out[i++] = hasHistory ? Math.log(Math.max(u!.last, 1)) : logReq;
    out[i++] = hasHistory ? Math.log(Math.max(this.lastTwoMeanS(rec.user), 1)) : logReq;
    out[i++] = hasHistory ? userLog : logReq;
    out[i++] = Math.log1p(u ? u.logRun.n : 0);
    out[i++] = u ? u.ratio.or(1) : 1;
    out[i++] = hasHistory && u!.lastRequested === rec.requestedS ? 1 : 0;
    out[i++] = Math.log1p(u ? u.outstanding : 0);
    out[i++] = hasHistory ? Math.log1p(Math.max(0, rec.submit - u!.lastFinish)) : Math.log1p(30 * 86400);
    out[i++] = this.groups.get(rec.group)?.or(logReq) ?? logReq;
    out[i++] = this.queues.get(rec.queue)?.or(logReq) ?? logReq;
    out[i++] = Math.sin(hour);
    out[i++] = Math.cos(hour);
    out[i++] = Math.sin(weekday);
    out[i++] = Math.cos(weekday);
    out[i++] = Math.log1p(queue.queuedJobs);
    out[i++] = queue.queuedProcs / cap;
    out[i++] = Math.log1p(queue.runningJobs);
    out[i++] = queue.busyProcs / cap;
  }
}

function mean(map: Map<number, Mean>, key: number): Mean {
  let m = map.get(key);
  if (m === undefined) {
    m = new Mean();
    map.set(key, m);
  }
  return m;
}

/** One SWF job kept for learning: its submission record and, apart, its recorded outcome. */
export interface SwfJobRow {
  /** the record's index in the log */
  record: number;
  /** job number (field 1), the engine's job id */
  id: string;
  /** 1-based line in the file */
  line: number;
  submit: SubmitRecord;
  /** recorded outcome: labels only, never features */
  outcome: { runS: number; waitS: number };
}

/** A feature table of an SWF log: rows in submit order (ties in file order), as the engine orders jobs. */
export interface FeatureTable {
  rows: SwfJobRow[];
  /** FEATURE_COUNT values per row */
  x: Float64Array;
  /** run time (s) per row: the label */
  runS: Float64Array;
  /** Tsafrir's prediction at submission (mean of the user's last two finished runs), NaN without history */
  lastTwoS: Float64Array;
  capacity: number;
  timeZone: string;
  unixStartS: number;
  /** records left out: incomplete, or larger than the machine */
  skipped: number;
}

const F = {
  job: 0,
  submit: 1,
  wait: 2,
  run: 3,
  allocated: 4,
  requestedProcs: 7,
  requestedTime: 8,
  user: 11,
  group: 12,
  queue: 14,
  partition: 15,
} as const;

/** Machine size, zone and start of an SWF log from its header (MaxProcs, as `--cluster swf`; TimeZoneString; UnixStartTime). */
export function swfClock(log: SwfLog, file = '<swf>'): { capacity: number; timeZone: string; unixStartS: number } {
  const procs = Number(swfHeaderValue(log, 'MaxProcs'));
  if (!(procs > 0)) throw new InputError('missing_field', 'the SWF header has no MaxProcs: the machine size is unknown', { file, field: 'MaxProcs' });
  const zone = swfHeaderValue(log, 'TimeZoneString') ?? 'UTC';
  let timeZone = 'UTC';
  try {
    zoneClock(zone);
    timeZone = zone;
  } catch {
    timeZone = 'UTC';
  }
  const start = Number(swfHeaderValue(log, 'UnixStartTime') ?? 0);
  return { capacity: procs, timeZone, unixStartS: Number.isFinite(start) ? start : 0 };
}

/**
 * The jobs of an SWF log that the engine's replay keeps (complete records no larger than the
 * machine: the rule of `--cluster swf`), in submit order, with their submission records.
 */
export function swfJobRows(log: SwfLog, capacity: number): { rows: SwfJobRow[]; skipped: number } {
  const v = log.values;
  const rows: SwfJobRow[] = [];
  let skipped = 0;
  for (let r = 0; r < log.count; r++) {
    const b = r * SWF_FIELD_COUNT;
    const submit = v[b + F.submit]!;
    const run = v[b + F.run]!;
    const allocated = v[b + F.allocated]!;
    const requested = v[b + F.requestedProcs]!;
    const processors = allocated !== SWF_MISSING ? allocated : requested;
    const size = requested > 0 ? requested : processors;
    if (submit < 0 || !(run > 0) || !(processors > 0) || !(size > 0) || size > capacity) {
      skipped++;
      continue;
    }
    const reqTime = v[b + F.requestedTime]!;
    rows.push({
      record: r,
      id: String(v[b + F.job]!),
      line: log.lines[r]!,
      submit: {
        submit,
        size,
        requestedS: reqTime > 0 ? reqTime : NaN,
        user: v[b + F.user]!,
        group: v[b + F.group]!,
        queue: v[b + F.queue]!,
        partition: v[b + F.partition]!,
      },
      outcome: { runS: run, waitS: Math.max(0, v[b + F.wait]!) },
    });
  }
  // stable: ties keep file order, as toJobs orders the engine's jobs
  rows.sort((a, b) => a.submit.submit - b.submit.submit);
  return { rows, skipped };
}

/**
 * Features of every kept job of an SWF log, computed as a scheduler would have at each submission:
 * history = the jobs whose recorded finish (submit + wait + run) came before (finishes at the
 * submission instant count, as the engine ends jobs before it takes submissions); queue state =
 * the recorded starts and finishes of earlier-submitted jobs strictly before the instant.
 */
export function swfFeatureTable(log: SwfLog, options: { file?: string } = {}): FeatureTable {
  const clock = swfClock(log, options.file);
  const { rows, skipped } = swfJobRows(log, clock.capacity);
  const tracker = new FeatureTracker(clock);
  const n = rows.length;
  const x = new Float64Array(n * FEATURE_COUNT);
  const runS = new Float64Array(n);
  const lastTwoS = new Float64Array(n);
  // events of submitted jobs: a min-heap on (time, kind: finish 0 < start 1, submit order)
  const heap = new EventHeap();
  const queue: QueueState = { queuedJobs: 0, queuedProcs: 0, runningJobs: 0, busyProcs: 0 };
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const t = row.submit.submit;
    // what has happened by the submission instant: finishes at or before it, starts strictly before
    while (heap.size > 0) {
      const top = heap.peekTime();
      const kind = heap.peekKind();
      if (!(top < t || (top === t && kind === FINISH))) break;
      const j = heap.pop();
      const other = rows[j]!;
      if (kind === START) {
        queue.queuedJobs--;
        queue.queuedProcs -= other.submit.size;
        queue.runningJobs++;
        queue.busyProcs += other.submit.size;
      } else {
        queue.runningJobs--;
        queue.busyProcs -= other.submit.size;
        tracker.finished(other.submit, other.outcome.runS, top);
      }
    }
    tracker.features(row.submit, queue, x, i * FEATURE_COUNT);
    lastTwoS[i] = tracker.lastTwoMeanS(row.submit.user);
    runS[i] = row.outcome.runS;
    // from here on the job is known to the system; its outcome unfolds as recorded
    tracker.submitted(row.submit);
    queue.queuedJobs++;
    queue.queuedProcs += row.submit.size;
    const start = t + row.outcome.waitS;
    heap.push(start, START, i);
    heap.push(start + row.outcome.runS, FINISH, i);
  }
  return { rows, x, runS, lastTwoS, capacity: clock.capacity, timeZone: clock.timeZone, unixStartS: clock.unixStartS, skipped };
}

const FINISH = 0;
const START = 1;

/** A binary min-heap of (time, kind, job) on typed arrays. */
class EventHeap {
  private t = new Float64Array(1024);
  private k = new Int32Array(1024);
  private j = new Int32Array(1024);
  size = 0;

  private less(a: number, b: number): boolean {
    return this.t[a]! < this.t[b]! || (this.t[a] === this.t[b] && (this.k[a]! < this.k[b]! || (this.k[a] === this.k[b] && this.j[a]! < this.j[b]!)));
  }

  private swap(a: number, b: number): void {
    const t = this.t[a]!;
    this.t[a] = this.t[b]!;
    this.t[b] = t;
    const k = this.k[a]!;
    this.k[a] = this.k[b]!;
    this.k[b] = k;
    const j = this.j[a]!;
    this.j[a] = this.j[b]!;
    this.j[b] = j;
  }

  push(time: number, kind: number, job: number): void {
    if (this.size === this.t.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.t = grow(this.t);
      this.k = grow(this.k);
      this.j = grow(this.j);
    }
    let i = this.size++;
    this.t[i] = time;
    this.k[i] = kind;
    this.j[i] = job;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  peekTime(): number {
    return this.t[0]!;
  }

  peekKind(): number {
    return this.k[0]!;
  }

  pop(): number {
    const job = this.j[0]!;
    this.size--;
    if (this.size > 0) {
      this.swap(0, this.size);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.size && this.less(l, m)) m = l;
        if (r < this.size && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return job;
  }
}
