// Stages the CLI as its own npm package, `reward-lens` (`npx reward-lens …`), in dist/cli-package/: the CLI and
// the bundles it loads from its own folder (CLI_BUNDLES; minified, no source maps), the Python exporter `reward-lens export` runs, a short
// README, the LICENSE and a package.json whose only dependency is onnxruntime-node (native, never bundled).
// Then `npm pack --dry-run --json` lists what would be published, and the list is checked.
// Usage: npm run package:cli   (node --import tsx scripts/packageCli.ts [--out DIR])
//
// The bundles come from esbuild.mjs's own production build (`--production --outdir`), so there is one build config.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');

/** The bundles the package ships: the CLI (the `bin`), the worker threads it starts and the `--html` page renderer it loads from its own folder. */
export const CLI_BUNDLES = ['cli.js', 'modelWorker.js', 'generatorWorker.js', 'indexWorker.js', 'htmlReport.js'] as const;

/** The staged package.json. */
export interface CliManifest {
  readonly name: 'reward-lens';
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly bin: { readonly 'reward-lens': 'cli.js' };
  readonly files: readonly string[];
  readonly engines: { readonly node: string };
  readonly dependencies: { readonly 'onnxruntime-node': string };
}

/** What `npm pack --dry-run --json` reports, reduced to what is checked and printed. */
export interface PackReport {
  readonly filename: string;
  /** Tarball bytes. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly string[];
}

interface RootPackage {
  readonly version: string;
  readonly license?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** The CLI package's manifest: version, license and the onnxruntime-node range taken from the root package.json. */
export function cliManifest(root: RootPackage): CliManifest {
  const ort = root.dependencies?.['onnxruntime-node'];
  if (ort === undefined) throw new Error('the root package.json has no onnxruntime-node dependency');
  return {
    name: 'reward-lens',
    version: root.version,
    description: 'Step-level reward scores for reasoning traces and preference datasets: ONNX process and outcome reward models, a built-in verifier and LLM judges, from the command line.',
    license: root.license ?? 'MIT',
    bin: { 'reward-lens': 'cli.js' },
    files: [...CLI_BUNDLES, 'python/reward_lens_export/', 'python/requirements.txt', 'README.md', 'LICENSE'],
    engines: { node: '>=20' },
    dependencies: { 'onnxruntime-node': ort },
  };
}

/** Folder names under python/reward_lens_export that are test tooling or caches, never shipped. */
const PYTHON_SKIPPED_DIRS = new Set(['testing', 'tests', '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache']);

/**
 * The exporter's files, relative to the repository root: python/reward_lens_export/** without its test tooling
 * (`testing/`) and caches, plus python/requirements.txt, which the CLI's install hint names.
 */
export function pythonFiles(root: string = REPO_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!PYTHON_SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.isFile() && !/\.py[co]$/u.test(entry.name)) {
        out.push(relative(root, path).split('\\').join('/'));
      }
    }
  };
  walk(join(root, 'python', 'reward_lens_export'));
  return [...out, 'python/requirements.txt'];
}

/** Writes the package into `outDir` (emptied first). Returns its manifest. */
export async function stageCliPackage(outDir: string, root: string = REPO_ROOT): Promise<CliManifest> {
  const manifest = cliManifest(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as RootPackage);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // The one build config: esbuild.mjs's production build (minified, no source maps) into a scratch folder, of which
  // CLI_BUNDLES are kept. src/model/workerThread.ts starts `<name>.js` next to cli.js; src/cli/htmlReport.ts loads htmlReport.js.
  const scratch = mkdtempSync(join(tmpdir(), 'reward-lens-cli-build-'));
  try {
    const built = spawnSync(process.execPath, ['esbuild.mjs', '--production', '--outdir', scratch], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`the production build failed:\n${built.stdout}${built.stderr}`);
    for (const name of CLI_BUNDLES) copyFileSync(join(scratch, name), join(outDir, name));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  chmodSync(join(outDir, 'cli.js'), 0o755);
  // `reward-lens export` finds python/reward_lens_export by walking up from cli.js (src/cli/exportCommand.ts).
  for (const file of pythonFiles(root)) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    copyFileSync(join(root, file), join(outDir, file));
  }
  copyFileSync(join(root, 'packaging', 'cli-README.md'), join(outDir, 'README.md'));
  copyFileSync(join(root, 'LICENSE'), join(outDir, 'LICENSE'));
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Runs `npm pack --dry-run --json` in the staged folder. */
export function packDryRun(dir: string): PackReport {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed (exit ${r.status}): ${r.stderr.trim()}`);
  const [report] = JSON.parse(r.stdout) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  if (report === undefined) throw new Error('npm pack --dry-run --json printed no report');
  return { filename: report.filename, size: report.size, unpackedSize: report.unpackedSize, files: report.files.map((f) => f.path).sort() };
}

/** Paths that must never be published: tests, fixtures, test tooling, caches, source maps, TypeScript, the benchmark. */
const FORBIDDEN = [/(^|\/)(tests?|fixtures|testing|__pycache__|src|bench|node_modules)\//u, /\.map$/u, /\.py[co]$/u, /\.ts$/u, /(^|\/)bench\.js$/u];

/** Problems with a packed file list; empty when it is exactly what `manifest` and `pythonFiles` call for. */
export function checkPackFiles(files: readonly string[], python: readonly string[]): string[] {
  const problems: string[] = [];
  const expected = new Set(['package.json', 'README.md', 'LICENSE', ...CLI_BUNDLES, ...python]);
  for (const f of files) {
    if (FORBIDDEN.some((re) => re.test(f))) problems.push(`${f} must not be published`);
    else if (!expected.has(f)) problems.push(`${f} is not on the allow-list`);
  }
  for (const f of expected) if (!files.includes(f)) problems.push(`${f} is missing`);
  return problems;
}

/** The staged CLI's `--version` line must name the package's version. */
export function checkVersion(dir: string, version: string): string | undefined {
  const r = spawnSync(process.execPath, [join(dir, 'cli.js'), '--version'], { encoding: 'utf8' });
  const line = r.stdout.trim();
  if (r.status !== 0) return `cli.js --version exited ${r.status}: ${r.stderr.trim()}`;
  return line === `reward-lens ${version}` ? undefined : `cli.js --version prints "${line}", not "reward-lens ${version}"`;
}

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function main(): Promise<void> {
  const outArg = process.argv.indexOf('--out');
  const outDir = resolve(outArg >= 0 ? (process.argv[outArg + 1] ?? '') : join(REPO_ROOT, 'dist', 'cli-package'));
  const manifest = await stageCliPackage(outDir);
  const report = packDryRun(outDir);
  const problems = checkPackFiles(report.files, pythonFiles());
  const version = checkVersion(outDir, manifest.version);
  if (version !== undefined) problems.push(version);
  process.stdout.write(`${relative(process.cwd(), outDir) || '.'}: ${manifest.name}@${manifest.version}, ${report.files.length} files\n`);
  process.stdout.write(`tarball ${report.filename}: ${formatKb(report.size)} (unpacked ${formatKb(report.unpackedSize)})\n`);
  if (problems.length > 0) {
    process.stderr.write(`${problems.map((p) => `problem: ${p}`).join('\n')}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`publish with: cd ${relative(process.cwd(), outDir) || '.'} && npm publish\n`);
}

if (require.main === module && /packageCli\.[cm]?[jt]s$/u.test(process.argv[1] ?? '')) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
