// `reward-lens export HF_DIR OUT --preset NAME [--dtype fp32|fp16] [--int4] [--json] [--force]`: runs the
// Python exporter (python/reward_lens_export) with an interpreter that has torch, or says how to get one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CliIo, Flags } from './commands.js';
import { UsageError } from './commands.js';

/** What the exporter imports; checked before it runs so a missing package is one clear message. */
const PYTHON_MODULES = ['torch', 'transformers', 'onnx', 'onnxscript', 'onnxruntime', 'safetensors'];

/** The folder holding the `reward_lens_export` package: `python/` at the package root, found from this file. */
export function exporterRoot(from: string = __dirname): string | undefined {
  let dir = resolve(from);
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'python', 'reward_lens_export', '__main__.py'))) return join(dir, 'python');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The venv that `scripts/installPythonDeps.sh` creates (and the README suggests). */
export function defaultVenvPython(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env['REWARD_LENS_CACHE'] ?? join(homedir(), '.cache', 'reward-lens');
  return process.platform === 'win32' ? join(cache, 'pyenv', 'Scripts', 'python.exe') : join(cache, 'pyenv', 'bin', 'python');
}

/** Interpreters to try, in order: `--python`, `$REWARD_LENS_PYTHON`, the Reward Lens venv, then the PATH's. */
function candidates(flags: Flags, env: NodeJS.ProcessEnv): string[] {
  const explicit = typeof flags['python'] === 'string' ? flags['python'] : env['REWARD_LENS_PYTHON'];
  if (explicit !== undefined && explicit.length > 0) return [explicit];
  const venv = defaultVenvPython(env);
  return [...(existsSync(venv) ? [venv] : []), 'python3', 'python'];
}

/** Why an interpreter cannot run the exporter, or undefined when it can. */
function missingModules(python: string): string | undefined {
  const probe = `import importlib.util, sys\nmissing = [m for m in ${JSON.stringify(PYTHON_MODULES)} if importlib.util.find_spec(m) is None]\nprint(",".join(missing))\nsys.exit(1 if missing else 0)`;
  const r = spawnSync(python, ['-c', probe], { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) return `${python} cannot be run (${r.error.message})`;
  if (r.status === 0) return undefined;
  const missing = r.stdout.trim();
  return missing.length > 0 ? `${python} lacks ${missing.split(',').join(', ')}` : `${python} failed: ${r.stderr.trim()}`;
}

function installHint(root: string): string {
  const venv = dirname(dirname(defaultVenvPython()));
  return [
    'reward-lens export runs Python with torch, transformers, onnx, onnxscript, onnxruntime and safetensors. Install them once with:',
    `  python3 -m venv ${venv}`,
    `  ${defaultVenvPython()} -m pip install -r ${join(root, 'requirements.txt')}`,
    '(add --index-url URL for a private or offline package index), or point --python / REWARD_LENS_PYTHON at an interpreter that has them.',
  ].join('\n');
}

const PASSED_FLAGS = ['preset', 'dtype'] as const;
const PASSED_SWITCHES = ['int4', 'json', 'force'] as const;

/** Runs the exporter; resolves to its exit code (0 ok, 1 the check against PyTorch failed, 2 bad input). */
export async function exportCommand(args: readonly string[], flags: Flags, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [hfDir, out, ...rest] = args;
  if (hfDir === undefined || out === undefined || rest.length > 0) {
    throw new UsageError('usage: reward-lens export HF_DIR OUT --preset NAME [--dtype fp32|fp16] [--int4] [--json] [--force] [--python PATH]');
  }
  const root = exporterRoot();
  if (root === undefined) throw new UsageError('the Python exporter (python/reward_lens_export) is missing from this installation; reinstall reward-lens.');
  const tried: string[] = [];
  let python: string | undefined;
  for (const c of candidates(flags, env)) {
    const why = missingModules(c);
    if (why === undefined) {
      python = c;
      break;
    }
    tried.push(why);
  }
  if (python === undefined) throw new UsageError(`no usable Python: ${tried.join('; ')}.\n${installHint(root)}`);
  const argv = ['-m', 'reward_lens_export', hfDir, out];
  for (const f of PASSED_FLAGS) if (typeof flags[f] === 'string') argv.push(`--${f}`, flags[f]);
  for (const f of PASSED_SWITCHES) if (flags[f] === true) argv.push(`--${f}`);
  const pythonPath = [root, env['PYTHONPATH']].filter((p) => p !== undefined && p.length > 0).join(process.platform === 'win32' ? ';' : ':');
  return new Promise<number>((done, fail) => {
    const child = spawn(python, argv, { env: { ...env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (s: string) => io.out(s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => io.err(s));
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 2));
  });
}
