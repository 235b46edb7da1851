// @vscode/test-cli configuration: `npx vscode-test` (after `npm run build`) runs test/integration/electron/*.itest.ts
// inside a real VS Code desktop extension host, once on the oldest VS Code that engines.vscode allows and once on
// stable (`--label minimum|stable` picks one). It downloads VS Code, so it needs network access and, on Linux, a
// display (xvfb-run). This project's offline CI runs the code-server suites instead: npm run test:integration.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@vscode/test-cli';

const manifest = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const minimumVersion = manifest.engines.vscode.replace(/^[^0-9]*/, '');

// The extension writes sidecar files next to the traces it scores: open a throwaway copy of the workspace, whose
// settings switch on the decoration dump (an unregistered setting the configuration API cannot write).
const scratch = mkdtempSync(join(tmpdir(), 'reward-lens-vscode-test-'));
const workspaceFolder = join(scratch, 'workspace');
const decorationDump = join(scratch, 'decorations.json');
cpSync(new URL('./test/integration/workspace', import.meta.url), workspaceFolder, { recursive: true });
mkdirSync(join(workspaceFolder, '.vscode'));
writeFileSync(join(workspaceFolder, '.vscode', 'settings.json'), JSON.stringify({ 'rewardLens.test.dumpDecorationsTo': decorationDump }));

const common = {
  files: 'test/integration/electron/**/*.itest.ts',
  workspaceFolder,
  // The suites are TypeScript; tsx compiles them as the extension host loads them.
  mocha: { ui: 'bdd', timeout: 60_000, require: ['tsx/cjs'] },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  env: { REWARD_LENS_DECORATION_DUMP: decorationDump },
};

export default defineConfig([
  { label: 'minimum', version: minimumVersion, ...common },
  { label: 'stable', version: 'stable', ...common },
]);
