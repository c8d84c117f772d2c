// Env speed: steps per second of the step API on KTH-SP2 (28k jobs on its 100 processors, DE-2023
// repeated), in-process and over `carbon-sim env --stdio` (lock-step: each action waits for the
// previous answer, as an agent must), from Node and from the Python client. The agent starts the
// first startable observed job (action = first valid slot), so each step is one scheduling decision.
// Run: npm run build && node bench/env.mjs [--episodes N] [--stdio-steps N] [--python-steps N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createEnv } from '../dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const EPISODES = arg('--episodes', 5);
const STDIO_STEPS = arg('--stdio-steps', 20000);
const PYTHON_STEPS = arg('--python-steps', 5000);
const LOG = fileURLToPath(new URL('../../shared/data/workloads/swf/KTH-SP2-1996-2.1-cln.swf.gz', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(LOG)) {
  console.log(`skipped: ${LOG} is absent`);
  process.exit(0);
}
const ENV_ARGS = ['--workload', LOG, '--cluster', 'swf', '--carbon', 'DE-2023'];
const fmt = (v, d = 0) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

// ---- in-process ----
const env = createEnv({ workload: LOG, cluster: 'swf', carbon: 'DE-2023' });
const inProcess = [];
for (let e = 0; e < EPISODES; e++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let { info } = env.reset(0);
  let steps = 0;
  for (;;) {
    const s = env.step(info.valid.indexOf(true));
    steps++;
    info = s.info;
    if (s.terminated) break;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  inProcess.push({ steps, wall, cpu: (cpu.user + cpu.system) / 1e6 });
}

// ---- over stdio, from Node, lock-step ----
async function stdioRun(steps) {
  const child = spawn(process.execPath, [CLI, 'env', '--stdio', ...ENV_ARGS], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  const ask = async (req) => {
    child.stdin.write(JSON.stringify(req) + '\n');
    const { value } = await it.next();
    return JSON.parse(value);
  };
  let { info } = await ask({ op: 'reset', seed: 0 });
  const t0 = performance.now();
  let n = 0;
  for (; n < steps; n++) {
    const s = await ask({ op: 'step', action: info.valid.indexOf(true) });
    info = s.info;
    if (s.terminated) ({ info } = await ask({ op: 'reset', seed: 0 }));
  }
  const wall = (performance.now() - t0) / 1000;
  await ask({ op: 'close' });
  return { steps: n, wall };
}
const stdio = await stdioRun(STDIO_STEPS);

// ---- the Python client (examples/python), lock-step ----
let python = null;
const py = spawnSync('python3', ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' });
if (py.status === 0) {
  const script = `
import sys, time
sys.path.insert(0, ${JSON.stringify(fileURLToPath(new URL('../examples/python', import.meta.url)))})
from carbon_sim_env import CarbonSimEnv
env = CarbonSimEnv(${JSON.stringify(LOG)}, "swf", "DE-2023", command=[${JSON.stringify(process.execPath)}, ${JSON.stringify(CLI)}])
obs, info = env.reset(seed=0)
t0 = time.perf_counter()
for n in range(${PYTHON_STEPS}):
    obs, r, term, trunc, info = env.step(info["valid"].index(True))
    if term:
        obs, info = env.reset(seed=0)
dt = time.perf_counter() - t0
env.close()
print(${PYTHON_STEPS} / dt)
`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  python = r.status === 0 ? { version: py.stdout.trim(), rate: Number(r.stdout.trim()) } : { error: r.stderr.trim().split('\n').at(-1) };
}

const best = inProcess.reduce((a, b) => (b.wall < a.wall ? b : a));
const bestCpu = inProcess.reduce((a, b) => (b.cpu < a.cpu ? b : a));
console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}; load average ${fmt(loadavg()[0], 1)}\n`);
console.log('| where | steps | steps/s (wall) | steps/s (CPU) |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| in-process, best of ${EPISODES} whole KTH-SP2 episodes (reset included) | ${fmt(best.steps)} | ${fmt(best.steps / best.wall)} | ${fmt(bestCpu.steps / bestCpu.cpu)} |`);
console.log(`| stdio from Node, lock-step | ${fmt(stdio.steps)} | ${fmt(stdio.steps / stdio.wall)} | |`);
if (python && python.rate) console.log(`| stdio from the Python client (python ${python.version}), lock-step | ${fmt(PYTHON_STEPS)} | ${fmt(python.rate)} | |`);
else console.log(`| stdio from the Python client | - | ${python ? python.error : 'python3 absent'} | |`);
console.log(`\nin-process episodes (s wall / CPU): ${inProcess.map((e) => `${fmt(e.wall, 3)} / ${fmt(e.cpu, 3)}`).join(', ')}`);
