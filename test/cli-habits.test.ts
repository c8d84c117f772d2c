// Issue 14 item 7: CLI habits. --version; required options marked in help; a setting a scheduler
// does not read (--slot) is an error everywhere; a wait without a unit is refused; the power model
// in force is named; bundled workloads by name; a suite without a name takes its file's; --progress.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressLine } from '../src/cli/output.js';
import { cli, ROOT } from './helpers.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'carbon-sim-habits-'));
const PAI = 'traces/workloads/pai_1k.csv';
const POWER_NOTE = 'carbon-sim: note: power model: 1 W per cpu for every job (the workload gives no power; set it with --watts-per-cpu)\n';

function oneLine(r: { code: number; stdout: string; stderr: string }, line: string): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(line + '\n');
}

describe('version and help', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it('required options say so in help', () => {
    const run = cli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--carbon <trace>\s+carbon intensity CSV file or bundled name[^]*?\(required\)\n\s+--scheduler/);
    expect(cli(['merge', '--help']).stdout).toMatch(/--out <dir>\s+output folder for the merged sweep \(required\)/);
    // an optional option is not marked
    expect(run.stdout).not.toMatch(/--scheduler <name>[^\n]*\(required\)/);
  });
});

describe('--slot only for schedulers that plan on the slot grid', () => {
  const readers = 'only waitawhile, lowest-window, carbon-time, lp plan on the slot grid (lowest-window and carbon-time with --start-grid clock)';
  for (const scheduler of ['agnostic', 'oracle', 'lowest-slot', 'ecovisor']) {
    it(`${scheduler} does not read it: an error`, () => {
      oneLine(cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', scheduler, '--slot', '30m']), `carbon-sim: error: field "slot": --slot does not apply to scheduler "${scheduler}": ${readers}`);
    });
  }

  it('lowest-window on the arrival grid does not read it either; an online policy never does', () => {
    oneLine(
      cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', 'lowest-window', '--start-grid', 'arrival', '--slot', '30m']),
      `carbon-sim: error: field "slot": --slot does not apply to scheduler "lowest-window" with --start-grid arrival (its candidate starts are the arrival plus whole hours): ${readers}`,
    );
    oneLine(cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', 'easy', '--cluster', 'procs:64', '--slot', '30m']), `carbon-sim: error: field "slot": --slot does not apply to scheduler "easy": ${readers}`);
  });

  it('the slot-based schedulers take it, and it changes what waitawhile does', () => {
    const carbon = (args: string[]): number => {
      const r = cli(['run', PAI, '--carbon', 'DE-2023', '--format', 'json', ...args]);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as { summary: { carbon_g: number } }).summary.carbon_g;
    };
    for (const s of ['lp', 'lowest-window', 'carbon-time']) expect(carbon(['--scheduler', s, '--slot', '2h'])).toBeGreaterThan(0);
    expect(carbon(['--scheduler', 'waitawhile', '--slot', '2h'])).not.toBe(carbon(['--scheduler', 'waitawhile']));
  });

  it('in a suite: a slot that no scheduler reads is an error; the others (the baseline among them) run without it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'none.json'), JSON.stringify({ name: 'none', schedulers: ['oracle'], carbon: ['DE-2023'], workloads: ['pai_1k'], slot: '2h' }));
    oneLine(cli(['bench', 'none.json', '--workers', '1'], { cwd: dir }), `carbon-sim: error: ${join(dir, 'none.json')} (field "slot"): no scheduler of the suite reads the slot (waitawhile, lowest-window, carbon-time, lp do; lowest-window and carbon-time with --start-grid clock)`);
    writeFileSync(join(dir, 'mixed.json'), JSON.stringify({ name: 'mixed', schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023'], workloads: ['pai_1k'], slot: '2h' }));
    const r = cli(['bench', 'mixed.json', '--workers', '1'], { cwd: dir });
    expect(r.code).toBe(0);
    const rows = readFileSync(join(dir, 'bench-mixed', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { scheduler: string; carbon_g: number });
    const of = (s: string): number => rows.find((x) => x.scheduler === s)!.carbon_g;
    const plain = (s: string): number => (JSON.parse(cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', s, '--format', 'json']).stdout) as { summary: { carbon_g: number } }).summary.carbon_g;
    const slotted = (JSON.parse(cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--slot', '2h', '--format', 'json']).stdout) as { summary: { carbon_g: number } }).summary.carbon_g;
    expect(of('oracle')).toBe(plain('oracle'));
    expect(of('agnostic')).toBe(plain('agnostic'));
    expect(of('waitawhile')).toBe(slotted);
  });
});

describe('a wait needs a unit', () => {
  it('--max-wait 24 is refused, naming what to write', () => {
    oneLine(cli(['run', PAI, '--carbon', 'DE-2023', '--max-wait', '24']), 'carbon-sim: error: field "max-wait": "24" has no unit: write 24h for hours (or 24s, 24m, 24d); a bare number would be seconds');
    oneLine(cli(['run', PAI, '--carbon', 'DE-2023', '--max-wait', '6x24h']), 'carbon-sim: error: field "max-wait": "6" in "6x24h" has no unit: write 6hx24h for hours (or 6s, 6m, 6d); a bare number would be seconds');
  });

  it('0 needs none; units work as before', () => {
    for (const wait of ['0', '86400s', '1440m', '24h', '1d', '6hx24h']) expect(cli(['run', PAI, '--carbon', 'DE-2023', '--max-wait', wait, '--format', 'json']).code).toBe(0);
  });

  it('a suite wait without a unit is refused before any run', () => {
    const dir = fresh();
    writeFileSync(join(dir, 's.json'), JSON.stringify({ name: 's', schedulers: ['oracle'], carbon: ['DE-2023'], workloads: ['pai_1k'], max_wait: ['6h', '24'] }));
    oneLine(cli(['bench', 's.json', '--workers', '1'], { cwd: dir }), `carbon-sim: error: ${join(dir, 's.json')} (field "max_wait[1]"): "24" has no unit: write 24h for hours (or 24s, 24m, 24d); a bare number would be seconds`);
  });
});

describe('the power model in force', () => {
  it('a table run of a workload without power names it on stderr, before the table', () => {
    const r = cli(['run', PAI, '--carbon', 'DE-2023']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(POWER_NOTE);
    const w = cli(['run', PAI, '--carbon', 'DE-2023', '--watts-per-cpu', '2.5']);
    expect(w.stderr).toBe(POWER_NOTE.replace('1 W per cpu', '2.5 W per cpu'));
  });

  it('JSON and CSV outputs print nothing extra; a workload with power gets no note', () => {
    for (const format of ['json', 'csv']) expect(cli(['run', PAI, '--carbon', 'DE-2023', '--format', format]).stderr).toBe('');
    expect(cli(['run', 'traces/workloads/roberta.csv', '--carbon', 'DE-2023']).stderr).toBe('');
  });

  it('a mixed workload says how many jobs use it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'mixed.csv'), 'arrival_time,length,cpus,power\n0,3600,2,\n60,3600,1,50\n');
    const r = cli(['run', 'mixed.csv', '--carbon', 'DE-2023'], { cwd: dir });
    expect(r.stderr).toBe('carbon-sim: note: power model: 1 W per cpu for 1 of 2 jobs (the workload gives no power; set it with --watts-per-cpu)\n');
  });
});

describe('bundled workloads by name', () => {
  it('run pai_1k is traces/workloads/pai_1k.csv', () => {
    const dir = fresh();
    const byName = cli(['run', 'pai_1k', '--carbon', 'DE-2023', '--format', 'json'], { cwd: dir });
    const byPath = cli(['run', join(ROOT, PAI), '--carbon', 'DE-2023', '--format', 'json'], { cwd: dir });
    expect(byName.code).toBe(0);
    expect(byName.stdout).toBe(byPath.stdout);
  });

  it('an unknown name lists the bundled ones; a file of that name wins', () => {
    const dir = fresh();
    oneLine(cli(['run', 'pai_2k', '--carbon', 'DE-2023'], { cwd: dir }), 'carbon-sim: error: pai_2k (field "workload"): no such file, and not a bundled workload (bundled: pai_1k, roberta)');
    writeFileSync(join(dir, 'pai_1k'), 'arrival_time,length,cpus\n0,60,1\n');
    expect((JSON.parse(cli(['run', 'pai_1k', '--carbon', 'DE-2023', '--format', 'json'], { cwd: dir }).stdout) as { summary: { jobs: number } }).summary.jobs).toBe(1);
  });

  it('in a suite, with the file name as the suite name when it has none', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'my grid.json'), JSON.stringify({ schedulers: ['oracle'], carbon: ['DE-2023'], workloads: ['pai_1k'], max_wait: ['6h'] }));
    const r = cli(['bench', 'my grid.json', '--workers', '1'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# carbon-sim bench: my-grid$/m);
    expect(r.stdout).toContain(`results: ${join('bench-my-grid', 'results.csv')}`);
    const record = JSON.parse(readFileSync(join(dir, 'bench-my-grid', 'sweep.json'), 'utf8')) as { suite: { name: string } };
    expect(record.suite.name).toBe('my-grid');
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ name: 't', schedulers: ['oracle'], carbon: ['DE-2023'], workloads: ['pai_2k'] }));
    oneLine(cli(['bench', 'typo.json', '--workers', '1'], { cwd: dir }), `carbon-sim: error: ${join(dir, 'typo.json')} (field "workloads[0]"): workload "pai_2k" is neither a file next to the suite nor a bundled workload (bundled: pai_1k, roberta)`);
  });
});

describe('--progress', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a line every few seconds on stderr, none before the first interval', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
    let t = 1_000_000;
    const tick = progressLine('run', 'jobs finished', 5, () => t);
    tick(1, 100_000);
    t += 4_000;
    tick(2, 100_000);
    t += 1_500;
    tick(41_000, 100_000);
    t += 1_000;
    tick(41_001, 100_000);
    t += 5_000;
    tick(100_000, 100_000);
    expect(lines).toEqual([
      'carbon-sim: progress: run: 41,000 of 100,000 jobs finished (41 %), 6 s\n',
      'carbon-sim: progress: run: 100,000 of 100,000 jobs finished (100 %), 12 s\n',
    ]);
  });

  it('run and bench accept it; a short run prints no line', () => {
    expect(cli(['run', PAI, '--carbon', 'DE-2023', '--format', 'json', '--progress']).stderr).toBe('');
    const dir = fresh();
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ schedulers: ['oracle'], carbon: ['DE-2023'], workloads: ['pai_1k'] }));
    const r = cli(['bench', 'p.json', '--workers', '1', '--progress'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
