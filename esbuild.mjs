// Builds the extension host bundle, the webview bundles, the CLI (and its workers and HTML report renderer) and the benchmark.
//   node esbuild.mjs [--production] [--watch] [--outdir DIR]
// --production minifies and writes no source maps; --outdir writes the bundles to DIR instead of dist/
// (scripts/packageExtension.ts builds each VSIX's bundles into its staging folder this way).
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = outdirFlag === -1 ? 'dist' : process.argv[outdirFlag + 1];
if (outdir === undefined || outdir.startsWith('--')) throw new Error('--outdir needs a folder');

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
  // `reward-lens --version` prints the version of the package it was built from.
  define: { REWARD_LENS_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
};

const browser = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const contexts = await Promise.all([
  esbuild.context({ ...node, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js` }),
  esbuild.context({ ...node, entryPoints: ['src/cli/main.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node' } }),
  esbuild.context({ ...node, entryPoints: ['bench/bench.ts'], outfile: `${outdir}/bench.js` }),
  // The model worker thread (src/model/loadScorer.ts starts dist/modelWorker.js next to the bundle).
  esbuild.context({ ...node, entryPoints: ['src/model/modelWorker.ts'], outfile: `${outdir}/modelWorker.js` }),
  // The generator worker thread of the local judges (src/model/localGenerator.ts starts dist/generatorWorker.js).
  esbuild.context({ ...node, entryPoints: ['src/model/generatorWorker.ts'], outfile: `${outdir}/generatorWorker.js` }),
  // The dataset offset-index worker (src/data/textSource.ts starts dist/indexWorker.js).
  esbuild.context({ ...node, entryPoints: ['src/data/indexWorker.ts'], outfile: `${outdir}/indexWorker.js` }),
  // The standalone dashboard page of `eval --html` / `compare --html` (src/cli/htmlReport.ts requires dist/htmlReport.js
  // beside cli.js): linkedom + Observable Plot, with media/dashboard.css inlined as text.
  esbuild.context({ ...node, entryPoints: ['webview/dashboard/standalonePage.ts'], outfile: `${outdir}/htmlReport.js`, loader: { '.css': 'text' } }),
  esbuild.context({ ...browser, entryPoints: ['webview/main.ts'], outfile: `${outdir}/webview.js` }),
  // The Dataset Explorer's table: its own page and bundle (src/vscode/datasetExplorer.ts).
  esbuild.context({ ...browser, entryPoints: ['webview/explorer/main.ts'], outfile: `${outdir}/explorer.js` }),
  // The Evaluate Dataset dashboard: its own page and bundle (src/vscode/dashboardPanel.ts).
  esbuild.context({ ...browser, entryPoints: ['webview/dashboard/main.ts'], outfile: `${outdir}/dashboard.js` }),
]);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
