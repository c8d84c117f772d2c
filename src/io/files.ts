// Output files. Every command writes its files through here, all or nothing:
// - each file is written to a temporary file in its target's own folder, flushed, then renamed over
//   the target, so a reader never sees half a file and a crash leaves the old file or the new one;
// - the targets of one command are checked before anything is computed (`checkOutputs`) and
//   written together (`writeOutputs`): if any write fails, the files already renamed are put back,
//   temporary files and folders created on the way are removed, and one InputError names the path;
// - a folder or a device (`/dev/null`, a fifo) given where a file belongs is refused, and a file
//   where a folder belongs; a symbolic link is written through (the file it points to is replaced
//   and the link stays), a dangling one is refused;
// - folders are created one level at a time (fs.mkdirSync's recursive mode spins forever on /proc).
import { chmodSync, closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';

export type OutputData = string | Uint8Array;

/** One file, e.g. `--report r.html` or `convert`'s output. */
export interface FileOutput {
  kind: 'file';
  path: string;
  /** the option that named it, for messages (`report`, `out`) */
  field: string;
  data: OutputData;
}

/** Files written into a folder (created when missing); other files in it are kept (`run --out DIR`). */
export interface FilesInto {
  kind: 'into';
  dir: string;
  field: string;
  files: Record<string, OutputData>;
}

/**
 * A folder replaced as a whole (a report's charts): written under a temporary name and renamed into
 * place. An existing folder is replaced only when every entry in it matches `replaceable`
 * (default: any regular file), so a folder of other things is never deleted.
 */
export interface FolderOutput {
  kind: 'folder';
  dir: string;
  field: string;
  files: Record<string, OutputData>;
  replaceable?: RegExp;
}

export type OutputTarget = FileOutput | FilesInto | FolderOutput;

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'already exists',
  EXDEV: 'on another file system',
  EBUSY: 'busy',
  ENXIO: 'no such device',
  EINVAL: 'invalid argument',
  EMFILE: 'too many open files',
};

/** `no space left on device (ENOSPC)` for a system error; its message otherwise. */
export function describeSystemError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return `${ERRNO[code] ?? 'system error'} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

function fail(path: string, field: string, message: string): never {
  throw new InputError('unwritable_output', message, { file: path, field });
}

function lstatOf(path: string, shown: string, field: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return fail(shown, field, `cannot use this path: ${describeSystemError(err)}`);
  }
}

/** Where a path ends up: a symbolic link is followed; a dangling one is an error. */
function followLink(abs: string, shown: string, field: string, what: 'file' | 'folder'): { real: string; stat: Stats } | undefined {
  const st = lstatOf(abs, shown, field);
  if (!st) return undefined;
  if (!st.isSymbolicLink()) return { real: abs, stat: st };
  try {
    const real = realpathSync(abs);
    return { real, stat: statSync(real) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail(shown, field, `is a symbolic link to a missing ${what}: give the target itself, or remove the link`);
    return fail(shown, field, `cannot follow the symbolic link: ${describeSystemError(err)}`);
  }
}

interface ResolvedDir {
  /** the folder's real path */
  real: string;
  /** folders to create, outermost first (real paths) */
  missing: string[];
  /** each real path above as the user's path spells it, for messages */
  shown: Map<string, string>;
}

/** A folder that is or will be: its existing part must be a folder, the rest is created. */
function resolveDir(dir: string, shown: string, field: string): ResolvedDir {
  const abs = resolve(dir);
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    const found = followLink(at, at === abs ? shown : at, field, 'folder');
    if (found) {
      if (!found.stat.isDirectory()) {
        const what = found.stat.isFile() ? 'a file' : 'a device or other special file';
        return fail(at === abs ? shown : at, field, at === abs ? `is ${what}, not a folder` : `is ${what}, so no folder can be made in it`);
      }
      const real = missing.reduceRight((p, name) => join(p, name), found.real);
      const paths = missingPaths(found.real, missing);
      const spelled = missingPaths(at === abs ? shown : at, missing);
      const names = new Map(paths.map((p, i) => [p, spelled[i]!]));
      names.set(real, shown);
      return { real, missing: paths, shown: names };
    }
    const parent = dirname(at);
    if (parent === at) return fail(shown, field, 'no part of this path exists');
    missing.push(basename(at));
    at = parent;
  }
}

function missingPaths(base: string, reversedNames: readonly string[]): string[] {
  const out: string[] = [];
  let p = base;
  for (let i = reversedNames.length - 1; i >= 0; i--) {
    p = join(p, reversedNames[i]!);
    out.push(p);
  }
  return out;
}

interface ResolvedFile {
  shown: string;
  field: string;
  real: string;
  exists: boolean;
  /** folders to create for it, outermost first */
  missing: string[];
  /** its folders' real paths as the user spells them */
  dirShown?: Map<string, string>;
}

/** A file target: an existing regular file (or a link to one), or a new name in a folder. */
function resolveFile(path: string, shown: string, field: string): ResolvedFile {
  if (path === '') return fail(path, field, 'an empty path is not a file name');
  const abs = resolve(path);
  const found = followLink(abs, shown, field, 'file');
  if (found) {
    if (found.stat.isDirectory()) {
      const example = field === 'report' || field === 'output' ? ` such as ${join(path, 'report.html')}` : '';
      return fail(shown, field, `is a folder, not a file: give a file name${example}`);
    }
    if (!found.stat.isFile()) return fail(shown, field, 'is a device or other special file, not a regular file: give a file name');
    return { shown, field, real: found.real, exists: true, missing: [], dirShown: new Map([[dirname(found.real), dirname(shown)]]) };
  }
  if (path.endsWith('/') || path.endsWith(sep)) return fail(shown, field, 'ends in a slash: give a file name, not a folder');
  const dir = resolveDir(dirname(abs), dirname(path), field);
  return { shown, field, real: join(dir.real, basename(abs)), exists: false, missing: dir.missing, dirShown: dir.shown };
}

interface ResolvedFolder {
  real: string;
  missing: string[];
  shown: string;
  field: string;
  exists: boolean;
}

interface Plan {
  files: (ResolvedFile & { data: OutputData })[];
  folders: (ResolvedFolder & { files: Record<string, OutputData> })[];
  /** every folder to create, outermost first */
  dirs: string[];
  /** every real folder that receives a file or a folder */
  writeDirs: string[];
  /** the option each of those folders serves, for messages */
  fields: Map<string, string>;
  /** folders by real path as the user spells them, for messages */
  names: Map<string, string>;
}

function checkName(name: string, dir: string, field: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes(sep)) fail(join(dir, name), field, `"${name}" is not a file name`);
}

function plan(targets: readonly OutputTarget[]): Plan {
  const files: Plan['files'] = [];
  const folders: Plan['folders'] = [];
  const dirs: string[] = [];
  const writeDirs: string[] = [];
  const need = (list: string[], field: string, ...items: string[]): void => {
    for (const d of items) {
      if (!list.includes(d)) list.push(d);
      if (!fields.has(d)) fields.set(d, field);
    }
  };
  const fields = new Map<string, string>();
  const names = new Map<string, string>();
  const spell = (m: Map<string, string> | undefined): void => {
    for (const [real, shown] of m ?? []) if (!names.has(real)) names.set(real, shown);
  };
  for (const t of targets) {
    if (t.kind === 'file') {
      const f = resolveFile(t.path, t.path, t.field);
      spell(f.dirShown);
      files.push({ ...f, data: t.data });
      need(dirs, t.field, ...f.missing);
      need(writeDirs, t.field, dirname(f.real));
    } else if (t.kind === 'into') {
      const dir = resolveDir(t.dir, t.dir, t.field);
      spell(dir.shown);
      need(dirs, t.field, ...dir.missing);
      need(writeDirs, t.field, dir.real);
      for (const [name, data] of Object.entries(t.files)) {
        checkName(name, t.dir, t.field);
        const shown = join(t.dir, name);
        // in a folder still to be made every file is new; in an existing one each is checked
        const f = dir.missing.length > 0 ? { shown, field: t.field, real: join(dir.real, name), exists: false, missing: [] } : resolveFile(join(dir.real, name), shown, t.field);
        files.push({ ...f, data });
        need(writeDirs, t.field, dirname(f.real));
      }
    } else {
      if (t.dir === '') fail(t.dir, t.field, 'an empty path is not a folder name');
      const abs = resolve(t.dir);
      const found = followLink(abs, t.dir, t.field, 'folder');
      let folder: ResolvedFolder;
      if (found) {
        if (!found.stat.isDirectory()) fail(t.dir, t.field, `is ${found.stat.isFile() ? 'a file' : 'a device or other special file'}, not a folder: remove it or choose another name`);
        const rule = t.replaceable ?? /(?:)/;
        for (const name of readdirSync(found.real)) {
          const st = lstatSync(join(found.real, name));
          if (!st.isFile() || !rule.test(name)) fail(t.dir, t.field, `holds "${name}", which carbon-sim did not write there: not replacing this folder (move it away or choose another name)`);
        }
        folder = { shown: t.dir, field: t.field, real: found.real, missing: [], exists: true };
        spell(new Map([[dirname(found.real), dirname(t.dir)]]));
      } else {
        const parent = resolveDir(dirname(abs), dirname(t.dir), t.field);
        spell(parent.shown);
        folder = { shown: t.dir, field: t.field, real: join(parent.real, basename(abs)), missing: parent.missing, exists: false };
      }
      for (const name of Object.keys(t.files)) checkName(name, t.dir, t.field);
      folders.push({ ...folder, files: t.files });
      need(dirs, t.field, ...folder.missing);
      need(writeDirs, t.field, dirname(folder.real));
    }
  }
  // no two outputs may land on the same file, nor a file inside a folder that is replaced
  const owner = new Map<string, string>();
  const claim = (real: string, shown: string, field: string): void => {
    const other = owner.get(real);
    if (other !== undefined) fail(shown, field, `is also written as ${other}: give the outputs different names`);
    owner.set(real, `${shown} (--${field})`);
  };
  for (const f of files) claim(f.real, f.shown, f.field);
  for (const d of folders) {
    claim(d.real, d.shown, d.field);
    for (const f of files) if (f.real.startsWith(d.real + sep)) fail(f.shown, f.field, `lies inside ${d.shown}, which --${d.field} replaces as a whole`);
  }
  dirs.sort((a, b) => a.split(sep).length - b.split(sep).length);
  return { files, folders, dirs, writeDirs, fields, names };
}

let counter = 0;

/** A fresh name beside `real` (same folder, so the rename is atomic); long names are cut. */
function sideName(real: string, tag: string): string {
  return join(dirname(real), `.${basename(real).slice(0, 80)}.carbon-sim-${process.pid}-${++counter}.${tag}`);
}

/** Create the file (it must not exist), write all of data, flush it to disk. */
function writeNew(path: string, data: OutputData): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const fd = openSync(path, 'wx', 0o666);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function quietly(f: () => void): void {
  try {
    f();
  } catch {
    // best effort: a clean-up step that fails must not hide the error being reported
  }
}

/**
 * Check output targets before any work is done (their data is ignored): every path must resolve
 * to what it should be, and every folder that would receive a file must take one (a probe file is
 * created and removed, with any folders made for it), so `/proc`, read-only and full folders fail here.
 */
export function checkOutputs(targets: readonly OutputTarget[]): void {
  const p = plan(targets);
  const created: string[] = [];
  try {
    for (const d of p.dirs) {
      try {
        mkdirSync(d);
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'this file system takes no new folders (ENOENT)' : describeSystemError(err);
        fail(nameOf(p, d), fieldOf(p, d), `cannot create this folder: ${why}`);
      }
      created.push(d);
    }
    for (const dir of p.writeDirs) {
      const probe = join(dir, `.carbon-sim-probe-${process.pid}-${++counter}`);
      try {
        writeNew(probe, '');
      } catch (err) {
        // creating a file in an existing folder fails with ENOENT on /proc and /sys: they take none
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'this file system takes no new files (ENOENT)' : describeSystemError(err);
        fail(nameOf(p, dir), fieldOf(p, dir), `cannot create files in this folder: ${why}`);
      }
      quietly(() => unlinkSync(probe));
    }
  } finally {
    for (const d of created.reverse()) quietly(() => rmdirSync(d));
  }
}

function fieldOf(p: Plan, dir: string): string {
  return p.fields.get(dir) ?? 'out';
}

function nameOf(p: Plan, dir: string): string {
  return p.names.get(dir) ?? dir;
}

/** Write every target, or none: see the module comment. A failure is one InputError naming the path. */
export function writeOutputs(targets: readonly OutputTarget[]): void {
  beginOutputs(targets).done();
}

/** Outputs written and in place, whose previous versions are kept until `done` so `rollback` can restore them. */
export interface WrittenOutputs {
  /** forget the previous versions */
  done(): void;
  /** put everything back as it was before (a later step of the command failed, e.g. stdout) */
  rollback(): void;
}

/** writeOutputs, undoable until `done()`: the command can still fail after its files (stdout is written last). */
export function beginOutputs(targets: readonly OutputTarget[]): WrittenOutputs {
  const p = plan(targets);
  const created: string[] = [];
  const temps: string[] = [];
  const undo: (() => void)[] = [];
  const afterwards: (() => void)[] = [];
  let where: { shown: string; field: string } = { shown: p.files[0]?.shown ?? p.folders[0]?.shown ?? '', field: p.files[0]?.field ?? p.folders[0]?.field ?? 'out' };
  try {
    for (const d of p.dirs) {
      where = { shown: nameOf(p, d), field: fieldOf(p, d) };
      mkdirSync(d);
      created.push(d);
    }
    const staged: string[] = [];
    for (const f of p.files) {
      where = f;
      const tmp = sideName(f.real, 'tmp');
      temps.push(tmp);
      writeNew(tmp, f.data);
      // a replaced file keeps its permissions
      if (f.exists) quietly(() => chmodSync(tmp, statSync(f.real).mode & 0o7777));
      staged.push(tmp);
    }
    const stagedDirs: string[] = [];
    for (const d of p.folders) {
      where = d;
      const tmp = sideName(d.real, 'tmp');
      mkdirSync(tmp);
      temps.push(tmp);
      for (const [name, data] of Object.entries(d.files)) writeNew(join(tmp, name), data);
      stagedDirs.push(tmp);
    }
    // commit: from here every step can be undone
    p.files.forEach((f, i) => {
      where = f;
      let backup: string | undefined;
      if (f.exists) {
        const b = sideName(f.real, 'old');
        try {
          linkSync(f.real, b);
          backup = b;
        } catch {
          // no hard links here: a later failure cannot restore this file, but it stays whole
        }
      }
      renameSync(staged[i]!, f.real);
      temps.splice(temps.indexOf(staged[i]!), 1);
      undo.push(() => (backup !== undefined ? renameSync(backup, f.real) : f.exists ? undefined : unlinkSync(f.real)));
      if (backup !== undefined) afterwards.push(() => unlinkSync(backup!));
    });
    p.folders.forEach((d, i) => {
      where = d;
      let old: string | undefined;
      if (d.exists) {
        old = sideName(d.real, 'old');
        renameSync(d.real, old);
        undo.push(() => renameSync(old!, d.real));
      }
      renameSync(stagedDirs[i]!, d.real);
      temps.splice(temps.indexOf(stagedDirs[i]!), 1);
      undo.push(() => rmSync(d.real, { recursive: true, force: true }));
      if (old !== undefined) afterwards.push(() => rmSync(old!, { recursive: true, force: true }));
    });
  } catch (err) {
    for (const u of undo.reverse()) quietly(u);
    for (const t of temps) quietly(() => rmSync(t, { recursive: true, force: true }));
    for (const d of created.reverse()) quietly(() => rmdirSync(d));
    if (err instanceof InputError) throw err;
    return fail(where.shown, where.field, `cannot write: ${describeSystemError(err)}; nothing was written`);
  }
  let settled = false;
  return {
    done: () => {
      if (settled) return;
      settled = true;
      for (const a of afterwards) quietly(a);
    },
    rollback: () => {
      if (settled) return;
      settled = true;
      for (const u of undo.reverse()) quietly(u);
      for (const d of created.reverse()) quietly(() => rmdirSync(d));
    },
  };
}

/** Write files into a folder (created when missing), all or none. */
export function writeFilesAtomically(dir: string, files: Record<string, OutputData>, field = 'out'): void {
  writeOutputs([{ kind: 'into', dir, field, files }]);
}

/** Write one file, atomically (see writeOutputs). */
export function writeFileAtomically(path: string, data: OutputData, field = 'out'): void {
  writeOutputs([{ kind: 'file', path, field, data }]);
}
