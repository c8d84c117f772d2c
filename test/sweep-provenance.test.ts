// Provenance: every result row records the SHA-256 of its workload and carbon files and the
// carbon-sim version; --resume refuses a changed input (one line naming the file) and accepts an
// identical one; merge refuses shards computed from different inputs.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json';
import { executeRun } from '../src/sweep/execute.js';
import { planSweep } from '../src/sweep/plan.js';
import { CARBON_SIM_VERSION, checkLoggedProvenance } from '../src/sweep/provenance.js';
import type { ResultRow } from '../src/sweep/results.js';
import { hashSuiteInputs } from '../src/sweep/runner.js';
import { normalizeSuite } from '../src/sweep/suite.js';
import { cli, inputErrorOf, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-provenance-'));
const WORKLOAD = join(dir, 'pai_1k.csv');
const CARBON = join(dir, 'de-2023.csv');
const BUNDLED_DE = join(ROOT, 'traces', 'carbon', 'DE-2023.csv');
copyFileSync(join(ROOT, 'traces', 'workloads', 'pai_1k.csv'), WORKLOAD);
copyFileSync(BUNDLED_DE, CARBON);
const original = { workload: readFileSync(WORKLOAD), carbon: readFileSync(CARBON) };

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const SUITE = join(dir, 'prov.json');
writeFileSync(SUITE, JSON.stringify({ name: 'prov', schedulers: ['oracle'], carbon: ['DE-2023', 'de-2023.csv'], max_wait: ['6h', '24h'], workloads: ['pai_1k.csv'] }));
const TOTAL = 8; // 4 oracle runs + 4 agnostic baselines

function results(out: string): ResultRow[] {
  return readFileSync(join(out, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultRow);
}

const withoutWall = (out: string): Omit<ResultRow, 'wall_s'>[] => results(out).map(({ wall_s: _w, ...r }) => r);

/** A sweep killed after `keep` runs: the folder of a complete sweep with its log cut and results removed. */
function killedAfter(name: string, keep: number): string {
  const out = join(dir, name);
  expect(cli(['bench', SUITE, '--out', out, '--workers', '2']).code).toBe(0);
  const lines = readFileSync(join(out, 'runs.jsonl'), 'utf8').split('\n');
  writeFileSync(join(out, 'runs.jsonl'), lines.slice(0, keep).join('\n') + '\n');
  return out;
}

function restore(): void {
  writeFileSync(WORKLOAD, original.workload);
  writeFileSync(CARBON, original.carbon);
}

const unbroken = join(dir, 'unbroken');
beforeAll(() => {
  expect(cli(['bench', SUITE, '--out', unbroken, '--workers', '2']).code).toBe(0);
});

describe('every result row records its inputs by content and the carbon-sim version', () => {
  it('in results.jsonl, results.csv and runs.jsonl; sweep.json records them too', () => {
    const rows = results(unbroken);
    expect(rows).toHaveLength(TOTAL);
    for (const r of rows) {
      expect(r.workload_sha256).toBe(sha(WORKLOAD));
      expect(r.carbon_sha256).toBe(sha(r.carbon === 'DE-2023' ? BUNDLED_DE : CARBON)); // a bundled name: its file
      expect(r.carbon_sim_version).toBe(pkg.version);
    }
    expect(CARBON_SIM_VERSION).toBe(pkg.version);
    const csv = readFileSync(join(unbroken, 'results.csv'), 'utf8').split('\n');
    const header = csv[0]!.split(',');
    expect(header.slice(-4)).toEqual(['workload_sha256', 'carbon_sha256', 'carbon_sim_version', 'wall_s']);
    expect(csv[1]!.split(',')[header.indexOf('workload_sha256')]).toBe(sha(WORKLOAD));
    const log = readFileSync(join(unbroken, 'runs.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ResultRow);
    expect(log.every((r) => r.workload_sha256 === sha(WORKLOAD) && r.carbon_sim_version === pkg.version)).toBe(true);
    const record = JSON.parse(readFileSync(join(unbroken, 'sweep.json'), 'utf8')) as { carbon_sim_version: string; inputs: unknown };
    expect(record.carbon_sim_version).toBe(pkg.version);
    expect(record.inputs).toEqual({ carbon: { 'DE-2023': sha(BUNDLED_DE), 'de-2023.csv': sha(CARBON) }, workloads: { 'pai_1k.csv': sha(WORKLOAD) } });
  });
});

describe('--resume checks the inputs by content', () => {
  it('identical inputs: accepted, and the resumed results equal the unbroken sweep', () => {
    const out = killedAfter('same', 3);
    // rewritten with the same bytes (a new mtime): content decides, not the clock
    writeFileSync(WORKLOAD, original.workload);
    utimesSync(WORKLOAD, new Date(), new Date(Date.now() + 60_000));
    const r = cli(['bench', SUITE, '--out', out, '--resume', '--workers', '2']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8').split('\n')).toHaveLength(TOTAL + 1);
    expect(withoutWall(out)).toEqual(withoutWall(unbroken));
  });

  it.each([
    ['workload', WORKLOAD, () => writeFileSync(WORKLOAD, original.workload.toString('utf8') + '604000,3600,1\n')],
    ['carbon', CARBON, () => writeFileSync(CARBON, original.carbon.toString('utf8').replace('2023-01-01 00:00:00,140.51', '2023-01-01 00:00:00,140.52'))],
  ])('a changed %s file: refused with one line naming it, the folder left as it was', (_what, file, change) => {
    const out = killedAfter(`changed-${_what}`, 4);
    const before = { log: readFileSync(join(out, 'runs.jsonl'), 'utf8'), record: readFileSync(join(out, 'sweep.json'), 'utf8') };
    const was = sha(file);
    change();
    try {
      const r = cli(['bench', SUITE, '--out', out, '--resume']);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `carbon-sim: error: ${file}: changed since the runs logged in ${join(out, 'runs.jsonl')} were made (sha256 ${was.slice(0, 12)}… then, ${sha(file).slice(0, 12)}… now): --resume would mix results of both; restore the file or use another --out`,
      );
      expect(readFileSync(join(out, 'runs.jsonl'), 'utf8')).toBe(before.log);
      expect(readFileSync(join(out, 'sweep.json'), 'utf8')).toBe(before.record);
    } finally {
      restore();
    }
    // restored: accepted again
    expect(cli(['bench', SUITE, '--out', out, '--resume']).code).toBe(0);
    expect(withoutWall(out)).toEqual(withoutWall(unbroken));
  });

  it('a log written by another carbon-sim version, or by one without provenance, is refused naming runs.jsonl', () => {
    const out = killedAfter('version', 2);
    const log = join(out, 'runs.jsonl');
    const rows = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    writeFileSync(log, rows.map((r, i) => JSON.stringify(i === 1 ? { ...r, carbon_sim_version: '0.0.1' } : r) + '\n').join(''));
    let r = cli(['bench', SUITE, '--out', out, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`carbon-sim: error: ${log} (field "carbon_sim_version"): run ${rows[1]!.id as string} was computed by carbon-sim 0.0.1, this is ${pkg.version}: --resume would mix results of two versions; use another --out\n`);
    writeFileSync(log, rows.map(({ workload_sha256: _w, carbon_sha256: _c, carbon_sim_version: _v, ...r }) => JSON.stringify(r) + '\n').join(''));
    r = cli(['bench', SUITE, '--out', out, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runs\.jsonl \(field "workload_sha256"\): run [0-9a-f]{16} records no input hashes \(written by an older carbon-sim\)/);
  });
});

describe('runs check their inputs as they read them', () => {
  it('a file that changed since the sweep started fails the run, naming the file', async () => {
    const suite = normalizeSuite(JSON.parse(readFileSync(SUITE, 'utf8')), SUITE);
    const inputs = hashSuiteInputs(suite, SUITE);
    const run = planSweep(suite, ['oracle']).find((p) => p.spec.carbon === 'de-2023.csv')!;
    const stale = { workload: { path: WORKLOAD, sha256: inputs.workloads['pai_1k.csv']!.sha256 }, carbon: { path: CARBON, sha256: '0'.repeat(64) } };
    const err = await executeRun(run.id, run.spec, dir, stale).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'input_changed', file: CARBON });
    expect((err as Error).message).toMatch(/^changed since the sweep started \(sha256 000000000000… then, [0-9a-f]{12}… now\)$/);
    const ok = await executeRun(run.id, run.spec, dir, { ...stale, carbon: { path: CARBON, sha256: sha(CARBON) } });
    expect([ok.row.workload_sha256, ok.row.carbon_sha256, ok.row.carbon_sim_version]).toEqual([sha(WORKLOAD), sha(CARBON), pkg.version]);
  });

  it('checkLoggedProvenance ignores entries the suite no longer has (they are refused as not part of the sweep)', () => {
    const suite = normalizeSuite(JSON.parse(readFileSync(SUITE, 'utf8')), SUITE);
    const inputs = hashSuiteInputs(suite, SUITE);
    const row = { id: 'x', workload: 'other.csv', carbon: 'DE-2023', workload_sha256: 'a', carbon_sha256: sha(BUNDLED_DE), carbon_sim_version: pkg.version };
    expect(() => checkLoggedProvenance([row], inputs, 'runs.jsonl')).not.toThrow();
    const err = inputErrorOf(() => checkLoggedProvenance([{ ...row, carbon_sha256: 'b'.repeat(64) }], inputs, 'runs.jsonl'));
    expect([err.code, err.file]).toEqual(['input_changed', BUNDLED_DE]);
  });
});

describe('merge', () => {
  it('refuses shards computed from different inputs, naming the input and the folders', () => {
    const s1 = join(dir, 'shard-1');
    const s2 = join(dir, 'shard-2');
    expect(cli(['bench', SUITE, '--out', s1, '--shard', '1/2']).code).toBe(0);
    writeFileSync(WORKLOAD, original.workload.toString('utf8') + '604000,3600,1\n');
    try {
      expect(cli(['bench', SUITE, '--out', s2, '--shard', '2/2']).code).toBe(0);
    } finally {
      restore();
    }
    const m = cli(['merge', s1, s2, '--out', join(dir, 'merged')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/^carbon-sim: error: pai_1k\.csv: sha256 of workload pai_1k\.csv differs between .*shard-[12] \([0-9a-f]{12}…\) and .*shard-[12] \([0-9a-f]{12}…\): the folders were computed from different inputs\n$/);
  });

  it('merges shards of the same inputs into the unbroken sweep, provenance included', () => {
    const s2 = join(dir, 'shard-2b');
    expect(cli(['bench', SUITE, '--out', s2, '--shard', '2/2']).code).toBe(0);
    const merged = join(dir, 'merged-ok');
    expect(cli(['merge', join(dir, 'shard-1'), s2, '--out', merged]).code).toBe(0);
    expect(withoutWall(merged)).toEqual(withoutWall(unbroken));
  });
});
