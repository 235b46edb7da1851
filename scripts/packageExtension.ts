/**
 * `npm run package`: one lean VSIX per platform in dist/vsix/, the file a user installs.
 *
 *   node --import tsx scripts/packageExtension.ts [--target T] [--base-url URL]
 *
 * Without --target it packages every target of {@link VSIX_TARGETS} whose onnxruntime-node binding is installed and
 * says which it skips; with --target it packages that one or fails. --base-url URL is where README's relative links
 * and images resolve on the Marketplace (vsce --baseContentUrl/--baseImagesUrl); without it they are left as they are.
 * It prints a table of sizes and exits 1 when a VSIX is over {@link VSIX_BUDGET_BYTES}.
 *
 * Each VSIX is packaged by vsce from a staging folder that holds exactly what ships: package.json without scripts or
 * devDependencies, README.md, LICENSE, CHANGELOG.md, media/, a production build (minified, no source maps) of the
 * four bundles the extension loads, and the production dependencies with only the target's native binaries.
 * `.vscodeignore` is applied there too, as a second fence. The code-server suites install a VSIX made by
 * {@link packageExtensionCached}, so they test the file a user gets.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';

export const REPO_ROOT = resolve(__dirname, '..');
/** Where `npm run package` writes the VSIXs. */
export const VSIX_OUT_DIR = join(REPO_ROOT, 'dist', 'vsix');
/** Where the tests (unit and code-server) keep the VSIX they share, cached by inputs. */
export const TEST_VSIX_DIR = join(REPO_ROOT, '.test-output', 'vsix');

/** The platforms VS Code runs on that onnxruntime-node has (or had) a binding for, as vsce names them. */
export const VSIX_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64', 'win32-arm64'] as const;
export type VsixTarget = (typeof VSIX_TARGETS)[number];

/** Each VSIX must stay at or under this size: 30 MB. */
export const VSIX_BUDGET_BYTES = 30_000_000;

/** The bundles the extension loads (`main`, the webview script and the two worker threads); not cli.js or bench.js. */
export const EXTENSION_BUNDLES = ['extension.js', 'webview.js', 'explorer.js', 'dashboard.js', 'modelWorker.js', 'generatorWorker.js', 'indexWorker.js'] as const;

/**
 * The packages the bundles load at run time (esbuild leaves onnxruntime-node external, and it requires
 * onnxruntime-common). onnxruntime-node's other dependencies (adm-zip, global-agent and theirs) serve only its
 * install script; they are staged so that vsce's `npm list` is complete, and `.vscodeignore` leaves them out.
 */
export const RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-common'] as const;

/** A packaged VSIX. */
export interface PackagedExtension {
  readonly vsixPath: string;
  readonly target: VsixTarget;
  /** `publisher.name`, as VS Code lists it. */
  readonly id: string;
  readonly version: string;
  /** Entry names inside the VSIX, e.g. `extension/dist/extension.js`. */
  readonly entries: readonly string[];
  readonly sizeBytes: number;
}

export interface PackageOptions {
  readonly target: VsixTarget;
  /** The VSIX is written here as `<name>-<version>-<target>.vsix`. */
  readonly outDir: string;
  /** README links and images are rewritten against this URL; without it they are left relative. */
  readonly baseUrl?: string;
  /** A folder with the production bundles already built (one build serves every target); built when absent. */
  readonly bundlesDir?: string;
  /** Passed to `vsce package`; defaults to 3 minutes. */
  readonly timeoutMs?: number;
}

interface Manifest {
  readonly name: string;
  readonly publisher: string;
  readonly version: string;
  readonly [field: string]: unknown;
}

export function isVsixTarget(s: string): s is VsixTarget {
  return (VSIX_TARGETS as readonly string[]).includes(s);
}

/** The target of the machine running this, e.g. `linux-x64`. */
export function hostTarget(): VsixTarget {
  const t = `${process.platform}-${process.arch}`;
  if (!isVsixTarget(t)) throw new Error(`no VSIX target for this machine (${t}); targets: ${VSIX_TARGETS.join(', ')}`);
  return t;
}

function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
}

/** The folder of onnxruntime-node's binaries for a target (`bin/napi-v6/<platform>/<arch>`, the layout it loads). */
export function bindingDir(target: VsixTarget, nodeModules: string = join(REPO_ROOT, 'node_modules')): string {
  const [platform, arch] = target.split('-') as [string, string];
  return join(nodeModules, 'onnxruntime-node', 'bin', 'napi-v6', platform, arch);
}

/** Why a target cannot be packaged from this node_modules, or undefined when it can. */
export function missingBinding(target: VsixTarget, nodeModules: string = join(REPO_ROOT, 'node_modules')): string | undefined {
  if (existsSync(join(bindingDir(target, nodeModules), 'onnxruntime_binding.node'))) return undefined;
  const pkg = join(nodeModules, 'onnxruntime-node', 'package.json');
  const version = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version : undefined;
  if (version === undefined) return 'onnxruntime-node is not installed (run npm ci)';
  return `onnxruntime-node ${version} ships no ${target.replace('-', '/')} binding (${relative(REPO_ROOT, bindingDir(target, nodeModules))})`;
}

/**
 * The binding's files a target does not load, with the reason; they are left out of its VSIX.
 * - darwin: the binding links `@rpath/libonnxruntime.<major>.dylib`; onnxruntime-node also ships the same library
 *   under its full version (`libonnxruntime.1.30.0.dylib`), byte for byte. Only an identical copy is dropped.
 * - win32: `DirectML.dll` serves only the DirectML execution provider, which Reward Lens never requests (it asks for
 *   CUDA, WebGPU or CPU: src/model/devices.ts); onnxruntime.dll delay-loads it, so it is read only when that provider
 *   is. `dxcompiler.dll` and `dxil.dll` stay: Dawn's D3D12 backend, which runs WebGPU on Windows, compiles its
 *   shaders with them.
 */
export function unusedBinaries(target: VsixTarget, dir: string): { readonly file: string; readonly why: string }[] {
  const files = existsSync(dir) ? readdirSync(dir) : [];
  if (target.startsWith('darwin-')) {
    return files.flatMap((file) => {
      const m = /^libonnxruntime\.(\d+)\.\d+\.\d+\.dylib$/.exec(file);
      const linked = m ? `libonnxruntime.${m[1]}.dylib` : undefined;
      if (linked === undefined || !files.includes(linked) || !sameBytes(join(dir, file), join(dir, linked))) return [];
      return [{ file, why: `identical to ${linked}, the name the binding links` }];
    });
  }
  if (target.startsWith('win32-') && files.includes('DirectML.dll')) {
    return [{ file: 'DirectML.dll', why: 'only the DirectML execution provider loads it; Reward Lens uses CUDA, WebGPU or CPU' }];
  }
  return [];
}

function sameBytes(a: string, b: string): boolean {
  return statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));
}

/** Runs the production build (`node esbuild.mjs --production`) into `outDir`. */
export function buildProductionBundles(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  const res = spawnSync(process.execPath, [join(REPO_ROOT, 'esbuild.mjs'), '--production', '--outdir', outDir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`the production build failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
  for (const b of EXTENSION_BUNDLES) {
    if (!existsSync(join(outDir, b))) throw new Error(`the production build wrote no ${b}`);
  }
}

/** The manifest that ships: no scripts (vsce would run vscode:prepublish), no devDependencies, no CLI `bin`. */
export function releaseManifest(manifest: Manifest): Manifest {
  const shipped: Record<string, unknown> = { ...manifest };
  for (const field of ['scripts', 'devDependencies', 'bin']) delete shipped[field];
  return shipped as Manifest;
}

/** Packages one target's VSIX (see the file comment). Nothing in the checkout is modified. */
export function packageExtension(opts: PackageOptions): PackagedExtension {
  const { target, outDir } = opts;
  const missing = missingBinding(target);
  if (missing !== undefined) throw new Error(`cannot package ${target}: ${missing}`);
  const manifest = readManifest();
  mkdirSync(outDir, { recursive: true });
  // Inside outDir so that the finished VSIX is renamed, not copied, into place; unique per process so that
  // concurrent test processes never share one.
  const stage = join(outDir, `.stage-${target}-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  try {
    for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore']) {
      if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing`);
      cpSync(join(REPO_ROOT, file), join(stage, file));
    }
    cpSync(join(REPO_ROOT, 'media'), join(stage, 'media'), { recursive: true });
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(releaseManifest(manifest), null, 2)}\n`);

    const bundles = opts.bundlesDir ?? join(stage, '.bundles');
    if (opts.bundlesDir === undefined) buildProductionBundles(bundles);
    mkdirSync(join(stage, 'dist'));
    for (const b of EXTENSION_BUNDLES) cpSync(join(bundles, b), join(stage, 'dist', b));
    if (opts.bundlesDir === undefined) rmSync(bundles, { recursive: true, force: true });

    stageProductionDependencies(stage, target);

    const partial = join(stage, 'out.vsix');
    const vsce = join(dirname(require.resolve('@vscode/vsce/package.json', { paths: [REPO_ROOT] })), 'vsce');
    // There is no public repository yet: vsce must not ask for one, and README's relative links either get a base
    // URL or stay relative (vsce refuses to guess one).
    const links = opts.baseUrl === undefined ? ['--no-rewrite-relative-links'] : ['--baseContentUrl', opts.baseUrl, '--baseImagesUrl', opts.baseUrl];
    const res = spawnSync(process.execPath, [vsce, 'package', '--target', target, '--out', partial, '--allow-missing-repository', ...links], {
      cwd: stage,
      encoding: 'utf8',
      input: '',
      timeout: opts.timeoutMs ?? 180_000,
    });
    if (res.status !== 0 || !existsSync(partial)) {
      throw new Error(`vsce package --target ${target} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
    }
    const vsixPath = join(outDir, `${manifest.name}-${manifest.version}-${target}.vsix`);
    renameSync(partial, vsixPath);
    return { vsixPath, target, id: `${manifest.publisher}.${manifest.name}`, version: manifest.version, entries: vsixEntries(vsixPath), sizeBytes: statSync(vsixPath).size };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The entry names of a VSIX (a zip). */
export function vsixEntries(vsixPath: string): string[] {
  const entries: string[] = [];
  // The filter sees every entry's name; returning false skips decompression.
  unzipSync(readFileSync(vsixPath), { filter: (f) => (entries.push(f.name), false) });
  return entries;
}

/**
 * Copies each package of `npm ls --omit=dev` into the stage at the same relative path (so vsce's own `npm list`
 * there succeeds), without nested node_modules (listed separately), source maps, other platforms' binaries, or
 * this target's {@link unusedBinaries}.
 */
function stageProductionDependencies(stage: string, target: VsixTarget): void {
  const res = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npm ls --omit=dev failed (incomplete node_modules? run npm ci):\n${res.stderr}`);
  const nodeModules = join(REPO_ROOT, 'node_modules') + sep;
  const dirs = res.stdout.split(/\r?\n/).filter((d) => d.startsWith(nodeModules));
  for (const pkg of RUNTIME_PACKAGES) {
    if (!dirs.includes(join(REPO_ROOT, 'node_modules', pkg))) throw new Error(`${pkg} is not a production dependency`);
  }
  const [platform, arch] = target.split('-') as [string, string];
  const unused = new Set(unusedBinaries(target, bindingDir(target)).map((u) => u.file));
  for (const dir of dirs) {
    cpSync(dir, join(stage, relative(REPO_ROOT, dir)), {
      recursive: true,
      filter: (src) => {
        const inner = relative(dir, src).split(sep);
        if (inner[0] === 'node_modules' || src.endsWith('.map')) return false;
        // onnxruntime-node: bin/napi-v6/<platform>/<arch>/<file>.
        if (inner[0] === 'bin' && inner.length >= 3 && /^napi-v\d+$/.test(inner[1] ?? '')) {
          if (inner[2] !== platform || (inner.length >= 4 && inner[3] !== arch)) return false;
          return !(inner.length === 5 && unused.has(inner[4] ?? ''));
        }
        return true;
      },
    });
  }
}

/**
 * {@link packageExtension}, reused while its inputs are unchanged (packaging takes seconds, and each test file runs
 * in its own process). The fingerprint hashes what a VSIX is made of: the sources the bundles are built from, the
 * build and packaging scripts, the lock file, the shipped documents and media, the target and the base URL.
 * REWARD_LENS_REPACKAGE=1 forces a new one.
 */
export function packageExtensionCached(opts: PackageOptions): PackagedExtension {
  const fingerprint = inputsFingerprint(opts);
  const cachePath = join(opts.outDir, `vsix-${opts.target}.json`);
  if (!process.env['REWARD_LENS_REPACKAGE'] && existsSync(cachePath)) {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as { fingerprint: string; extension: PackagedExtension };
    if (cached.fingerprint === fingerprint && existsSync(cached.extension.vsixPath)) return cached.extension;
  }
  const extension = packageExtension(opts);
  writeFileSync(cachePath, JSON.stringify({ fingerprint, extension }));
  return extension;
}

const FINGERPRINT_INPUTS = [
  'src',
  'webview',
  'media',
  'esbuild.mjs',
  'tsconfig.json',
  'scripts/packageExtension.ts',
  'package.json',
  'package-lock.json',
  '.vscodeignore',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
];

function inputsFingerprint(opts: PackageOptions): string {
  const hash = createHash('sha256').update(`${opts.target}\0${opts.baseUrl ?? ''}\0`);
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
  for (const rel of FINGERPRINT_INPUTS) visit(rel);
  return hash.digest('hex');
}

/** What the command line asks for. */
export interface PackageArgs {
  readonly target?: VsixTarget;
  readonly baseUrl?: string;
}

/**
 * Reads `--target T`, `--base-url URL` (also `=`-joined). `npm run package --target T` (without `--`) reaches the
 * script as `npm_config_target=true` and a bare `T`, so a bare target name counts too, as does a
 * `npm_config_target`/`npm_config_base_url` with a value (`npm run package --target=T`).
 */
export function parsePackageArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): PackageArgs {
  let target: string | undefined;
  let baseUrl: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, joined] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = joined ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--target') target = value();
    else if (flag === '--base-url') baseUrl = value();
    else if (isVsixTarget(arg) && target === undefined) target = arg;
    else if (/^https?:\/\//.test(arg) && env['npm_config_base_url'] === 'true' && baseUrl === undefined) baseUrl = arg;
    else throw new Error(`unknown argument ${arg}; usage: npm run package -- [--target ${VSIX_TARGETS.join('|')}] [--base-url URL]`);
  }
  const fromNpm = (v: string | undefined): string | undefined => (v === undefined || v === '' || v === 'true' ? undefined : v);
  target ??= fromNpm(env['npm_config_target']);
  baseUrl ??= fromNpm(env['npm_config_base_url']);
  if (target !== undefined && !isVsixTarget(target)) throw new Error(`unknown target ${target}; targets: ${VSIX_TARGETS.join(', ')}`);
  if (baseUrl !== undefined && !/^https:\/\//.test(baseUrl)) throw new Error(`--base-url must be an https URL (the Marketplace shows only https images): ${baseUrl}`);
  return { ...(target !== undefined ? { target } : {}), ...(baseUrl !== undefined ? { baseUrl } : {}) };
}

/** One row of the size table: a VSIX or a skipped target. */
export type PackageRow = { readonly target: VsixTarget; readonly extension: PackagedExtension } | { readonly target: VsixTarget; readonly skipped: string };

/** Bytes as decimal megabytes, as the budget is stated. */
export function formatMB(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The table `npm run package` prints. */
export function sizeTable(rows: readonly PackageRow[], budget: number = VSIX_BUDGET_BYTES): string {
  const cells = rows.map((r) =>
    'extension' in r
      ? [r.target, formatMB(r.extension.sizeBytes), r.extension.sizeBytes <= budget ? 'ok' : 'OVER BUDGET', relative(REPO_ROOT, r.extension.vsixPath)]
      : [r.target, '-', 'skipped', r.skipped],
  );
  const header = ['target', 'size', `budget ${formatMB(budget)}`, 'file'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  return [header, ...cells].map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function main(): number {
  const args = parsePackageArgs(process.argv.slice(2), process.env);
  const rows: PackageRow[] = [];
  const wanted: VsixTarget[] = [];
  for (const target of args.target === undefined ? VSIX_TARGETS : [args.target]) {
    const missing = missingBinding(target);
    if (missing === undefined) wanted.push(target);
    else if (args.target !== undefined) throw new Error(`cannot package ${target}: ${missing}`);
    else rows.push({ target, skipped: missing });
  }
  const bundlesDir = join(VSIX_OUT_DIR, `.bundles-${process.pid}`);
  try {
    buildProductionBundles(bundlesDir);
    for (const target of wanted) {
      for (const d of unusedBinaries(target, bindingDir(target))) console.log(`${target}: leaving out ${d.file} (${d.why})`);
      const extension = packageExtension({ target, outDir: VSIX_OUT_DIR, bundlesDir, ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}) });
      console.log(`${target}: ${relative(REPO_ROOT, extension.vsixPath)}`);
      rows.push({ target, extension });
    }
  } finally {
    rmSync(bundlesDir, { recursive: true, force: true });
  }
  rows.sort((a, b) => VSIX_TARGETS.indexOf(a.target) - VSIX_TARGETS.indexOf(b.target));
  console.log(`\n${sizeTable(rows)}`);
  const over = rows.filter((r) => 'extension' in r && r.extension.sizeBytes > VSIX_BUDGET_BYTES);
  if (over.length > 0) {
    console.error(`\n${over.map((r) => r.target).join(', ')}: over the ${formatMB(VSIX_BUDGET_BYTES)} budget`);
    return 1;
  }
  return 0;
}

if (require.main === module && /packageExtension\.[cm]?[jt]s$/u.test(process.argv[1] ?? '')) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}
