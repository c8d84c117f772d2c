// Load test of `carbon-sim serve`: 10,000 GET requests on loopback against the built CLI in its own
// process (DE-2023 with perfect hourly forecasts, GB-2023 with gaussian:0.05@24h), a mix of every
// endpoint, from N concurrent clients. Bounded: a fixed request count, a 120 s deadline, loopback only;
// the server is ended by its pid at the end. Prints p50/p99 latency per endpoint and overall.
// Run: npm run build && node bench/serve.mjs [requests=10000] [concurrency=8]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REQUESTS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const DEADLINE_MS = 120_000;
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const server = spawn(
  process.execPath,
  [CLI, 'serve', '--carbon', 'DE-2023', '--carbon', 'GB-2023', '--forecast', 'GB-2023=gaussian:0.05@24h', '--port', '0', '--host', '127.0.0.1', '--speed', '0', '--start', '2023-06-01T00:00:00Z'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const stop = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
const timer = setTimeout(() => {
  console.error('bench/serve.mjs: deadline reached, stopping');
  stop();
  process.exit(1);
}, DEADLINE_MS);

const base = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
    if (m) resolve(m[1]);
  });
  server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});

const ENDPOINTS = {
  latest: '/v3/carbon-intensity/latest?zone=DE-2023',
  history: '/v3/carbon-intensity/history?zone=GB-2023',
  forecast: '/v3/carbon-intensity/forecast?zone=GB-2023',
  bylocation: '/emissions/bylocation?location=DE-2023',
  'forecasts/current': '/emissions/forecasts/current?location=GB-2023&windowSize=180',
  'bad zone (404)': '/v3/carbon-intensity/latest?zone=XX',
};
const names = Object.keys(ENDPOINTS);
const clockEvery = 500; // every 500th request moves the clock an hour: new issues, cold caches

const latencies = Object.fromEntries([...names, 'POST /clock'].map((n) => [n, []]));
let next = 0;
let failures = 0;
const t0 = performance.now();
async function client() {
  for (;;) {
    const i = next++;
    if (i >= REQUESTS) return;
    const name = i % clockEvery === clockEvery - 1 ? 'POST /clock' : names[i % names.length];
    const init = name === 'POST /clock' ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance": "1h"}' } : undefined;
    const start = performance.now();
    const r = await fetch(base + (init ? '/clock' : ENDPOINTS[name]), init);
    await r.arrayBuffer();
    latencies[name].push(performance.now() - start);
    if (r.status !== (name.includes('404') ? 404 : 200)) failures++;
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, client));
const wallMs = performance.now() - t0;
clearTimeout(timer);
stop();

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))];
};
const all = Object.values(latencies).flat();
const row = (name, xs) => `| ${name} | ${xs.length} | ${q(xs, 0.5).toFixed(2)} | ${q(xs, 0.99).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`;
console.log(`${REQUESTS} requests, ${CONCURRENCY} concurrent clients, loopback, node ${process.version}: ${(REQUESTS / (wallMs / 1000)).toFixed(0)} requests/s, ${failures} unexpected statuses\n`);
console.log('| endpoint | requests | p50 (ms) | p99 (ms) | max (ms) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const n of Object.keys(latencies)) console.log(row(n, latencies[n]));
console.log(row('**all**', all));
process.exitCode = failures === 0 ? 0 : 1;
