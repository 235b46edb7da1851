// Turns a checked model folder and the user's options into a ScoringEngine: model fingerprint, cache,
// token limit, batch limits and the lazily opened onnxruntime session.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { BatchLimits } from '../core/scoring/contracts/planBatches.js';
import type { DeviceChoice, Device } from './devices.js';
import type { InspectedModel } from './checkModel.js';
import { LOGITS_BUDGET_BYTES, OnnxRunner } from './onnxRunner.js';
import { ScoreCache } from './scoreCache.js';
import { ScoringEngine } from './scoringEngine.js';

/** Options of {@link loadModelScorer} that shape the engine. */
export interface EngineOptions {
  readonly device?: DeviceChoice;
  /** Folder for the on-disk score cache; memory only when absent. */
  readonly cacheDir?: string;
  /** Also score every trace with its steps reversed (BiPRM) and combine. */
  readonly bidirectional?: boolean;
  /** Token limit per sequence (default: the model's max_position_embeddings, at most 8192). */
  readonly maxTokens?: number;
  /** Cap on rows × width per batch (default 8192; lower for large-vocabulary causal LMs). */
  readonly maxBatchTokens?: number;
  /** Largest padding share per batch before a new batch starts (default 0.05). */
  readonly maxPaddingFraction?: number;
  /** Benchmark hook: keep no scores at all (every call computes). */
  readonly noCache?: boolean;
  /** Test hook: devices that fail as if their provider threw. */
  readonly simulateFailures?: readonly Device[];
  readonly intraOpNumThreads?: number;
}

/** Default and cap of the per-sequence token limit. */
export const DEFAULT_MAX_TOKENS = 8192;

/**
 * A fingerprint of the model's files: sizes plus hashes of each file's first and last megabyte
 * (whole content for small files). Changes when weights, tokenizer, config or manifest change.
 */
export function fingerprintFiles(files: readonly string[]): string {
  const h = createHash('sha256');
  const chunk = 1 << 20;
  for (const file of files) {
    const size = statSync(file).size;
    h.update(`${basename(file)}\u0000${size}\u0000`);
    const fd = openSync(file, 'r');
    try {
      const read = (pos: number, len: number): void => {
        const buf = Buffer.alloc(len);
        readSync(fd, buf, 0, len, pos);
        h.update(buf);
      };
      if (size <= 2 * chunk) read(0, size);
      else {
        read(0, chunk);
        read(size - chunk, chunk);
      }
    } finally {
      closeSync(fd);
    }
  }
  return h.digest('hex').slice(0, 20);
}

/** Width of the logits' last axis, when known. */
function logitsWidth(model: InspectedModel): number | undefined {
  const dims = model.summary.outputs.find((o) => o.name === 'logits')?.dims;
  const last = dims?.[dims.length - 1];
  if (typeof last === 'number') return last;
  if (model.contract.output === 'causal-lm') return typeof model.config['vocab_size'] === 'number' ? model.config['vocab_size'] : model.tokenizer.size;
  return undefined;
}

/** The engine and the facts a scorer reports. */
export interface BuiltEngine {
  readonly engine: ScoringEngine;
  readonly fingerprint: string;
  readonly maxTokens: number;
  readonly limits: BatchLimits;
  /** Notes about choices made (e.g. a token limit lowered to the model's positions). */
  readonly notes: readonly string[];
}

/** Builds the engine; nothing heavy happens until the first score (the session is lazy). */
export function buildEngine(model: InspectedModel, opts: EngineOptions = {}): BuiltEngine {
  const notes: string[] = [];
  const fingerprint = fingerprintFiles(model.files);
  let maxTokens = opts.maxTokens ?? Math.min(model.maxPositions ?? 4096, DEFAULT_MAX_TOKENS);
  if (model.maxPositions !== undefined && maxTokens > model.maxPositions) {
    notes.push(`maxTokens ${maxTokens} is over the model's ${model.maxPositions} positions; using ${model.maxPositions}`);
    maxTokens = model.maxPositions;
  }
  let maxBatchTokens = opts.maxBatchTokens ?? 8192;
  const width = logitsWidth(model);
  if (model.contract.output === 'causal-lm' && width !== undefined) maxBatchTokens = Math.max(1, Math.min(maxBatchTokens, Math.floor(LOGITS_BUDGET_BYTES / (width * 4))));
  const limits: BatchLimits = { maxBatchTokens, maxBatchSize: 64, maxPaddingFraction: opts.maxPaddingFraction ?? 0.05 };
  const hasMask = model.summary.inputs.some((i) => i.name === 'attention_mask');
  const canBatch = hasMask && model.padId !== undefined;
  const cache = opts.noCache === true ? new ScoreCache(fingerprint, undefined, 0) : new ScoreCache(fingerprint, opts.cacheDir);
  const engine = new ScoringEngine({
    contract: model.contract,
    tokenizer: model.tokenizer,
    openRunner: () =>
      OnnxRunner.open(model.onnxPath, {
        device: opts.device ?? 'auto',
        ...(opts.simulateFailures !== undefined ? { simulateFailures: opts.simulateFailures } : {}),
        ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
        // The WebGPU probe's answer is kept beside the score cache (the extension's storage, or --cache-dir).
        ...(opts.cacheDir !== undefined ? { probeCacheDir: opts.cacheDir } : {}),
      }),
    cache,
    maxTokens,
    limits,
    padId: model.padId ?? 0,
    canBatch,
    bidirectional: opts.bidirectional === true,
    modelFile: model.onnxPath,
  });
  return { engine, fingerprint, maxTokens, limits, notes };
}
