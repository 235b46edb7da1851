/**
 * The presets: named contracts for the reward models Reward Lens knows, with default parameters taken
 * from each model's reference code (FORMATS.md Part B). A `reward-lens.json` manifest may override any
 * parameter; {@link applyOverrides} validates such overrides field by field.
 */
import type { ContractParams, OutputKind, PresetName } from '../core/scoring/contracts/contractTypes.js';

/** One preset as shown in CLI help and the model picker. */
export interface PresetInfo {
  readonly name: PresetName;
  /** One line: which models, and how they score. */
  readonly description: string;
  /** Example models this preset matches. */
  readonly models: readonly string[];
  readonly output: OutputKind;
  readonly defaults: ContractParams;
  /** `config.json` architectures that identify the preset without a manifest. */
  readonly architectures: readonly string[];
}

const QWEN_SYSTEM = 'Please reason step by step, and put your final answer within \\boxed{}.';

/** All presets, in display order. */
export const PRESETS: readonly PresetInfo[] = [
  {
    name: 'qwen2.5-math-prm',
    description: 'Token-classification PRM: chat template, <extra_0> after every step, softmax, class 1.',
    models: ['Qwen/Qwen2.5-Math-PRM-7B', 'Qwen/Qwen2.5-Math-PRM-72B', 'Qwen/Qwen2.5-Math-7B-PRM800K'],
    output: 'token-classification',
    defaults: { kind: 'chat-separator', separator: '<extra_0>', systemPrompt: QWEN_SYSTEM, labelIndex: 1 },
    architectures: ['Qwen2ForProcessRewardModel'],
  },
  {
    name: 'math-shepherd',
    description: 'Causal-LM PRM: "ки" tag after every step, P("+") against "-" at each tag.',
    models: ['peiyi9979/math-shepherd-mistral-7b-prm'],
    output: 'causal-lm',
    defaults: { kind: 'tagged-text', stepTag: 'ки', stepSuffix: ' ки', stepJoiner: '\n', promptJoiner: ' ', goodToken: '+', badToken: '-' },
    architectures: [],
  },
  {
    name: 'rlhflow-prm',
    description: 'Causal-LM PRM as a chat: each step a user turn answered "+"; P("+") against "-" per turn.',
    models: ['RLHFlow/Llama3.1-8B-PRM-Deepseek-Data', 'RLHFlow/Llama3.1-8B-PRM-Mistral-Data'],
    output: 'causal-lm',
    defaults: { kind: 'chat-turns', goodToken: '+', badToken: '-', firstTurnJoiner: ' ' },
    architectures: [],
  },
  {
    name: 'skywork-o1-prm',
    description: 'Value-head PRM: BOS + problem + "\\n", every step closed by "\\n", sigmoid of the value there.',
    models: ['Skywork/Skywork-o1-Open-PRM-Qwen-2.5-1.5B', 'Skywork/Skywork-o1-Open-PRM-Qwen-2.5-7B'],
    output: 'value-head',
    defaults: { kind: 'step-newlines', stepToken: '\n', bosText: null, applySigmoid: true },
    architectures: ['Qwen2ForPrmModel'],
  },
  {
    name: 'trl-prm',
    description: 'TRL PRMTrainer token-classification PRM: separator after every step (default "\\n"), LABEL_1 probability.',
    models: ['plaguss/Qwen2.5-Math-1.5B-Instruct-PRM-0.2', 'any PRMTrainer output'],
    output: 'token-classification',
    defaults: { kind: 'piece-separator', separator: '\n', layout: 'processbench', labelIndex: 1 },
    architectures: [],
  },
  {
    name: 'skywork-reward-v2',
    description: 'Bradley–Terry ORM: chat template, raw logit per response; preference = sigmoid(r_a − r_b).',
    models: ['Skywork/Skywork-Reward-V2-Qwen3-8B', 'Skywork/Skywork-Reward-V2-Llama-3.1-8B'],
    output: 'sequence-classification',
    defaults: { kind: 'chat-response', responseJoiner: '\n\n', useChatTemplate: true, plainJoiner: '\n\n', stripDuplicateBos: true, labelIndex: 0 },
    architectures: [],
  },
  {
    name: 'seq-cls',
    description: 'Any sequence-classification reward model: chat template when the tokenizer has one, raw logit.',
    models: ['any *ForSequenceClassification export with num_labels=1'],
    output: 'sequence-classification',
    defaults: { kind: 'chat-response', responseJoiner: '\n\n', useChatTemplate: 'auto', plainJoiner: '\n\n', stripDuplicateBos: true, labelIndex: 0 },
    architectures: [],
  },
];

/** Preset names, in display order. */
export const PRESET_NAMES: readonly PresetName[] = PRESETS.map((p) => p.name);

/** The preset called `name`, or undefined. */
export function findPreset(name: string): PresetInfo | undefined {
  return PRESETS.find((p) => p.name === name);
}

/**
 * Guesses a preset from `config.json` architectures where that is unambiguous: the Qwen PRM and Skywork
 * PRM architectures, `*ForTokenClassification` (TRL PRMs) and `*ForSequenceClassification` (ORMs).
 * Causal LMs could be Math-Shepherd or RLHFlow, so they need an explicit preset.
 */
export function inferPreset(architectures: readonly string[]): PresetName | undefined {
  for (const arch of architectures) {
    const exact = PRESETS.find((p) => p.architectures.includes(arch));
    if (exact !== undefined) return exact.name;
    if (arch.endsWith('ForTokenClassification')) return 'trl-prm';
    if (arch.endsWith('ForSequenceClassification')) return 'seq-cls';
  }
  return undefined;
}

/** A rejected override: the parameter, what is wrong, and what would be accepted. */
export interface OverrideProblem {
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

type FieldType = 'string' | 'string|null' | 'boolean' | 'boolean|auto' | 'index' | readonly string[];

const FIELD_TYPES: Readonly<Record<string, Readonly<Record<string, FieldType>>>> = {
  'chat-separator': { separator: 'string', systemPrompt: 'string|null', labelIndex: 'index' },
  'piece-separator': { separator: 'string', layout: ['processbench', 'training'], labelIndex: 'index' },
  'tagged-text': { stepTag: 'string', stepSuffix: 'string', stepJoiner: 'string', promptJoiner: 'string', goodToken: 'string', badToken: 'string' },
  'chat-turns': { goodToken: 'string', badToken: 'string', firstTurnJoiner: 'string' },
  'step-newlines': { stepToken: 'string', bosText: 'string|null', applySigmoid: 'boolean' },
  'chat-response': { responseJoiner: 'string', useChatTemplate: 'boolean|auto', plainJoiner: 'string', stripDuplicateBos: 'boolean', labelIndex: 'index' },
};

function fits(value: unknown, type: FieldType): boolean {
  if (Array.isArray(type)) return typeof value === 'string' && type.includes(value);
  switch (type) {
    case 'string':
      return typeof value === 'string' && value.length > 0;
    case 'string|null':
      return value === null || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'boolean|auto':
      return typeof value === 'boolean' || value === 'auto';
    case 'index':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
    default:
      return false;
  }
}

function describe(type: FieldType): string {
  if (Array.isArray(type)) return `one of ${type.map((t) => JSON.stringify(t)).join(', ')}`;
  switch (type) {
    case 'string':
      return 'a non-empty string';
    case 'string|null':
      return 'a string or null';
    case 'boolean':
      return 'true or false';
    case 'boolean|auto':
      return 'true, false or "auto"';
    default:
      return 'a non-negative integer';
  }
}

/**
 * Applies manifest overrides (`reward-lens.json` `params`) to a preset's defaults. Unknown keys and
 * values of the wrong type are reported and ignored; the rest apply.
 */
export function applyOverrides(defaults: ContractParams, overrides: unknown): { params: ContractParams; problems: OverrideProblem[] } {
  const problems: OverrideProblem[] = [];
  if (overrides === undefined || overrides === null) return { params: defaults, problems };
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    return { params: defaults, problems: [{ field: 'params', message: 'params must be an object', fix: 'Write "params": { … } or remove it.' }] };
  }
  const types = FIELD_TYPES[defaults.kind] ?? {};
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    const type = types[key];
    if (type === undefined) {
      problems.push({ field: `params.${key}`, message: `unknown parameter "${key}" for a ${defaults.kind} contract`, fix: `Use one of: ${Object.keys(types).join(', ')}.` });
    } else if (!fits(value, type)) {
      problems.push({ field: `params.${key}`, message: `"${key}" must be ${describe(type)}, not ${JSON.stringify(value)}`, fix: `Set "${key}" to ${describe(type)}.` });
    } else {
      merged[key] = value;
    }
  }
  return { params: merged as unknown as ContractParams, problems };
}
