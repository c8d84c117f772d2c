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
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    clean: false,
  },
]);
