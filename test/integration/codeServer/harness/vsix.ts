import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { OUTPUT_DIR, REPO_ROOT } from './paths.js';

/** A VSIX built from the current `npm run build` output. */
export interface PackagedExtension {
  readonly vsixPath: string;
  /** `publisher.name`, as code-server lists it. */
  readonly id: string;
  readonly version: string;
  /** Entry names inside the VSIX, e.g. `extension/dist/extension.js`. */
  readonly entries: readonly string[];
  readonly sizeBytes: number;
}

/** The vsce `--target` for the machine running the tests (`linux-x64`, `darwin-arm64`, …). */
export function hostTarget(): string {
  return `${process.platform}-${process.arch}`;
}

/**
 * Packages `dist/` (from `npm run build`, which must have run) as a platform VSIX with the project's own
 * `.vscodeignore` and vsce's normal npm dependency walk.
 *
 * vsce always runs `vscode:prepublish` (typecheck + production build) and would ship onnxruntime-node's binaries
 * for every platform, so it runs on a staging copy instead: the checkout's files (`git ls-files`, which is what the
 * allow-list has to filter), `dist/`, a `package.json` without `vscode:prepublish`, and the production dependency
 * closure with only the target's native binaries. Nothing in the checkout is modified.
 */
export function packageExtension(target: string = hostTarget()): PackagedExtension {
  if (!existsSync(join(REPO_ROOT, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` before packaging');
  }
  const stage = join(OUTPUT_DIR, 'vsix-stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });

  for (const rel of checkoutFiles()) copyInto(stage, rel);
  cpSync(join(REPO_ROOT, 'dist'), join(stage, 'dist'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageManifest;
  const scripts = { ...manifest.scripts };
  delete scripts['vscode:prepublish'];
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ ...manifest, scripts }, null, 2));
  copyProductionDependencies(stage, target);

  const vsixPath = join(OUTPUT_DIR, `${manifest.name}-${manifest.version}-${target}.vsix`);
  rmSync(vsixPath, { force: true });
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json', { paths: [REPO_ROOT] })), 'vsce');
  const res = spawnSync(
    process.execPath,
    [vsce, 'package', '--target', target, '--out', vsixPath, '--allow-missing-repository', '--no-rewrite-relative-links'],
    { cwd: stage, encoding: 'utf8', input: '', timeout: 180_000 },
  );
  if (res.status !== 0 || !existsSync(vsixPath)) {
    throw new Error(`vsce package failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
  }
  const entries: string[] = [];
  // The filter sees every entry's name; returning false skips decompression.
  unzipSync(readFileSync(vsixPath), { filter: (f) => (entries.push(f.name), false) });
  return { vsixPath, id: `${manifest.publisher}.${manifest.name}`, version: manifest.version, entries, sizeBytes: statSync(vsixPath).size };
}

/**
 * {@link packageExtension}, reused while its inputs are unchanged: each suite file runs in its own process, and
 * packaging takes seconds. The fingerprint hashes the contents of what a VSIX is made of (dist/, media/,
 * package.json, package-lock.json, .vscodeignore, README.md, LICENSE), so an unchanged rebuild reuses it.
 * REWARD_LENS_REPACKAGE=1 forces a new one.
 */
export function packageExtensionCached(target: string = hostTarget()): PackagedExtension {
  const fingerprint = inputsFingerprint(target);
  const cachePath = join(OUTPUT_DIR, `vsix-${target}.json`);
  if (!process.env['REWARD_LENS_REPACKAGE'] && existsSync(cachePath)) {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as { fingerprint: string; extension: PackagedExtension };
    if (cached.fingerprint === fingerprint && existsSync(cached.extension.vsixPath)) return cached.extension;
  }
  const extension = packageExtension(target);
  writeFileSync(cachePath, JSON.stringify({ fingerprint, extension }));
  return extension;
}

function inputsFingerprint(target: string): string {
  const hash = createHash('sha256').update(target);
  const visit = (rel: string): void => {
    const abs = join(REPO_ROOT, rel);
    if (!existsSync(abs)) return;
    const st = statSync(abs);
    if (st.isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(join(rel, name));
    } else {
      hash.update(`${rel}\0${st.size}\n`).update(readFileSync(abs));
    }
  };
  for (const rel of ['dist', 'media', 'package.json', 'package-lock.json', '.vscodeignore', 'README.md', 'LICENSE']) visit(rel);
  return hash.digest('hex');
}

interface PackageManifest {
  readonly name: string;
  readonly publisher: string;
  readonly version: string;
  readonly scripts?: Readonly<Record<string, string>>;
}

/** Tracked and untracked-but-not-ignored files of the checkout, relative to the root. */
function checkoutFiles(): string[] {
  const res = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`git ls-files failed; packaging needs a git checkout:\n${res.stderr}`);
  return res.stdout.split('\0').filter((f) => f !== '' && existsSync(join(REPO_ROOT, f)));
}

function copyInto(stage: string, rel: string): void {
  mkdirSync(dirname(join(stage, rel)), { recursive: true });
  cpSync(join(REPO_ROOT, rel), join(stage, rel));
}

/**
 * Copies each package of `npm ls --omit=dev` into the stage at the same relative path (so vsce's own `npm list`
 * there succeeds), without nested node_modules (listed separately) and without other platforms' native binaries.
 */
function copyProductionDependencies(stage: string, target: string): void {
  const res = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`npm ls --omit=dev failed in the checkout (incomplete node_modules? run npm ci):\n${res.stderr}`);
  }
  const dirs = res.stdout.split(/\r?\n/).filter((d) => d.startsWith(REPO_ROOT + sep + 'node_modules' + sep));
  if (dirs.length === 0) throw new Error('npm ls --omit=dev listed no production dependencies');
  const [platform, arch] = target.split('-');
  for (const dir of dirs) {
    cpSync(dir, join(stage, relative(REPO_ROOT, dir)), {
      recursive: true,
      filter: (src) => {
        const inner = relative(dir, src).split(sep);
        if (inner[0] === 'node_modules') return false;
        // onnxruntime-node: bin/napi-v6/<platform>/<arch>/… (the layout it resolves at runtime).
        if (inner[0] === 'bin' && inner.length >= 3 && /^napi-v\d+$/.test(inner[1] ?? '')) {
          return inner[2] === platform && (inner.length < 4 || inner[3] === arch);
        }
        return true;
      },
    });
  }
}
