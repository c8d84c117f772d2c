import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: false, // `npm run build` cleans; test setup rebuilds in place while other runs read dist
  shims: true,
});
