// Issue 14 item 4: outputs are never half-written and a bad output path is one line, exit 2, with
// nothing left behind: a file given as --out, a folder as --report, /proc, devices, symbolic links,
// a full disk as stdout (/dev/full), and a stack trace only with --debug.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputs, writeOutputs } from '../src/io/files.js';
import { internalErrorLine } from '../src/cli/output.js';
import { cli, inputErrorOf, ROOT } from './helpers.js';

const CLI = join(ROOT, 'dist', 'cli.js');
const fresh = (): string => mkdtempSync(join(tmpdir(), 'carbon-sim-out-'));
const RUN = ['run', 'roberta', '--carbon', 'DE-2023'];

/** The CLI with a time limit (a /proc path once spun forever) and stdout to a file descriptor. */
function run(args: string[], cwd: string, stdout: 'pipe' | number = 'pipe'): { code: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', stdout, 'pipe'] });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr, timedOut: r.error !== undefined || r.signal !== null };
}

/** One line, exit 2, nothing on stdout, the folder as it was. */
function refused(r: { code: number | null; stdout: string; stderr: string }, line: string | RegExp, dir: string, before: string[]): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(readdirSync(dir).sort()).toEqual(before);
}

describe('bad output paths: one line, exit 2, nothing written', () => {
  it('--out that is a file, with --report: the report is not written either', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'afile'), 'mine');
    refused(run([...RUN, '--out', 'afile', '--report', 'r.html'], dir), 'carbon-sim: error: afile (field "out"): is a file, not a folder', dir, ['afile']);
    expect(readFileSync(join(dir, 'afile'), 'utf8')).toBe('mine');
  });

  it('a folder given as --report, as report -o and as convert output', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'd'));
    refused(run([...RUN, '--report', 'd'], dir), 'carbon-sim: error: d (field "report"): is a folder, not a file: give a file name such as d/report.html', dir, ['d']);
    expect(run([...RUN, '--out', 'runout'], dir).code).toBe(0);
    refused(run(['report', 'runout', '-o', 'd'], dir), 'carbon-sim: error: d (field "output"): is a folder, not a file: give a file name such as d/report.html', dir, ['d', 'runout']);
    refused(run(['convert', join(ROOT, 'traces', 'workloads', 'pai_1k.csv'), 'd', '--to', 'gaia'], dir), 'carbon-sim: error: d (field "out"): is a folder, not a file: give a file name', dir, ['d', 'runout']);
    expect(readdirSync(join(dir, 'd'))).toEqual([]);
  });

  it('a folder inside a file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'afile'), '');
    refused(run([...RUN, '--out', 'afile/sub'], dir), `carbon-sim: error: ${join(dir, 'afile')} (field "out"): is a file, so no folder can be made in it`, dir, ['afile']);
  });

  it('/proc paths fail at once instead of spinning', () => {
    const dir = fresh();
    const out = run([...RUN, '--out', '/proc/self/x'], dir);
    expect(out.timedOut).toBe(false);
    refused(out, 'carbon-sim: error: /proc/self/x (field "out"): cannot create this folder: this file system takes no new folders (ENOENT)', dir, []);
    refused(run([...RUN, '--report', '/proc/self/comm'], dir), 'carbon-sim: error: /proc/self (field "report"): cannot create files in this folder: this file system takes no new files (ENOENT)', dir, []);
    refused(run(['bench', 'regions', '--out', '/proc/self/sweep'], dir), 'carbon-sim: error: /proc/self/sweep (field "out"): cannot create this folder: this file system takes no new folders (ENOENT)', dir, []);
    refused(run(['merge', dir, '--out', '/proc/self/merged'], dir), 'carbon-sim: error: /proc/self/merged (field "out"): cannot create this folder: this file system takes no new folders (ENOENT)', dir, []);
  });

  it('a device is not a file to write', () => {
    const dir = fresh();
    refused(run([...RUN, '--report', '/dev/null'], dir), 'carbon-sim: error: /dev/null (field "report"): is a device or other special file, not a regular file: give a file name', dir, []);
  });

  it('two outputs on one file', () => {
    const dir = fresh();
    refused(run([...RUN, '--out', 'o', '--report', 'o/summary.json'], dir), 'carbon-sim: error: o/summary.json (field "report"): is also written as o/summary.json (--out): give the outputs different names', dir, []);
  });

  it('bench --out that is a file is refused before the built-in suite is written', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'afile'), '');
    refused(run(['bench', 'regions', '--out', 'afile'], dir), 'carbon-sim: error: afile (field "out"): is a file, not a folder', dir, ['afile']);
  });
});

describe('symbolic links are written through; a dangling one is refused', () => {
  it('the link stays and the file it points to gets the report', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'real.html'), 'old');
    symlinkSync('real.html', join(dir, 'link.html'));
    expect(run([...RUN, '--report', 'link.html'], dir).code).toBe(0);
    expect(lstatSync(join(dir, 'link.html')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.html'))).toBe('real.html');
    expect(readFileSync(join(dir, 'real.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(readdirSync(dir).sort()).toEqual(['link-charts', 'link.html', 'real.html']);
  });

  it('a link to nothing', () => {
    const dir = fresh();
    symlinkSync('missing.html', join(dir, 'dangling.html'));
    refused(run([...RUN, '--report', 'dangling.html'], dir), 'carbon-sim: error: dangling.html (field "report"): is a symbolic link to a missing file: give the target itself, or remove the link', dir, ['dangling.html']);
  });

  it('--out through a link to a folder', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'real'));
    symlinkSync('real', join(dir, 'out'));
    expect(run([...RUN, '--out', 'out'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'real')).sort()).toEqual(['events.csv', 'events.jsonl', 'summary.json']);
  });
});

describe('stdout', () => {
  it('a full disk (/dev/full) is one line and exit 2, and the files of the run are taken back', () => {
    const dir = fresh();
    const full = openSync('/dev/full', 'w');
    try {
      for (const format of ['table', 'json', 'csv']) {
        refused(run([...RUN, '--format', format, '--out', 'o', '--report', 'r.html'], dir, full), 'carbon-sim: error: stdout: cannot write the output: no space left on device (ENOSPC)', dir, []);
      }
      refused(run(['traces'], dir, full), 'carbon-sim: error: stdout: cannot write the output: no space left on device (ENOSPC)', dir, []);
    } finally {
      closeSync(full);
    }
  });

  it('a reader that stops early (| head) is not an error, and the files stay', async () => {
    const dir = fresh();
    const child = spawn(process.execPath, [CLI, 'run', 'pai_1k', '--carbon', 'DE-2023', '--format', 'csv', '--out', 'o'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(join(dir, 'o')).sort()).toEqual(['events.csv', 'events.jsonl', 'summary.json']);
  });
});

describe('writeOutputs: all or nothing', () => {
  it('a target that cannot be written leaves the others as they were, and no temporary file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.txt'), 'old');
    const err = inputErrorOf(() =>
      writeOutputs([
        { kind: 'file', path: join(dir, 'a.txt'), field: 'out', data: 'new' },
        { kind: 'into', dir: join(dir, 'sub'), field: 'out', files: { 'b.txt': 'b' } },
        { kind: 'file', path: '/proc/self/x.txt', field: 'report', data: 'x' },
      ]),
    );
    expect(err.oneLine()).toMatch(/^\/proc\/self\/x\.txt \(field "report"\): cannot write: no such file or folder \(ENOENT\); nothing was written$/);
    expect(readdirSync(dir)).toEqual(['a.txt']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('old');
  });

  it('replaces files atomically and a charts folder as a whole', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.txt'), 'old');
    writeOutputs([
      { kind: 'file', path: join(dir, 'a.txt'), field: 'out', data: 'new' },
      { kind: 'folder', dir: join(dir, 'c'), field: 'report', files: { 'x.svg': '1', 'y.svg': '2' }, replaceable: /\.svg$/ },
    ]);
    writeOutputs([{ kind: 'folder', dir: join(dir, 'c'), field: 'report', files: { 'z.svg': '3' }, replaceable: /\.svg$/ }]);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('new');
    expect(readdirSync(join(dir, 'c'))).toEqual(['z.svg']);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'c']);
  });

  it('checking creates nothing', () => {
    const dir = fresh();
    checkOutputs([{ kind: 'into', dir: join(dir, 'a', 'b', 'c'), field: 'out', files: { 'x.csv': '' } }]);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });
});

describe('internal errors', () => {
  it('are one line without a stack trace unless --debug', () => {
    const err = new TypeError('x is undefined');
    expect(internalErrorLine(err, false)).toBe('carbon-sim: internal error: TypeError: x is undefined (a bug in carbon-sim: --debug prints the stack trace)\n');
    expect(internalErrorLine(err, true)).toBe(`carbon-sim: internal error: ${err.stack}\n`);
  });

  it('--debug is accepted anywhere on the command line', () => {
    const r = cli([...RUN, '--format', 'json', '--debug']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
