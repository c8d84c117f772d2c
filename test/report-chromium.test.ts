// The reports open in headless Debian Chromium and the screenshots show the charts: the baseline's
// grey bars, the green saving bars, the Gantt's work and startup colours and the intensity line are
// there in quantity.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { thesisWorkload } from '../src/sweep/builtin.js';
import { cli } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? `${CHROMIUM} is absent (apt-get install chromium; CI installs it)` : false;

/** Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) to RGBA pixels. */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour ${colour}, interlace ${interlace})`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let p = line[i]!;
      if (filter === 1) p += a;
      else if (filter === 2) p += b;
      else if (filter === 3) p += (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = p & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = cur[x * channels + k]!;
      out[(y * width + x) * 4 + 3] = channels === 4 ? cur[x * channels + 3]! : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

function countColour(img: { rgba: Uint8Array }, [r, g, b]: [number, number, number], tolerance = 3): number {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) {
    if (Math.abs(img.rgba[i]! - r) <= tolerance && Math.abs(img.rgba[i + 1]! - g) <= tolerance && Math.abs(img.rgba[i + 2]! - b) <= tolerance) n++;
  }
  return n;
}

/** Screenshot a page in headless Chromium, decoded; CARBON_SIM_SCREENSHOTS=DIR keeps a copy as DIR/<name>.png. */
function screenshot(page: string, name: string, height: number): { width: number; height: number; rgba: Uint8Array } {
  const dir = dirname(page);
  const png = join(dir, `${name}.png`);
  const chromium = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--screenshot=${png}`,
      `--window-size=1400,${height}`,
      pathToFileURL(page).href,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(existsSync(png), `chromium wrote no screenshot: ${chromium.error?.message ?? chromium.stderr}`).toBe(true);
  const keep = process.env.CARBON_SIM_SCREENSHOTS;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    copyFileSync(png, join(keep, `${name}.png`));
  }
  const img = decodePng(readFileSync(png));
  expect([img.width, img.height]).toEqual([1400, height]);
  return img;
}

const BASELINE_GREY: [number, number, number] = [0x9d, 0x9d, 0x9d];
const SAVING_GREEN: [number, number, number] = [0x54, 0xa2, 0x4b];

describe.skipIf(skip)('the report in headless Chromium', () => {
  it('a run report: the baseline bar, the saving chart, work and startup intervals and the intensity line are visible', () => {
    // under CI=true the test runs without the browser too: say so, not "wrote no screenshot: null"
    expect(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-chromium-'));
    writeFileSync(join(dir, 'ml.csv'), thesisWorkload('phases'));
    const run = cli(['run', 'ml.csv', '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--report', 'report.html'], { cwd: dir });
    expect(run.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\/|<script/i);

    const img = screenshot(join(dir, 'report.html'), 'run-report', 2400);
    expect(countColour(img, BASELINE_GREY)).toBeGreaterThan(2000); // the agnostic baseline's bar
    expect(countColour(img, SAVING_GREEN)).toBeGreaterThan(2000); // the saving bar
    expect(countColour(img, [0x4c, 0x78, 0xa8])).toBeGreaterThan(5000); // work bars and power area
    expect(countColour(img, [0xe4, 0x57, 0x56])).toBeGreaterThan(100); // startup slivers
    expect(countColour(img, [0x22, 0x22, 0x22], 40)).toBeGreaterThan(1000); // intensity line and text
  });

  it('a bench report: a baseline bar per group and the saving chart with error bars over seeds', () => {
    expect(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-chromium-'));
    writeFileSync(join(dir, 'suite.json'), JSON.stringify({ schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h', '24h'], workloads: ['pai_1k'], forecast: ['gaussian:0.1'], seeds: [0, 1, 2] }));
    expect(cli(['bench', 'suite.json', '--out', 'sweep', '--workers', '1'], { cwd: dir }).code).toBe(0);
    const rep = cli(['report', 'sweep', '-o', 'report.html', '--jobs', '10'], { cwd: dir });
    expect(rep.code).toBe(0);
    const img = screenshot(join(dir, 'report.html'), 'bench-report', 1600);
    expect(countColour(img, BASELINE_GREY)).toBeGreaterThan(4 * 1000); // a carbon bar per group (the baseline waits 0 h: no wait bars)
    expect(countColour(img, SAVING_GREEN)).toBeGreaterThan(8 * 1000); // 4 groups x 2 schedulers
    // the error bars: dark rules over the green bars (a row of the bars crosses one)
    expect(countColour(img, [0x22, 0x22, 0x22], 40)).toBeGreaterThan(1000);
  });
});
