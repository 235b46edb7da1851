// The WebGPU probe: the decision as pure functions (probe result → skip or try, message wording, cache
// hit and miss), the child process run for real on this machine (Dawn's text captured, not printed), and
// the built CLI's stderr carrying only Reward Lens's own lines under `--device auto`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { formatDeviceNote, type Device } from '../../../src/model/devices.js';
import { openSession } from '../../../src/model/onnxRunner.js';
import {
  cacheEntry,
  createWebgpuProber,
  dawnMessage,
  findVulkanLoader,
  parseLdconfig,
  PROBE_MODEL_BASE64,
  probeCacheFile,
  probeCacheKey,
  readCachedProbe,
  readProbeRun,
  runProbeChild,
  webgpuSkipReason,
  type ChildRun,
  type ProbeFacts,
  type WebgpuProbeResult,
} from '../../../src/model/webgpuProbe.js';
import { testModel } from './modelTestKit.js';

const ROOT = resolve(__dirname, '../../..');

/** Dawn's stderr on a machine without libvulkan.so.1 (onnxruntime-node 1.30.0, Linux x64). */
const DAWN_NO_LOADER = [
  "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory",
  '    at operator() (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/BackendVk.cpp:368)',
  '',
].join('\n');
const ORT_NO_ADAPTER =
  '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(...) adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n';

function childRun(over: Partial<ChildRun>): ChildRun {
  return { exitCode: 0, signal: null, stdout: '', stderr: '', timedOut: false, ...over };
}

const FAILED: ChildRun = childRun({ exitCode: 1, stdout: `${JSON.stringify({ ok: false, error: ORT_NO_ADAPTER })}\n`, stderr: DAWN_NO_LOADER });
const LINUX_FACTS: ProbeFacts = { runtime: 'onnxruntime-node 1.30.0 linux-x64', vulkanLoader: '/usr/lib/x86_64-linux-gnu/libvulkan.so.1', drivers: 'lvp_icd.x86_64.json:1' };

describe('WebGPU probe: decisions', () => {
  it('auto skips WebGPU when the probe failed, with one line; an explicit webgpu and a working probe try it', () => {
    const failed: WebgpuProbeResult = { ok: false, reason: "Dawn found no usable adapter: Couldn't load Vulkan" };
    assert.equal(webgpuSkipReason('auto', failed), "WebGPU unavailable (Dawn found no usable adapter: Couldn't load Vulkan)");
    assert.equal(webgpuSkipReason('webgpu', failed), undefined, 'an explicit choice is tried; the runtime then speaks for itself');
    assert.equal(webgpuSkipReason('auto', { ok: true }), undefined);
  });

  it('reads a failed child as "Dawn found no usable adapter: <Dawn\'s first line>", keeping the whole text out of the reason', () => {
    const { result, cacheable } = readProbeRun(FAILED, 20_000);
    assert.equal(cacheable, true);
    assert.deepEqual(
      { ok: result.ok, reason: result.ok ? '' : result.reason },
      { ok: false, reason: "Dawn found no usable adapter: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory" },
    );
    assert.ok(!result.ok && result.output?.includes('BackendVk.cpp'), 'the full text is kept for a detail view');
  });

  it("passes over other libraries' noise to Dawn's own line, and falls back to the runtime's message", () => {
    const mesa = 'error: XDG_RUNTIME_DIR is invalid or not set in the environment.\nWarning: Vulkan shaderUniformBufferArrayDynamicIndexing required\n    at Initialize (PhysicalDeviceVk.cpp:1)\n';
    assert.equal(dawnMessage(mesa), 'Vulkan shaderUniformBufferArrayDynamicIndexing required');
    const quiet = readProbeRun({ ...FAILED, stderr: '' }, 20_000).result;
    assert.equal(quiet.ok ? '' : quiet.reason, 'Dawn found no usable adapter: Failed to get a WebGPU adapter: No supported adapters');
    const other = readProbeRun(childRun({ exitCode: 1, stdout: '{"ok":false,"error":"the probe model computed 0 instead of 4 on WebGPU"}\n' }), 20_000).result;
    assert.equal(other.ok ? '' : other.reason, 'the WebGPU probe failed: the probe model computed 0 instead of 4 on WebGPU');
  });

  it('reads success only from exit code 0 with the ok line; crashes, timeouts and failed starts are failures', () => {
    assert.deepEqual(readProbeRun(childRun({ stdout: '{"ok":true}\n' }), 20_000), { result: { ok: true }, cacheable: true });
    const crash = readProbeRun(childRun({ exitCode: null, signal: 'SIGSEGV', stderr: DAWN_NO_LOADER }), 20_000);
    assert.equal(crash.result.ok ? '' : crash.result.reason, "the WebGPU probe crashed (signal SIGSEGV): Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory");
    const teardown = readProbeRun(childRun({ exitCode: null, signal: 'SIGSEGV', stdout: '{"ok":true}\n' }), 20_000).result;
    assert.equal(teardown.ok ? '' : teardown.reason, 'the WebGPU probe crashed after its session ran (signal SIGSEGV)');
    const slow = readProbeRun(childRun({ exitCode: null, signal: 'SIGKILL', timedOut: true }), 20_000);
    assert.deepEqual(slow, { result: { ok: false, reason: 'the WebGPU probe did not finish in 20 s' }, cacheable: false });
    const nostart = readProbeRun(childRun({ exitCode: null, spawnError: 'spawn /x ENOENT' }), 20_000);
    assert.deepEqual(nostart, { result: { ok: false, reason: 'the WebGPU probe could not start: spawn /x ENOENT' }, cacheable: false });
  });

  it('names every device passed over and the one in use, in one line', () => {
    const note = formatDeviceNote([
      { device: 'cuda', ok: false, error: 'CUDA provider libraries are not installed' },
      { device: 'webgpu', ok: false, error: "WebGPU unavailable (Dawn found no usable adapter: Couldn't load Vulkan)" },
      { device: 'cpu', ok: true },
    ]);
    assert.equal(note, "CUDA provider libraries are not installed; WebGPU unavailable (Dawn found no usable adapter: Couldn't load Vulkan); using CPU");
    assert.equal(formatDeviceNote([{ device: 'cpu', ok: true }]), undefined, 'nothing to say when the first device worked');
    assert.equal(formatDeviceNote([{ device: 'webgpu', ok: false, error: 'x' }]), undefined, "NoDeviceError's message covers total failure");
  });

  it('finds the loader in ldconfig -p output', () => {
    const text = '1234 libs found in cache `/etc/ld.so.cache\'\n\tlibvulkan.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libvulkan.so.1\n\tlibvulkan.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libvulkan.so\n';
    assert.equal(parseLdconfig(text), '/lib/x86_64-linux-gnu/libvulkan.so.1');
    assert.equal(parseLdconfig('\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1\n'), undefined);
  });

  it('keys the disk cache by runtime, loader and drivers; a stored answer is read back only under its key', () => {
    const key = probeCacheKey(LINUX_FACTS);
    assert.match(key, /^[0-9a-f]{16}$/u);
    assert.notEqual(probeCacheKey({ ...LINUX_FACTS, runtime: 'onnxruntime-node 1.31.0 linux-x64' }), key);
    assert.notEqual(probeCacheKey({ ...LINUX_FACTS, drivers: 'nvidia_icd.json:2' }), key);
    const failed: WebgpuProbeResult = { ok: false, reason: 'Dawn found no usable adapter: x', output: 'long text' };
    const entry = JSON.parse(JSON.stringify(cacheEntry(key, LINUX_FACTS, failed, new Date(0)))) as unknown;
    assert.deepEqual(readCachedProbe(entry, key), { ok: false, reason: 'Dawn found no usable adapter: x' });
    assert.equal(readCachedProbe(entry, probeCacheKey({ ...LINUX_FACTS, drivers: '' })), undefined, 'another key is a miss');
    assert.deepEqual(readCachedProbe(cacheEntry(key, LINUX_FACTS, { ok: true }, new Date(0)), key), { ok: true });
    for (const junk of [null, 'x', 3, {}, { key, ok: 'yes' }, { key, ok: false }]) assert.equal(readCachedProbe(junk, key), undefined);
  });
});

describe('WebGPU probe: memory and disk cache', () => {
  function fakeProber(facts: () => ProbeFacts, run: ChildRun = FAILED): { prober: ReturnType<typeof createWebgpuProber>; spawns: () => number } {
    let n = 0;
    const prober = createWebgpuProber({
      facts,
      runChild: async () => {
        n++;
        await new Promise((r) => setTimeout(r, 5));
        return run;
      },
      now: () => new Date(0),
    });
    return { prober, spawns: () => n };
  }

  it('skips without spawning when Linux has no Vulkan loader', async () => {
    const { prober, spawns } = fakeProber(() => ({ ...LINUX_FACTS, vulkanLoader: undefined }));
    const a = await prober();
    assert.deepEqual(a, { result: { ok: false, reason: 'no Vulkan loader: libvulkan.so.1 is not installed' }, source: 'loader' });
    assert.equal(spawns(), 0);
  });

  it('spawns once per process (concurrent callers share it), then reads the disk cache in a new process', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'rl-probe-'));
    const first = fakeProber(() => LINUX_FACTS);
    const [a, b] = await Promise.all([first.prober({ cacheDir }), first.prober({ cacheDir })]);
    assert.equal(a.source, 'child');
    assert.equal(b.source, 'memory');
    assert.equal((await first.prober({ cacheDir })).source, 'memory');
    assert.equal(first.spawns(), 1);
    const stored = JSON.parse(readFileSync(probeCacheFile(cacheDir), 'utf8')) as { key: string; ok: boolean; reason: string; runtime: string; output?: string };
    assert.deepEqual(stored, { key: probeCacheKey(LINUX_FACTS), ok: false, reason: a.result.ok ? '' : a.result.reason, runtime: LINUX_FACTS.runtime, checkedAt: '1970-01-01T00:00:00.000Z' });

    const second = fakeProber(() => LINUX_FACTS);
    const c = await second.prober({ cacheDir });
    assert.equal(c.source, 'disk');
    assert.equal(c.result.ok ? '' : c.result.reason, a.result.ok ? '' : a.result.reason);
    assert.equal(second.spawns(), 0);

    const upgraded = fakeProber(() => ({ ...LINUX_FACTS, drivers: 'nvidia_icd.json:2' }), childRun({ stdout: '{"ok":true}\n' }));
    assert.deepEqual(await upgraded.prober({ cacheDir }), { result: { ok: true }, source: 'child' }, 'a driver change is a miss');
    assert.equal(upgraded.spawns(), 1);
  });

  it('asks again after a timeout, writes nothing for it, and ignores an unreadable cache file', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'rl-probe-'));
    writeFileSync(probeCacheFile(cacheDir), '{"key": tor');
    const slow = fakeProber(() => LINUX_FACTS, childRun({ exitCode: null, signal: 'SIGKILL', timedOut: true }));
    assert.equal((await slow.prober({ cacheDir })).source, 'child');
    assert.equal((await slow.prober({ cacheDir })).source, 'child', 'a timeout is asked again');
    assert.equal(slow.spawns(), 2);
    assert.equal(readFileSync(probeCacheFile(cacheDir), 'utf8'), '{"key": tor', 'nothing written for a timeout');
  });
});

describe('WebGPU probe: the child process', () => {
  it('carries a valid one-node ONNX model that computes x + x', async () => {
    const bytes = Buffer.from(PROBE_MODEL_BASE64, 'base64');
    const model = onnx.ModelProto.decode(bytes);
    assert.equal(Number(model.irVersion), 8);
    assert.deepEqual(
      model.graph?.node?.map((n) => [n.opType, n.input, n.output]),
      [['Add', ['x', 'x'], ['y']]],
    );
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], logSeverityLevel: 4 });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([2]), [1]) });
    assert.deepEqual(Array.from(out['y']?.data as Float32Array), [4]);
    await session.release();
  });

  it('runs for real here: WebGPU is unavailable and Dawn\'s text is captured, not printed', async () => {
    const run = await runProbeChild();
    const { result } = readProbeRun(run, 20_000);
    if (process.platform !== 'linux' || findVulkanLoader() !== undefined) {
      // A machine with a Vulkan loader may have a usable adapter; only the shape of the answer is checked.
      assert.equal(typeof result.ok, 'boolean');
      return;
    }
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /^Dawn found no usable adapter: Couldn't load Vulkan: libvulkan\.so\.1/u);
    assert.match(run.stderr, /BackendVk/u, "Dawn's multi-line warning went to the child's captured stderr");
    assert.equal(run.exitCode, 1);
  });
});

describe('openSession under auto', () => {
  const modelPath = (): string => join(testModel('tiny-generator').dir, 'onnx', 'model.onnx');

  it('skips WebGPU on a failed probe without creating a session there; cpu and simulated failures never probe', async () => {
    let probes = 0;
    const probeWebgpu = async (): Promise<{ result: WebgpuProbeResult; source: 'child' }> => {
      probes++;
      return { result: { ok: false, reason: 'Dawn found no usable adapter: test' }, source: 'child' };
    };
    const asked: Device[] = [];
    const auto = await openSession(modelPath(), { device: 'auto', probeWebgpu, sessionOptionsFor: (d) => (asked.push(d), {}) });
    await auto.session.release();
    assert.equal(auto.device, 'cpu');
    assert.deepEqual(asked, ['cpu']);
    assert.deepEqual(auto.attempts.find((a) => a.device === 'webgpu'), { device: 'webgpu', ok: false, error: 'WebGPU unavailable (Dawn found no usable adapter: test)' });
    assert.equal(probes, 1);
    assert.match(formatDeviceNote(auto.attempts) ?? '', /WebGPU unavailable \(Dawn found no usable adapter: test\); using CPU$/u);

    const cpu = await openSession(modelPath(), { device: 'cpu', probeWebgpu });
    await cpu.session.release();
    const simulated = await openSession(modelPath(), { device: 'auto', simulateFailures: ['webgpu'], probeWebgpu });
    await simulated.session.release();
    assert.match(simulated.attempts.find((a) => a.device === 'webgpu')?.error ?? '', /simulated webgpu failure/u);
    assert.equal(probes, 1, 'neither a forced CPU nor a simulated failure asks the probe');
  });
});

/** Rebuilds dist/ when the CLI or a worker bundle is missing or older than a source file. */
function ensureCliBundle(): void {
  const bundles = ['cli.js', 'modelWorker.js'].map((f) => join(ROOT, 'dist', f));
  const newest = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => statSync(join(f.parentPath, f.name)).mtimeMs)
    .reduce((a, b) => Math.max(a, b), 0);
  if (bundles.some((b) => !existsSync(b) || statSync(b).mtimeMs < newest)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

describe('the built CLI under --device auto', () => {
  const DAWN_TEXT = /Dawn|vulkan|BackendVk/iu;

  function score(env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'score', join(ROOT, 'examples'), '--model', testModel('trl-prm').dir, '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("writes no Dawn text to stderr, with this machine's Vulkan situation and with a loader Dawn cannot use", () => {
    ensureCliBundle();
    const cacheDir = mkdtempSync(join(tmpdir(), 'rl-probe-cli-'));
    const plain = score({ REWARD_LENS_CACHE: cacheDir });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, DAWN_TEXT);
    const devices = new Set((JSON.parse(plain.stdout) as { records: { device?: string }[] }[]).flatMap((f) => f.records.map((r) => r.device)));
    assert.ok((devices.size > 0 && !devices.has('webgpu')) || findVulkanLoader() !== undefined, `devices: ${[...devices].join(', ')}`);

    if (process.platform !== 'linux') return;
    // A file named libvulkan.so.1 that Dawn cannot load: the loader check passes, so the child probe runs.
    const fakeLib = mkdtempSync(join(tmpdir(), 'rl-fake-vulkan-'));
    writeFileSync(join(fakeLib, 'libvulkan.so.1'), '');
    const probed = score({ REWARD_LENS_CACHE: cacheDir, LD_LIBRARY_PATH: fakeLib });
    assert.equal(probed.status, 0, probed.stderr);
    assert.doesNotMatch(probed.stderr, DAWN_TEXT);
    const stored = JSON.parse(readFileSync(probeCacheFile(cacheDir), 'utf8')) as { ok: boolean; reason: string };
    assert.equal(stored.ok, false);
    assert.match(stored.reason, /^Dawn found no usable adapter: Couldn't load Vulkan: .*libvulkan\.so\.1/u, 'the probe ran in a child and its answer was kept');
    assert.equal(probed.stdout, plain.stdout, 'same scores, same device');
  });
});
