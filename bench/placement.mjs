// GPU placement speed (docs/placement.md): one protocol run per policy over the ~10.8k inflated
// arrivals of the default openb trace on its 1,213 GPU nodes, then the whole built-in suite
// (10 seeds x 11 policies) as `carbon-sim bench placement` runs it.
// Run: npm run build && node bench/placement.mjs [--no-suite]
// The openb data is read from $CARBON_SIM_OPENB or ../shared/data/workloads/openb (not bundled).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinPlacementSuite, readOpenbNodes, readOpenbPods, runPlacementSuite, runProtocol } from '../dist/index.js';

const suite = builtinPlacementSuite();
const t0 = performance.now();
const { nodes } = readOpenbNodes(suite.nodes);
const pods = readOpenbPods(suite.pods);
const loadMs = performance.now() - t0;
console.log(`read ${nodes.length} nodes and ${pods.length} pods in ${loadMs.toFixed(0)} ms`);

// warm the JIT on one run, so the figures below measure steady-state placing
runProtocol({ nodes, pods, policy: 'bestfit', seed: 1 });

console.log('policy                 arrivals  placed  failed   place ms  score computations  cache hits');
for (const policy of ['fgd', 'pwr', 'pwr=200,fgd=800', 'bestfit', 'dotprod', 'gpupacking', 'gpuclustering', 'random']) {
  const run = runProtocol({ nodes, pods, policy, seed: 42 });
  console.log(
    `${policy.padEnd(22)} ${String(run.arrivals).padStart(8)} ${String(run.placed).padStart(7)} ${String(run.failed).padStart(7)} ${run.ms.toFixed(0).padStart(10)} ${String(run.scoreMisses).padStart(19)} ${String(run.scoreHits).padStart(11)}`,
  );
}

if (!process.argv.includes('--no-suite')) {
  const out = mkdtempSync(join(tmpdir(), 'carbon-sim-bench-placement-'));
  try {
    const t1 = performance.now();
    const outcome = await runPlacementSuite(suite, { outDir: out });
    console.log(`\nsuite: ${outcome.rows.length} runs in ${((performance.now() - t1) / 1000).toFixed(1)} s (report included)\n`);
    console.log(outcome.summary);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
