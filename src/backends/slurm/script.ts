// A job as a batch script: it sleeps the phases of its run intervals at a time compression factor,
// in ticks whose progress counts only while the job runs (a suspended job's sleep does not
// advance it), printing each phase as it begins.
import type { Interval } from '../../model/execution.js';

/** One piece of a run interval: a startup or work stretch at one power. */
export interface ScriptPiece {
  kind: 'startup' | 'work';
  /** simulated seconds */
  durationS: number;
  powerW: number;
}

export interface ScriptSpec {
  jobId: string;
  /** the intervals as the engine runs them (simulated seconds), and their pieces */
  intervals: readonly Interval[];
  pieces: readonly ScriptPiece[][];
  /** real seconds per simulated hour */
  secondsPerHour: number;
  /** real seconds of one tick (default 0.1) */
  tickS?: number;
}

/** The bash script (bash >= 5 for EPOCHREALTIME). */
export function jobScript(spec: ScriptSpec): string {
  const tickUs = Math.round((spec.tickS ?? 0.1) * 1e6);
  const scale = spec.secondsPerHour / 3600;
  const lines = [
    '#!/bin/bash',
    `# carbon-sim job ${JSON.stringify(spec.jobId)}: its planned run intervals, 1 simulated hour = ${spec.secondsPerHour} s.`,
    '# Progress counts only while the job runs: a tick that took much longer than a tick was suspended.',
    `TICK_US=${tickUs}`,
    'done_us=0',
    'prev=${EPOCHREALTIME/./}',
    'until_us() {',
    '  while (( done_us < $1 )); do',
    `    sleep ${(tickUs / 1e6).toFixed(3)}`,
    '    now=${EPOCHREALTIME/./}; dt=$(( now - prev )); prev=$now',
    '    (( dt > 3 * TICK_US )) && dt=$TICK_US',
    '    done_us=$(( done_us + dt ))',
    '  done',
    '}',
    'echo "carbon-sim: start $EPOCHREALTIME"',
  ];
  let targetUs = 0;
  spec.intervals.forEach(([s, e], k) => {
    lines.push(`echo "carbon-sim: interval ${k + 1}/${spec.intervals.length} [${s}, ${e}] s at $EPOCHREALTIME"`);
    for (const p of spec.pieces[k] ?? []) {
      targetUs += p.durationS * scale * 1e6;
      lines.push(`echo "carbon-sim: ${p.kind} ${p.durationS} s at ${p.powerW} W"; until_us ${Math.round(targetUs)}`);
    }
  });
  lines.push('echo "carbon-sim: finish $EPOCHREALTIME"', '');
  return lines.join('\n');
}
