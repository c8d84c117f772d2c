// `carbon-sim serve`: mock carbon-intensity APIs over recorded traces in simulated time.
// The server modules (and Hono) are imported only when the command runs.
import { Option, type Command } from 'commander';
import { parseTimestamp } from '../carbon/csv.js';
import { FILL_MODES, type FillMode } from '../carbon/transform.js';
import type { CarbonColumn } from '../carbon/csv.js';
import { InputError } from '../errors.js';

export interface ServeFlags {
  carbon: string[];
  forecast: string[];
  port: string;
  host: string;
  start?: string;
  speed: string;
  seed: string;
  carbonColumn: CarbonColumn;
  fill: FillMode;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Add the `serve` command to the program (main.ts). */
export function registerServe(cli: Command): void {
  cli
    .command('serve')
    .description('serve carbon intensity in simulated time: Electricity Maps- and carbon-aware-SDK-shaped endpoints (see docs/serve.md)')
    .option('--carbon <trace>', 'a zone: carbon CSV file or bundled name, optionally named ZONE=trace; repeat for several zones', collect, [])
    .option('--forecast <spec>', 'forecasts as issued, [ZONE=]spec: oracle (default), gaussian:E@H[,every=D][,horizon=D] or file:PATH; repeatable', collect, [])
    .option('--port <n>', 'TCP port (0: a free one, printed)', '8080')
    .option('--host <address>', 'address to listen on (default loopback only)', '127.0.0.1')
    .option('--start <iso>', 'simulated start instant (default: the latest trace start)')
    .option('--speed <x>', 'simulated seconds per real second; 0: only POST /clock moves the clock', '1')
    .option('--seed <n>', 'seed of the forecast noise', '0')
    .addOption(new Option('--carbon-column <column>', 'Electricity Maps intensity column').choices(['direct', 'lca']).default('direct'))
    .addOption(new Option('--fill <mode>', 'carbon gaps: none, hold or linear').choices(FILL_MODES).default('none'))
    .action((opts: ServeFlags) => serveCommand(opts));
}

function port(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !(v >= 0 && v <= 65535)) throw new InputError('bad_option', `"${text}" is not a TCP port (0-65535)`, { field: 'port' });
  return v;
}

function speed(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new InputError('bad_option', `"${text}" is not a speed (a number >= 0)`, { field: 'speed' });
  return v;
}

export async function serveCommand(opts: ServeFlags): Promise<void> {
  const p = port(opts.port);
  const x = speed(opts.speed);
  const [{ loadZones }, { SimClock }, { startServer }] = await Promise.all([import('../serve/zones.js'), import('../serve/clock.js'), import('../serve/server.js')]);
  const zones = loadZones({ carbon: opts.carbon, forecast: opts.forecast, column: opts.carbonColumn, fill: opts.fill, seed: opts.seed });
  const span = (z: (typeof zones)[number]) => [z.signal.epochMs + z.signal.start * 1000, z.signal.epochMs + z.signal.end * 1000] as const;
  let startMs = Math.max(...zones.map((z) => span(z)[0]));
  if (opts.start !== undefined) {
    startMs = parseTimestamp(opts.start);
    if (Number.isNaN(startMs)) throw new InputError('bad_timestamp', `"${opts.start}" is not an ISO 8601 instant`, { field: 'start' });
  }
  for (const z of zones) {
    const [a, b] = span(z);
    if (startMs < a || startMs >= b) {
      throw new InputError('start_outside_trace', `${new Date(startMs).toISOString()} is outside trace ${z.name} [${new Date(a).toISOString()}, ${new Date(b).toISOString()})`, { field: 'start' });
    }
  }
  const clock = new SimClock(startMs, x);
  const server = await startServer({ zones, clock, host: opts.host, port: p });
  process.stderr.write(
    `carbon-sim: serving ${zones.map((z) => `${z.name} (forecast ${z.forecast.spec})`).join(', ')} from ${new Date(startMs).toISOString()} at speed ${x}; Ctrl-C stops\n`,
  );
  process.stdout.write(`${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
