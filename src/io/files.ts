import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Write all files into a temporary folder inside dir, then move them into place. */
export function writeFilesAtomically(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.carbon-sim-tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
    for (const name of Object.keys(files)) renameSync(join(tmp, name), join(dir, name));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
