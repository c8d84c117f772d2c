// Surrogates: seeded training is byte-identical, files round-trip, bad files are one InputError,
// the CLI trains and evaluates; on a slice of KTH-SP2 the metrics table has every predictor.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseSwf } from '../src/io/swf.js';
import { FEATURE_COUNT, swfFeatureTable } from '../src/learn/features.js';
import { evaluateSurrogate, loadSurrogate, parseSurrogate, saveSurrogate, Surrogate, surrogateJson, trainSurrogate } from '../src/learn/surrogate.js';
import { cli, inputErrorOf, sharedData } from './helpers.js';
import { syntheticSwf } from './learn-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-surrogate-'));
const text = syntheticSwf({ jobs: 400, missingRequested: 0.25 });
const logPath = join(dir, 'synthetic.swf');
writeFileSync(logPath, text);
const table = swfFeatureTable(parseSwf(text));
const quick = { seed: 3, epochs: 3, hidden: [8], batchSize: 64 };

describe('surrogate', () => {
  it('trains deterministically: the same seed gives the same file, bit for bit', async () => {
    const a = await trainSurrogate(table, quick);
    const b = await trainSurrogate(table, quick);
    expect(surrogateJson(a)).toBe(surrogateJson(b));
    const c = await trainSurrogate(table, { ...quick, seed: 4 });
    expect(surrogateJson(c)).not.toBe(surrogateJson(a));
    expect(a.training.trainJobs).toBe(280);
    expect(a.training.testJobs).toBe(120);
  });

  it('saves and loads: predictions from the file equal those of the trained model', async () => {
    const model = await trainSurrogate(table, quick);
    const path = join(dir, 'model.json');
    saveSurrogate(path, model);
    const loaded = loadSurrogate(path);
    const s1 = new Surrogate(model);
    const s2 = new Surrogate(loaded);
    for (let i = 0; i < table.rows.length; i += 17) {
      expect(s2.runtimeS(table.x, i * FEATURE_COUNT)).toBe(s1.runtimeS(table.x, i * FEATURE_COUNT));
      expect(s2.energyKwh(table.x, i * FEATURE_COUNT)).toBe(s1.energyKwh(table.x, i * FEATURE_COUNT));
      const row = table.rows[i]!;
      if (!Number.isNaN(row.submit.requestedS)) expect(s1.runtimeS(table.x, i * FEATURE_COUNT)).toBeLessThanOrEqual(row.submit.requestedS * (1 + 1e-12));
    }
    const rows = evaluateSurrogate(loaded, table);
    // missing requested times: "all" has no requested-time row; the subset with one has all three
    expect(rows.map((r) => `${r.target}|${r.subset}|${r.predictor}`)).toContain('run time (s)|with requested time|requested');
    expect(rows.some((r) => r.subset === 'all' && r.predictor === 'requested')).toBe(false);
    for (const r of rows) {
      expect(r.jobs).toBeGreaterThan(0);
      expect(r.underRate).toBeGreaterThanOrEqual(0);
      expect(r.underRate).toBeLessThanOrEqual(1);
    }
  });

  it('a bad model file is one InputError naming file, line or field', async () => {
    const good = JSON.parse(surrogateJson(await trainSurrogate(table, quick)));
    expect(inputErrorOf(() => parseSurrogate('{\n"format": "carbon-sim-surrogate",\n}', 'm.json')).oneLine()).toMatch(/^m\.json:3: not valid JSON/);
    expect(inputErrorOf(() => parseSurrogate(JSON.stringify({ ...good, format: 'x' }), 'm.json')).oneLine()).toMatch(/^m\.json \(field "format"\): not a carbon-sim surrogate model/);
    const broken = structuredClone(good);
    broken.runtime.layers[0].w.pop();
    expect(inputErrorOf(() => parseSurrogate(JSON.stringify(broken), 'm.json')).oneLine()).toMatch(/^m\.json \(field "runtime\.layers\[0\]\.w"\): runtime\.layers\[0\]\.w must be an array of \d+ numbers$/);
    expect(inputErrorOf(() => loadSurrogate(join(dir, 'nope.json'))).oneLine()).toMatch(/nope\.json \(field "model"\): no such file$/);
  });

  it('carbon-sim surrogate train and eval: the table, the file, bad input exit 2', () => {
    const model = join(dir, 'cli-model.json');
    const train = cli(['surrogate', 'train', logPath, '-o', model, '--epochs', '2', '--hidden', '8', '--seed', '1']);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    expect(train.stdout).toContain('| run time (s) | with requested time | surrogate |');
    const first = readFileSync(model, 'utf8');
    const ev = cli(['surrogate', 'eval', logPath, '--model', model, '--replay', '--format', 'json']);
    expect(ev.code).toBe(0);
    const out = JSON.parse(ev.stdout);
    expect(out.metrics.length).toBeGreaterThan(0);
    expect(out.replay.map((r: { policy: string }) => r.policy)).toEqual(['easy', 'easy-predicted (template)', 'easy-predicted (last2)', 'easy-predicted (surrogate)']);
    // identical inputs, identical bytes
    cli(['surrogate', 'train', logPath, '-o', model, '--epochs', '2', '--hidden', '8', '--seed', '1']);
    expect(readFileSync(model, 'utf8')).toBe(first);
    const bad = cli(['surrogate', 'train', logPath, '-o', model, '--epochs', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('carbon-sim: error: field "epochs": "x" is not a positive whole number\n');
    writeFileSync(join(dir, 'bad.swf'), '; MaxProcs: 4\n1 0 0 10 1 -1 -1 1 x -1 1 1 1 -1 1 1 -1 -1\n');
    const badLog = cli(['surrogate', 'eval', join(dir, 'bad.swf'), '--model', model]);
    expect(badLog.code).toBe(2);
    expect(badLog.stderr).toBe(`carbon-sim: error: ${join(dir, 'bad.swf')}:2 (field "requested_time"): "x" is not a number\n`);
  });

  const kth = sharedData('workloads/swf/KTH-SP2-1996-2.1-cln.swf.gz');
  it.skipIf(kth.skip)('KTH-SP2 slice (first 2,000 jobs): the table has the surrogate and both baselines on the 600 test jobs', async () => {
    const t = swfFeatureTable(parseSwf(gunzipSync(readFileSync(kth.path)).toString('utf8')));
    const model = await trainSurrogate(t, { ...quick, epochs: 4, hidden: [16], limit: 2000 });
    const rows = evaluateSurrogate(model, t);
    const run = rows.filter((r) => r.target === 'run time (s)');
    expect(run.map((r) => r.predictor)).toEqual(['surrogate', 'requested', 'last2']);
    expect(run.every((r) => r.jobs === 600)).toBe(true);
    // KTH killed jobs at their requested time: it never under-predicts
    expect(run.find((r) => r.predictor === 'requested')!.underRate).toBe(0);
  });
});
