// Token-by-token decoding with a KV cache over an ONNX causal LM: an optimum `text-generation-with-past`
// export (`past_key_values.{i}.key|value` in, `present.{i}.*` out) or an onnxruntime-genai model-builder
// folder (names and sizes from genai_config.json). The prompt is prefilled with an empty past, then each
// step feeds one token and the previous step's present outputs back as the past. Greedy (argmax) by
// default; with a temperature, seeded sampling with optional top-p. Runs in the caller's thread: the
// local judges call it from the generator worker (generatorWorker.ts).
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromFloat16Bits } from '../core/scoring/contracts/float16.js';
import { pickGreedy } from '../core/scoring/pickGreedy.js';
import type { Device, DeviceAttempt, DeviceChoice } from './devices.js';
import { checkExternal, readFolderJson, readFolderTokenizer, readGraphSummary, type Finding } from './checkModel.js';
import type { HfTokenizer } from './hfTokenizer.js';
import { ModelError } from './modelError.js';
import type { GraphValue, OnnxSummary } from './onnxGraph.js';
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
   * Ignored for genai folders, which hold one model (genai_config.json's `model.decoder.filename`).
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

/** One token as the decode loop chose it. */
export interface TokenStep {
  /** Position among the generated tokens (0 = the first). */
  readonly index: number;
  readonly id: number;
  /** See {@link Generated.logprobs}. */
  readonly logprob: number;
  /** See {@link Generated.watched}. */
  readonly watched: readonly number[];
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
  /** Sampling temperature (finite, ≥ 0). 0 or absent: greedy, no random draws. */
  readonly temperature?: number;
  /**
   * Nucleus sampling (0 < topP ≤ 1, default 1): only the smallest set of most likely ids whose
   * probability after temperature reaches `topP` can be drawn. Ignored when greedy.
   */
  readonly topP?: number;
  /**
   * Seed of the sampling stream (default 0; any number, used as a 32-bit integer). The same seed, model,
   * prompt and options give the same tokens on every run and machine (up to the runtime's arithmetic).
   * Each sampled token takes exactly one draw from {@link samplingStream}.
   */
  readonly seed?: number;
  /**
   * Called with each token as soon as it is chosen, before the stop ids and the length are checked.
   * Returning `'stop'` ends generation after that token with stop `stop` (e.g. a stop string appeared).
   */
  readonly onToken?: (token: TokenStep) => 'stop' | undefined;
}

/** Why generation ended. */
export type StopReason = 'length' | 'stop' | 'cancelled';

/** The result of {@link TokenGenerator.generate}. */
export interface Generated {
  /** Generated ids (prompt excluded), the stop id included when stop is `stop`. */
  readonly ids: number[];
  /**
   * Natural-log probability of each chosen id under the model's own distribution: log-softmax of the raw
   * logits over the whole vocabulary, before temperature and top-p. Greedy and sampled runs report the
   * same quantity, so a sampled token's logprob says how likely the model (not the sampler) found it.
   */
  readonly logprobs: number[];
  /** Per generated position, the log-probabilities of `watchIds` in the order given (same distribution as `logprobs`). */
  readonly watched: number[][];
  /** `length`: maxNewTokens reached, or the model's positions; `stop`: a stop id or `onToken` said so. */
  readonly stop: StopReason;
  readonly promptTokens: number;
  readonly device: Device;
}

/** Where the folder's generation facts came from. */
export type GeneratorFormat = 'optimum' | 'genai';

/**
 * A decoder over one onnxruntime session. Calls to `generate` run one after another (a session's cache
 * is per call, but concurrent runs would only compete for the same cores).
 */
export interface TokenGenerator {
  readonly tokenizer: HfTokenizer;
  readonly device: Device;
  /** Every device tried when the session was created, with errors. */
  readonly attempts: readonly DeviceAttempt[];
  /** The ONNX file in use (absolute). */
  readonly modelPath: string;
  /** `optimum` (config.json, optimum's names) or `genai` (genai_config.json's names and sizes). */
  readonly format: GeneratorFormat;
  /**
   * End-of-sequence ids: generation_config.json's `eos_token_id` (a number or a list), else
   * genai_config.json's `model.eos_token_id`, else config.json's, else the tokenizer's `eos_token`.
   * Callers pass them as `stopIds`; `generate` itself stops only on the ids it is given.
   */
  readonly eosIds: readonly number[];
  /** Logits width. */
  readonly vocabSize: number;
  /**
   * Positions the model has (Infinity when unknown): genai's `context_length` (else `search.max_length`),
   * else config.json's `max_position_embeddings`. Prompt + generated tokens never exceed it.
   */
  readonly maxPositions: number;
  /** Where the session keeps its `present.*` outputs between steps (`gpu-buffer` on WebGPU). */
  readonly cacheLocation: 'cpu' | 'gpu-buffer';
  /** Files whose content identifies the model: graph, external weights, tokenizer, configs (for fingerprints). */
  readonly files: readonly string[];
  /** Decodes after `promptIds`: greedily (argmax, ties to the lowest id), or sampled when `temperature` > 0. */
  generate(promptIds: readonly number[], opts: GenerateOptions): Promise<Generated>;
  /** Waits for the running generation, then releases the session. */
  dispose(): Promise<void>;
}

type Json = Record<string, unknown>;

const MANIFEST = 'reward-lens.json';
const GENAI_CONFIG = 'genai_config.json';
const DTYPE_FILES: Readonly<Record<GeneratorDtype, readonly string[]>> = {
  fp32: ['onnx/model.onnx', 'model.onnx'],
  fp16: ['onnx/model_fp16.onnx'],
  int4: ['onnx/model_q4.onnx', 'onnx/model_q4f16.onnx'],
};
const ONNX_PREFERENCE = [...DTYPE_FILES.fp32, ...DTYPE_FILES.fp16, ...DTYPE_FILES.int4];
const EXPORT_FIX = 'Export the model with `reward-lens export <checkpoint> <folder> --preset generator` (or `optimum-cli export onnx --task text-generation-with-past`), which adds the past_key_values.* inputs and present.* outputs.';
const GENAI_FIX = 'Rebuild the folder with the onnxruntime-genai model builder (python -m onnxruntime_genai.models.builder), or fix genai_config.json to match the graph.';

// ---------------------------------------------------------------------------------------------------
// Sampling

/**
 * A seeded stream of uniform numbers in [0, 1): xoshiro128** seeded through splitmix32, 32-bit
 * resolution. Pure integer arithmetic, so the same seed gives the same draws everywhere.
 */
export function samplingStream(seed: number): () => number {
  let x = Math.trunc(seed) >>> 0;
  const splitmix = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  if ((a | b | c | d) === 0) a = 1;
  return () => {
    const out = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return out / 4294967296;
  };
}

function rotl(v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0;
}

/** Buckets per unit of `(max − logit) / temperature` when searching the nucleus, and how many units are bucketed. */
const NUCLEUS_BUCKETS_PER_UNIT = 16;
const NUCLEUS_UNITS = 48;

/**
 * The ids nucleus sampling may draw, in ascending id order: the smallest set of largest weights (ties:
 * lower id first) whose sum reaches `topP × total`. Avoids sorting the vocabulary: one pass puts every id
 * in a bucket by `(max − logit) / temperature` (monotone in its weight), the buckets are summed from the
 * top until they hold enough weight, and only the bucket where that happens is sorted.
 */
function nucleus(row: ArrayLike<number>, max: number, temperature: number, w: Float64Array, total: number, topP: number): Int32Array {
  const need = topP * total;
  const scale = NUCLEUS_BUCKETS_PER_UNIT / temperature;
  const last = NUCLEUS_BUCKETS_PER_UNIT * NUCLEUS_UNITS;
  const bucketOf = new Int32Array(w.length);
  const sums = new Float64Array(last + 1);
  for (let i = 0; i < w.length; i++) {
    const b = Math.min(last, Math.floor((max - (row[i] ?? Number.NaN)) * scale));
    bucketOf[i] = b;
    sums[b] = (sums[b] ?? 0) + (w[i] ?? 0);
  }
  let edge = 0;
  let above = 0;
  while (edge < last && above + (sums[edge] ?? 0) < need) above += sums[edge++] ?? 0;
  const kept: number[] = [];
  const boundary: number[] = [];
  for (let i = 0; i < w.length; i++) {
    const b = bucketOf[i] ?? last;
    if (b < edge) kept.push(i);
    else if (b === edge) boundary.push(i);
  }
  boundary.sort((p, q) => (w[q] ?? 0) - (w[p] ?? 0) || p - q);
  let acc = above;
  for (const id of boundary) {
    if (acc >= need && kept.length > 0) break;
    kept.push(id);
    acc += w[id] ?? 0;
  }
  return Int32Array.from(kept).sort();
}

/**
 * Samples one id from a row of logits, given one uniform draw `u` in [0, 1). Weights are
 * `w_i = exp((l_i − max) / temperature)`; with `topP` < 1 only the {@link nucleus} ids keep theirs. The
 * pick is inverse-CDF over the kept ids in ascending id order: the first id at which the running sum of
 * kept weights exceeds `u × (their total)`. Throws RangeError for rows holding NaN or +Infinity, or
 * nothing but −Infinity.
 */
export function sampleToken(row: ArrayLike<number>, temperature: number, topP: number, u: number): number {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`temperature must be a finite number > 0, not ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`topP must be in (0, 1], not ${topP}`);
  const V = row.length;
  let max = -Infinity;
  for (let i = 0; i < V; i++) {
    const v = row[i] ?? Number.NaN;
    if (v > max) max = v;
  }
  const w = new Float64Array(V);
  let total = 0;
  for (let i = 0; i < V; i++) {
    const e = Math.exp(((row[i] ?? Number.NaN) - max) / temperature);
    w[i] = e;
    total += e;
  }
  if (!Number.isFinite(max) || !Number.isFinite(total)) throw new RangeError('cannot sample: the logits hold NaN or +Infinity, or only -Infinity');
  if (topP < 1) {
    const kept = nucleus(row, max, temperature, w, total, topP);
    let keptTotal = 0;
    for (const id of kept) keptTotal += w[id] ?? 0;
    const target = u * keptTotal;
    let acc = 0;
    for (const id of kept) {
      acc += w[id] ?? 0;
      if (acc > target) return id;
    }
    return kept[kept.length - 1] ?? 0;
  }
  const target = u * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < V; i++) {
    const x = w[i] ?? 0;
    if (x === 0) continue;
    acc += x;
    last = i;
    if (acc > target) return i;
  }
  return last;
}

/** Temperature and top-p of a sampled run, with its stream. */
interface Sampler {
  readonly temperature: number;
  readonly topP: number;
  readonly draw: () => number;
}

/** The chosen id and its log-probabilities: greedy through pickGreedy, sampled through sampleToken. */
function pickToken(data: Float32Array | Uint16Array, offset: number, width: number, watch: readonly number[], sampler: Sampler | undefined): { id: number; logprob: number; watched: number[] } {
  if (sampler === undefined) return pickGreedy(data, offset, width, watch);
  const row = new Float32Array(width);
  if (data instanceof Uint16Array) for (let i = 0; i < width; i++) row[i] = fromFloat16Bits(data[offset + i] ?? 0);
  else row.set(data.subarray(offset, offset + width));
  // The greedy pick gives log Z of the untempered distribution (its logprob is l_best − log Z).
  const greedy = pickGreedy(row, 0, width, watch);
  const logZ = (row[greedy.id] ?? Number.NaN) - greedy.logprob;
  const id = sampleToken(row, sampler.temperature, sampler.topP, sampler.draw());
  return { id, logprob: (row[id] ?? Number.NaN) - logZ, watched: greedy.watched };
}

// ---------------------------------------------------------------------------------------------------
// WebGPU cache placement

/**
 * `preferredOutputLocation` for a session on `device`: on WebGPU every cache output stays on the GPU
 * (`gpu-buffer`), to be fed back as the next step's past without a round trip through host memory;
 * elsewhere undefined (onnxruntime-node returns GPU buffers only from WebGPU; CPU and CUDA outputs come
 * back in host memory either way). Logits are never listed: the decoder reads them on the host.
 */
export function cacheOutputLocations(device: Device, cacheOutputs: readonly string[]): Record<string, 'gpu-buffer'> | undefined {
  if (device !== 'webgpu' || cacheOutputs.length === 0) return undefined;
  return Object.fromEntries(cacheOutputs.map((name) => [name, 'gpu-buffer' as const]));
}

// ---------------------------------------------------------------------------------------------------
// The folder

/**
 * Collects findings from checkModel's folder readers (shared with `models check`) and throws the first
 * error as a ModelError naming the file, the field and the fix.
 */
class FolderProblems {
  private readonly findings: Finding[] = [];
  readonly add = (f: Finding): void => {
    this.findings.push(f);
  };

  constructor(private readonly dir: string) {}

  throwFirst(): void {
    const e = this.findings.find((f) => f.level === 'error');
    if (e === undefined) return;
    // A tokenizer that does not load names its files as `a / b / c`; the first is the one to look at.
    const file = e.file.split(' / ')[0] ?? e.file;
    const message = e.message.startsWith(file) ? e.message : `${e.file}: ${e.message}`;
    throw new ModelError(message, join(this.dir, file), e.field, e.fix);
  }
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `eos_token_id` as generation_config.json, genai_config.json and config.json write it: one id or a list. */
function eosIdsOf(v: unknown): number[] | undefined {
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (ok(v)) return [v];
  if (Array.isArray(v) && v.length > 0 && v.every(ok)) return [...new Set(v)];
  return undefined;
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

/** Graph value names the decode loop feeds and reads. */
interface IoNames {
  readonly inputIds: string;
  readonly attentionMask: string;
  readonly positionIds: string;
  readonly logits: string;
  /** Past input / present output of one layer's key or value cache. */
  readonly past: (layer: number, part: 'key' | 'value') => string;
  readonly present: (layer: number, part: 'key' | 'value') => string;
}

/** optimum's (and transformers.js') names. */
const OPTIMUM_NAMES: IoNames = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  logits: 'logits',
  past: (layer, part) => `past_key_values.${layer}.${part}`,
  present: (layer, part) => `present.${layer}.${part}`,
};

/** What genai_config.json says about the decoder. */
interface GenaiDecoder {
  readonly filename: string;
  readonly names: IoNames;
  readonly layers: number;
  readonly kvHeads: number | undefined;
  readonly headSize: number | undefined;
  readonly vocabSize: number | undefined;
  readonly positions: number | undefined;
  /** The field `positions` came from. */
  readonly positionsField: string;
  readonly eosIds: number[] | undefined;
}

/**
 * Reads an onnxruntime-genai model-builder `genai_config.json`: `model.decoder.filename`, its `inputs` and
 * `outputs` names (`%d` templates for the cache), `num_hidden_layers`, `num_key_value_heads`, `head_size`;
 * `model.context_length`, `model.eos_token_id`, `model.vocab_size`, `search.max_length`.
 *
 * `search.past_present_share_buffer: true` makes genai's runtime allocate one `max_length` buffer per
 * cache tensor and bind it as both past and present, so attention writes the new entries in place. That
 * is genai's runtime optimisation (less copying and memory), not a different graph and not needed for
 * correctness: GroupQueryAttention treats the past as shared only when it is the very buffer the present
 * goes to; a growing past (the previous step's present, as this decoder feeds it) is extended into a
 * new present instead. So this decoder ignores the flag (the tests run a GroupQueryAttention folder with
 * it on and off and get the reference tokens).
 */
function readGenaiConfig(json: Json, path: string): GenaiDecoder {
  const bad = (field: string, what: string): ModelError => new ModelError(`${GENAI_CONFIG}: ${field} ${what}`, path, field, GENAI_FIX);
  const model = json['model'];
  if (!isObject(model)) throw bad('model', 'is missing');
  const decoder = model['decoder'];
  if (!isObject(decoder)) throw bad('model.decoder', 'is missing');
  const filename = decoder['filename'];
  if (typeof filename !== 'string' || filename === '') throw bad('model.decoder.filename', 'must name the ONNX file');
  const inputs = isObject(decoder['inputs']) ? decoder['inputs'] : {};
  const outputs = isObject(decoder['outputs']) ? decoder['outputs'] : {};
  const name = (obj: Json, key: string, section: string, fallback: string): string => {
    const v = obj[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v === '') throw bad(`model.decoder.${section}.${key}`, 'must be a name');
    return v;
  };
  const template = (obj: Json, key: string, section: string, fallback: string): ((layer: number) => string) => {
    const t = name(obj, key, section, fallback);
    if (t.split('%d').length !== 2) throw bad(`model.decoder.${section}.${key}`, `must hold one %d for the layer number (it is ${JSON.stringify(t)})`);
    return (layer) => t.replace('%d', String(layer));
  };
  const pastKey = template(inputs, 'past_key_names', 'inputs', 'past_key_values.%d.key');
  const pastValue = template(inputs, 'past_value_names', 'inputs', 'past_key_values.%d.value');
  const presentKey = template(outputs, 'present_key_names', 'outputs', 'present.%d.key');
  const presentValue = template(outputs, 'present_value_names', 'outputs', 'present.%d.value');
  const layers = positiveInt(decoder['num_hidden_layers']);
  if (layers === undefined) throw bad('model.decoder.num_hidden_layers', 'must be a whole number ≥ 1');
  const search = isObject(json['search']) ? json['search'] : {};
  return {
    filename,
    names: {
      inputIds: name(inputs, 'input_ids', 'inputs', 'input_ids'),
      attentionMask: name(inputs, 'attention_mask', 'inputs', 'attention_mask'),
      positionIds: name(inputs, 'position_ids', 'inputs', 'position_ids'),
      logits: name(outputs, 'logits', 'outputs', 'logits'),
      past: (layer, part) => (part === 'key' ? pastKey(layer) : pastValue(layer)),
      present: (layer, part) => (part === 'key' ? presentKey(layer) : presentValue(layer)),
    },
    layers,
    kvHeads: positiveInt(decoder['num_key_value_heads']) ?? positiveInt(decoder['num_attention_heads']),
    headSize: positiveInt(decoder['head_size']),
    vocabSize: positiveInt(model['vocab_size']),
    positions: positiveInt(model['context_length']) ?? positiveInt(search['max_length']),
    positionsField: positiveInt(model['context_length']) !== undefined ? 'model.context_length' : 'search.max_length',
    eosIds: eosIdsOf(model['eos_token_id']),
  };
}

/** Everything read from the folder before a session exists. */
interface GeneratorFolder {
  readonly dir: string;
  readonly format: GeneratorFormat;
  readonly onnxPath: string;
  readonly config: Json;
  readonly configPath: string;
  readonly genai: GenaiDecoder | undefined;
  readonly tokenizer: HfTokenizer;
  readonly eosIds: readonly number[];
  readonly maxPositions: number;
  /** Where maxPositions comes from, for messages. */
  readonly positionsSource: string;
  /** Non-graph files that identify the model. */
  readonly files: readonly string[];
}

/** Reads reward-lens.json / genai_config.json, config.json, generation_config.json and the tokenizer files. */
function readGeneratorFolder(dir: string, dtype: GeneratorDtype | undefined): GeneratorFolder {
  const problems = new FolderProblems(dir);
  const json = (file: string): Json | undefined => {
    const v = readFolderJson(dir, file, problems.add);
    problems.throwFirst();
    return v;
  };
  const genaiPath = join(dir, GENAI_CONFIG);
  const genaiJson = json(GENAI_CONFIG);
  const genai = genaiJson !== undefined ? readGenaiConfig(genaiJson, genaiPath) : undefined;
  const manifest = json(MANIFEST);
  const configPath = join(dir, 'config.json');
  const config = json('config.json') ?? {};
  const generationConfig = json('generation_config.json');
  const { tokenizer, files: tokenizerFiles } = readFolderTokenizer(dir, problems.add);
  problems.throwFirst();
  if (tokenizer === undefined) throw new ModelError('tokenizer.json did not load', join(dir, 'tokenizer.json'), undefined, 'Copy the tokenizer files from the model repository again.');
  const files = [GENAI_CONFIG, MANIFEST, 'config.json', 'generation_config.json'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  files.push(...tokenizerFiles);

  let onnxPath: string;
  if (genai !== undefined) {
    onnxPath = resolve(dir, genai.filename);
    if (!existsSync(onnxPath)) throw new ModelError(`${GENAI_CONFIG} names ${genai.filename} as the decoder, which does not exist`, genaiPath, 'model.decoder.filename', GENAI_FIX);
  } else {
    onnxPath = pickOnnx(dir, manifest, dtype);
  }
  const tokenizerEos = tokenizer.eosToken === undefined ? undefined : tokenizer.tokenToId(tokenizer.eosToken);
  const eosIds = eosIdsOf(generationConfig?.['eos_token_id']) ?? genai?.eosIds ?? eosIdsOf(config['eos_token_id']) ?? (tokenizerEos !== undefined ? [tokenizerEos] : []);
  const maxPositions = genai?.positions ?? positiveInt(config['max_position_embeddings']) ?? Number.POSITIVE_INFINITY;
  const positionsSource = genai?.positions !== undefined ? `${GENAI_CONFIG} ${genai.positionsField}` : 'max_position_embeddings';
  return { dir, format: genai !== undefined ? 'genai' : 'optimum', onnxPath, config, configPath, genai, tokenizer, eosIds, maxPositions, positionsSource, files };
}

// ---------------------------------------------------------------------------------------------------
// The graph

/** One cache tensor: the graph input, the output that extends it, and its empty `[1, heads, 0, dim]` shape. */
interface CacheSlot {
  readonly input: string;
  readonly output: string;
  readonly type: 'float32' | 'float16';
  readonly heads: number;
  readonly dim: number;
}

/** What the decode loop feeds: input names (undefined when the graph lacks them) and the cache slots. */
interface GraphPlan {
  readonly inputIds: string;
  readonly mask: string | undefined;
  readonly positions: string | undefined;
  readonly logits: string;
  readonly slots: readonly CacheSlot[];
  readonly vocabSize: number;
}

/** Checks the graph's inputs and outputs for the with-past contract and sizes the cache from them and the configs. */
function planGraph(summary: OnnxSummary, folder: GeneratorFolder): GraphPlan {
  const { onnxPath, config, configPath, genai } = folder;
  const rel = relative(folder.dir, onnxPath);
  const names = genai?.names ?? OPTIMUM_NAMES;
  const fix = genai !== undefined ? GENAI_FIX : EXPORT_FIX;
  const inputs = new Map(summary.inputs.map((i) => [i.name, i]));
  const outputs = new Map(summary.outputs.map((o) => [o.name, o]));
  const inputList = summary.inputs.map((i) => i.name).join(', ');
  const configured = (what: string): string => (genai !== undefined ? ` (${GENAI_CONFIG} names it in model.decoder.${what})` : '');
  if (!inputs.has(names.inputIds)) throw new ModelError(`${rel} has no ${names.inputIds} input${configured('inputs.input_ids')} (inputs: ${inputList})`, onnxPath, names.inputIds, fix);
  const logits = outputs.get(names.logits);
  if (logits === undefined) throw new ModelError(`${rel} has no ${names.logits} output${configured('outputs.logits')} (outputs: ${[...outputs.keys()].join(', ')})`, onnxPath, names.logits, fix);
  if (logits.elemType !== 'float32' && logits.elemType !== 'float16') throw new ModelError(`${rel}'s ${names.logits} are ${logits.elemType}, expected float32 or float16`, onnxPath, names.logits, fix);

  let layers: number;
  if (genai !== undefined) {
    layers = genai.layers;
    const first = names.past(0, 'key');
    if (!inputs.has(first)) throw new ModelError(`${rel} has no ${first} input, the first cache input genai_config.json names (inputs: ${inputList})`, onnxPath, first, fix);
  } else {
    const pastInputs = summary.inputs.filter((i) => i.name.startsWith('past_key_values.'));
    if (pastInputs.length === 0) {
      throw new ModelError(`${rel} has no past_key_values.* inputs: it was exported without a KV cache, so it cannot generate token by token (inputs: ${inputList})`, onnxPath, 'past_key_values', EXPORT_FIX);
    }
    if (pastInputs.length % 2 !== 0 || pastInputs.some((i) => !/^past_key_values\.\d+\.(key|value)$/u.test(i.name))) {
      throw new ModelError(`${rel}'s past_key_values.* inputs are not one key and one value for each layer`, onnxPath, 'past_key_values', EXPORT_FIX);
    }
    layers = pastInputs.length / 2;
  }

  const attnHeads = positiveInt(config['num_attention_heads']);
  const configHeads = genai?.kvHeads ?? positiveInt(config['num_key_value_heads']) ?? attnHeads;
  const hidden = positiveInt(config['hidden_size']);
  const configDim = genai?.headSize ?? positiveInt(config['head_dim']) ?? (hidden !== undefined && attnHeads !== undefined ? hidden / attnHeads : undefined);
  const sizeSource = genai !== undefined ? { file: join(folder.dir, GENAI_CONFIG), heads: 'model.decoder.num_key_value_heads', dim: 'model.decoder.head_size', fix: GENAI_FIX } : { file: configPath, heads: 'num_key_value_heads', dim: 'head_dim', fix: 'Copy config.json from the model repository (it needs num_key_value_heads or num_attention_heads, and head_dim or hidden_size).' };
  const slots: CacheSlot[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (const part of ['key', 'value'] as const) {
      const input = names.past(layer, part);
      const meta: GraphValue | undefined = inputs.get(input);
      if (meta === undefined) throw new ModelError(`${rel} has ${layers} layers of cache but no ${input} input${configured(`inputs.past_${part}_names`)}`, onnxPath, input, fix);
      const output = names.present(layer, part);
      if (!outputs.has(output)) throw new ModelError(`${rel} takes ${input} but has no ${output} output to feed back${configured(`outputs.present_${part}_names`)}`, onnxPath, output, fix);
      const type = meta.elemType;
      if (type !== 'float32' && type !== 'float16') throw new ModelError(`${input} is ${type}; the decoder feeds float32 or float16 caches`, onnxPath, input, fix);
      const shape = meta.dims ?? [];
      if (shape.length !== 4) throw new ModelError(`${input} has rank ${shape.length}, expected 4 [batch, kv_heads, past_sequence_length, head_dim]`, onnxPath, input, fix);
      const heads = positiveInt(shape[1]) ?? configHeads;
      const dim = positiveInt(shape[3]) ?? configDim;
      if (heads === undefined || dim === undefined || !Number.isInteger(dim)) {
        throw new ModelError(`${input} has symbolic head dims [${shape.join(', ')}] and ${relative(folder.dir, sizeSource.file)} does not give them`, sizeSource.file, heads === undefined ? sizeSource.heads : sizeSource.dim, sizeSource.fix);
      }
      slots.push({ input, output, type, heads, dim });
    }
  }
  const known = new Set([names.inputIds, names.attentionMask, names.positionIds, ...slots.map((s) => s.input)]);
  const unknown = summary.inputs.map((i) => i.name).filter((n) => !known.has(n));
  if (unknown.length > 0) throw new ModelError(`${rel} has inputs the decoder cannot feed: ${unknown.join(', ')}`, onnxPath, unknown[0], fix);
  const declared = logits.dims?.[logits.dims.length - 1];
  const vocabSize = positiveInt(declared) ?? genai?.vocabSize ?? positiveInt(config['vocab_size']);
  if (vocabSize === undefined) throw new ModelError(`${rel}'s logits width is symbolic and ${genai !== undefined ? `${GENAI_CONFIG} has no model.vocab_size` : 'config.json has no vocab_size'}`, genai !== undefined ? join(folder.dir, GENAI_CONFIG) : configPath, 'vocab_size', fix);
  return {
    inputIds: names.inputIds,
    mask: inputs.has(names.attentionMask) ? names.attentionMask : undefined,
    positions: inputs.has(names.positionIds) ? names.positionIds : undefined,
    logits: names.logits,
    slots,
    vocabSize,
  };
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
  readonly tokenizer: HfTokenizer;
  readonly modelPath: string;
  readonly format: GeneratorFormat;
  readonly eosIds: readonly number[];
  readonly maxPositions: number;
  readonly cacheLocation: 'cpu' | 'gpu-buffer';
  private readonly positionsSource: string;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly plan: GraphPlan,
    folder: GeneratorFolder,
    readonly device: Device,
    readonly attempts: readonly DeviceAttempt[],
    readonly files: readonly string[],
    private readonly prefillChunk: number,
  ) {
    this.vocabSize = plan.vocabSize;
    this.tokenizer = folder.tokenizer;
    this.modelPath = folder.onnxPath;
    this.format = folder.format;
    this.eosIds = folder.eosIds;
    this.maxPositions = folder.maxPositions;
    this.positionsSource = folder.positionsSource;
    this.cacheLocation = cacheOutputLocations(device, plan.slots.map((s) => s.output)) !== undefined ? 'gpu-buffer' : 'cpu';
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

  private validate(promptIds: readonly number[], opts: GenerateOptions): Sampler | undefined {
    const V = this.vocabSize;
    if (promptIds.length === 0) throw new RangeError('the prompt is empty: generation needs at least one token (e.g. BOS)');
    const bad = promptIds.find((id) => !Number.isInteger(id) || id < 0 || id >= V);
    if (bad !== undefined) throw new RangeError(`prompt id ${bad} is outside the model's vocabulary of ${V}`);
    if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) throw new RangeError(`maxNewTokens must be a whole number ≥ 0, not ${opts.maxNewTokens}`);
    const badWatch = opts.watchIds?.find((id) => !Number.isInteger(id) || id < 0 || id >= V);
    if (badWatch !== undefined) throw new RangeError(`watched id ${badWatch} is outside the model's vocabulary of ${V}`);
    if (promptIds.length >= this.maxPositions) throw new RangeError(`the prompt has ${promptIds.length} tokens; the model has ${this.maxPositions} positions (${this.positionsSource}), leaving none to generate`);
    const temperature = opts.temperature ?? 0;
    if (!Number.isFinite(temperature) || temperature < 0) throw new RangeError(`temperature must be a finite number ≥ 0, not ${temperature}`);
    const topP = opts.topP ?? 1;
    if (!(topP > 0 && topP <= 1)) throw new RangeError(`topP must be in (0, 1], not ${topP}`);
    const seed = opts.seed ?? 0;
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, not ${seed}`);
    return temperature > 0 ? { temperature, topP, draw: samplingStream(seed) } : undefined;
  }

  private async decode(promptIds: readonly number[], opts: GenerateOptions): Promise<Generated> {
    const sampler = this.validate(promptIds, opts);
    const ids: number[] = [];
    const logprobs: number[] = [];
    const watched: number[][] = [];
    const done = (stop: StopReason): Generated => ({ ids, logprobs, watched, stop, promptTokens: promptIds.length, device: this.device });
    const cancelled = (): boolean => opts.signal?.aborted === true;
    if (cancelled()) return done('cancelled');
    if (opts.maxNewTokens === 0) return done('length');
    const stops = new Set(opts.stopIds ?? []);
    const watch = opts.watchIds ?? [];
    /** Records a pick; true when the caller's onToken asks to stop there. */
    const accept = (pick: { id: number; logprob: number; watched: number[] }): boolean => {
      ids.push(pick.id);
      logprobs.push(pick.logprob);
      watched.push(pick.watched);
      return opts.onToken?.({ index: ids.length - 1, id: pick.id, logprob: pick.logprob, watched: pick.watched }) === 'stop';
    };

    // The cache: one tensor per slot, replaced by each run's present outputs (GPU buffers on WebGPU).
    let past: ort.Tensor[] = this.plan.slots.map((s) => new ort.Tensor(s.type, s.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), [1, s.heads, 0, s.dim]));
    let pastLen = 0;
    try {
      let next = -1;
      for (let start = 0; start < promptIds.length; start += this.prefillChunk) {
        if (start > 0 && cancelled()) return done('cancelled');
        const piece = promptIds.slice(start, start + this.prefillChunk);
        const last = start + piece.length >= promptIds.length;
        const r = await this.step(piece, past, pastLen, last ? { watch, sampler } : undefined);
        past = r.present;
        pastLen += piece.length;
        if (r.pick !== undefined) {
          next = r.pick.id;
          if (accept(r.pick)) return done('stop');
        }
      }
      for (;;) {
        if (stops.has(next)) return done('stop');
        // pastLen + 1 = prompt + generated: the sequence may fill the model's positions, not exceed them.
        if (ids.length >= opts.maxNewTokens || pastLen + 1 >= this.maxPositions) return done('length');
        if (cancelled()) return done('cancelled');
        const r = await this.step([next], past, pastLen, { watch, sampler });
        past = r.present;
        pastLen += 1;
        const pick = r.pick;
        if (pick === undefined) throw new Error('the model returned no logits');
        next = pick.id;
        if (accept(pick)) return done('stop');
      }
    } finally {
      disposeAll(past);
    }
  }

  /**
   * One run over `tokens` after `pastLen` cached positions. Disposes `past` once the run is over (on
   * WebGPU that frees the previous step's GPU buffers) and returns the new cache; with `read` defined
   * also the pick at the last position.
   */
  private async step(tokens: readonly number[], past: readonly ort.Tensor[], pastLen: number, read: { watch: readonly number[]; sampler: Sampler | undefined } | undefined): Promise<{ present: ort.Tensor[]; pick?: { id: number; logprob: number; watched: number[] } }> {
    const S = tokens.length;
    const plan = this.plan;
    const feeds: Record<string, ort.Tensor> = { [plan.inputIds]: int64(tokens, [1, S]) };
    if (plan.mask !== undefined) feeds[plan.mask] = int64(new Array<number>(pastLen + S).fill(1), [1, pastLen + S]);
    if (plan.positions !== undefined) feeds[plan.positions] = int64(Array.from({ length: S }, (_, i) => pastLen + i), [1, S]);
    const own = Object.values(feeds);
    plan.slots.forEach((slot, i) => {
      const t = past[i];
      if (t !== undefined) feeds[slot.input] = t;
    });
    const fetches = [...(read !== undefined ? [plan.logits] : []), ...plan.slots.map((s) => s.output)];
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.session.run(feeds, fetches, { logSeverityLevel: 4 });
    } finally {
      disposeAll(own);
      disposeAll(past);
    }
    const present = plan.slots.map((s) => out[s.output]).filter((t): t is ort.Tensor => t !== undefined);
    const logits = out[plan.logits];
    try {
      if (present.length !== plan.slots.length) throw new Error('the model did not return every present output');
      if (read === undefined) return { present };
      if (logits === undefined) throw new Error('the model returned no logits');
      const dims = logits.dims;
      const V = dims[dims.length - 1] ?? 0;
      const rows = dims.length === 3 ? (dims[1] ?? 0) : 1;
      if (dims[0] !== 1 || V !== this.vocabSize || rows < 1) throw new Error(`logits has shape [${dims.join(', ')}], expected [1, ${S}, ${this.vocabSize}]`);
      // The last row is the next-token distribution (also for exports that keep only the last position).
      const pick = pickToken(logits.data as Float32Array | Uint16Array, (rows - 1) * V, V, read.watch, read.sampler);
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
 * Opens a generator over a model folder: an optimum export (config.json for cache sizes and positions;
 * the ONNX file per {@link GeneratorOptions.dtype}, else reward-lens.json's `model`) or an onnxruntime-genai
 * model-builder folder (genai_config.json: decoder file, graph names, sizes, EOS, context length), plus
 * generation_config.json's EOS ids, tokenizer.json with tokenizer_config.json and any chat template file.
 * On WebGPU the cache stays on the GPU between steps ({@link cacheOutputLocations}). Throws
 * {@link ModelError} naming the file and the fix when the folder cannot generate (e.g. a graph exported
 * without `past_key_values.*` inputs), and NoDeviceError when no device could create the session.
 */
export async function openGenerator(dirArg: string, opts: GeneratorOptions = {}): Promise<TokenGenerator> {
  const dir = resolve(dirArg);
  if (opts.prefillChunk !== undefined && (!Number.isInteger(opts.prefillChunk) || opts.prefillChunk < 1)) throw new RangeError(`prefillChunk must be a whole number ≥ 1, not ${opts.prefillChunk}`);
  const folder = readGeneratorFolder(dir, opts.dtype);
  const problems = new FolderProblems(dir);
  const summary = readGraphSummary(dir, folder.onnxPath, problems.add, folder.format === 'genai' ? GENAI_FIX : EXPORT_FIX);
  problems.throwFirst();
  if (summary === undefined) throw new ModelError('the ONNX model could not be read', folder.onnxPath, undefined, EXPORT_FIX);
  const plan = planGraph(summary, folder);
  const external = checkExternal(dir, folder.onnxPath, summary, problems.add);
  problems.throwFirst();
  const cacheOutputs = plan.slots.map((s) => s.output);
  const { session, device, attempts } = await openSession(folder.onnxPath, {
    device: opts.device ?? 'auto',
    ...(opts.simulateFailures !== undefined ? { simulateFailures: opts.simulateFailures } : {}),
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    // Where the cache outputs live is a session option, so it is decided per device attempt.
    sessionOptionsFor: (d) => {
      const location = cacheOutputLocations(d, cacheOutputs);
      return location !== undefined ? { preferredOutputLocation: location } : {};
    },
  });
  const chunk = opts.prefillChunk ?? Math.max(1, Math.floor(LOGITS_BUDGET_BYTES / (plan.vocabSize * 4)));
  return new OnnxGenerator(session, plan, folder, device, attempts, [folder.onnxPath, ...external, ...folder.files], chunk);
}
