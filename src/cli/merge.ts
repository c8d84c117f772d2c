import { join } from 'node:path';
import { checkOutputs } from '../io/files.js';
import { mergeSweeps } from '../sweep/merge.js';
import { RESULTS_CSV, RESULTS_JSONL, SUMMARY_MD } from '../sweep/runner.js';

/** `carbon-sim merge <dir...> --out DIR`: join shard folders into one complete sweep. */
export function mergeCommand(dirs: string[], flags: { out: string }): void {
  checkOutputs([{ kind: 'into', dir: flags.out, field: 'out', files: {} }]);
  const { summary } = mergeSweeps(dirs, flags.out);
  process.stdout.write(summary + `\nresults: ${[RESULTS_CSV, RESULTS_JSONL, SUMMARY_MD].map((f) => join(flags.out, f)).join(', ')}\n`);
}
