// Owns one onnxruntime-node InferenceSession: creates it on the chosen device (with fallback), builds
// the feeds for a right-padded batch and returns only the output rows the contract reads.
import * as ort from 'onnxruntime-node';
import { fromFloat16Bits } from '../core/scoring/contracts/float16.js';
import { createWithFallback, deviceOrder, deviceUnavailable, type Device, type DeviceAttempt, type DeviceChoice } from './devices.js';
import { defaultProbeCacheDir, probeWebgpu, webgpuSkipReason, type WebgpuProber } from './webgpuProbe.js';

/** A right-padded batch and the output rows to read. */
export interface PaddedBatch {
  readonly rows: number;
  readonly width: number;
  /** `rows × width` token ids, padding included. */
  readonly ids: Int32Array;
  readonly lengths: Int32Array;
  /** `(row, position)` pairs whose output rows are returned; for sequence outputs position is ignored. */
  readonly picks: Int32Array;
  /** The output is one row per sequence (`[B, C]`), not per token (`[B, S, C]` or `[B, S]`). */
  readonly perSequence: boolean;
}

/** What the engine needs from a runner; tests may substitute a fake. */
export interface BatchRunner {
  readonly device: Device;
  readonly attempts: readonly DeviceAttempt[];
  /** Runs a batch; returns `picks × columns` values (all columns of the last axis when `columns` is undefined). */
  run(batch: PaddedBatch, columns: readonly number[] | undefined): Promise<{ values: Float32Array; width: number }>;
  dispose(): Promise<void>;
}

/** How to create a session. */
export interface RunnerOptions {
  readonly device: DeviceChoice;
  /** Test hook: devices whose creation fails as if their provider threw. */
  readonly simulateFailures?: readonly Device[];
  readonly intraOpNumThreads?: number;
  /**
   * Extra session options for one device attempt, for options that depend on the device (the generator
   * keeps its cache outputs on the GPU under WebGPU only). Called for each device a session is created on
   * (not for skipped ones); they override the defaults here but never the attempt's execution provider.
   */
  readonly sessionOptionsFor?: (device: Device) => Omit<ort.InferenceSession.SessionOptions, 'executionProviders'>;
  /**
   * Folder for the WebGPU probe's answer across processes (default: `$REWARD_LENS_CACHE` or
   * `~/.cache/reward-lens`); see webgpuProbe.ts.
   */
  readonly probeCacheDir?: string;
  /** Test hook: the WebGPU probe `auto` asks before trying WebGPU (default: the real, cached one). */
  readonly probeWebgpu?: WebgpuProber;
}

function providers(device: Device): ort.InferenceSession.ExecutionProviderConfig[] {
  switch (device) {
    case 'cuda':
      return [{ name: 'cuda', deviceId: 0 }];
    case 'webgpu':
      return ['webgpu'];
    case 'cpu':
      return ['cpu'];
  }
}

/**
 * An onnxruntime session on the first device of `opts.device`'s order that works (devices this build or
 * machine lacks are skipped with the reason); every device tried is in `attempts`. Under `auto`, WebGPU is
 * tried only after a probe in a child process found a usable adapter (webgpuProbe.ts): a failed attempt in
 * this process would print Dawn's warnings on stderr. A device named in `simulateFailures` is not probed.
 */
export async function openSession(modelPath: string, opts: RunnerOptions): Promise<{ session: ort.InferenceSession; device: Device; attempts: readonly DeviceAttempt[] }> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 4,
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
  };
  const built = new Set(ort.listSupportedBackends().map((b) => b.name));
  const skip = async (d: Device): Promise<string | undefined> => {
    const missing = deviceUnavailable(d) ?? (d === 'webgpu' && !built.has('webgpu') ? `WebGPU is not in onnxruntime-node's ${process.platform}-${process.arch} build` : undefined);
    if (missing !== undefined || d !== 'webgpu' || opts.device !== 'auto' || opts.simulateFailures?.includes(d) === true) return missing;
    const { result } = await (opts.probeWebgpu ?? probeWebgpu)({ cacheDir: opts.probeCacheDir ?? defaultProbeCacheDir() });
    return webgpuSkipReason(opts.device, result);
  };
  const { value, device, attempts } = await createWithFallback(
    deviceOrder(opts.device),
    async (d) => {
      if (opts.simulateFailures?.includes(d) === true) throw new Error(`simulated ${d} failure`);
      return ort.InferenceSession.create(modelPath, { ...base, ...opts.sessionOptionsFor?.(d), executionProviders: providers(d) });
    },
    skip,
  );
  return { session: value, device, attempts };
}

/**
 * Bytes one run's full logits output may take: causal LMs return every vocabulary column, so the scoring engine
 * caps batch tokens and the generator caps prefill chunks by it.
 */
export const LOGITS_BUDGET_BYTES = 128 * 1024 * 1024;

/** onnxruntime's message for an allocation failure. */
export function isOutOfMemory(message: string): boolean {
  return /alloc|out of memory|bad_alloc|\bOOM\b|memory/iu.test(message);
}

/** A runner over a real onnxruntime-node session. */
export class OnnxRunner implements BatchRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly device: Device,
    readonly attempts: readonly DeviceAttempt[],
  ) {}

  /** Creates the session on the first device that works. */
  static async open(modelPath: string, opts: RunnerOptions): Promise<OnnxRunner> {
    const { session, device, attempts } = await openSession(modelPath, opts);
    return new OnnxRunner(session, device, attempts);
  }

  /** Input and output metadata of the session. */
  get metadata(): { inputs: readonly ort.InferenceSession.ValueMetadata[]; outputs: readonly ort.InferenceSession.ValueMetadata[] } {
    return { inputs: this.session.inputMetadata, outputs: this.session.outputMetadata };
  }

  async run(batch: PaddedBatch, columns: readonly number[] | undefined): Promise<{ values: Float32Array; width: number }> {
    const { rows, width } = batch;
    const feeds: Record<string, ort.Tensor> = {};
    const cells = rows * width;
    for (const meta of this.session.inputMetadata) {
      const name = meta.name;
      if (name === 'input_ids') {
        feeds[name] = new ort.Tensor('int64', BigInt64Array.from(batch.ids, (v) => BigInt(v)), [rows, width]);
      } else if (name === 'attention_mask' || name === 'position_ids') {
        const data = new BigInt64Array(cells);
        for (let r = 0; r < rows; r++) {
          const len = batch.lengths[r] ?? 0;
          for (let s = 0; s < width; s++) {
            // HF: position_ids = cumsum(mask) - 1, with 1 at padded positions.
            data[r * width + s] = name === 'attention_mask' ? (s < len ? 1n : 0n) : s < len ? BigInt(s) : 1n;
          }
        }
        feeds[name] = new ort.Tensor('int64', data, [rows, width]);
      } else if (name === 'token_type_ids') {
        feeds[name] = new ort.Tensor('int64', new BigInt64Array(cells), [rows, width]);
      } else if (name.startsWith('past_key_values.')) {
        feeds[name] = emptyPast(meta, rows);
      }
    }
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.session.run(feeds, ['logits'], { logSeverityLevel: 4 });
    } finally {
      for (const t of Object.values(feeds)) t.dispose();
    }
    const logits = out['logits'];
    if (logits === undefined) throw new Error('the model returned no logits');
    try {
      return pickRows(logits, batch, columns);
    } finally {
      logits.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function emptyPast(meta: ort.InferenceSession.ValueMetadata, rows: number): ort.Tensor {
  const shape = meta.isTensor ? meta.shape : [];
  const dims = [rows, ...shape.slice(1).map((d, i) => (i === 1 ? 0 : typeof d === 'number' ? d : 0))];
  if (dims.length !== 4 || dims[1] === 0 || dims[3] === 0) throw new Error(`cannot build an empty cache for ${meta.name}: its shape ${JSON.stringify(shape)} needs fixed head dims`);
  const type = meta.isTensor ? meta.type : 'float32';
  return type === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
}

/** Copies the picked rows (and columns) out of a `[B,S,C]`, `[B,S]` or `[B,C]` output. */
export function pickRows(t: ort.Tensor, batch: PaddedBatch, columns: readonly number[] | undefined): { values: Float32Array; width: number } {
  const dims = t.dims;
  const perToken = !batch.perSequence;
  if ((dims[0] ?? 0) !== batch.rows || (perToken && dims.length >= 2 && dims[1] !== batch.width) || dims.length < 2 || dims.length > 3 || (batch.perSequence && dims.length !== 2)) {
    throw new Error(`logits has shape [${dims.join(', ')}], which does not fit a batch of ${batch.rows} × ${batch.width} for this contract`);
  }
  const c = dims.length === 3 ? (dims[2] ?? 1) : perToken ? 1 : (dims[1] ?? 1);
  const s = perToken ? batch.width : 1;
  const cols = columns ?? Array.from({ length: c }, (_, i) => i);
  for (const col of cols) if (col < 0 || col >= c) throw new Error(`output column ${col} is outside the logits width ${c}`);
  const n = batch.picks.length / 2;
  const values = new Float32Array(n * cols.length);
  const half = t.type === 'float16';
  const src = t.data as Float32Array | Uint16Array;
  for (let i = 0; i < n; i++) {
    const row = batch.picks[2 * i] ?? 0;
    const pos = perToken ? (batch.picks[2 * i + 1] ?? 0) : 0;
    const base = (row * s + pos) * c;
    for (let j = 0; j < cols.length; j++) {
      const v = src[base + (cols[j] ?? 0)] ?? Number.NaN;
      values[i * cols.length + j] = half ? fromFloat16Bits(v) : v;
    }
  }
  return { values, width: cols.length };
}
