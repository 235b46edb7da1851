import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '../../../..');
/** Screenshots, logs and the test VSIX go here (gitignored). */
export const OUTPUT_DIR = join(REPO_ROOT, '.test-output', 'integration');
/** The workspace folder every session opens a fresh copy of. */
export const WORKSPACE_TEMPLATE = resolve(__dirname, '../../workspace');

/** Pinned toolchain versions, shared with scripts/installEditorTestDeps.sh. */
interface EditorTestPins {
  readonly codeServer: string;
  readonly node24: string;
}

/** Where the tools installed by scripts/installEditorTestDeps.sh live. */
export interface EditorTestTools {
  /** The Node 24 binary code-server must run on (its native modules are built for it). */
  readonly node24: string;
  /** code-server's entry script, run as `node24 entry.js …`. */
  readonly codeServerEntry: string;
  readonly codeServerVersion: string;
  /** Debian's chromium; playwright-core drives it and never downloads a browser. */
  readonly chromium: string;
}

function readPins(): EditorTestPins {
  const raw: unknown = JSON.parse(readFileSync(resolve(__dirname, '../../editorTestDeps.json'), 'utf8'));
  const pins = raw as Partial<EditorTestPins>;
  if (typeof pins.codeServer !== 'string' || typeof pins.node24 !== 'string') {
    throw new Error('test/integration/editorTestDeps.json needs string fields "codeServer" and "node24"');
  }
  return { codeServer: pins.codeServer, node24: pins.node24 };
}

/**
 * Finds the editor-test toolchain. Each path can be overridden (REWARD_LENS_NODE24, REWARD_LENS_CODE_SERVER,
 * REWARD_LENS_CHROMIUM); otherwise it is looked up under $REWARD_LENS_CACHE (default ~/.cache/reward-lens), where
 * the install script puts it. Throws one message naming every missing piece and the command that installs them.
 */
export function findEditorTestTools(): EditorTestTools {
  const pins = readPins();
  const env = process.env;
  const cache = env['REWARD_LENS_CACHE'] ?? join(homedir(), '.cache', 'reward-lens');
  const tools: EditorTestTools = {
    node24: env['REWARD_LENS_NODE24'] ?? join(cache, `node-${pins.node24}`, 'node_modules', 'node', 'bin', 'node'),
    codeServerEntry:
      env['REWARD_LENS_CODE_SERVER'] ??
      join(cache, `code-server-${pins.codeServer}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    codeServerVersion: pins.codeServer,
    chromium: env['REWARD_LENS_CHROMIUM'] ?? '/usr/bin/chromium',
  };
  const missing = (['node24', 'codeServerEntry', 'chromium'] as const).filter((k) => !existsSync(tools[k]));
  if (missing.length > 0) {
    throw new Error(
      `Editor test tools missing: ${missing.map((k) => `${k} (${tools[k]})`).join(', ')}. ` +
        'Install them with scripts/installEditorTestDeps.sh.',
    );
  }
  return tools;
}
