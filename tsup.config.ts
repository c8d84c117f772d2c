import { defineConfig } from 'tsup';

// The library ships ESM + CJS with types; the CLI is ESM only (top-level await).
// clean is off: `npm run build` cleans; the test setup rebuilds in place while other runs read dist.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    shims: true,
    clean: false,
  },
  {
    // the sweep's piscina worker is loaded by file name, next to cli.js and index.js
    entry: { cli: 'src/cli/main.ts', 'sweep-worker': 'src/sweep/worker.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    clean: false,
  },
]);
