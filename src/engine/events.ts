// Typed events of the online engine and their order at one instant.

/**
 * Same-instant order, lowest first (docs/engine.md). Finishes release resources before anything
 * else looks at the cluster; power changes and targets come next; then submissions; then policy
 * timers (planned starts and stops); one scheduling pass closes the instant, so a batch policy sees
 * every end and every submission of that instant at once.
 */
export const EVENT_PRIORITY = {
  finish: 0,
  phase: 1,
  'power-target': 2,
  arrive: 3,
  timer: 4,
  pass: 5,
} as const;

export type EventKind = keyof typeof EVENT_PRIORITY;
export const EVENT_KINDS = Object.keys(EVENT_PRIORITY) as EventKind[];

/** What a policy is told. One object is reused for every event: read it, do not keep it. */
export interface SimEvent {
  kind: EventKind;
  /** instant (s since the epoch) */
  t: number;
  /** the job it concerns (index into the job list), -1 for none */
  job: number;
  /** a timer's tag, as given to wakeAt */
  tag: number;
}
