/**
 * Resolves a contract's separator, tag and good/bad token texts to ids of one tokenizer, the way each
 * model's reference code does, and checks that each is a single token. Nothing is hard-coded: a
 * Qwen2.5-Math-PRM's `<extra_0>` is whatever id its own tokenizer.json gives it.
 */
import { ContractError, type ContractParams, type OutputKind, type PresetName, type ResolvedContract, type TokenizerPort } from './contractTypes.js';

function show(ids: readonly number[], tok: TokenizerPort): string {
  return ids.map((id) => JSON.stringify(tok.decode([id]))).join(' + ');
}

function singleToken(tok: TokenizerPort, text: string, field: string, what: string): number {
  const ids = tok.encode(text, false);
  const [first] = ids;
  if (ids.length !== 1 || first === undefined) {
    throw new ContractError(
      `${what} ${JSON.stringify(text)} is ${ids.length} tokens in this tokenizer (${show(ids, tok)}), not one`,
      field,
      `Use the tokenizer.json shipped with the reward model itself (it defines ${JSON.stringify(text)} as one token), or set "${field}" in reward-lens.json to a text that is one token.`,
    );
  }
  return first;
}

function lastId(ids: readonly number[], text: string, field: string): number {
  const last = ids[ids.length - 1];
  if (last === undefined) throw new ContractError(`${JSON.stringify(text)} encodes to no tokens`, field, `Set "${field}" to a non-empty token text.`);
  return last;
}

/** The special tokens the tokenizer's post-processor wraps around a plain encode. */
export function wrappingSpecials(tok: TokenizerPort): { before: number[]; after: number[] } {
  const probe = 'a';
  const withSpecials = tok.encode(probe, true);
  const plain = tok.encode(probe, false);
  for (let i = 0; i + plain.length <= withSpecials.length; i++) {
    if (plain.every((id, j) => withSpecials[i + j] === id)) {
      return { before: withSpecials.slice(0, i), after: withSpecials.slice(i + plain.length) };
    }
  }
  return { before: [], after: [] };
}

const OUTPUTS: Readonly<Record<ContractParams['kind'], OutputKind>> = {
  'chat-separator': 'token-classification',
  'piece-separator': 'token-classification',
  'tagged-text': 'causal-lm',
  'chat-turns': 'causal-lm',
  'step-newlines': 'value-head',
  'chat-response': 'sequence-classification',
};

function needTemplate(tok: TokenizerPort, preset: PresetName): void {
  if (!tok.hasChatTemplate) {
    throw new ContractError(
      `the ${preset} contract renders a chat template, and the folder has none (no chat_template.jinja, and no chat_template in tokenizer_config.json)`,
      'chat_template',
      'Copy chat_template.jinja, or tokenizer_config.json with its chat_template, from the reward model repository into the folder.',
    );
  }
}

/** Resolves `params` against `tok`. Throws {@link ContractError} naming the parameter and the fix. */
export function resolveContract(preset: PresetName, params: ContractParams, tok: TokenizerPort): ResolvedContract {
  const specials = wrappingSpecials(tok);
  const base = { preset, params, output: OUTPUTS[params.kind], specialsBefore: specials.before, specialsAfter: specials.after };
  switch (params.kind) {
    case 'chat-separator': {
      needTemplate(tok, preset);
      return { ...base, markerId: singleToken(tok, params.separator, 'separator', 'The step separator') };
    }
    case 'piece-separator': {
      const id = singleToken(tok, params.separator, 'separator', 'The step separator');
      return { ...base, markerId: id, closingIds: [id] };
    }
    case 'tagged-text': {
      // The reference reads positions holding the tag's id as it occurs after a step; resolve it in that
      // context (after a word and the step suffix) and require it to be exactly the tag.
      const inContext = tok.encode(`1${params.stepSuffix}`, false);
      const tagId = lastId(inContext, params.stepSuffix, 'stepSuffix');
      if (tok.decode([tagId]).trim() !== params.stepTag.trim()) {
        throw new ContractError(
          `The step tag ${JSON.stringify(params.stepTag)} is not one token after a step: ${JSON.stringify(params.stepSuffix)} tokenises as ${show(tok.encode(params.stepSuffix, false), tok)}`,
          'stepTag',
          'Use the tokenizer.json shipped with the reward model (Math-Shepherd\'s Mistral tokenizer has "ки" as one token), or set "stepTag"/"stepSuffix" in reward-lens.json to a tag that is one token.',
        );
      }
      const pair = tok.encode(`${params.goodToken} ${params.badToken}`, false);
      const [good, bad] = pair;
      if (pair.length !== 2 || good === undefined || bad === undefined) {
        throw new ContractError(
          `"${params.goodToken} ${params.badToken}" must tokenise to exactly the good and the bad token, but gives ${show(pair, tok)}`,
          'goodToken',
          'Set "goodToken"/"badToken" in reward-lens.json to texts that are one token each.',
        );
      }
      return { ...base, markerId: tagId, columns: [good, bad] };
    }
    case 'chat-turns': {
      needTemplate(tok, preset);
      singleToken(tok, params.goodToken, 'goodToken', 'The good token');
      singleToken(tok, params.badToken, 'badToken', 'The bad token');
      const good = lastId(tok.encode(params.goodToken, true), params.goodToken, 'goodToken');
      const bad = lastId(tok.encode(params.badToken, true), params.badToken, 'badToken');
      return { ...base, markerId: good, columns: [good, bad] };
    }
    case 'step-newlines': {
      const id = singleToken(tok, params.stepToken, 'stepToken', 'The step token');
      return { ...base, markerId: id, closingIds: [id] };
    }
    case 'chat-response': {
      if (params.useChatTemplate === true) needTemplate(tok, preset);
      return base;
    }
  }
}
