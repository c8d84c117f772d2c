import { csvField } from '../io/csv.js';
import type { LifecycleKind, SimulationListener } from '../cluster/simulate.js';
import type { Job } from '../model/jobs.js';

/** One lifecycle event as logged. */
export interface LoggedEvent {
  time: number;
  job: string;
  event: LifecycleKind;
  /** run interval index (-1 for submit) */
  interval: number;
}

/** In-memory adapter: collects every lifecycle event in order. */
export class EventCollector implements SimulationListener {
  readonly events: LoggedEvent[] = [];
  onEvent(kind: LifecycleKind, time: number, job: Job, interval: number): void {
    this.events.push({ time, job: job.id, event: kind, interval });
  }
}

/** CSV event log: `time_s,job,event,interval`. */
export function eventsCsv(events: readonly LoggedEvent[]): string {
  let out = 'time_s,job,event,interval\n';
  for (const e of events) out += `${e.time},${csvField(e.job)},${e.event},${e.interval}\n`;
  return out;
}

/** JSONL event log: one object per line. */
export function eventsJsonl(events: readonly LoggedEvent[]): string {
  let out = '';
  for (const e of events) out += JSON.stringify({ time_s: e.time, job: e.job, event: e.event, interval: e.interval }) + '\n';
  return out;
}
