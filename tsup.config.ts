import { defineConfig } from 'tsup';

// One build of every entry point (`cnn-zoo`, `cnn-zoo/net`, `cnn-zoo/onnx`, `cnn-zoo/types`), two module formats: `import` gets
// ESM, `require` gets CJS, each with its own .d.ts.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', net: 'src/net/index.ts', onnx: 'src/onnx/index.ts', types: 'src/types.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    shims: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    shims: true,
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
