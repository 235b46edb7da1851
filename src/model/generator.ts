// Greedy decoding with a KV cache over an ONNX causal LM exported as optimum's
// `text-generation-with-past`: the prompt is prefilled with an empty past, then each step feeds one token
// and the previous step's `present.*` outputs back as `past_key_values.*`. The generative judges run
// this in the model worker, beside the scoring engine.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { pickGreedy } from '../core/scoring/pickGreedy.js';
import type { Device, DeviceAttempt, DeviceChoice } from './devices.js';
import { chatTemplateFile, HfTokenizer } from './hfTokenizer.js';
import { ModelError } from './modelError.js';
import { LOGITS_BUDGET_BYTES, openSession } from './onnxRunner.js';

/** Weight storage of the ONNX file to open when the manifest does not name one. */
export type GeneratorDtype = 'fp32' | 'fp16' | 'int4';

/** How to open a generator. */
export interface GeneratorOptions {
  /** `auto` (default): CUDA → WebGPU → CPU, as the scoring engine; or one device with no fallback. */
  readonly device?: DeviceChoice;
  /**
   * Which export to open: `onnx/model.onnx`, `onnx/model_fp16.onnx` or `onnx/model_q4.onnx` (then
   * `model_q4f16.onnx`). Without it the manifest's `model` wins, then the first of those that exists.
   */
  readonly dtype?: GeneratorDtype;
  /**
   * Most prompt tokens per prefill run (default: as many as keep the prompt's `[1, S, vocab]` float32
   * logits under 128 MiB, 220 for a 152k vocabulary). Longer prompts are prefilled in chunks, each
   * extending the cache, so a long prompt never materialises gigabytes of logits.
   */
  readonly prefillChunk?: number;
  readonly intraOpNumThreads?: number;
  /** Test hook: devices whose creation fails as if their provider threw. */
  readonly simulateFailures?: readonly Device[];
}

/** One generation request. */
export interface GenerateOptions {
  /** Most tokens to generate (0 returns at once without running the model). */
  readonly maxNewTokens: number;
  /** Generation ends after producing one of these ids (the stop token is kept in the result, as HF's generate does). */
  readonly stopIds?: readonly number[];
  /** Token ids whose log-probabilities are recorded at every generated position (e.g. " Yes" / " No" verdict tokens). */
  readonly watchIds?: readonly number[];
  /** Checked before each model run; on abort the tokens so far come back with stop `cancelled`. */
  readonly signal?: AbortSignal;
}

/** Why generation ended. */
export type StopReason = 'length' | 'stop' | 'cancelled';

/** The result of {@link TokenGenerator.generate}. */
export interface Generated {
  /** Generated ids (prompt excluded), the stop id included when stop is `stop`. */
  readonly ids: number[];
  /** Natural-log softmax probability of each chosen id, over the whole vocabulary. */
  readonly logprobs: number[];
  /** Per generated position, the log-probabilities of `watchIds` in the order given. */
  readonly watched: number[][];
  /** `length`: maxNewTokens reached, or the model's max_position_embeddings. */
  readonly stop: StopReason;
  readonly promptTokens: number;
  readonly device: Device;
}

/**
 * A greedy decoder over one onnxruntime session. Calls to `generate` run one after another (a
 * session's cache is per call, but concurrent runs would only compete for the same cores).
 */
export interface TokenGenerator {
  readonly tokenizer: HfTokenizer;
  readonly device: Device;
  /** Every device tried when the session was created, with errors. */
  readonly attempts: readonly DeviceAttempt[];
  /** The ONNX file in use (absolute). */
  readonly modelPath: string;
  /** Logits width. */
  readonly vocabSize: number;
  /** `max_position_embeddings` from config.json (Infinity when absent): prompt + generated tokens never exceed it. */
  readonly maxPositions: number;
  /** Generates greedily (argmax, ties to the lowest id) after `promptIds`. */
  generate(promptIds: readonly number[], opts: GenerateOptions): Promise<Generated>;
  /** Waits for the running generation, then releases the session. */
  dispose(): Promise<void>;
}

type Json = Record<string, unknown>;

const MANIFEST = 'reward-lens.json';
const DTYPE_FILES: Readonly<Record<GeneratorDtype, readonly string[]>> = {
  fp32: ['onnx/model.onnx', 'model.onnx'],
  fp16: ['onnx/model_fp16.onnx'],
  int4: ['onnx/model_q4.onnx', 'onnx/model_q4f16.onnx'],
};
const ONNX_PREFERENCE = [...DTYPE_FILES.fp32, ...DTYPE_FILES.fp16, ...DTYPE_FILES.int4];
const EXPORT_FIX = 'Export the model with `reward-lens export <checkpoint> <folder> --preset generator` (or `optimum-cli export onnx --task text-generation-with-past`), which adds the past_key_values.* inputs and present.* outputs.';

function readJson(path: string, rel: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelError(`${rel} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, path, undefined, `Copy ${rel} from the model repository again.`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ModelError(`${rel} is not a JSON object`, path, undefined, `Copy ${rel} from the model repository again.`);
  return v as Json;
}

function pickOnnx(dir: string, manifest: Json | undefined, dtype: GeneratorDtype | undefined): string {
  if (dtype !== undefined) {
    const hit = DTYPE_FILES[dtype].find((f) => existsSync(join(dir, f)));
    if (hit !== undefined) return join(dir, hit);
    throw new ModelError(`no ${dtype} export in the folder (looked for ${DTYPE_FILES[dtype].join(', ')})`, dir, undefined, `Export the ${dtype} model into the folder, or choose another dtype.`);
  }
  const named = manifest?.['model'];
  if (named !== undefined) {
    if (typeof named !== 'string') throw new ModelError('"model" must be a path string', join(dir, MANIFEST), 'model', 'Write e.g. "model": "onnx/model.onnx".');
    const p = resolve(dir, named);
    if (!existsSync(p)) throw new ModelError(`"model" names ${named}, which does not exist`, join(dir, MANIFEST), 'model', 'Point "model" at the .onnx file inside the folder, e.g. "onnx/model.onnx".');
    return p;
  }
  const hit = ONNX_PREFERENCE.find((f) => existsSync(join(dir, f)));
  if (hit !== undefined) return join(dir, hit);
  throw new ModelError('no ONNX model in the folder (looked for onnx/model*.onnx and model.onnx)', join(dir, 'onnx/model.onnx'), undefined, EXPORT_FIX);
}

/** One cache tensor: the graph input, the output that extends it, and its empty `[1, heads, 0, dim]` shape. */
interface CacheSlot {
  readonly input: string;
  readonly output: string;
  readonly type: 'float32' | 'float16';
  readonly heads: number;
  readonly dim: number;
}

/** What the decode loop feeds: which optional inputs exist and the cache slots. */
interface GraphPlan {
  readonly mask: boolean;
  readonly positions: boolean;
  readonly slots: readonly CacheSlot[];
  readonly vocabSize: number;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Checks the session's inputs and outputs for the with-past contract and sizes the cache from them and config.json. */
function planGraph(session: ort.InferenceSession, onnxPath: string, rel: string, config: Json, configPath: string): GraphPlan {
  const inputs = session.inputMetadata;
  const outputs = new Map(session.outputMetadata.map((o) => [o.name, o]));
  const names = inputs.map((i) => i.name);
  if (!names.includes('input_ids')) throw new ModelError(`${rel} has no input_ids input (inputs: ${names.join(', ')})`, onnxPath, 'input_ids', EXPORT_FIX);
  const logits = outputs.get('logits');
  if (logits === undefined) throw new ModelError(`${rel} has no logits output (outputs: ${[...outputs.keys()].join(', ')})`, onnxPath, 'logits', EXPORT_FIX);
  if (logits.isTensor && logits.type !== 'float32' && logits.type !== 'float16') throw new ModelError(`${rel}'s logits are ${logits.type}, expected float32 or float16`, onnxPath, 'logits', EXPORT_FIX);
  const pastInputs = inputs.filter((i) => i.name.startsWith('past_key_values.'));
  if (pastInputs.length === 0) {
    throw new ModelError(`${rel} has no past_key_values.* inputs: it was exported without a KV cache, so it cannot generate token by token (inputs: ${names.join(', ')})`, onnxPath, 'past_key_values', EXPORT_FIX);
  }
  const unknown = names.filter((n) => !['input_ids', 'attention_mask', 'position_ids'].includes(n) && !/^past_key_values\.\d+\.(key|value)$/u.test(n));
  if (unknown.length > 0) throw new ModelError(`${rel} has inputs the decoder cannot feed: ${unknown.join(', ')}`, onnxPath, unknown[0], EXPORT_FIX);

  const attnHeads = positiveInt(config['num_attention_heads']);
  const configHeads = positiveInt(config['num_key_value_heads']) ?? attnHeads;
  const hidden = positiveInt(config['hidden_size']);
  const configDim = positiveInt(config['head_dim']) ?? (hidden !== undefined && attnHeads !== undefined ? hidden / attnHeads : undefined);
  const layers = pastInputs.length / 2;
  const slots: CacheSlot[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (const part of ['key', 'value'] as const) {
      const input = `past_key_values.${layer}.${part}`;
      const meta = pastInputs.find((i) => i.name === input);
      if (meta === undefined) throw new ModelError(`${rel} has ${pastInputs.length} past_key_values.* inputs but no ${input}`, onnxPath, input, EXPORT_FIX);
      const output = `present.${layer}.${part}`;
      if (!outputs.has(output)) throw new ModelError(`${rel} takes ${input} but has no ${output} output to feed back`, onnxPath, output, EXPORT_FIX);
      const shape = meta.isTensor ? meta.shape : [];
      const type = meta.isTensor ? meta.type : 'float32';
      if (type !== 'float32' && type !== 'float16') throw new ModelError(`${input} is ${type}; the decoder feeds float32 or float16 caches`, onnxPath, input, EXPORT_FIX);
      if (shape.length !== 4) throw new ModelError(`${input} has rank ${shape.length}, expected 4 [batch, kv_heads, past_sequence_length, head_dim]`, onnxPath, input, EXPORT_FIX);
      const heads = positiveInt(shape[1]) ?? configHeads;
      const dim = positiveInt(shape[3]) ?? configDim;
      if (heads === undefined || dim === undefined || !Number.isInteger(dim)) {
        throw new ModelError(`${input} has symbolic head dims [${shape.join(', ')}] and config.json does not give them`, configPath, heads === undefined ? 'num_key_value_heads' : 'head_dim', 'Copy config.json from the model repository (it needs num_key_value_heads or num_attention_heads, and head_dim or hidden_size).');
      }
      slots.push({ input, output, type, heads, dim });
    }
  }
  if (slots.length !== pastInputs.length) throw new ModelError(`${rel}'s past_key_values.* inputs are not one key and one value for each layer`, onnxPath, 'past_key_values', EXPORT_FIX);
  const declared = logits.isTensor ? logits.shape[logits.shape.length - 1] : undefined;
  const vocabSize = positiveInt(declared) ?? positiveInt(config['vocab_size']);
  if (vocabSize === undefined) throw new ModelError(`${rel}'s logits width is symbolic and config.json has no vocab_size`, configPath, 'vocab_size', 'Copy config.json from the model repository.');
  return { mask: names.includes('attention_mask'), positions: names.includes('position_ids'), slots, vocabSize };
}

function int64(values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from({ length: values.length }, (_, i) => BigInt(values[i] ?? 0)), dims);
}

function disposeAll(tensors: Iterable<ort.Tensor>): void {
  for (const t of tensors) t.dispose();
}

class OnnxGenerator implements TokenGenerator {
  /** The last queued call; the next one starts when it settles. */
  private tail: Promise<unknown> = Promise.resolve();
  private disposed = false;
  readonly vocabSize: number;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly plan: GraphPlan,
    readonly tokenizer: HfTokenizer,
    readonly device: Device,
    readonly attempts: readonly DeviceAttempt[],
    readonly modelPath: string,
    readonly maxPositions: number,
    private readonly prefillChunk: number,
  ) {
    this.vocabSize = plan.vocabSize;
  }

  generate(promptIds: readonly number[], opts: GenerateOptions): Promise<Generated> {
    if (this.disposed) return Promise.reject(new Error('the generator was disposed'));
    const run = this.tail.then(
      () => this.decode(promptIds, opts),
      () => this.decode(promptIds, opts),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.tail;
    await this.session.release();
  }

  private validate(promptIds: readonly number[], opts: GenerateOptions): void {
    const V = this.vocabSize;
    if (promptIds.length === 0) throw new RangeError('the prompt is empty: generation needs at least one token (e.g. BOS)');
    const bad = promptIds.find((id) => !Number.isInteger(id) || id < 0 || id >= V);
    if (bad !== undefined) throw new RangeError(`prompt id ${bad} is outside the model's vocabulary of ${V}`);
    if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) throw new RangeError(`maxNewTokens must be a whole number ≥ 0, not ${opts.maxNewTokens}`);
    const badWatch = opts.watchIds?.find((id) => !Number.isInteger(id) || id < 0 || id >= V);
    if (badWatch !== undefined) throw new RangeError(`watched id ${badWatch} is outside the model's vocabulary of ${V}`);
    if (promptIds.length >= this.maxPositions) throw new RangeError(`the prompt has ${promptIds.length} tokens; the model has ${this.maxPositions} positions (max_position_embeddings), leaving none to generate`);
  }

  private async decode(promptIds: readonly number[], opts: GenerateOptions): Promise<Generated> {
    this.validate(promptIds, opts);
    const ids: number[] = [];
    const logprobs: number[] = [];
    const watched: number[][] = [];
    const done = (stop: StopReason): Generated => ({ ids, logprobs, watched, stop, promptTokens: promptIds.length, device: this.device });
    const cancelled = (): boolean => opts.signal?.aborted === true;
    if (cancelled()) return done('cancelled');
    if (opts.maxNewTokens === 0) return done('length');
    const stops = new Set(opts.stopIds ?? []);
    const watch = opts.watchIds ?? [];

    // The cache: one tensor per slot, replaced by each run's present.* outputs.
    let past: ort.Tensor[] = this.plan.slots.map((s) => new ort.Tensor(s.type, s.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), [1, s.heads, 0, s.dim]));
    let pastLen = 0;
    try {
      let next = -1;
      for (let start = 0; start < promptIds.length; start += this.prefillChunk) {
        if (start > 0 && cancelled()) return done('cancelled');
        const piece = promptIds.slice(start, start + this.prefillChunk);
        const last = start + piece.length >= promptIds.length;
        const r = await this.step(piece, past, pastLen, last ? watch : undefined);
        past = r.present;
        pastLen += piece.length;
        if (r.pick !== undefined) {
          next = r.pick.id;
          ids.push(r.pick.id);
          logprobs.push(r.pick.logprob);
          watched.push(r.pick.watched);
        }
      }
      for (;;) {
        if (stops.has(next)) return done('stop');
        // pastLen + 1 = prompt + generated: the sequence may fill the model's positions, not exceed them.
        if (ids.length >= opts.maxNewTokens || pastLen + 1 >= this.maxPositions) return done('length');
        if (cancelled()) return done('cancelled');
        const r = await this.step([next], past, pastLen, watch);
        past = r.present;
        pastLen += 1;
        const pick = r.pick;
        if (pick === undefined) throw new Error('the model returned no logits');
        next = pick.id;
        ids.push(pick.id);
        logprobs.push(pick.logprob);
        watched.push(pick.watched);
      }
    } finally {
      disposeAll(past);
    }
  }

  /**
   * One run over `tokens` after `pastLen` cached positions. Disposes `past` once the run is over and
   * returns the new cache; with `watch` defined also the greedy pick at the last position.
   */
  private async step(tokens: readonly number[], past: readonly ort.Tensor[], pastLen: number, watch: readonly number[] | undefined): Promise<{ present: ort.Tensor[]; pick?: ReturnType<typeof pickGreedy> }> {
    const S = tokens.length;
    const feeds: Record<string, ort.Tensor> = { input_ids: int64(tokens, [1, S]) };
    if (this.plan.mask) feeds['attention_mask'] = int64(new Array<number>(pastLen + S).fill(1), [1, pastLen + S]);
    if (this.plan.positions) feeds['position_ids'] = int64(Array.from({ length: S }, (_, i) => pastLen + i), [1, S]);
    const own = Object.values(feeds);
    this.plan.slots.forEach((slot, i) => {
      const t = past[i];
      if (t !== undefined) feeds[slot.input] = t;
    });
    const fetches = [...(watch !== undefined ? ['logits'] : []), ...this.plan.slots.map((s) => s.output)];
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.session.run(feeds, fetches, { logSeverityLevel: 4 });
    } finally {
      disposeAll(own);
      disposeAll(past);
    }
    const present = this.plan.slots.map((s) => out[s.output]).filter((t): t is ort.Tensor => t !== undefined);
    const logits = out['logits'];
    try {
      if (present.length !== this.plan.slots.length) throw new Error('the model did not return every present.* output');
      if (watch === undefined) return { present };
      if (logits === undefined) throw new Error('the model returned no logits');
      const dims = logits.dims;
      const V = dims[dims.length - 1] ?? 0;
      const rows = dims.length === 3 ? (dims[1] ?? 0) : 1;
      if (dims[0] !== 1 || V !== this.vocabSize || rows < 1) throw new Error(`logits has shape [${dims.join(', ')}], expected [1, ${S}, ${this.vocabSize}]`);
      // The last row is the next-token distribution (also for exports that keep only the last position).
      const pick = pickGreedy(logits.data as Float32Array | Uint16Array, (rows - 1) * V, V, watch);
      return { present, pick };
    } catch (e) {
      disposeAll(present);
      throw e;
    } finally {
      logits?.dispose();
    }
  }
}

/**
 * Opens a generator over a model folder: config.json (cache sizes, max_position_embeddings), the ONNX
 * file (see {@link GeneratorOptions.dtype}; reward-lens.json's `model` otherwise), tokenizer.json with
 * tokenizer_config.json and any chat template file. Throws {@link ModelError} naming the file and the
 * fix when the folder cannot generate (e.g. a graph exported without `past_key_values.*` inputs), and
 * NoDeviceError when no device could create the session.
 */
export async function openGenerator(dirArg: string, opts: GeneratorOptions = {}): Promise<TokenGenerator> {
  const dir = resolve(dirArg);
  if (opts.prefillChunk !== undefined && (!Number.isInteger(opts.prefillChunk) || opts.prefillChunk < 1)) throw new RangeError(`prefillChunk must be a whole number ≥ 1, not ${opts.prefillChunk}`);
  const manifestPath = join(dir, MANIFEST);
  const manifest = existsSync(manifestPath) ? readJson(manifestPath, MANIFEST) : undefined;
  const configPath = join(dir, 'config.json');
  const config = existsSync(configPath) ? readJson(configPath, 'config.json') : {};
  const tokPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokPath)) throw new ModelError('tokenizer.json is missing', tokPath, undefined, 'Copy tokenizer.json from the model repository (the export copies it).');
  const tokConfigPath = join(dir, 'tokenizer_config.json');
  const templateFile = chatTemplateFile(dir);
  const tokenizer = HfTokenizer.fromFiles(tokPath, existsSync(tokConfigPath) ? tokConfigPath : undefined, templateFile === undefined ? undefined : join(dir, templateFile));
  const onnxPath = pickOnnx(dir, manifest, opts.dtype);
  const rel = relative(dir, onnxPath);

  const { session, device, attempts } = await openSession(onnxPath, {
    device: opts.device ?? 'auto',
    ...(opts.simulateFailures !== undefined ? { simulateFailures: opts.simulateFailures } : {}),
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
  });
  try {
    const plan = planGraph(session, onnxPath, rel, config, configPath);
    const chunk = opts.prefillChunk ?? Math.max(1, Math.floor(LOGITS_BUDGET_BYTES / (plan.vocabSize * 4)));
    const maxPositions = positiveInt(config['max_position_embeddings']) ?? Number.POSITIVE_INFINITY;
    return new OnnxGenerator(session, plan, tokenizer, device, attempts, onnxPath, maxPositions, chunk);
  } catch (e) {
    await session.release();
    throw e;
  }
}
