// `carbon-sim place` and `carbon-sim bench placement` through the built CLI (dist/cli.js).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-place-'));
// two T4 nodes, a share pod on b, three pods (the scenario of test/placement-plugins.test.ts)
const scenario = join(ROOT, 'test', 'fixtures', 'placement', 'two-t4.json');
const nodes = join(dir, 'nodes.csv');
writeFileSync(nodes, 'sn,cpu_milli,memory_mib,gpu,model\nn0,32000,65536,2,T4\nn1,64000,131072,4,V100M16\nn2,32000,65536,0,\n');
const pods = join(dir, 'pods.csv');
const podRows = ['name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time'];
for (let i = 0; i < 30; i++) {
  const gpu = i % 3 === 0 ? '1,1000' : i % 3 === 1 ? '1,250' : '0,0';
  podRows.push(`p${String(i).padStart(2, '0')},${2000 + (i % 4) * 1000},4096,${gpu},${i % 5 === 0 ? 'V100M16' : ''},${i % 2 ? 'BE' : 'LS'},Running,${i * 600},${i * 600 + 3000},${i * 600}`);
}
writeFileSync(pods, podRows.join('\n') + '\n');

describe('carbon-sim place', () => {
  it('places a scenario pod by pod: steps with node, GPUs and every feasible total; summary', () => {
    const r = cli(['place', scenario, '--policy', 'fgd', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.steps).toEqual([
      { pod: 's1', node: 'b', gpus: [1], scores: { a: 43000, b: 54000 } },
      { pod: 's2', node: 'a', gpus: [0], scores: { a: 43000, b: 43000 } },
      { pod: 's3', node: 'a', gpus: [1], scores: { a: 50000, b: 50000 } },
    ]);
    expect(out.summary).toMatchObject({ placed: 3, power_w: 460, frag_milli: 350 });
    const table = cli(['place', scenario, '--policy', 'pwr=200,fgd=800']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('s2 -> b GPU 0   (a=34400 b=54400)');
  });

  it('bad input: one line naming file, line and field, exit 2, nothing on stdout', () => {
    const bad = join(dir, 'bad.json');
    const s = JSON.parse(readFileSync(scenario, 'utf8'));
    s.pods[0].gpu_milli = 1500;
    writeFileSync(bad, JSON.stringify(s, null, 2));
    for (const [args, line] of [
      [['place', bad], `carbon-sim: error: ${bad}:41 (field "pods[0].gpu_milli"): gpu_milli 1500 with num_gpu 1: a GPU share is 1..1000 thousandths\n`],
      [['place', scenario, '--policy', 'h100'], 'carbon-sim: error: field "policy": unknown placement plugin "h100"'],
      [['place', pods], 'carbon-sim: error: field "nodes": an openb pod list runs on the online engine: give the nodes with --nodes <node list>\n'],
      [['place', scenario, '--carbon', 'DE-2023'], 'carbon-sim: error: field "carbon": --carbon applies to an openb pod list'],
      [['place', join(dir, 'missing.json')], `carbon-sim: error: ${join(dir, 'missing.json')} (field "input"): no such file\n`],
    ] as const) {
      const r = cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr.startsWith(line) || r.stderr === line, r.stderr).toBe(true);
    }
  });

  it('an openb pod list runs on the online engine, optionally holding BE pods', () => {
    const r = cli(['place', pods, '--nodes', nodes, '--carbon', 'DE-2023', '--policy', 'pwr', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.placement).toMatchObject({ policy: 'place:pwr', pods: 30, placed: 30, dropped_never_fit: 0 });
    expect(out.summary.cluster.energy_kwh).toBeGreaterThan(0);
    const held = JSON.parse(cli(['place', pods, '--nodes', nodes, '--carbon', 'DE-2023', '--policy', 'pwr', '--hold', 'BE', '--format', 'json']).stdout);
    expect(held.placement.policy).toBe('place:pwr+hold');
    expect(held.summary.cluster.mean_queue_wait_s).toBeGreaterThanOrEqual(0);
    const table = cli(['place', pods, '--nodes', nodes, '--carbon', 'DE-2023']);
    expect(table.stdout).toContain('pods 30: placed 30');
  });
});

describe('carbon-sim bench placement', () => {
  it('a placement suite file: seeds x policies, summary, runs, curves and an HTML report', () => {
    const suite = join(dir, 'suite.json');
    writeFileSync(suite, JSON.stringify({ kind: 'placement', name: 'toy', nodes: 'nodes.csv', pods: 'pods.csv', seeds: [1, 2], policies: ['fgd', 'pwr', 'pwr=200,fgd=800'] }));
    const out = join(dir, 'bench-toy');
    const r = cli(['bench', suite, '--out', out, '--workers', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| pwr=200,fgd=800 |');
    expect(r.stdout).toContain('6 runs (2 seeds x 3 policies)');
    for (const f of ['summary.md', 'runs.csv', 'curves.csv', 'report.html', 'suite.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const runs = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n');
    expect(runs).toHaveLength(7);
    expect(runs[0]).toMatch(/^policy,seed,arrivals,placed,failed,never_fit,ms,/);
    expect(readFileSync(join(out, 'report.html'), 'utf8').match(/<svg/g)).toHaveLength(3);
    // the same suite in this thread gives the same numbers (workers only change where runs execute)
    const again = cli(['bench', suite, '--out', join(dir, 'bench-toy-1'), '--workers', '1']);
    const strip = (s: string) => s.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| policy')).map((l) => l.replace(/\| \d+ \|$/, ''));
    expect(strip(again.stdout)).toEqual(strip(r.stdout));
  });

  it('a bad suite is one error line, exit 2, and no output folder', () => {
    const suite = join(dir, 'bad-suite.json');
    writeFileSync(suite, JSON.stringify({ kind: 'placement', nodes: 'nodes.csv', pods: 'pods.csv', policies: ['fgd', 'fgx'] }));
    const out = join(dir, 'bench-bad');
    const r = cli(['bench', suite, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`carbon-sim: error: ${suite} (field "policies[1]"): unknown placement plugin "fgx" (known: random, dotprod, gpuclustering, gpupacking, bestfit, fgd, pwr; mix them as pwr=200,fgd=800)\n`);
    expect(existsSync(out)).toBe(false);
  });
});
