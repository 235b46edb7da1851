// Whether WebGPU can work here, asked once per process in a child process. Dawn (onnxruntime's WebGPU
// implementation) writes its warnings from native code straight to fd 2, so a failed in-process attempt
// would print several lines of Dawn's text on the CLI's or the extension host's stderr; the child's output
// is captured instead and reduced to one line. `auto` skips WebGPU when the probe fails; an explicit
// `webgpu` choice never probes and lets the runtime's own error through.
//
// Order of checks: on Linux, Dawn's only backend is Vulkan, so a missing Vulkan loader (libvulkan.so.1)
// skips WebGPU without spawning anything. Otherwise the answer comes from this process's memory, then
// from the disk cache, then from the child. The disk cache is one JSON file (`webgpu-probe.json`) in the
// cache folder; its key hashes the onnxruntime-node version, platform and arch, the loader's path, size
// and mtime, the Vulkan driver manifests (ICD .json names and mtimes) and the VK_ICD_FILENAMES /
// VK_DRIVER_FILES variables, so a driver install or an onnxruntime upgrade probes again. Worker threads
// have their own module state, so "once per process" is once per worker thread plus the disk cache.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DeviceChoice } from './devices.js';

/** The probe's answer. `reason` is one line, e.g. `Dawn found no usable adapter: Couldn't load Vulkan: …`. */
export type WebgpuProbeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: string;
      /** Everything the runtime wrote while failing (captured, never printed), for a log's detail view. */
      readonly output?: string;
    };

/** Where an answer came from. */
export type ProbeSource = 'loader' | 'memory' | 'disk' | 'child';

/** What the cache key and the loader check are made of; cheap to observe (stat calls, no spawn but ldconfig). */
export interface ProbeFacts {
  /** `onnxruntime-node 1.30.0 linux-x64`. */
  readonly runtime: string;
  /** Linux: the Vulkan loader's path, or undefined when there is none. Other platforms: `native` (Metal, D3D12). */
  readonly vulkanLoader: string | undefined;
  /** A signature of the installed drivers: loader size and mtime, ICD manifests, VK_* variables. */
  readonly drivers: string;
}

/** How the child process ended. */
export interface ChildRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Set when the child could not be started at all. */
  readonly spawnError?: string;
}

/** The log line's first part for a WebGPU that `auto` skips. */
export function formatWebgpuUnavailable(reason: string): string {
  return `WebGPU unavailable (${reason})`;
}

/**
 * Why `choice` must not try WebGPU after this probe, or undefined to try it. Only `auto` skips: an explicit
 * `webgpu` is tried whatever the probe says, so the user sees the runtime's own error.
 */
export function webgpuSkipReason(choice: DeviceChoice, probe: WebgpuProbeResult): string | undefined {
  if (choice !== 'auto' || probe.ok) return undefined;
  return formatWebgpuUnavailable(probe.reason);
}

/** The loader check before any spawn: a skip reason when Dawn has no Vulkan to load, else undefined. */
export function loaderSkip(facts: ProbeFacts): WebgpuProbeResult | undefined {
  if (facts.vulkanLoader !== undefined) return undefined;
  return { ok: false, reason: 'no Vulkan loader: libvulkan.so.1 is not installed' };
}

/** The disk cache key of a set of facts (16 hex digits). */
export function probeCacheKey(facts: ProbeFacts): string {
  return createHash('sha256').update(`${facts.runtime}\u0000${facts.vulkanLoader ?? ''}\u0000${facts.drivers}`).digest('hex').slice(0, 16);
}

/** The cache file's content. */
interface ProbeCacheFile {
  readonly key: string;
  readonly ok: boolean;
  readonly reason?: string;
  readonly runtime: string;
  readonly checkedAt: string;
}

/** The answer stored under `key` in a parsed cache file, or undefined (a miss, another key, or a malformed file). */
export function readCachedProbe(content: unknown, key: string): WebgpuProbeResult | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const c = content as Partial<Record<keyof ProbeCacheFile, unknown>>;
  if (c.key !== key || typeof c.ok !== 'boolean') return undefined;
  if (c.ok) return { ok: true };
  return typeof c.reason === 'string' && c.reason.length > 0 ? { ok: false, reason: c.reason } : undefined;
}

/** The cache file's content for one answer (the captured output is not kept, only the one-line reason). */
export function cacheEntry(key: string, facts: ProbeFacts, result: WebgpuProbeResult, now: Date): ProbeCacheFile {
  return { key, ok: result.ok, ...(result.ok ? {} : { reason: result.reason }), runtime: facts.runtime, checkedAt: now.toISOString() };
}

/**
 * Dawn's own message in captured stderr: its first `Warning: …` or `Error: …` line (Dawn's prefixes; other
 * libraries' noise such as Mesa's lowercase `error: XDG_RUNTIME_DIR …` is passed over), without the prefix.
 */
export function dawnMessage(stderr: string): string | undefined {
  for (const raw of stderr.split(/\r?\n/u)) {
    const m = /^(?:Warning|Error): (.+)$/u.exec(raw.trim());
    if (m?.[1] !== undefined) return m[1].trim();
  }
  return undefined;
}

/** The useful part of an onnxruntime error: the first line, from `Failed to …` on when present. */
function runtimeMessage(text: string): string {
  const line = text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? text.trim();
  return /\b(Failed to .*)$/u.exec(line)?.[1] ?? line;
}

/** The last JSON line `{"ok": …}` the child printed, if any. */
function lastVerdict(stdout: string): { ok: boolean; error?: string } | undefined {
  const lines = stdout.split('\n').filter((l) => l.trim().startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i] ?? '') as unknown;
      if (typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean') {
        const error = (v as { error?: unknown }).error;
        return { ok: (v as { ok: boolean }).ok, ...(typeof error === 'string' ? { error } : {}) };
      }
    } catch {
      // Not our line.
    }
  }
  return undefined;
}

/**
 * Reads the child's run as an answer. `cacheable` is false for a timeout or a failed start (they say nothing
 * lasting about this machine). Success needs exit code 0 and the child's `{"ok":true}` line.
 */
export function readProbeRun(run: ChildRun, timeoutMs: number): { result: WebgpuProbeResult; cacheable: boolean } {
  const output = [run.stderr.trim(), run.stdout.trim()].filter((s) => s.length > 0).join('\n');
  const captured = output.length > 0 ? { output } : {};
  if (run.spawnError !== undefined) return { result: { ok: false, reason: `the WebGPU probe could not start: ${run.spawnError}`, ...captured }, cacheable: false };
  if (run.timedOut) return { result: { ok: false, reason: `the WebGPU probe did not finish in ${Math.round(timeoutMs / 1000)} s`, ...captured }, cacheable: false };
  const verdict = lastVerdict(run.stdout);
  if (verdict?.ok === true && run.exitCode === 0) return { result: { ok: true }, cacheable: true };
  const dawn = dawnMessage(run.stderr);
  const error = verdict?.error !== undefined ? runtimeMessage(verdict.error) : undefined;
  if (verdict === undefined || verdict.ok) {
    // No verdict, or a verdict of success followed by a crash (Dawn's teardown): neither is a working WebGPU.
    const how = run.signal !== null ? `signal ${run.signal}` : `exit code ${run.exitCode ?? 'unknown'}`;
    const first = dawn ?? run.stderr.split('\n').find((l) => l.trim().length > 0)?.trim();
    const when = verdict === undefined ? '' : ' after its session ran';
    return { result: { ok: false, reason: `the WebGPU probe crashed${when} (${how})${first !== undefined ? `: ${first}` : ''}`, ...captured }, cacheable: true };
  }
  const noAdapter = dawn !== undefined || /adapter/iu.test(error ?? '');
  const detail = dawn ?? error ?? 'no message';
  return { result: { ok: false, reason: noAdapter ? `Dawn found no usable adapter: ${detail}` : `the WebGPU probe failed: ${detail}`, ...captured }, cacheable: true };
}

// ---------------------------------------------------------------------------------------------------
// The child process.

/**
 * The probe model: IR 8, opset 17, one `Add` node, `y = x + x` over `float[1]`. Hand-encoded protobuf
 * (ModelProto → GraphProto → NodeProto / ValueInfoProto), 67 bytes; test/unit/model/webgpuProbe.test.ts
 * decodes it with onnx-proto and runs it on CPU (2 → 4).
 */
export const PROBE_MODEL_BASE64 = 'CAg6OQoOCgF4CgF4EgF5IgNBZGQSBXByb2JlWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQEQ==';

/**
 * The child's script (`node -e`): argv[1] is onnxruntime-node's resolved entry, argv[2] the model in base64.
 * It creates a WebGPU session, runs it once, checks 2 + 2 = 4, and prints one JSON line; exit code 1 on failure.
 */
export const PROBE_SCRIPT = `
const ort = require(process.argv[1]);
const model = Buffer.from(process.argv[2], 'base64');
const say = (v) => process.stdout.write(JSON.stringify(v) + '\\n');
(async () => {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'], logSeverityLevel: 4 });
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([2]), [1]) });
  const y = out.y.data[0];
  await session.release();
  if (y !== 4) throw new Error('the probe model computed ' + y + ' instead of 4 on WebGPU');
})().then(
  () => say({ ok: true }),
  (e) => { say({ ok: false, error: String((e && e.message) || e) }); process.exitCode = 1; },
);
`;

/** How long the child may take (Dawn's start on a real GPU is well under a second). */
export const PROBE_TIMEOUT_MS = 20_000;

/**
 * Runs the probe child for real: `process.execPath -e PROBE_SCRIPT` with `ELECTRON_RUN_AS_NODE=1` (so the
 * VS Code extension host's Electron binary runs it as Node), stdout and stderr captured.
 */
export function runProbeChild(timeoutMs: number = PROBE_TIMEOUT_MS, ortEntry: string = require.resolve('onnxruntime-node')): Promise<ChildRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['-e', PROBE_SCRIPT, ortEntry, PROBE_MODEL_BASE64],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 1 << 20, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; killed?: boolean; signal?: NodeJS.Signals | null }) | null;
        const spawnError = e !== null && typeof e.code === 'string' ? e.message : undefined;
        done({
          exitCode: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr,
          timedOut: e?.killed === true && e.signal === 'SIGKILL',
          ...(spawnError !== undefined ? { spawnError } : {}),
        });
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// Facts about this machine.

/** The Vulkan loader's path in `ldconfig -p` output, or undefined. */
export function parseLdconfig(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^\s*libvulkan\.so\.1\s.*=>\s*(\S.*)$/u.exec(line);
    if (m?.[1] !== undefined) return m[1].trim();
  }
  return undefined;
}

const LINUX_TRIPLETS: Readonly<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' };

/** Folders the dynamic loader searches by default, plus LD_LIBRARY_PATH's (searched first, like dlopen). */
function libraryDirs(env: NodeJS.ProcessEnv): string[] {
  const triplet = LINUX_TRIPLETS[process.arch];
  const fromEnv = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter((d) => d.length > 0);
  const system = [...(triplet !== undefined ? [`/usr/lib/${triplet}`, `/lib/${triplet}`] : []), '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib'];
  return [...fromEnv, ...system];
}

/** libvulkan.so.1 in LD_LIBRARY_PATH or the usual lib folders, else from `ldconfig -p`; undefined when absent. */
export function findVulkanLoader(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of libraryDirs(env)) {
    const path = join(dir, 'libvulkan.so.1');
    if (existsSync(path)) return path;
  }
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      return parseLdconfig(execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }));
    } catch {
      // Not at this path; try the next.
    }
  }
  return undefined;
}

function statSignature(path: string): string {
  try {
    const s = statSync(path);
    return `${path}:${s.size}:${Math.round(s.mtimeMs)}`;
  } catch {
    return `${path}:missing`;
  }
}

const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** The onnxruntime-node version from its package.json, found from its resolved entry. */
function runtimeVersion(ortEntry: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(ortEntry), '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** This machine's facts (Linux: loader search and driver manifests; elsewhere only the runtime). */
export function observeProbeFacts(env: NodeJS.ProcessEnv = process.env, ortEntry: string = require.resolve('onnxruntime-node')): ProbeFacts {
  const runtime = `onnxruntime-node ${runtimeVersion(ortEntry)} ${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return { runtime, vulkanLoader: 'native', drivers: '' };
  const loader = findVulkanLoader(env);
  if (loader === undefined) return { runtime, vulkanLoader: undefined, drivers: '' };
  const icds = ICD_DIRS.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => statSignature(join(dir, f)));
    } catch {
      return [];
    }
  });
  const vars = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES'].map((v) => `${v}=${env[v] ?? ''}`);
  return { runtime, vulkanLoader: loader, drivers: [statSignature(loader), ...icds, ...vars].join('\n') };
}

/** The folder for the disk cache when the caller names none: `$REWARD_LENS_CACHE`, else `~/.cache/reward-lens`. */
export function defaultProbeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['REWARD_LENS_CACHE'] ?? join(homedir(), '.cache', 'reward-lens');
}

/** The cache file in a cache folder. */
export function probeCacheFile(cacheDir: string): string {
  return join(cacheDir, 'webgpu-probe.json');
}

// ---------------------------------------------------------------------------------------------------
// The cached probe.

/** What a prober needs from the machine; tests substitute both. */
export interface ProberDeps {
  readonly facts: () => ProbeFacts;
  readonly runChild: () => Promise<ChildRun>;
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

/** One answer and where it came from. */
export interface ProbeAnswer {
  readonly result: WebgpuProbeResult;
  readonly source: ProbeSource;
}

/** Asks whether WebGPU works; `cacheDir` (when given) keeps the answer on disk across processes. */
export type WebgpuProber = (opts?: { readonly cacheDir?: string | undefined }) => Promise<ProbeAnswer>;

/**
 * A prober with its own memory: the loader check, then memory, the disk cache and the child, in that order.
 * Concurrent callers share one child. A disk cache that cannot be read or written is ignored.
 */
export function createWebgpuProber(deps: ProberDeps): WebgpuProber {
  const memory = new Map<string, Promise<WebgpuProbeResult>>();
  const timeoutMs = deps.timeoutMs ?? PROBE_TIMEOUT_MS;
  return async (opts = {}) => {
    const facts = deps.facts();
    const missing = loaderSkip(facts);
    if (missing !== undefined) return { result: missing, source: 'loader' };
    const key = probeCacheKey(facts);
    const known = memory.get(key);
    if (known !== undefined) return { result: await known, source: 'memory' };
    const file = opts.cacheDir !== undefined ? probeCacheFile(opts.cacheDir) : undefined;
    const stored = file !== undefined ? readCacheFile(file, key) : undefined;
    if (stored !== undefined) {
      memory.set(key, Promise.resolve(stored));
      return { result: stored, source: 'disk' };
    }
    const pending = deps.runChild().then((run) => {
      const { result, cacheable } = readProbeRun(run, timeoutMs);
      if (file !== undefined && cacheable) writeCacheFile(file, cacheEntry(key, facts, result, deps.now?.() ?? new Date()));
      if (!cacheable) memory.delete(key);
      return result;
    });
    memory.set(key, pending);
    return { result: await pending, source: 'child' };
  };
}

function readCacheFile(file: string, key: string): WebgpuProbeResult | undefined {
  try {
    return readCachedProbe(JSON.parse(readFileSync(file, 'utf8')), key);
  } catch {
    return undefined;
  }
}

function writeCacheFile(file: string, entry: ProbeCacheFile): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Write then rename, so a concurrent reader never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(entry, null, 2)}\n`);
    renameSync(tmp, file);
  } catch {
    // A read-only cache folder only costs a probe per process.
  }
}

/** The process's prober over the real machine. */
export const probeWebgpu: WebgpuProber = createWebgpuProber({ facts: () => observeProbeFacts(), runChild: () => runProbeChild() });
