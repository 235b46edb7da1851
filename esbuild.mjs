// Builds the extension host bundle, the webview bundle, the CLI and the benchmark.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'onnxruntime-node'],
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};

const contexts = await Promise.all([
  esbuild.context({ ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }),
  esbuild.context({ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  esbuild.context({ ...node, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' }),
  // The model worker thread (src/model/loadScorer.ts starts dist/modelWorker.js next to the bundle).
  esbuild.context({ ...node, entryPoints: ['src/model/modelWorker.ts'], outfile: 'dist/modelWorker.js' }),
  // The generator worker thread of the local judges (src/model/localGenerator.ts starts dist/generatorWorker.js).
  esbuild.context({ ...node, entryPoints: ['src/model/generatorWorker.ts'], outfile: 'dist/generatorWorker.js' }),
  esbuild.context({
    entryPoints: ['webview/main.ts'],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outfile: 'dist/webview.js',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  }),
]);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
