// openSession's per-device session options: the hook is asked once for each device a session is
// created on, after the devices that fail before creation.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Device } from '../../../src/model/devices.js';
import { openSession } from '../../../src/model/onnxRunner.js';
import { testModel } from './modelTestKit.js';

describe('openSession', () => {
  it('asks sessionOptionsFor for the device of each creation attempt', async () => {
    const asked: Device[] = [];
    const modelPath = join(testModel('tiny-generator').dir, 'onnx', 'model.onnx');
    const { session, device, attempts } = await openSession(modelPath, {
      device: 'auto',
      simulateFailures: ['cuda', 'webgpu'],
      sessionOptionsFor: (d) => {
        asked.push(d);
        return { enableCpuMemArena: false };
      },
    });
    try {
      assert.equal(device, 'cpu');
      assert.deepEqual(
        attempts.map((a) => a.device),
        ['cuda', 'webgpu', 'cpu'],
      );
      assert.deepEqual(asked, ['cpu'], 'skipped and simulated-failure devices never reach session creation');
    } finally {
      await session.release();
    }
  });
});
