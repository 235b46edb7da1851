// Shared by the parity suite and the benchmark: a fingerprint of the Python exporter's sources (so checkpoints and
// exports built from them are reused until the exporter changes) and a runner for its commands.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '..');

/** 16 hex digits over every file under python/ (caches excluded). */
export function exporterHash(root: string = REPO_ROOT): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === '__pycache__' || e.name === '.pytest_cache') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(relative(root, p)).update('\u0000').update(readFileSync(p));
    }
  };
  walk(join(root, 'python'));
  return h.digest('hex').slice(0, 16);
}

/** Runs `python args` with python/ on PYTHONPATH; returns stdout, throws with the end of stderr on failure. */
export function runPython(python: string, args: readonly string[], what: string, root: string = REPO_ROOT): string {
  const r = spawnSync(python, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, PYTHONPATH: join(root, 'python'), REWARD_LENS_PYTHON: python } });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${String(r.status)}):\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}
