// Input files as text: gzip unpacked by its magic bytes, with a size limit; binary data and
// non-UTF-8 bytes are errors naming the line they first appear on. Shared by the carbon and
// workload readers (and the forecast, cluster and power-log readers).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';

/**
 * The most bytes of text an input may hold, after gunzip: 256 MiB by default (about 2.5 million SWF
 * records; the bundled year of hourly carbon is 0.4 MB). The environment variable
 * CARBON_SIM_MAX_INPUT raises or lowers it (`1G`, `512M`, `64K` or bytes); JavaScript strings end near
 * 512 MiB, so larger text cannot be read in one piece anyway.
 */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;
export const MAX_INPUT_ENV = 'CARBON_SIM_MAX_INPUT';

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** The input size limit in force: CARBON_SIM_MAX_INPUT, else DEFAULT_MAX_INPUT_BYTES. */
export function maxInputBytes(): number {
  const raw = process.env[MAX_INPUT_ENV];
  if (raw === undefined || raw === '') return DEFAULT_MAX_INPUT_BYTES;
  const m = /^(\d+)([KMG]?)(?:i?B)?$/i.exec(raw.trim());
  const bytes = m ? Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]! : NaN;
  if (!(bytes >= 1 && Number.isSafeInteger(bytes))) {
    throw new InputError('bad_option', `"${clip(raw)}" is not a size (bytes, or a whole number with K, M or G)`, { field: MAX_INPUT_ENV });
  }
  return bytes;
}

/** `256 MiB`, `64 KiB`, `1000 bytes`: a size for messages. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

function tooLarge(file: string, what: string, limit: number): InputError {
  return new InputError('input_too_large', `${what} more than the input limit of ${formatBytes(limit)} (raise it with ${MAX_INPUT_ENV}=1G, say)`, { file });
}

/**
 * A value as messages show it: at most `max` characters (a longer one is cut and ends in `...`),
 * control characters escaped, so that one bad cell never floods the terminal or breaks the line.
 */
export function clip(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max - 3)}...` : value;
  return shown.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** `"value"`, clipped as by `clip`; a cut value is followed by its length: `"abc..." (5000 characters)`. */
export function quote(value: string, max = 80): string {
  return value.length > max ? `"${clip(value, max)}" (${value.length} characters)` : `"${clip(value, max)}"`;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain decimal number (`12`, `-0.5`, `.5`, `1e3`): Number() would also take `0x64`, `0b11`, `0o7`, `Infinity` and blanks. */
export function isDecimal(text: string): boolean {
  return DECIMAL.test(text);
}

const READ_CHUNK = 1024 * 1024;

/**
 * A file's bytes, read in chunks up to the input limit: a pipe or a device is read like a file, a
 * plain file or stream larger than the limit is an error, and a plain (not gzip) input stops at its
 * first NUL byte, which `decodeTextFile` then reports as binary (so `/dev/zero` costs one chunk).
 */
export function readInputFile(path: string, where: { file: string; field: string }): Uint8Array {
  const limit = maxInputBytes();
  const fail = (err: unknown): never => {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot read file (${code ?? (err as Error).message})`;
    throw new InputError('unreadable_file', message, where);
  };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return fail(err);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return fail({ code: 'EISDIR' });
    if (stat.isFile() && stat.size > limit) throw tooLarge(where.file, `the file is ${stat.size} bytes,`, limit);
    if (stat.isFile() && stat.size > 0) return readFileSync(fd);
    // a pipe, a device or a file that does not know its size: chunks, up to the limit
    const chunks: Buffer[] = [];
    let total = 0;
    let plain: boolean | undefined;
    for (;;) {
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > limit) throw tooLarge(where.file, 'the input holds', limit);
      chunks.push(chunk.subarray(0, n));
      if (plain === undefined && total >= 2) {
        const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        plain = !(head[0] === 0x1f && head[1] === 0x8b);
      }
      if (plain === true && chunks[chunks.length - 1]!.indexOf(0) !== -1) break; // binary: nothing after it is needed
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof InputError) throw err;
    return fail(err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Decode a file's bytes to text; `expected` completes "binary data ...: expected <it>". Gzip data
 * (magic bytes 1f 8b) is inflated by zlib in 16 KiB steps, stopped as soon as the output passes the
 * input limit, so a small gzip bomb costs at most the limit in memory.
 */
export function decodeTextFile(bytes: Uint8Array, file: string, expected: string): string {
  const limit = maxInputBytes();
  let data = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // Peek first: the start of the stream, inflated alone, shows binary data (a bomb of zeros) for
    // the cost of a megabyte, before the whole is inflated up to the limit.
    const head = peekGunzip(bytes);
    data = head !== undefined && head.indexOf(0) !== -1 ? head : gunzipWithin(bytes, limit, file);
  } else if (bytes.length > limit) {
    throw tooLarge(file, `the input is ${bytes.length} bytes,`, limit);
  }
  const nul = data.indexOf(0);
  if (nul !== -1) {
    throw new InputError('binary_file', `binary data (a NUL byte at offset ${nul}): expected ${expected}`, { file, line: lineAt(data, nul) });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new InputError('input_too_large', `the text (${data.length} bytes) is longer than a JavaScript string can hold: lower ${MAX_INPUT_ENV}`, { file });
    }
    const text = new TextDecoder('utf-8').decode(data);
    const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
    throw new InputError('not_utf8', 'not UTF-8 text (binary data, or another encoding: save the file as UTF-8)', { file, line });
  }
}

/** Gzip data inflated by zlib in 16 KiB steps, stopped as soon as the output passes `limit`. */
function gunzipWithin(bytes: Uint8Array, limit: number, file: string): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(file, 'the gzip data unpacks to', limit);
    throw new InputError('bad_gzip', `gzip data is truncated or corrupt (${(err as Error).message})`, { file });
  }
}

/** The text the first KiB of a gzip stream inflates to (at most 2 MiB), or undefined when it cannot be had. */
function peekGunzip(bytes: Uint8Array): Buffer | undefined {
  try {
    return gunzipSync(bytes.subarray(0, 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 2 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

function lineAt(data: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = data.indexOf(10); i !== -1 && i < offset; i = data.indexOf(10, i + 1)) line++;
  return line;
}
