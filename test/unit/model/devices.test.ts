// Device order and fallback with simulated failures (no onnxruntime involved).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createWithFallback, cudaProviderPath, deviceOrder, deviceUnavailable, NoDeviceError, type Device } from '../../../src/model/devices.js';

const never = (): undefined => undefined;

describe('device fallback', () => {
  it('orders auto as CUDA → WebGPU → CPU; a forced device alone', () => {
    assert.deepEqual(deviceOrder('auto'), ['cuda', 'webgpu', 'cpu']);
    assert.deepEqual(deviceOrder('webgpu'), ['webgpu']);
    assert.deepEqual(deviceOrder('cpu'), ['cpu']);
  });

  it('tries devices in order, records each failure, and stops at the first that works', async () => {
    const tried: Device[] = [];
    const r = await createWithFallback(
      deviceOrder('auto'),
      async (d) => {
        tried.push(d);
        if (d === 'cuda') throw new Error('libcudart.so.12: cannot open shared object file');
        if (d === 'webgpu') throw new Error('/onnxruntime_src/x.cc:136 Init was false. Failed to get a WebGPU adapter: No supported adapters');
        return `session on ${d}`;
      },
      never,
    );
    assert.deepEqual(tried, ['cuda', 'webgpu', 'cpu']);
    assert.equal(r.value, 'session on cpu');
    assert.equal(r.device, 'cpu');
    assert.deepEqual(r.attempts, [
      { device: 'cuda', ok: false, error: 'libcudart.so.12: cannot open shared object file' },
      { device: 'webgpu', ok: false, error: 'Failed to get a WebGPU adapter: No supported adapters' },
      { device: 'cpu', ok: true },
    ]);
  });

  it('uses WebGPU when CUDA fails and WebGPU works; does not try CPU', async () => {
    const tried: Device[] = [];
    const r = await createWithFallback(
      deviceOrder('auto'),
      async (d) => {
        tried.push(d);
        if (d === 'cuda') throw new Error('no CUDA');
        return d;
      },
      never,
    );
    assert.equal(r.device, 'webgpu');
    assert.deepEqual(tried, ['cuda', 'webgpu']);
  });

  it('skips a device that is not installed without trying it', async () => {
    const tried: Device[] = [];
    const r = await createWithFallback(
      deviceOrder('auto'),
      async (d) => {
        tried.push(d);
        return d;
      },
      (d) => (d === 'cuda' ? 'CUDA provider libraries are not installed' : undefined),
    );
    assert.deepEqual(tried, ['webgpu']);
    assert.deepEqual(r.attempts[0], { device: 'cuda', ok: false, error: 'CUDA provider libraries are not installed' });
  });

  it('a forced device that fails rejects with every attempt', async () => {
    await assert.rejects(
      createWithFallback(
        deviceOrder('cuda'),
        async () => {
          throw new Error('CUDA failure 35');
        },
        never,
      ),
      (e: unknown) => e instanceof NoDeviceError && e.attempts.length === 1 && e.message === 'No device could run the model: cuda: CUDA failure 35',
    );
  });

  it('reports CUDA as unavailable exactly when its provider library is missing', () => {
    const present = existsSync(cudaProviderPath());
    const reason = deviceUnavailable('cuda');
    if (process.platform === 'linux' || process.platform === 'win32') assert.equal(reason === undefined, present);
    assert.equal(deviceUnavailable('cpu'), undefined);
    assert.equal(deviceUnavailable('webgpu'), undefined);
  });
});
