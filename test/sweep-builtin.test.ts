import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { builtinSuiteNames, materializeBuiltin, thesisWorkload } from '../src/sweep/builtin.js';
import { checkSuiteInputs, resolveSchedulers } from '../src/sweep/runner.js';
import { parseSuite } from '../src/sweep/suite.js';
import { synthesizeWorkloadCsv } from '../src/sweep/synth.js';
import { parseWorkload } from '../src/io/trace.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'carbon-sim-builtin-'));

describe('built-in suites', () => {
  it('are thesis, ml-overhead, gaia, regions and perf', () => {
    expect(builtinSuiteNames()).toEqual(['thesis', 'ml-overhead', 'gaia', 'regions', 'perf']);
  });

  it.each(['thesis', 'ml-overhead', 'gaia', 'regions'])('%s is written out as a valid suite whose inputs all load', (name) => {
    const dir = tmp();
    const file = materializeBuiltin(name, dir);
    const suite = parseSuite(readFileSync(file, 'utf8'), file);
    expect(suite.name).toBe(name);
    const { schedulers, skipped } = resolveSchedulers(suite, file);
    expect(schedulers.slice(0, suite.schedulers.length)).toEqual(suite.schedulers);
    expect([...schedulers.slice(suite.schedulers.length), ...skipped].sort()).toEqual([...suite.optional_schedulers].sort());
    expect(() => checkSuiteInputs(suite, file)).not.toThrow();
  });

  it('writing it again is a no-op; an edited copy is refused (it is run by its path instead)', () => {
    const dir = tmp();
    const file = materializeBuiltin('gaia', dir);
    expect(materializeBuiltin('gaia', dir)).toBe(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"48h"', '"72h"'));
    expect(() => materializeBuiltin('gaia', dir)).toThrow(InputError);
    expect(() => materializeBuiltin('gaia', dir)).toThrow(/differs from the built-in suite "gaia"/);
  });

  it('an unknown name is an InputError listing the built-in names', () => {
    expect(() => materializeBuiltin('nope', tmp())).toThrow(/thesis, ml-overhead, gaia, regions, perf/);
  });
});

describe('the thesis workload', () => {
  const phases = parseWorkload(thesisWorkload('phases'), { file: 'phases' });
  const mocked = parseWorkload(thesisWorkload('mocked-constant-from-phases'), { file: 'mocked' });

  it('24 ML jobs every 5 h, 1, 3, 6 or 12 epochs of 55 min after a 20 min startup', () => {
    expect(phases.map((j) => j.arrival)).toEqual(Array.from({ length: 24 }, (_, k) => k * 5 * 3600));
    expect(phases.slice(0, 4).map((j) => j.profile.durationS)).toEqual([1, 3, 6, 12].map((e) => 1200 + e * 3300));
    expect(phases[0]!.profile.startupDurationS).toBe(1200);
    expect(phases[3]!.profile.checkpoints).toHaveLength(12);
  });

  it('the mock has the same duration and energy as one constant phase without startup', () => {
    phases.forEach((p, i) => {
      const m = mocked[i]!.profile;
      expect(m.durationS).toBe(p.profile.durationS);
      expect(m.energyJ).toBeCloseTo(p.profile.energyJ, 6);
      expect([m.startup.length, m.work.length]).toEqual([0, 1]);
    });
  });
});

describe('synthetic workloads', () => {
  const source = parseWorkload('arrival_time,length,cpus\n0,10,1\n100,20,2\n300,40,4\n', { file: 's' });

  it('the same source, size and seed give the same bytes; another seed differs', () => {
    expect(synthesizeWorkloadCsv(source, 500, 1)).toBe(synthesizeWorkloadCsv(source, 500, 1));
    expect(synthesizeWorkloadCsv(source, 500, 2)).not.toBe(synthesizeWorkloadCsv(source, 500, 1));
  });

  it('jobs take lengths and cpus of source jobs; gaps are source gaps scaled to keep the span', () => {
    const jobs = parseWorkload(synthesizeWorkloadCsv(source, 1001, 7), { file: 'synth' });
    expect(jobs).toHaveLength(1001);
    const pairs = new Set(jobs.map((j) => `${j.profile.durationS}/${j.cpus}`));
    for (const p of pairs) expect(['10/1', '20/2', '40/4']).toContain(p);
    expect(pairs.size).toBe(3);
    const scale = 2 / 1000; // source gaps 100 and 200, 2 gaps for 1000 synthetic ones
    for (let i = 1; i < jobs.length; i++) expect([100 * scale, 200 * scale]).toContainEqual(Math.round((jobs[i]!.arrival - jobs[i - 1]!.arrival) * 1000) / 1000);
    expect(jobs[0]!.arrival).toBe(0);
    expect(jobs[1000]!.arrival).toBeGreaterThan(100);
    expect(jobs[1000]!.arrival).toBeLessThan(200 * 1000 * scale + 1);
  });
});
