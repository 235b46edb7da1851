/**
 * `npm run demo`: opens a copy of examples/ in a real VS Code with Reward Lens loaded and the built-in verifier's
 * scores already shown. Desktop VS Code (`code --extensionDevelopmentPath`) when `code` is on the PATH, otherwise
 * code-server on 127.0.0.1 with the URL printed (installed offline on first use by scripts/installEditorTestDeps.sh).
 * `--cli` prints the scored table in the terminal instead; `--server` forces code-server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emptySidecar, ScoreStore, SIDECAR_SUFFIX } from '../src/core/editor/scoreStore.js';
import { parseDocument } from '../src/core/parseDocument.js';
import { DEFAULT_SCORING, scoreRecords } from '../src/core/scoring/scoreRecords.js';
import { createBuiltinVerifier } from '../src/core/verifier/builtinVerifier.js';
import { startCodeServer } from '../test/integration/codeServer/harness/codeServer.js';
import { findEditorTestTools } from '../test/integration/codeServer/harness/paths.js';
import { packageExtensionCached } from '../test/integration/codeServer/harness/vsix.js';

const ROOT = resolve(__dirname, '..');

/** Copies examples/ to a temp folder and writes each file's sidecar with the built-in verifier's scores. */
async function prepareWorkspace(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'reward-lens-demo-')), 'examples');
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  const scorer = createBuiltinVerifier();
  for (const name of readdirSync(dir).filter((n) => /\.(jsonl?|ndjson)$/.test(n))) {
    const path = join(dir, name);
    const doc = parseDocument(readFileSync(path, 'utf8'), name);
    const store = new ScoreStore(emptySidecar(), 'builtin');
    for (const s of await scoreRecords(doc.records, scorer, DEFAULT_SCORING)) store.put(s.record, s.results);
    writeFileSync(`${path}${SIDECAR_SUFFIX}`, JSON.stringify(store.data));
  }
  return dir;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--cli')) {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'score', join(ROOT, 'examples')], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const workspace = await prepareWorkspace();
  const first = join(workspace, 'processbench-style.json');
  if (!args.includes('--server') && onPath('code')) {
    spawn('code', ['--new-window', `--extensionDevelopmentPath=${ROOT}`, workspace, first], { detached: true, stdio: 'ignore' }).unref();
    console.log(`Opened ${workspace} in VS Code with Reward Lens loaded from ${ROOT}.`);
    return;
  }
  let tools;
  try {
    tools = findEditorTestTools();
  } catch {
    console.log('code-server is not installed yet: installing it offline (first time only, a few minutes)…');
    const r = spawnSync('bash', [join(ROOT, 'scripts/installEditorTestDeps.sh')], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error('Could not install code-server. Showing the scored examples in the terminal instead:\n');
      spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'score', join(ROOT, 'examples')], { stdio: 'inherit' });
      process.exit(1);
    }
    tools = findEditorTestTools();
  }
  const vsix = packageExtensionCached();
  const tempDir = mkdtempSync(join(tmpdir(), 'reward-lens-demo-server-'));
  const server = await startCodeServer({
    tools,
    tempDir,
    vsixPath: vsix.vsixPath,
    workspaceTemplate: workspace,
    settings: { 'editor.wordWrap': 'on' },
    logPath: join(tempDir, 'code-server.log'),
  });
  const url = `${server.url}/?folder=${encodeURIComponent(server.workspaceDir)}`;
  console.log(`\nReward Lens demo running in code-server: ${url}\nOpen a file in examples/ (scores are already computed); Ctrl-C stops the server.\n`);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise<never>(() => undefined);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
