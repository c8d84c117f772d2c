// `carbon-sim run`: the contract of issue 2 (table, JSON fields, determinism, bad input -> exit 2).
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const PAI = 'traces/workloads/pai_1k.csv';
const tmp = () => mkdtempSync(join(tmpdir(), 'carbon-sim-cli-'));

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('carbon-sim run on bundled data', () => {
  it('prints a summary table for pai_1k under waitawhile on DE-2023', () => {
    const r = cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--max-wait', '24h']);
    // the GAIA CSV has no power column: the table comes with the power model in force
    expect(r.stderr).toBe('carbon-sim: note: power model: 1 W per cpu for every job (the workload gives no power; set it with --watts-per-cpu)\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^carbon-sim run: .*waitawhile/);
    for (const label of ['jobs', 'completed', 'missed deadlines', 'energy (kWh)', 'carbon (g CO2)', 'overhead energy (kWh)', 'mean wait (s)', 'interruptions']) {
      expect(r.stdout).toContain(label);
    }
    expect(r.stdout).toMatch(/^jobs\s+1000$/m);
  });

  it('--format json prints exactly the contract fields', () => {
    const r = cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { summary: Record<string, number>; jobs: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['summary', 'jobs']);
    expect(Object.keys(doc.summary).sort()).toEqual(
      ['jobs', 'completed', 'missed_deadlines', 'energy_kwh', 'carbon_g', 'overhead_energy_kwh', 'mean_wait_s', 'interruptions'].sort(),
    );
    expect(doc.jobs).toHaveLength(1000);
    for (const job of doc.jobs) {
      expect(Object.keys(job).sort()).toEqual(
        ['id', 'arrival', 'deadline', 'start', 'finish', 'energy_kwh', 'carbon_g', 'overhead_energy_kwh', 'interruptions', 'intervals'].sort(),
      );
    }
    // Constant jobs without startup: suspend-resume costs no extra energy, and every deadline holds.
    expect(doc.summary.completed).toBe(1000);
    expect(doc.summary.missed_deadlines).toBe(0);
    expect(Math.abs(doc.summary.overhead_energy_kwh!)).toBeLessThan(1e-12);
    const sumCarbon = doc.jobs.reduce((a, j) => a + (j.carbon_g as number), 0);
    expect(sumCarbon).toBeCloseTo(doc.summary.carbon_g!, 6);
  });

  it('waitawhile and oracle emit less than agnostic on the same workload', () => {
    const carbon = (s: string) => (JSON.parse(cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', s, '--format', 'json']).stdout) as { summary: { carbon_g: number } }).summary.carbon_g;
    const agnostic = carbon('agnostic');
    expect(carbon('oracle')).toBeLessThan(agnostic);
    expect(carbon('waitawhile')).toBeLessThan(carbon('oracle'));
  });

  it('identical inputs and seed give byte-identical outputs', () => {
    const runs = [tmp(), tmp()].map((dir) => {
      const r = cli(['run', 'traces/workloads/roberta.csv', '--carbon', 'GB-2023', '--scheduler', 'waitawhile', '--seed', '7', '--format', 'json', '--out', dir]);
      expect(r.code).toBe(0);
      return { stdout: r.stdout, files: ['events.csv', 'events.jsonl', 'summary.json'].map((f) => readFileSync(join(dir, f), 'utf8')) };
    });
    expect(runs[0]).toEqual(runs[1]);
    const events = runs[0]!.files[0]!.trim().split('\n');
    expect(events[0]).toBe('time_s,job,event,interval');
    expect(events[1]).toBe('0,roberta,submit,-1');
    expect(events.at(-1)).toMatch(/,roberta,finish,\d+$/);
  });

  it('replays a plan file and charges it like any schedule', () => {
    const dir = tmp();
    // Stop right after the second checkpoint (23.45 + 2 x 12.43 s), resume at 100 s.
    const plan = write(dir, 'plan.json', JSON.stringify({ jobs: { roberta: [[0, 48.31], [100, 400]] } }));
    const r = cli(['run', 'traces/workloads/roberta.csv', '--carbon', 'DE-2023', '--scheduler', 'replay', '--plan', plan, '--format', 'json']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { jobs: { interruptions: number; overhead_energy_kwh: number; finish: number }[] };
    expect(doc.jobs[0]!.interruptions).toBe(1);
    const startupJ = 5.34 * 59.9 + 12.36 * 53.77 + 5.75 * 63.17;
    expect(doc.jobs[0]!.overhead_energy_kwh).toBeCloseTo(startupJ / 3.6e6, 12);
    expect(doc.jobs[0]!.finish).toBeCloseTo(100 + 23.45 + 3 * 12.43, 9);
  });
});

describe('carbon-sim run: bad input is one line, exit 2, no output files', () => {
  const dir = tmp();
  const good = write(dir, 'good.csv', 'arrival_time,length,cpus\n0,3600,1\n60,7200,2\n');
  const cases: { name: string; args: string[]; message: string | RegExp }[] = [
    { name: 'unknown scheduler', args: [good, '--carbon', 'DE-2023', '--scheduler', 'nope'], message: 'carbon-sim: error: field "scheduler": unknown scheduler "nope" (known: ' },
    {
      name: 'malformed row',
      args: [write(dir, 'short-row.csv', 'arrival_time,length,cpus\n0,3600,1\n60,7200\n'), '--carbon', 'DE-2023'],
      message: `carbon-sim: error: ${join(dir, 'short-row.csv')}:3 (field "cpus"): expected 3 fields, got 2`,
    },
    {
      name: 'unknown job type',
      args: [write(dir, 'type.csv', "arrival_time|length|cpus|name|args\n0|3600|1|linear|\n"), '--carbon', 'DE-2023'],
      message: `carbon-sim: error: ${join(dir, 'type.csv')}:2 (field "name"): unknown job type "linear" (known: constant, mocked-constant-from-phases, phases, ml)`,
    },
    {
      name: 'negative duration',
      args: [write(dir, 'neg.csv', 'arrival_time,length,cpus\n0,-5,1\n'), '--carbon', 'DE-2023'],
      message: `carbon-sim: error: ${join(dir, 'neg.csv')}:2 (field "length"): -5 must be positive`,
    },
    {
      name: 'NaN duration',
      args: [write(dir, 'nan.csv', 'arrival_time,length,cpus\n0,NaN,1\n'), '--carbon', 'DE-2023'],
      message: `carbon-sim: error: ${join(dir, 'nan.csv')}:2 (field "length"): "NaN" is not a number`,
    },
    {
      name: 'negative phase duration',
      args: [write(dir, 'negphase.csv', "arrival_time|length|cpus|name|args\n0|10|1|phases|[{'name': 'w', 'duration': -10, 'power': 5}]\n"), '--carbon', 'DE-2023'],
      message: `carbon-sim: error: ${join(dir, 'negphase.csv')}:2 (field "args"): work[0] "w" needs a non-negative "duration", got -10`,
    },
    {
      name: 'args that are code, not data',
      args: [write(dir, 'code.csv', "arrival_time|length|cpus|name|args\n0|10|1|phases|__import__('os').system('true')\n"), '--carbon', 'DE-2023'],
      message: `carbon-sim: error: ${join(dir, 'code.csv')}:2 (field "args"): args is not a data literal: "__import__" is not data (only literals are accepted, nothing is evaluated) at character 1 near "__import__('os').sys"`,
    },
    {
      name: 'non-increasing carbon timestamps',
      args: [good, '--carbon', write(dir, 'ci.csv', 'Time,Carbon Intensity\n2020-01-01 00:00:00,100\n2020-01-01 01:00:00,120\n2020-01-01 00:30:00,90\n')],
      message: `carbon-sim: error: ${join(dir, 'ci.csv')}:4 (field "Time"): timestamp 2020-01-01T00:30:00.000Z is out of order: it belongs between 2020-01-01T00:00:00.000Z on line 2 and 2020-01-01T01:00:00.000Z on line 3; use --fill hold|linear to sort the rows`,
    },
    {
      name: 'simulation past the end of the carbon trace',
      args: [good, '--carbon', write(dir, 'short.csv', 'Time,Carbon Intensity\n2020-01-01 00:00:00,100\n2020-01-01 01:00:00,120\n'), '--scheduler', 'oracle'],
      message: /^carbon-sim: error: job "0": simulation runs past the end of carbon trace .*short\.csv at \d+ s \(trace ends at 7200 s\); use --extend repeat\|hold$/,
    },
    {
      name: 'a plan entry for a job that is not in the workload',
      args: [good, '--carbon', 'DE-2023', '--scheduler', 'replay', '--plan', write(dir, 'typo-plan.json', JSON.stringify({ jobs: { '0': [[0, 3600]], '1': [[60, 7260]], '2': [[0, 10]] } }))],
      message: `carbon-sim: error: ${join(dir, 'typo-plan.json')} (field "jobs.2"): the plan has intervals for job "2", which is not in the workload`,
    },
    {
      name: 'unknown carbon trace name',
      args: [good, '--carbon', 'XX-1999'],
      message: 'carbon-sim: error: field "carbon": carbon trace "XX-1999" is neither a file nor a bundled name (bundled zones: BR, CA-ON, DE, ES, GB, NO, SG, US-CAL-CISO, US-TEX-ERCO)',
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const out = join(dir, `out-${c.name.replace(/\W+/g, '-')}`);
      const r = cli(['run', ...c.args, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      if (typeof c.message === 'string') {
        if (c.message.endsWith('(known: ')) expect(lines[0]!.startsWith(c.message)).toBe(true);
        else expect(lines[0]).toBe(c.message);
      } else expect(lines[0]).toMatch(c.message);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });
  }

  it('the same short trace runs with --extend repeat and --extend hold', () => {
    const short = join(dir, 'short.csv');
    for (const mode of ['repeat', 'hold']) {
      const r = cli(['run', good, '--carbon', short, '--scheduler', 'oracle', '--extend', mode, '--format', 'json']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { summary: { jobs: number } }).summary.jobs).toBe(2);
    }
  });
});
