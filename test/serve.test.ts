// `carbon-sim serve`: a real server on a free loopback port, queried with node's fetch through a
// simulated day; values against the traces, best windows against the oracle scheduler, 4xx JSON
// for every bad request (never a 500), byte-identical seeded reruns.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedView } from '../src/carbon/issued.js';
import { constantProfile, type Job } from '../src/model/jobs.js';
import { compileProfile } from '../src/model/profile.js';
import { bestUninterruptedStart } from '../src/schedulers/oracle.js';
import { SimClock } from '../src/serve/clock.js';
import { startServer, type RunningServer } from '../src/serve/server.js';
import { loadZones, type Zone } from '../src/serve/zones.js';
import { bestWindow } from '../src/serve/window.js';
import { cli, ROOT } from './helpers.js';

const H = 3600;
const MS = 1000;
const START = Date.UTC(2023, 5, 1); // 2023-06-01T00:00Z
const iso = (ms: number): string => new Date(ms).toISOString();

interface Answer {
  status: number;
  type: string | null;
  text: string;
  json: any; // parsed JSON, shape checked by the assertions
}

async function call(base: string, path: string, init?: RequestInit): Promise<Answer> {
  const r = await fetch(base + path, init);
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, type: r.headers.get('content-type'), text, json };
}

const post = (base: string, body: string): Promise<Answer> => call(base, '/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

function zonesFor(seed: number, extra: string[] = []): Zone[] {
  return loadZones({ carbon: ['DE-2023', 'GB-2023'], forecast: ['oracle', 'GB-2023=gaussian:0.05@24h,every=1h', ...extra], seed });
}

/** A constant 1 W job of `durationS`: the oracle scheduler's least-emission start is the best window. */
const constantJob = (durationS: number): Job => ({ id: 'w', type: 'constant', arrival: 0, deadline: Infinity, cpus: 1, profile: compileProfile(constantProfile(durationS, 1)) });

describe('serve: a simulated day against the traces and the oracle', () => {
  let server: RunningServer;
  let zones: Zone[];
  let base: string;
  const clock = new SimClock(START, 0);

  beforeAll(async () => {
    zones = zonesFor(7);
    server = await startServer({ zones, clock, port: 0 });
    base = server.url;
  });
  afterAll(() => server.close());

  const zone = (name: string): Zone => zones.find((z) => z.name === name)!;
  const secs = (z: Zone, ms: number): number => (ms - z.signal.epochMs) / 1000;
  const msOf = (z: Zone, s: number): number => z.signal.epochMs + s * 1000;

  it('listens on loopback only, on the free port it was given', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(base).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('every hour of a day: latest, history, forecast, bylocation, best windows', async () => {
    for (let hour = 0; hour < 24; hour++) {
      // off the hour: the step holding now started 17 minutes earlier
      const nowMs = START + hour * H * MS + 17 * 60 * MS;
      expect((await post(base, JSON.stringify({ now: iso(nowMs) }))).json).toEqual({ now: iso(nowMs), speed: 0 });
      for (const z of zones) {
        const s = secs(z, nowMs);
        const stepStart = Math.floor(s / H) * H;
        const latest = (await call(base, `/v3/carbon-intensity/latest?zone=${z.name}`)).json;
        expect(latest).toMatchObject({ zone: z.name, carbonIntensity: z.signal.intensityAt(s), datetime: iso(msOf(z, stepStart)), emissionFactorType: 'direct', isEstimated: false });

        const history = (await call(base, `/v3/carbon-intensity/history?zone=${z.name}`)).json.history as { carbonIntensity: number; datetime: string }[];
        expect(history).toHaveLength(24);
        history.forEach((p, i) => {
          const t = stepStart - (23 - i) * H;
          expect([p.datetime, p.carbonIntensity]).toEqual([iso(msOf(z, t)), z.signal.intensityAt(t)]);
        });

        // the forecast in force: issued on the hour, the current step then 72 h of targets
        const fc = (await call(base, `/v3/carbon-intensity/forecast?zone=${z.name}`)).json;
        expect(fc.updatedAt).toBe(iso(msOf(z, stepStart)));
        expect(fc.forecast).toHaveLength(73);
        const view = issuedView(z.forecast, s);
        fc.forecast.forEach((p: { carbonIntensity: number; datetime: string }, i: number) => {
          const t = stepStart + i * H;
          expect(p.datetime).toBe(iso(msOf(z, t)));
          expect(p.carbonIntensity).toBe(view.intensityAt(t));
          if (z.name === 'DE-2023') expect(p.carbonIntensity).toBe(z.signal.intensityAt(t)); // oracle
        });
        if (z.name === 'GB-2023') expect(fc.forecast[5].carbonIntensity).not.toBe(z.signal.intensityAt(stepStart + 5 * H));
        expect((await call(base, `/v3/carbon-intensity/forecast?zone=${z.name}&horizonHours=6`)).json.forecast).toEqual(fc.forecast.slice(0, 6));

        const observed = (await call(base, `/emissions/bylocation?location=${z.name}`)).json;
        expect(observed).toEqual(history.map((p) => ({ location: z.name, time: p.datetime, rating: p.carbonIntensity, duration: '01:00:00' })));

        // best windows of 3 h (a multiple of the step) and 90 min (not), to the forecast's end or 12 h
        for (const [minutes, endQuery] of [[180, ''], [90, ''], [180, `&dataEndAt=${iso(nowMs + 12 * H * MS)}`]] as const) {
          const answer = (await call(base, `/emissions/forecasts/current?location=${z.name}&windowSize=${minutes}${endQuery}`)).json;
          expect(answer).toHaveLength(1);
          const f = answer[0];
          const d = minutes * 60;
          const end = endQuery ? s + 12 * H : stepStart + 73 * H;
          const oracleStart = bestUninterruptedStart(constantJob(d), view, s, end - d);
          expect(f).toMatchObject({ location: z.name, requestedAt: iso(nowMs), generatedAt: iso(msOf(z, stepStart)), dataStartAt: iso(nowMs), dataEndAt: iso(msOf(z, end)), windowSize: minutes });
          expect(f.optimalDataPoints).toHaveLength(1);
          expect(f.optimalDataPoints[0].timestamp).toBe(iso(msOf(z, oracleStart)));
          expect(f.optimalDataPoints[0].duration).toBe(minutes);
          expect(f.optimalDataPoints[0].value).toBeCloseTo(view.meanIntensity(oracleStart, oracleStart + d), 9);
          expect(f.forecastData[0]).toEqual({ location: z.name, timestamp: iso(msOf(z, stepStart)), duration: 60, value: view.intensityAt(s) });
        }
      }
    }
  });

  it('several locations in one forecast request; bylocations; explicit ranges', async () => {
    await post(base, JSON.stringify({ now: '2023-06-02T12:00:00Z' }));
    const both = (await call(base, '/emissions/forecasts/current?location=DE-2023&location=GB-2023&windowSize=60')).json;
    expect(both.map((f: { location: string }) => f.location)).toEqual(['DE-2023', 'GB-2023']);
    const de = zone('DE-2023');
    const range = (await call(base, '/emissions/bylocation?location=DE-2023&time=2023-06-01T22:30:00Z&toTime=2023-06-02T02:00:00Z')).json;
    expect(range.map((p: { time: string }) => p.time)).toEqual(['2023-06-01T22:00:00.000Z', '2023-06-01T23:00:00.000Z', '2023-06-02T00:00:00.000Z', '2023-06-02T01:00:00.000Z']);
    expect(range[0].rating).toBe(de.signal.intensityAt(secs(de, Date.UTC(2023, 5, 1, 22))));
    // never the future: a range past now stops at the current step
    const future = (await call(base, '/emissions/bylocation?location=DE-2023&time=2023-06-02T10:00:00Z&toTime=2023-06-03T00:00:00Z')).json;
    expect(future.map((p: { time: string }) => p.time)).toEqual(['2023-06-02T10:00:00.000Z', '2023-06-02T11:00:00.000Z', '2023-06-02T12:00:00.000Z']);
    const many = (await call(base, '/emissions/bylocations?location=DE-2023&location=GB-2023')).json;
    expect(many).toHaveLength(48);
    expect((await call(base, '/v3/zones')).json['GB-2023']).toMatchObject({ zoneName: 'GB-2023', from: '2023-01-01T00:00:00.000Z', to: '2024-01-01T00:00:00.000Z', resolutionS: 3600, forecast: 'gaussian:0.05@24h,every=1h' });
    expect(Object.keys((await call(base, '/locations')).json)).toEqual(['DE-2023', 'GB-2023']);
  });

  it('POST /clock advances by seconds or durations; GET /clock reads it', async () => {
    await post(base, JSON.stringify({ now: '2023-06-01T00:00:00Z' }));
    expect((await post(base, JSON.stringify({ advance: 5400 }))).json.now).toBe('2023-06-01T01:30:00.000Z');
    expect((await post(base, JSON.stringify({ advance: '2h' }))).json.now).toBe('2023-06-01T03:30:00.000Z');
    expect((await call(base, '/clock')).json).toEqual({ now: '2023-06-01T03:30:00.000Z', speed: 0 });
  });

  it('every documented GET route answers 200 JSON', async () => {
    const doc = (await call(base, '/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    expect(paths.sort()).toEqual(
      ['/clock', '/emissions/bylocation', '/emissions/bylocations', '/emissions/forecasts/current', '/locations', '/openapi.json', '/v3/carbon-intensity/forecast', '/v3/carbon-intensity/history', '/v3/carbon-intensity/latest', '/v3/zones'].sort(),
    );
    expect(doc.paths['/clock'].post).toBeDefined();
    for (const p of paths) {
      const params = (doc.paths[p].get.parameters as { name: string; required: boolean }[]).filter((q) => q.required).map((q) => `${q.name}=DE-2023`);
      const r = await call(base, `${p}?${params.join('&')}`);
      expect([p, r.status, r.type]).toEqual([p, 200, 'application/json; charset=utf-8']);
    }
  });

  const bad: [string, string, number, string][] = [
    ['GET', '/v3/carbon-intensity/latest', 400, 'missing_parameter'],
    ['GET', '/v3/carbon-intensity/latest?zone=', 400, 'missing_parameter'],
    ['GET', '/v3/carbon-intensity/latest?zone=FR-2023', 404, 'unknown_zone'],
    ['GET', '/v3/carbon-intensity/history?zone=de-2023', 404, 'unknown_zone'],
    ['GET', '/v3/carbon-intensity/latest?zone=DE-2023&zone=GB-2023', 400, 'repeated_parameter'],
    ['GET', '/v3/carbon-intensity/forecast?zone=%ZZ', 404, 'unknown_zone'],
    ['GET', '/v3/carbon-intensity/forecast?zone=DE-2023&horizonHours=1.5', 400, 'bad_parameter'],
    ['GET', '/v3/carbon-intensity/forecast?zone=DE-2023&horizonHours=-3', 400, 'bad_parameter'],
    ['GET', '/emissions/bylocation', 400, 'missing_parameter'],
    ['GET', '/emissions/bylocation?location=DE-2023&time=yesterday', 400, 'bad_time'],
    ['GET', '/emissions/bylocation?location=DE-2023&time=2023-02-30T00:00:00Z', 400, 'bad_time'],
    ['GET', '/emissions/bylocation?location=DE-2023&time=2019-01-01T00:00:00Z', 400, 'time_outside_trace'],
    ['GET', '/emissions/bylocation?location=DE-2023&time=2023-06-01T05:00:00Z&toTime=2023-06-01T04:00:00Z', 400, 'bad_range'],
    ['GET', '/emissions/bylocations?location=DE-2023&location=XX', 404, 'unknown_zone'],
    ['GET', '/emissions/forecasts/current', 400, 'missing_parameter'],
    ['GET', '/emissions/forecasts/current?location=DE-2023&windowSize=abc', 400, 'bad_parameter'],
    ['GET', '/emissions/forecasts/current?location=DE-2023&windowSize=0', 400, 'bad_parameter'],
    ['GET', '/emissions/forecasts/current?location=DE-2023&windowSize=1e3', 400, 'bad_parameter'],
    ['GET', '/emissions/forecasts/current?location=DE-2023&windowSize=100000', 400, 'window_too_long'],
    ['GET', '/emissions/forecasts/current?location=DE-2023&dataStartAt=2022-01-01T00:00:00Z', 400, 'time_outside_forecast'],
    ['GET', '/emissions/forecasts/current?location=DE-2023&dataEndAt=2023-12-01T00:00:00Z', 400, 'time_outside_forecast'],
    ['GET', '/emissions/forecasts/current?location=DE-2023&dataStartAt=not-a-time', 400, 'bad_time'],
    ['GET', '/nope', 404, 'not_found'],
    ['DELETE', '/clock', 404, 'not_found'],
    ['POST', '/v3/carbon-intensity/latest?zone=DE-2023', 404, 'not_found'],
  ];

  it.each(bad)('%s %s -> %i %s, a JSON body', async (method, path, status, code) => {
    await post(base, JSON.stringify({ now: '2023-06-01T03:30:00Z' }));
    const r = await call(base, path, { method });
    expect([r.status, r.json?.error]).toEqual([status, code]);
    expect(r.type).toBe('application/json; charset=utf-8');
    expect(r.json).toMatchObject({ status, error: code, message: expect.any(String) });
  });

  it.each([
    ['{', 'malformed_json'],
    ['', 'malformed_json'],
    ['[]', 'bad_body'],
    ['null', 'bad_body'],
    ['{}', 'bad_body'],
    ['{"when": "2023-06-01T00:00:00Z"}', 'bad_body'],
    ['{"now": "2030-01-01T00:00:00Z"}', 'time_outside_trace'],
    ['{"now": 1685577600000}', 'bad_time'],
    ['{"now": "2023-06-01T00:00:00Z", "advance": 60}', 'bad_body'],
    ['{"advance": -1}', 'bad_duration'],
    ['{"advance": "soon"}', 'bad_duration'],
    ['{"advance": "400d"}', 'time_outside_trace'],
    ['{"speed": -1}', 'bad_speed'],
    ['{"speed": "fast"}', 'bad_speed'],
  ])('POST /clock %s -> 400 %s, the clock unchanged', async (body, code) => {
    await post(base, JSON.stringify({ now: '2023-06-01T03:30:00Z' }));
    const r = await post(base, body);
    expect([r.status, r.json?.error]).toEqual([400, code]);
    expect((await call(base, '/clock')).json).toEqual({ now: '2023-06-01T03:30:00.000Z', speed: 0 });
  });

  it('random malformed queries: always a 4xx or 200 JSON answer, never a 500', async () => {
    const paths = ['/v3/carbon-intensity/latest', '/v3/carbon-intensity/history', '/v3/carbon-intensity/forecast', '/emissions/bylocation', '/emissions/bylocations', '/emissions/forecasts/current'];
    const names = ['zone', 'location', 'time', 'toTime', 'dataStartAt', 'dataEndAt', 'windowSize', 'horizonHours', 'x'];
    const values = ['DE-2023', 'GB-2023', '', '%', '%00', '-1', '0', '1e309', 'NaN', '2023-06-01T04:00:00Z', '2023-06-01', '2023-06-01T03:59:59.999+02:00', '9999-12-31T23:59:59Z', '60', '\u{1F600}', 'a'.repeat(2000)];
    let seed = 12345;
    const pick = <T,>(xs: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31; // deterministic LCG: the same 300 queries each run
      return xs[seed % xs.length]!;
    };
    for (let i = 0; i < 300; i++) {
      const q = new URLSearchParams();
      for (let j = 0; j < 1 + (i % 4); j++) q.append(pick(names), pick(values));
      const r = await call(base, `${pick(paths)}?${q}`);
      expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status} ${r.text.slice(0, 200)}`).toBe(true);
      expect(r.json).toBeDefined();
    }
  });
});

describe('serve: reruns, clocks and files', () => {
  it('seeded reruns answer byte-identical bodies; another seed changes only the noisy zone', async () => {
    const bodies = async (seed: number): Promise<string[]> => {
      const server = await startServer({ zones: zonesFor(seed), clock: new SimClock(Date.UTC(2023, 8, 10, 6, 40), 0), port: 0 });
      try {
        const paths = ['/v3/carbon-intensity/forecast?zone=GB-2023', '/emissions/forecasts/current?location=GB-2023&windowSize=120', '/v3/carbon-intensity/forecast?zone=DE-2023', '/v3/carbon-intensity/history?zone=GB-2023'];
        return await Promise.all(paths.map(async (p) => (await call(server.url, p)).text));
      } finally {
        await server.close();
      }
    };
    const a = await bodies(3);
    expect(await bodies(3)).toEqual(a);
    const b = await bodies(4);
    expect([b[0] === a[0], b[1] === a[1], b[2] === a[2], b[3] === a[3]]).toEqual([false, false, true, true]);
  });

  it('--speed X: the clock runs at X x real time, and off the end of a trace answers 409', async () => {
    let real = 0;
    const clock = new SimClock(Date.UTC(2023, 11, 31, 20), 3600, () => real);
    const server = await startServer({ zones: zonesFor(1), clock, port: 0 });
    try {
      expect((await call(server.url, '/v3/carbon-intensity/latest?zone=DE-2023')).json.datetime).toBe('2023-12-31T20:00:00.000Z');
      real = 2500; // 2.5 real seconds: 2.5 simulated hours
      expect((await call(server.url, '/v3/carbon-intensity/latest?zone=DE-2023')).json.datetime).toBe('2023-12-31T22:00:00.000Z');
      expect((await call(server.url, '/clock')).json).toEqual({ now: '2023-12-31T22:30:00.000Z', speed: 3600 });
      real = 5000;
      const r = await call(server.url, '/v3/carbon-intensity/latest?zone=DE-2023');
      expect([r.status, r.json.error]).toEqual([409, 'clock_outside_trace']);
      expect((await post(server.url, '{"now": "2023-12-31T23:00:00Z", "speed": 0}')).json).toEqual({ now: '2023-12-31T23:00:00.000Z', speed: 0 });
      real = 99_000;
      expect((await call(server.url, '/v3/carbon-intensity/latest?zone=DE-2023')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('a zone with a historical forecast file: the issue in force, and 404 before the first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-serve-'));
    const path = join(dir, 'de.csv');
    writeFileSync(path, ['issued,target,value', '2023-06-01T06:00:00Z,2023-06-01T07:00:00Z,100', '2023-06-01T06:00:00Z,2023-06-01T08:00:00Z,50', '2023-06-01T06:00:00Z,2023-06-01T09:00:00Z,80'].join('\n'));
    const clock = new SimClock(Date.UTC(2023, 5, 1, 5), 0);
    const server = await startServer({ zones: zonesFor(1, [`DE-2023=file:${path}`]), clock, port: 0 });
    try {
      const r = await call(server.url, '/v3/carbon-intensity/forecast?zone=DE-2023');
      expect([r.status, r.json.error]).toEqual([404, 'no_forecast']);
      await post(server.url, '{"now": "2023-06-01T06:20:00Z"}');
      const fc = (await call(server.url, '/v3/carbon-intensity/forecast?zone=DE-2023')).json;
      expect(fc.updatedAt).toBe('2023-06-01T06:00:00.000Z');
      expect(fc.forecast.map((p: { carbonIntensity: number }) => p.carbonIntensity).slice(1)).toEqual([100, 50, 80]);
      const best = (await call(server.url, '/emissions/forecasts/current?location=DE-2023&windowSize=60&dataStartAt=2023-06-01T07:00:00Z')).json[0];
      expect(best.optimalDataPoints[0]).toMatchObject({ timestamp: '2023-06-01T08:00:00.000Z', value: 50 });
    } finally {
      await server.close();
    }
  });

  it('bestWindow: continuous starts, ties to the earliest', () => {
    const pts = [10, 5, 5, 10].map((v, i) => ({ t: i * 60, d: 60, v }));
    expect(bestWindow(pts, 0, 240, 60)).toEqual({ start: 60, mean: 5 });
    expect(bestWindow(pts, 0, 240, 90)).toEqual({ start: 60, mean: 5 });
    expect(bestWindow(pts, 70, 240, 30)).toEqual({ start: 70, mean: 5 });
    expect(() => bestWindow(pts, 0, 240, 300)).toThrow(RangeError);
  });
});

describe('carbon-sim serve on the command line', () => {
  it('starts on a free port, prints its URL, answers, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'serve', '--carbon', 'DE-2023', '--port', '0', '--speed', '0', '--start', '2023-03-01T12:00:00Z'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
        setTimeout(() => reject(new Error('serve did not print its URL in 30 s')), 30_000);
      });
      const latest = (await call(url, '/v3/carbon-intensity/latest?zone=DE-2023')).json;
      expect(latest.datetime).toBe('2023-03-01T12:00:00.000Z');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it.each([
    [['serve'], /give at least one --carbon trace/],
    [['serve', '--carbon', 'DE-2023', '--speed', '-1'], /speed/],
    [['serve', '--carbon', 'DE-2023', '--port', '70000'], /not a TCP port/],
    [['serve', '--carbon', 'DE-2023', '--start', '2030-01-01'], /outside trace DE-2023/],
    [['serve', '--carbon', 'DE-2023', '--forecast', 'gaussian:0.05'], /static forecast/],
    [['serve', '--carbon', 'DE-2023', '--forecast', 'GB-2023=oracle'], /names zone GB-2023/],
    [['serve', '--carbon', 'DE-2023', '--carbon', 'DE-2023'], /given twice/],
  ])('bad input %j: exit 2, one line', (args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('Hono is not on the CLI start path: dist/cli.js imports it only dynamically', () => {
    const code = readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8');
    expect(code).not.toMatch(/^\s*import[^(]*from\s*["'](hono|@hono\/node-server)["']/m);
    expect(code).toMatch(/import\(["']hono["']\)/);
  });
});
