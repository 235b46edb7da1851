// Device selection: CUDA (only when its provider libraries are installed) → WebGPU → CPU, each failure
// caught and recorded; or one forced device with no fallback.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A device onnxruntime-node can run on. */
export type Device = 'cuda' | 'webgpu' | 'cpu';

/** The user's choice: `auto` tries devices in order. */
export type DeviceChoice = 'auto' | Device;

/** One try at creating a session on a device. */
export interface DeviceAttempt {
  readonly device: Device;
  readonly ok: boolean;
  /** Why it failed or was skipped. */
  readonly error?: string;
}

/** Devices tried for a choice, in order. */
export function deviceOrder(choice: DeviceChoice): Device[] {
  return choice === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [choice];
}

/**
 * Where onnxruntime-node's CUDA provider library would be. npm installs do not include it (the package's
 * install script downloads it, which `onnxruntime-node-install=skip` turns off).
 */
export function cudaProviderPath(): string {
  const binding = dirname(require.resolve('onnxruntime-node'));
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return join(binding, '..', 'bin', 'napi-v6', process.platform, process.arch, lib);
}

/** Why a device cannot be tried at all here, or undefined when it can. */
export function deviceUnavailable(device: Device): string | undefined {
  if (device !== 'cuda') return undefined;
  if (process.platform !== 'linux' && process.platform !== 'win32') return `CUDA is not supported on ${process.platform}`;
  const lib = cudaProviderPath();
  return existsSync(lib) ? undefined : `CUDA provider libraries are not installed (${lib} is missing)`;
}

/** Thrown when no device worked; `attempts` says why each failed. */
export class NoDeviceError extends Error {
  constructor(readonly attempts: readonly DeviceAttempt[]) {
    super(`No device could run the model: ${attempts.map((a) => `${a.device}: ${a.error ?? 'failed'}`).join('; ')}`);
    this.name = 'NoDeviceError';
  }
}

/**
 * Creates something on the first device that works, in `order`. `skip` says why a device is not even
 * tried; it is asked only when the device's turn comes (so a probe for a later device never runs once an
 * earlier one worked), and may be async. Resolves with the value, the device and every attempt; rejects
 * with {@link NoDeviceError}.
 */
export async function createWithFallback<T>(
  order: readonly Device[],
  create: (device: Device) => Promise<T>,
  skip: (device: Device) => string | undefined | Promise<string | undefined> = deviceUnavailable,
): Promise<{ value: T; device: Device; attempts: DeviceAttempt[] }> {
  const attempts: DeviceAttempt[] = [];
  for (const device of order) {
    const reason = await skip(device);
    if (reason !== undefined) {
      attempts.push({ device, ok: false, error: reason });
      continue;
    }
    try {
      const value = await create(device);
      attempts.push({ device, ok: true });
      return { value, device, attempts };
    } catch (e) {
      attempts.push({ device, ok: false, error: firstLine(e) });
    }
  }
  throw new NoDeviceError(attempts);
}

const DEVICE_NAMES: Readonly<Record<Device, string>> = { cuda: 'CUDA', webgpu: 'WebGPU', cpu: 'CPU' };

/**
 * One log line for the devices passed over on the way to the one in use, e.g. `WebGPU unavailable (Dawn
 * found no usable adapter: Couldn't load Vulkan: …); using CPU`; undefined when the first device tried
 * worked or none did (then {@link NoDeviceError}'s message says it all).
 */
export function formatDeviceNote(attempts: readonly DeviceAttempt[]): string | undefined {
  const used = attempts.find((a) => a.ok);
  const failed = attempts.filter((a) => !a.ok);
  if (used === undefined || failed.length === 0) return undefined;
  return `${failed.map((a) => a.error ?? `${DEVICE_NAMES[a.device]} failed`).join('; ')}; using ${DEVICE_NAMES[used.device]}`;
}

/** The useful part of a provider error: onnxruntime prefixes messages with source paths and asserts. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? text;
  const failed = /\b(Failed to .*)$/u.exec(line);
  return failed?.[1] ?? line;
}
