import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OUTPUT_DIR, REPO_ROOT } from './paths.js';

// The extension-host suites in test/integration/electron are written for @vscode/test-cli, which needs a desktop
// VS Code download. code-server's extension host is the same program, but code-server cannot be told to run an
// extensionTestsPath. So a tiny driver extension is installed next to Reward Lens: on startup it runs
// @vscode/test-cli's own mocha runner over the suites inside that extension host, and writes mocha's JSON report.

/** What the driver reads from $REWARD_LENS_HOST_TESTS (code-server passes its environment to the extension host). */
export interface HostTestSpec {
  readonly runner: string;
  readonly tsx: string;
  readonly files: readonly string[];
  readonly report: string;
  /** Written last: "passed", or "failed: <reason>". */
  readonly done: string;
}

/** Mocha's JSON report, the parts read here. */
export interface HostTestReport {
  readonly stats: { readonly tests: number; readonly passes: number; readonly failures: number };
  readonly tests: readonly { readonly fullTitle: string; readonly duration?: number; readonly err: { readonly message?: string; readonly stack?: string } }[];
}

const DRIVER_MAIN = String.raw`'use strict';
const { writeFileSync } = require('node:fs');
exports.activate = () => {
  const raw = process.env.REWARD_LENS_HOST_TESTS;
  if (!raw) return;
  const spec = JSON.parse(raw);
  const finish = (status) => writeFileSync(spec.done, status);
  // The option shape @vscode/test-cli's runner reads (see its runner.cjs).
  process.env.VSCODE_TEST_OPTIONS = JSON.stringify({
    mochaOpts: { ui: 'bdd', timeout: 60000, require: [spec.tsx], reporter: 'json', reporterOption: { output: spec.report } },
    colorDefault: false,
    preload: [],
    files: spec.files,
  });
  setTimeout(() => {
    try {
      require(spec.runner).run().then(() => finish('passed'), (e) => finish('failed: ' + String(e)));
    } catch (e) {
      finish('failed: ' + (e && e.stack ? e.stack : String(e)));
    }
  }, 0);
};
exports.deactivate = () => {};
`;

/** Packages the driver extension (once per process) and returns its VSIX path. */
export function packageHostTestDriver(): string {
  const dir = join(OUTPUT_DIR, 'host-test-driver');
  const vsix = join(OUTPUT_DIR, 'host-test-driver.vsix');
  if (existsSync(vsix) && readFileSync(join(dir, 'extension.js'), 'utf8') === DRIVER_MAIN) return vsix;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'extension.js'), DRIVER_MAIN);
  writeFileSync(join(dir, 'README.md'), 'Runs the Reward Lens extension-host suites inside code-server (tests only).\n');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'host-test-driver',
      displayName: 'Reward Lens host-test driver',
      publisher: 'reward-lens-test',
      version: '0.0.1',
      license: 'MIT',
      engines: { vscode: '^1.95.0' },
      main: './extension.js',
      activationEvents: ['onStartupFinished'],
    }),
  );
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json', { paths: [REPO_ROOT] })), 'vsce');
  const res = spawnSync(
    process.execPath,
    [vsce, 'package', '--out', vsix, '--no-dependencies', '--allow-missing-repository', '--skip-license'],
    { cwd: dir, encoding: 'utf8', input: '', timeout: 60_000 },
  );
  if (res.status !== 0) throw new Error(`packaging the host-test driver failed:\n${res.stdout}\n${res.stderr}`);
  return vsix;
}

/** The driver's instructions for running `files` (absolute paths), reporting under `tempDir`. */
export function hostTestSpec(files: readonly string[], tempDir: string): HostTestSpec {
  return {
    runner: join(dirname(require.resolve('@vscode/test-cli', { paths: [REPO_ROOT] })), 'runner.cjs'),
    tsx: require.resolve('tsx/cjs', { paths: [REPO_ROOT] }),
    files,
    report: join(tempDir, 'host-tests.json'),
    done: join(tempDir, 'host-tests.done'),
  };
}
