// One mapping from CLI strings to run options: `report` re-runs any `run --out` folder through it.
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('report re-runs every kind of run folder from its recorded flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-options-'));
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ jobs: { roberta: [[0, 48.31], [100, 400]] } }));
  const cases: [string, string[]][] = [
    ['lp with --max-starts', ['traces/workloads/pai_1k.csv', '--scheduler', 'lp', '--max-starts', '2']],
    ['lowest-window with --start-grid', ['traces/workloads/pai_1k.csv', '--scheduler', 'lowest-window', '--start-grid', 'arrival']],
    ['replay with --plan', ['traces/workloads/roberta.csv', '--scheduler', 'replay', '--plan', plan]],
    ['easy on a finite cluster', ['traces/workloads/pai_1k.csv', '--scheduler', 'easy', '--cluster', 'procs:32', '--processor-power', '50/100']],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      const out = join(dir, name.replace(/\W+/g, '-'));
      const run = cli(['run', ...args, '--carbon', 'DE-2023', '--out', out, '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const recorded = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { inputs: { flags: Record<string, string> } };
      expect(recorded.inputs.flags.scheduler).toBe(args[2]);
      const html = join(out, 'report.html');
      const rep = cli(['report', out, '-o', html]);
      expect(rep.stderr).toBe('');
      expect(rep.code).toBe(0);
      expect(existsSync(html)).toBe(true);
      // a finite cluster's report adds its power and queue charts and a cluster table
      const page = readFileSync(html, 'utf8');
      const finite = args.includes('--cluster');
      expect(page.includes('Cluster power: ')).toBe(finite);
      expect(page.includes('Queue length: ')).toBe(finite);
      expect(page.includes('<h2>Cluster</h2>')).toBe(finite);
    });
  }
});
