// Input files as text: gzip unpacked by its magic bytes; binary data and non-UTF-8 bytes are errors
// naming the line they first appear on. Shared by the carbon and workload readers.
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';

/** Decode a file's bytes to text; `expected` completes "binary data ...: expected <it>". */
export function decodeTextFile(bytes: Uint8Array, file: string, expected: string): string {
  let data = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      data = gunzipSync(bytes);
    } catch (err) {
      throw new InputError('bad_gzip', `gzip data is truncated or corrupt (${(err as Error).message})`, { file });
    }
  }
  const nul = data.indexOf(0);
  if (nul !== -1) {
    throw new InputError('binary_file', `binary data (a NUL byte at offset ${nul}): expected ${expected}`, { file, line: lineAt(data, nul) });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    const text = new TextDecoder('utf-8').decode(data);
    const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
    throw new InputError('not_utf8', 'not UTF-8 text (binary data, or another encoding: save the file as UTF-8)', { file, line });
  }
}

function lineAt(data: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = data.indexOf(10); i !== -1 && i < offset; i = data.indexOf(10, i + 1)) line++;
  return line;
}
