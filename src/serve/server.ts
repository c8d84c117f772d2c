// The HTTP side of `carbon-sim serve`, on Hono and its Node adapter (docs/serve.md says why). Both
// are imported on first use, so nothing of them loads on the CLI's start path.
import type { AddressInfo } from 'node:net';
import { InputError } from '../errors.js';
import { ApiError, CarbonApi, type ErrorBody } from './api.js';
import type { SimClock } from './clock.js';
import { openApiDocument } from './openapi.js';
import type { Zone } from './zones.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
/** POST /clock bodies are a few fields: anything larger is a client's mistake. */
const MAX_BODY_BYTES = 64 * 1024;

export interface ServeOptions {
  zones: readonly Zone[];
  clock: SimClock;
  /** default 127.0.0.1: loopback only unless asked */
  host?: string;
  /** default 8080; 0 picks a free port */
  port?: number;
  /** where internal errors are reported (default stderr) */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  host: string;
  port: number;
  api: CarbonApi;
  close(): Promise<void>;
}

/** Build the routes and listen; resolves once the port is bound. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const [{ Hono }, { serve }] = await Promise.all([import('hono'), import('@hono/node-server')]);
  const api = new CarbonApi(options.zones, options.clock);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const app = new Hono();
  const json = (body: unknown, status = 200): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  const route = (path: string, answer: (q: URLSearchParams) => unknown): void => {
    app.get(path, (c) => json(answer(new URL(c.req.url).searchParams)));
  };

  route('/v3/zones', () => api.emZones());
  route('/v3/carbon-intensity/latest', (q) => api.latest(q));
  route('/v3/carbon-intensity/history', (q) => api.history(q));
  route('/v3/carbon-intensity/forecast', (q) => api.forecast(q));
  route('/emissions/bylocation', (q) => api.byLocation(q));
  route('/emissions/bylocations', (q) => api.byLocations(q));
  route('/emissions/forecasts/current', (q) => api.forecastsCurrent(q));
  route('/locations', () => api.sdkLocations());
  route('/clock', () => api.clockState());
  const doc = openApiDocument(api.zoneNames());
  route('/openapi.json', () => doc);
  app.post('/clock', async (c) => {
    const text = await c.req.text();
    if (text.length > MAX_BODY_BYTES) throw new ApiError(400, 'bad_body', `the body is over ${MAX_BODY_BYTES} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new ApiError(400, 'malformed_json', `the body is not JSON: ${(err as Error).message}`);
    }
    return json(api.setClock(body));
  });

  app.notFound((c) => json({ status: 404, error: 'not_found', message: `no route ${c.req.method} ${new URL(c.req.url).pathname} (see /openapi.json)` } satisfies ErrorBody, 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return json(err.body(), err.status);
    if (err instanceof InputError) return json({ status: 400, error: err.code, message: err.oneLine() } satisfies ErrorBody, 400);
    // anything else is a bug of ours, not the client's: say so, and keep serving
    log(`carbon-sim serve: internal error on ${c.req.method} ${c.req.url}: ${(err as Error)?.stack ?? String(err)}`);
    return json({ status: 500, error: 'internal', message: String((err as Error)?.message ?? err) } satisfies ErrorBody, 500);
  });

  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new InputError('port_in_use', `port ${port} on ${host} is in use (--port 0 picks a free one)`, { field: 'port' }));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new InputError('bad_host', `cannot listen on ${host} (${err.code})`, { field: 'host' }));
      else reject(err);
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    host: address.address,
    port: address.port,
    api,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // idle keep-alive sockets would hold close() open: end them
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
