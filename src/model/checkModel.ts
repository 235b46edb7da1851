// Validates a model folder as `optimum-cli export onnx` writes it (plus an optional reward-lens.json):
// files present and readable, graph inputs/outputs against the contract, separator/tag tokens resolving
// to single tokens. Every problem names the file, the field and the fix. `reward-lens models check DIR`
// prints these findings; loadModelScorer refuses a folder with errors.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ContractError, type ResolvedContract } from '../core/scoring/contracts/contractTypes.js';
import { applyOverrides, findPreset, inferPreset, PRESET_NAMES, type PresetInfo } from './presets.js';
import { resolveContract } from '../core/scoring/contracts/resolveContract.js';
import { chatTemplateFile, HfTokenizer } from './hfTokenizer.js';
import { OnnxParseError, readOnnxSummary, type GraphValue, type OnnxSummary } from './onnxGraph.js';

/** One finding of a check. */
export interface Finding {
  readonly level: 'error' | 'warning' | 'info';
  /** Path relative to the model folder (or the folder itself, or `--preset`). */
  readonly file: string;
  readonly field?: string;
  readonly message: string;
  readonly fix?: string;
}

/** The result of {@link checkModelFolder}. */
export interface CheckResult {
  /** True when there are no errors (warnings allowed). */
  readonly ok: boolean;
  /** The preset (contract) the folder would be scored with. */
  readonly contract?: string;
  readonly findings: readonly Finding[];
}

/** A folder that passed the check, ready to build a scorer from. */
export interface InspectedModel {
  readonly dir: string;
  readonly preset: PresetInfo;
  readonly contract: ResolvedContract;
  readonly tokenizer: HfTokenizer;
  readonly onnxPath: string;
  readonly summary: OnnxSummary;
  readonly config: Readonly<Record<string, unknown>>;
  /** Files whose content identifies the model (for the fingerprint). */
  readonly files: readonly string[];
  /** `max_position_embeddings`, when config.json gives it. */
  readonly maxPositions: number | undefined;
  /** Id used to pad batches (sequence classifiers: the `pad_token_id` their graph pools by; undefined → no batching). */
  readonly padId: number | undefined;
  /** `fp32`, `fp16` or `int4`. */
  readonly dtype: string;
}

type Json = Record<string, unknown>;

const MANIFEST = 'reward-lens.json';
const MANIFEST_KEYS = new Set(['preset', 'params', 'model', 'description', 'task']);
/** The manifest `task` of a causal LM exported with its KV cache for generation (judges), not scoring. */
export const GENERATOR_TASK = 'text-generation-with-past';
const ONNX_PREFERENCE = ['onnx/model.onnx', 'model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx', 'onnx/model_q4f16.onnx', 'onnx/model_quantized.onnx'];
const EXPORT_FIX = 'Export the checkpoint with `reward-lens export <checkpoint> <folder> --preset <name>` (see the README), or copy the whole export folder.';

function readJson(path: string): { value?: Json; error?: string } {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: 'not a JSON object' };
    return { value: v as Json };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * A JSON object file of the model folder: undefined when the file is absent, or when it is not a JSON
 * object (then with an error finding naming the file and `fix`).
 */
export function readFolderJson(dir: string, file: string, add: (f: Finding) => void, fix = `Copy ${file} from the model repository again.`): Readonly<Record<string, unknown>> | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  const r = readJson(path);
  if (r.value === undefined) add({ level: 'error', file, message: `not valid JSON: ${r.error ?? ''}`, fix });
  return r.value;
}

/** Whether a file is a Git LFS pointer (reads its first bytes only). */
function isLfsPointer(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(32);
      const n = readSync(fd, head, 0, head.length, 0);
      return head.subarray(0, n).toString('utf8').startsWith('version https://git-lfs');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function pickOnnx(dir: string, manifestModel: string | undefined, add: (f: Finding) => void): string | undefined {
  if (manifestModel !== undefined) {
    const p = resolve(dir, manifestModel);
    if (existsSync(p)) return p;
    add({ level: 'error', file: MANIFEST, field: 'model', message: `"model" names ${manifestModel}, which does not exist`, fix: 'Point "model" at the .onnx file inside the folder, e.g. "onnx/model.onnx".' });
    return undefined;
  }
  for (const rel of ONNX_PREFERENCE) if (existsSync(join(dir, rel))) return join(dir, rel);
  const onnxDir = join(dir, 'onnx');
  const any = existsSync(onnxDir) ? readdirSync(onnxDir).filter((f) => f.endsWith('.onnx')).sort() : [];
  if (any[0] !== undefined) return join(onnxDir, any[0]);
  add({ level: 'error', file: 'onnx/model.onnx', message: 'no ONNX model in the folder (looked for onnx/model*.onnx and model.onnx)', fix: EXPORT_FIX });
  return undefined;
}

function dimsText(v: GraphValue): string {
  return v.dims === undefined ? 'unknown shape' : `[${v.dims.join(', ')}]`;
}

/** Graph inputs the runtime knows how to feed. */
function inputKind(name: string): 'ids' | 'mask' | 'positions' | 'types' | 'past' | undefined {
  if (name === 'input_ids') return 'ids';
  if (name === 'attention_mask') return 'mask';
  if (name === 'position_ids') return 'positions';
  if (name === 'token_type_ids') return 'types';
  if (/^past_key_values\.\d+\.(key|value)$/u.test(name)) return 'past';
  return undefined;
}

function checkGraph(rel: string, s: OnnxSummary, c: ResolvedContract | undefined, tokenizerSize: number, add: (f: Finding) => void): void {
  const ids = s.inputs.find((i) => i.name === 'input_ids');
  if (ids === undefined) {
    add({ level: 'error', file: rel, field: 'input_ids', message: `the graph has no input_ids input (inputs: ${s.inputs.map((i) => i.name).join(', ') || 'none'})`, fix: EXPORT_FIX });
  }
  for (const i of s.inputs) {
    const kind = inputKind(i.name);
    if (kind === undefined) {
      add({ level: 'error', file: rel, field: i.name, message: `unsupported graph input ${i.name} ${dimsText(i)}: only input_ids, attention_mask, position_ids, token_type_ids and past_key_values.* can be fed`, fix: 'Re-export without that input (a plain token-classification, text-classification or text-generation task).' });
      continue;
    }
    if (kind === 'past') {
      if (i.dims !== undefined && i.dims.length !== 4) add({ level: 'error', file: rel, field: i.name, message: `${i.name} has rank ${i.dims.length}, expected 4 [batch, heads, past_sequence_length, head_dim]`, fix: EXPORT_FIX });
      continue;
    }
    if (i.elemType !== 'int64') add({ level: 'error', file: rel, field: i.name, message: `${i.name} is ${i.elemType}, expected int64`, fix: EXPORT_FIX });
    if (i.dims !== undefined && i.dims.length !== 2) add({ level: 'error', file: rel, field: i.name, message: `${i.name} has rank ${i.dims.length} ${dimsText(i)}, expected 2 [batch_size, sequence_length]`, fix: EXPORT_FIX });
  }
  if (ids !== undefined && !s.inputs.some((i) => i.name === 'attention_mask')) {
    add({ level: 'warning', file: rel, field: 'attention_mask', message: 'the graph has no attention_mask input, so padding cannot be masked: inputs are scored one at a time', fix: 'Re-export with `reward-lens export` (or optimum), which adds attention_mask.' });
  }
  const logits = s.outputs.find((o) => o.name === 'logits');
  if (logits === undefined) {
    add({ level: 'error', file: rel, field: 'logits', message: `the graph has no logits output (outputs: ${s.outputs.map((o) => o.name).join(', ') || 'none'})`, fix: 'Export so the scores come out as "logits" (optimum names the head output logits; with torch.onnx.export pass output_names=["logits"]).' });
    return;
  }
  if (logits.elemType !== 'float32' && logits.elemType !== 'float16') {
    add({ level: 'error', file: rel, field: 'logits', message: `logits is ${logits.elemType}, expected float32 or float16`, fix: EXPORT_FIX });
  }
  if (c === undefined) return;
  if (logits.dims === undefined) {
    add({ level: 'warning', file: rel, field: 'logits', message: 'logits has no declared shape; it is checked when the model first runs' });
    return;
  }
  const rank = logits.dims.length;
  const last = logits.dims[rank - 1];
  const shape = dimsText(logits);
  const p = c.params;
  switch (c.output) {
    case 'token-classification': {
      const label = 'labelIndex' in p ? p.labelIndex : 1;
      if (rank !== 3) add({ level: 'error', file: rel, field: 'logits', message: `logits is ${shape}; a token-classification PRM gives [batch, sequence, labels]`, fix: `Export with --task token-classification, or choose the preset that matches this model (${c.preset} expects per-token class logits).` });
      else if (typeof last === 'number' && last <= label) add({ level: 'error', file: rel, field: 'logits', message: `logits has ${last} classes, but the contract reads class ${label}`, fix: 'Set "labelIndex" in reward-lens.json to the correct class.' });
      break;
    }
    case 'causal-lm': {
      const need = Math.max(...(c.columns ?? [0])) + 1;
      if (rank !== 3) add({ level: 'error', file: rel, field: 'logits', message: `logits is ${shape}; a causal-LM PRM gives [batch, sequence, vocab]`, fix: `Export with --task text-generation (or text-generation-with-past) for the ${c.preset} preset.` });
      else if (typeof last === 'number' && last < need) {
        add(
          last < 100
            ? { level: 'error', file: rel, field: 'logits', message: `logits has ${last} columns, not a vocabulary: this is not a causal LM, so the ${c.preset} preset does not fit`, fix: 'Choose the preset of this model (a token-classification PRM is qwen2.5-math-prm or trl-prm).' }
            : { level: 'error', file: rel, field: 'logits', message: `logits has ${last} columns but the good/bad token ids go up to ${need - 1}: the tokenizer does not belong to this model`, fix: 'Use the tokenizer.json from the same model repository.' },
        );
      }
      else if (typeof last === 'number' && last < tokenizerSize) add({ level: 'warning', file: rel, field: 'logits', message: `logits has ${last} columns, fewer than the tokenizer's ${tokenizerSize} ids` });
      break;
    }
    case 'value-head':
      if (!(rank === 2 || (rank === 3 && (last === 1 || typeof last === 'string')))) add({ level: 'error', file: rel, field: 'logits', message: `logits is ${shape}; a value head gives [batch, sequence, 1] or [batch, sequence]`, fix: 'Export the value head output (v_head) as "logits".' });
      break;
    case 'sequence-classification': {
      const label = p.kind === 'chat-response' ? p.labelIndex : 0;
      if (rank !== 2) add({ level: 'error', file: rel, field: 'logits', message: `logits is ${shape}; a sequence classifier gives [batch, num_labels]`, fix: `Export with --task text-classification for the ${c.preset} preset, or pick a PRM preset.` });
      else if (typeof last === 'number' && last <= label) add({ level: 'error', file: rel, field: 'logits', message: `logits has ${last} labels, but the contract reads label ${label}`, fix: 'Set "labelIndex" in reward-lens.json.' });
      break;
    }
  }
}

/**
 * Checks that every external data file the graph references is there and long enough. Returns the
 * files that are (absolute paths, for fingerprints).
 */
export function checkExternal(dir: string, onnxPath: string, s: OnnxSummary, add: (f: Finding) => void): string[] {
  const files: string[] = [];
  const byLocation = new Map<string, { need: number; tensor: string }>();
  for (const e of s.external) {
    const need = e.offset + (e.length ?? 0);
    const prev = byLocation.get(e.location);
    if (prev === undefined || need > prev.need) byLocation.set(e.location, { need, tensor: e.tensor });
  }
  for (const [location, { need, tensor }] of byLocation) {
    const path = resolve(dirname(onnxPath), location);
    const rel = relative(dir, path);
    if (!existsSync(path)) {
      add({ level: 'error', file: rel, field: `initializer ${tensor}`, message: `external data file ${location} is missing (the model keeps its weights there)`, fix: `Copy ${location} from the export into ${relative(dir, dirname(onnxPath)) || '.'}/ next to the .onnx file.` });
      continue;
    }
    const size = statSync(path).size;
    if (size < need) add({ level: 'error', file: rel, field: `initializer ${tensor}`, message: `external data file ${location} is ${size} bytes but the model reads up to byte ${need}: it is truncated`, fix: 'Copy or download the file again.' });
    else files.push(path);
  }
  return files;
}

/** The tokenizer files of a folder, as {@link readFolderTokenizer} read them. */
export interface FolderTokenizer {
  /** Undefined when tokenizer.json is missing or does not load (an error finding says why). */
  readonly tokenizer: HfTokenizer | undefined;
  /** `chat_template.jinja` or `chat_template.json` when the folder has one. */
  readonly templateFile: string | undefined;
  /** Absolute paths of the tokenizer files that exist (tokenizer.json, tokenizer_config.json, the template file). */
  readonly files: readonly string[];
}

/**
 * Reads a model folder's tokenizer the way scorers and generators both need it: tokenizer.json (required),
 * tokenizer_config.json (special-token names, chat template; a warning when missing) and a
 * chat_template.jinja / chat_template.json that overrides the config's template. Problems are findings
 * naming the file and the fix (a Git LFS pointer is recognised as one).
 */
export function readFolderTokenizer(dir: string, add: (f: Finding) => void): FolderTokenizer {
  let tokenizer: HfTokenizer | undefined;
  const tokPath = join(dir, 'tokenizer.json');
  const tokConfigPath = join(dir, 'tokenizer_config.json');
  const hasTokConfig = existsSync(tokConfigPath);
  const templateFile = chatTemplateFile(dir);
  const templatePath = templateFile === undefined ? undefined : join(dir, templateFile);
  if (!existsSync(tokPath)) add({ level: 'error', file: 'tokenizer.json', message: 'tokenizer.json is missing', fix: 'Copy tokenizer.json from the model repository (the export copies it).' });
  else {
    if (!hasTokConfig) add({ level: 'warning', file: 'tokenizer_config.json', message: `tokenizer_config.json is missing: no special-token names${templateFile === undefined ? ' and no chat template' : ''}`, fix: 'Copy tokenizer_config.json from the model repository.' });
    try {
      tokenizer = HfTokenizer.fromFiles(tokPath, hasTokConfig ? tokConfigPath : undefined, templatePath);
    } catch (e) {
      add({ level: 'error', file: isLfsPointer(tokPath) ? 'tokenizer.json' : ['tokenizer.json', 'tokenizer_config.json', ...(templateFile !== undefined ? [templateFile] : [])].join(' / '), message: `cannot load the tokenizer: ${e instanceof Error ? e.message : String(e)}`, fix: isLfsPointer(tokPath) ? 'The file is a Git LFS pointer: run `git lfs pull` in the model repository.' : 'Copy the tokenizer files from the model repository again.' });
    }
  }
  const files = [...(existsSync(tokPath) ? [tokPath] : []), ...(hasTokConfig ? [tokConfigPath] : []), ...(templatePath !== undefined ? [templatePath] : [])];
  return { tokenizer, templateFile, files };
}

/**
 * Reads the graph's inputs, outputs and external references without loading weights; undefined with an
 * error finding when the file is not a readable ONNX model (a Git LFS pointer is recognised as one).
 */
export function readGraphSummary(dir: string, onnxPath: string, add: (f: Finding) => void, exportFix: string): OnnxSummary | undefined {
  try {
    return readOnnxSummary(onnxPath);
  } catch (e) {
    if (!(e instanceof OnnxParseError) && !(e instanceof Error && 'code' in e)) throw e;
    const lfs = isLfsPointer(onnxPath);
    add({ level: 'error', file: relative(dir, onnxPath), message: lfs ? 'the file is a Git LFS pointer, not the model' : `not a readable ONNX model (${e.message}); it may be truncated or corrupt`, fix: lfs ? 'Run `git lfs pull` in the model repository, or download the file itself.' : `Copy or export the model again. ${exportFix}` });
    return undefined;
  }
}

/**
 * Inspects a folder. Returns all findings, and the resolved model when there is no error.
 * `preset` (the CLI's `--preset`) wins over the manifest's, which wins over a guess from config.json.
 */
export function inspectModelFolder(dirArg: string, presetArg?: string): { findings: Finding[]; model?: InspectedModel } {
  const dir = resolve(dirArg);
  const findings: Finding[] = [];
  const add = (f: Finding): void => {
    findings.push(f);
  };
  const errors = (): boolean => findings.some((f) => f.level === 'error');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    add({ level: 'error', file: dirArg, message: 'model folder not found', fix: 'Pass the folder that `reward-lens export` (or `optimum-cli export onnx`) wrote: it holds config.json, tokenizer.json and onnx/model.onnx.' });
    return { findings };
  }

  // reward-lens.json (optional)
  const manifest = readFolderJson(dir, MANIFEST, add, 'Fix the JSON, or delete the file and pass --preset.');
  if (manifest !== undefined) {
    for (const key of Object.keys(manifest)) if (!MANIFEST_KEYS.has(key)) add({ level: 'warning', file: MANIFEST, field: key, message: `unknown key "${key}" is ignored`, fix: `Known keys: ${[...MANIFEST_KEYS].join(', ')}.` });
    if (manifest['preset'] !== undefined && (typeof manifest['preset'] !== 'string' || findPreset(manifest['preset']) === undefined)) {
      add({ level: 'error', file: MANIFEST, field: 'preset', message: `unknown preset ${JSON.stringify(manifest['preset'])}`, fix: `Use one of: ${PRESET_NAMES.join(', ')}.` });
    }
    if (manifest['model'] !== undefined && typeof manifest['model'] !== 'string') add({ level: 'error', file: MANIFEST, field: 'model', message: '"model" must be a path string', fix: 'Write e.g. "model": "onnx/model.onnx".' });
  }
  const manifestPreset = typeof manifest?.['preset'] === 'string' ? manifest['preset'] : undefined;

  // config.json
  let config: Json = {};
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) add({ level: 'error', file: 'config.json', message: 'config.json is missing', fix: `${EXPORT_FIX} The export writes config.json next to the tokenizer files.` });
  else config = readFolderJson(dir, 'config.json', add) ?? {};
  const architectures = Array.isArray(config['architectures']) ? config['architectures'].filter((a): a is string => typeof a === 'string') : [];

  // preset
  let presetName: string | undefined = presetArg ?? manifestPreset;
  if (presetArg !== undefined && findPreset(presetArg) === undefined) {
    add({ level: 'error', file: '--preset', message: `unknown preset "${presetArg}"`, fix: `Use one of: ${PRESET_NAMES.join(', ')}.` });
    presetName = undefined;
  } else if (presetArg !== undefined && manifestPreset !== undefined && manifestPreset !== presetArg) {
    add({ level: 'warning', file: MANIFEST, field: 'preset', message: `--preset ${presetArg} overrides the manifest's "${manifestPreset}"; the manifest's params are ignored` });
  }
  if (presetName === undefined && presetArg === undefined) {
    const guess = inferPreset(architectures);
    if (guess !== undefined) {
      presetName = guess;
      add({ level: 'info', file: 'config.json', field: 'architectures', message: `preset ${guess} chosen from architectures ${architectures.join(', ')}`, fix: 'Pass --preset or write reward-lens.json to choose another.' });
    } else if (!errors()) {
      add({ level: 'error', file: MANIFEST, field: 'preset', message: `no preset: the folder has no reward-lens.json and config.json's architectures (${architectures.join(', ') || 'none'}) do not identify the contract`, fix: `Pass --preset NAME (one of ${PRESET_NAMES.join(', ')}), or write reward-lens.json with {"preset": NAME}.` });
    }
  }
  const preset = presetName === undefined ? undefined : findPreset(presetName);

  // tokenizer
  const { tokenizer, templateFile, files: tokenizerFiles } = readFolderTokenizer(dir, add);

  // contract
  let contract: ResolvedContract | undefined;
  if (preset !== undefined && tokenizer !== undefined) {
    const useManifestParams = manifest !== undefined && (manifestPreset === undefined || manifestPreset === preset.name);
    const { params, problems } = applyOverrides(preset.defaults, useManifestParams ? manifest?.['params'] : undefined);
    for (const p of problems) add({ level: 'error', file: MANIFEST, field: p.field, message: p.message, fix: p.fix });
    try {
      contract = resolveContract(preset.name, params, tokenizer);
    } catch (e) {
      if (!(e instanceof ContractError)) throw e;
      const file = e.field === 'chat_template' ? (templateFile ?? 'tokenizer_config.json') : 'tokenizer.json';
      add({ level: 'error', file, ...(e.field !== undefined ? { field: e.field } : {}), message: e.message, ...(e.fix !== undefined ? { fix: e.fix } : {}) });
    }
  }

  // ONNX graph
  const onnxPath = pickOnnx(dir, typeof manifest?.['model'] === 'string' ? manifest['model'] : undefined, add);
  let summary: OnnxSummary | undefined;
  const files = [configPath, ...tokenizerFiles, ...(manifest !== undefined ? [join(dir, MANIFEST)] : [])];
  let dtype = 'fp32';
  if (onnxPath !== undefined) {
    const rel = relative(dir, onnxPath);
    files.push(onnxPath);
    summary = readGraphSummary(dir, onnxPath, add, EXPORT_FIX);
    if (summary !== undefined) {
      files.push(...checkExternal(dir, onnxPath, summary, add));
      checkGraph(rel, summary, contract, tokenizer?.size ?? 0, add);
      if (summary.opTypes.has('com.microsoft::MatMulNBits')) dtype = 'int4';
      else if (summary.floatStorage.has('float16') && !summary.floatStorage.has('float32')) dtype = 'fp16';
      add({ level: 'info', file: rel, message: `ONNX IR ${summary.irVersion}, ${dtype}, inputs ${summary.inputs.map((i) => i.name).join(', ')}; outputs ${summary.outputs.map((o) => `${o.name} ${dimsText(o)}`).join(', ')}${summary.external.length > 0 ? `; ${summary.external.length} tensors in external data` : ''}` });
    }
  }

  // padding
  let padId: number | undefined;
  const configPad = typeof config['pad_token_id'] === 'number' ? config['pad_token_id'] : undefined;
  if (contract?.output === 'sequence-classification') {
    padId = configPad;
    if (padId === undefined) add({ level: 'warning', file: 'config.json', field: 'pad_token_id', message: 'no pad_token_id: the exported classifier pools the last token, so responses are scored one at a time', fix: 'Set "pad_token_id" in config.json to the id the model was exported with.' });
  } else if (tokenizer !== undefined) {
    padId = (tokenizer.padToken !== undefined ? tokenizer.tokenToId(tokenizer.padToken) : undefined) ?? configPad ?? 0;
  }

  if (preset !== undefined && contract !== undefined) add({ level: 'info', file: MANIFEST, message: `contract: ${preset.name} (${preset.description})` });
  if (errors() || preset === undefined || contract === undefined || tokenizer === undefined || onnxPath === undefined || summary === undefined) return { findings };
  const maxPositions = typeof config['max_position_embeddings'] === 'number' ? config['max_position_embeddings'] : undefined;
  return { findings, model: { dir, preset, contract, tokenizer, onnxPath, summary, config, files, maxPositions, padId, dtype } };
}

/**
 * Checks a model folder for `reward-lens models check DIR [--preset NAME]`: files present, graph input
 * and output names, ranks and dtypes against the contract, separators resolving to one token.
 */
export async function checkModelFolder(dir: string, preset?: string): Promise<CheckResult> {
  if (preset === undefined) {
    const generator = checkGeneratorFolder(dir);
    if (generator !== undefined) return generator;
  }
  const { findings, model } = inspectModelFolder(dir, preset);
  const ok = !findings.some((f) => f.level === 'error');
  const contract = model?.preset.name ?? preset;
  return { ok, ...(contract !== undefined ? { contract } : {}), findings };
}

/**
 * A generator folder (`reward-lens.json` with `"task": "text-generation-with-past"`, as `reward-lens export
 * --preset generator` writes it): config.json, tokenizer.json and a graph with logits, `past_key_values.*`
 * inputs and `present.*` outputs. Undefined when the folder is not one.
 */
function checkGeneratorFolder(dirArg: string): CheckResult | undefined {
  const dir = resolve(dirArg);
  const manifest = existsSync(join(dir, MANIFEST)) ? readJson(join(dir, MANIFEST)).value : undefined;
  if (manifest?.['task'] !== GENERATOR_TASK) return undefined;
  const findings: Finding[] = [];
  const add = (f: Finding): void => {
    findings.push(f);
  };
  for (const file of ['config.json', 'tokenizer.json']) {
    if (!existsSync(join(dir, file))) add({ level: 'error', file, message: `${file} is missing`, fix: EXPORT_FIX });
  }
  const onnxPath = pickOnnx(dir, typeof manifest['model'] === 'string' ? manifest['model'] : undefined, add);
  if (onnxPath !== undefined) {
    const rel = relative(dir, onnxPath);
    try {
      const s = readOnnxSummary(onnxPath);
      const past = s.inputs.filter((i) => inputKind(i.name) === 'past').length;
      const present = s.outputs.filter((o) => /^present\.\d+\.(key|value)$/u.test(o.name)).length;
      if (!s.outputs.some((o) => o.name === 'logits')) add({ level: 'error', file: rel, field: 'logits', message: 'the graph has no logits output', fix: EXPORT_FIX });
      if (past === 0 || past !== present) {
        add({ level: 'error', file: rel, field: 'past_key_values', message: `a generator needs past_key_values.* inputs matched by present.* outputs (found ${past} and ${present})`, fix: 'Export with `reward-lens export HF_DIR OUT --preset generator` (text-generation-with-past).' });
      }
      add({ level: 'info', file: rel, message: `generator: ${past / 2} layers of KV cache; inputs ${s.inputs.map((i) => i.name).filter((n) => inputKind(n) !== 'past').join(', ')}` });
    } catch (e) {
      add({ level: 'error', file: rel, message: `not a readable ONNX model (${e instanceof Error ? e.message : String(e)})`, fix: EXPORT_FIX });
    }
  }
  const ok = !findings.some((f) => f.level === 'error');
  return { ok, contract: 'generator', findings };
}
