import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { EditorTestTools } from './paths.js';

/** User settings every session starts from; a session's own settings are merged over them. */
export const BASE_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 100,
  'window.commandCenter': false,
  'workbench.editor.enablePreview': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // Whole JSONL records (and the decorations at their ends) stay in view and in the DOM.
  'editor.wordWrap': 'on',
};

/** A running code-server with its own user data, extensions and workspace copy under one temp folder. */
export interface CodeServer {
  readonly url: string;
  /** The workspace copy the window opens; tests may add or edit files in it. */
  readonly workspaceDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** code-server's stdout and stderr. */
  readonly logPath: string;
  /** `publisher.name@version` of every installed extension. */
  listExtensions(): Promise<string[]>;
  /** Kills code-server and every process it started; safe to call twice. */
  stop(): Promise<void>;
}

/** What a session needs to start code-server. */
export interface CodeServerOptions {
  readonly tools: EditorTestTools;
  /** Folder for everything this server writes (user data, extensions, workspace copy). */
  readonly tempDir: string;
  readonly vsixPath: string;
  /** More VSIXs to install (test helpers). */
  readonly extraVsixPaths?: readonly string[];
  /** Extra environment for code-server, which passes it on to the extension host. */
  readonly env?: Readonly<Record<string, string>>;
  /** Folder copied to `<tempDir>/workspace` and opened. */
  readonly workspaceTemplate: string;
  /** Merged over {@link BASE_USER_SETTINGS}. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Where code-server's log goes. */
  readonly logPath: string;
  /** Keep workspace trust on (the window then asks whether to trust the folder). Default off. */
  readonly workspaceTrust?: boolean;
}

const STARTUP_TIMEOUT_MS = 60_000;

/**
 * Installs the VSIX into a fresh extensions folder (code-server ignores folders dropped there by hand), writes user
 * settings, starts code-server on 127.0.0.1 at a free port without auth, and resolves once `/healthz` answers.
 */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = join(opts.tempDir, 'user-data');
  const extensionsDir = join(opts.tempDir, 'extensions');
  const workspaceDir = join(opts.tempDir, 'workspace');
  const configPath = join(opts.tempDir, 'config.yaml');
  for (const dir of [userDataDir, extensionsDir, join(userDataDir, 'User')]) mkdirSync(dir, { recursive: true });
  cpSync(opts.workspaceTemplate, workspaceDir, { recursive: true });
  // Every flag is on the command line; an empty config keeps code-server from writing one under $HOME.
  writeFileSync(configPath, '');
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...BASE_USER_SETTINGS, ...(opts.workspaceTrust === true ? { 'security.workspace.trust.enabled': true } : {}), ...opts.settings }, null, 2),
  );
  // code-server still reads and writes $XDG_CONFIG_HOME/$XDG_DATA_HOME/$XDG_CACHE_HOME for a few things (its
  // default config, a device id); keep those here too.
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(opts.tempDir, 'xdg-config'),
    XDG_DATA_HOME: join(opts.tempDir, 'xdg-data'),
    XDG_CACHE_HOME: join(opts.tempDir, 'xdg-cache'),
    // Never reuse a parent VS Code's IPC hooks when the tests run from a VS Code terminal.
    VSCODE_IPC_HOOK_CLI: '',
    ...opts.env,
  };
  const common = ['--config', configPath, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const cli = (args: readonly string[]): Promise<string> => runCli(opts.tools, [...common, ...args], env);

  for (const vsix of [opts.vsixPath, ...(opts.extraVsixPaths ?? [])]) await cli(['--install-extension', vsix, '--force']);

  const port = await freePort();
  const log = openSync(opts.logPath, 'w');
  const child = spawn(
    opts.tools.node24,
    [
      opts.tools.codeServerEntry,
      ...common,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(opts.workspaceTrust === true ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspaceDir,
    ],
    // A process group of its own, so stop() can kill the extension host and watchers with it.
    { env, detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  trackForEmergencyKill(child, opts.tempDir);
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await killGroup(child);
  };
  try {
    await waitForHealthz(url, child, opts.logPath);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    workspaceDir,
    userDataDir,
    extensionsDir,
    logPath: opts.logPath,
    listExtensions: async () =>
      (await cli(['--list-extensions', '--show-versions'])).split('\n').map((l) => l.trim()).filter((l) => /^[\w-]+\.[\w-]+@/.test(l)),
    stop,
  };
}

function runCli(tools: EditorTestTools, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tools.node24, [tools.codeServerEntry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`code-server ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHealthz(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before serving:\n${tail(logPath)}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${STARTUP_TIMEOUT_MS / 1000}s:\n${tail(logPath)}`);
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '(no log)';
  }
}

/** SIGTERM to the whole group, SIGKILL after a grace period. */
async function killGroup(child: ChildProcess): Promise<void> {
  untrack(child);
  if (child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  signalGroup(pid, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5_000))]);
  // The group can outlive its leader (extension host, file watcher): always finish it off.
  signalGroup(pid, 'SIGKILL');
  if (timedOut) await exited;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Process groups still running when the test process exits for any reason (a crash, an uncaught error, Ctrl-C)
 * are killed synchronously and their temp folders removed, so no code-server outlives its tests.
 */
const live = new Map<number, string>();
let hooksInstalled = false;

function emergencyCleanup(): void {
  for (const [pid, tempDir] of live) {
    signalGroup(pid, 'SIGKILL');
    if (!process.env['REWARD_LENS_KEEP_TEMP']) rmSync(tempDir, { recursive: true, force: true });
  }
  live.clear();
}

function trackForEmergencyKill(child: ChildProcess, tempDir: string): void {
  if (child.pid === undefined) return;
  live.set(child.pid, tempDir);
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      emergencyCleanup();
      process.exit(130);
    });
  }
}

function untrack(child: ChildProcess): void {
  if (child.pid !== undefined) live.delete(child.pid);
}
