/**
 * Builds model input for one trace exactly as each model's reference code does, and the positions whose
 * outputs are the step scores. One sequence per trace: every step score comes from one forward pass,
 * which for causal models equals the per-prefix scores of the reference code.
 */
import { ContractError, type ChatMessage, type EncodedInput, type ResolvedContract, type TokenizerPort } from './contractTypes.js';

/** Input to encode: the prompt and the steps (or the full response for sequence contracts). */
export interface EncodeRequest {
  readonly prompt: string;
  /** The prompt's chat turns, when the record has them (chat-response contracts render them as they are). */
  readonly messages?: readonly ChatMessage[];
  readonly steps: readonly string[];
  /** The full response text, when known (sequence contracts); otherwise the steps are joined. */
  readonly response?: string;
}

/** Encoded input plus notes about text that had to be changed (e.g. a step containing the separator). */
export interface EncodedWithNotes extends EncodedInput {
  readonly notes: readonly string[];
}

function positionsOf(ids: readonly number[], id: number | undefined): number[] {
  const out: number[] = [];
  ids.forEach((v, i) => {
    if (v === id) out.push(i);
  });
  return out;
}

/** Removes every occurrence of `marker` from `text`, noting it when that changed something. */
function scrub(text: string, marker: string, what: string, notes: string[]): string {
  if (marker.length === 0 || !text.includes(marker)) return text;
  notes.push(`${what} contained the marker ${JSON.stringify(marker)}; it was removed so step positions stay exact`);
  return text.split(marker).join('');
}

function expectReads(reads: readonly number[], steps: number, what: string, field: string): void {
  if (reads.length !== steps) {
    throw new ContractError(
      `found ${reads.length} ${what} positions for ${steps} steps: the tokenizer merged the marker with neighbouring text`,
      field,
      'Check that the tokenizer.json is the reward model\'s own and that the preset matches the model.',
    );
  }
}

/** Encodes one request. Throws {@link ContractError} when step positions cannot be found exactly. */
export function encodeInput(c: ResolvedContract, tok: TokenizerPort, req: EncodeRequest): EncodedWithNotes {
  const notes: string[] = [];
  const p = c.params;
  switch (p.kind) {
    case 'chat-separator': {
      const ids = tok.encode(chatSeparatorText(c, tok, req, notes), true);
      const reads = positionsOf(ids, c.markerId);
      expectReads(reads, req.steps.length, 'separator', 'separator');
      return { ids, reads, notes };
    }
    case 'piece-separator': {
      if (p.layout === 'training') {
        // PRMTrainer.tokenize_row: [BOS] + prompt ids + Σ(step ids + separator ids), labels on each separator.
        const sep = c.closingIds ?? [];
        const ids: number[] = [];
        const reads: number[] = [];
        const bos = tok.bosToken === undefined ? undefined : tok.tokenToId(tok.bosToken);
        if (bos !== undefined) ids.push(bos);
        ids.push(...tok.encode(req.prompt, false));
        for (const step of req.steps) {
          ids.push(...tok.encode(step, false), ...sep);
          reads.push(ids.length - 1);
        }
        return { ids, reads, notes };
      }
      // ProcessBench's TRL script: text_k = sep.join([prompt, *steps[:k]]) + sep, read at its last token.
      const texts: string[] = [];
      let text = req.prompt + p.separator;
      for (const step of req.steps) {
        text += step + p.separator;
        texts.push(text);
      }
      const { ids, lengths } = prefixTokens(tok, texts, 'separator');
      const offset = c.specialsBefore.length;
      return { ids: [...c.specialsBefore, ...ids, ...c.specialsAfter], reads: lengths.map((n) => offset + n - 1), notes };
    }
    case 'tagged-text': {
      const prompt = scrub(req.prompt, p.stepTag, 'The prompt', notes);
      const steps = req.steps.map((s, i) => scrub(s, p.stepTag, `Step ${i + 1}`, notes).replace(/\s+$/u, ''));
      const text = prompt + p.promptJoiner + steps.map((s) => s + p.stepSuffix).join(p.stepJoiner);
      const ids = tok.encode(text, true);
      const reads = positionsOf(ids, c.markerId);
      expectReads(reads, steps.length, 'step tag', 'stepTag');
      return { ids, reads, notes };
    }
    case 'chat-turns':
      return encodeChatTurns(c, tok, req, p.firstTurnJoiner, p.goodToken, notes);
    case 'step-newlines': {
      const stepId = c.markerId ?? 0;
      const bos = p.bosText ?? tok.bosToken ?? '';
      const ids = tok.encode(`${bos}${req.prompt}\n`, true);
      const reads: number[] = [];
      for (const step of req.steps) {
        ids.push(...tok.encode(step, true), stepId);
        reads.push(ids.length - 1);
      }
      return { ids, reads, notes };
    }
    case 'chat-response':
      return { ids: tok.encode(chatResponseText(c, tok, req), true), reads: [], notes };
  }
}

/**
 * The text of a `chat-separator` contract (Qwen2.5-Math-PRM): the system prompt, the problem as the user turn, and
 * the steps each followed by the separator as the assistant turn, rendered by the chat template. The text is what a
 * serving engine is sent too, so both read the same tokens. Text equal to the separator is removed (noted).
 */
export function chatSeparatorText(c: ResolvedContract, tok: TokenizerPort, req: EncodeRequest, notes: string[]): string {
  const p = c.params;
  if (p.kind !== 'chat-separator') throw new ContractError(`chatSeparatorText needs a chat-separator contract, not ${p.kind}`);
  const prompt = scrub(req.prompt, p.separator, 'The prompt', notes);
  const steps = req.steps.map((s, i) => scrub(s, p.separator, `Step ${i + 1}`, notes));
  const messages: ChatMessage[] = [];
  if (p.systemPrompt !== null) messages.push({ role: 'system', content: p.systemPrompt });
  messages.push({ role: 'user', content: prompt }, { role: 'assistant', content: steps.join(p.separator) + p.separator });
  return tok.renderChat(messages, false);
}

/**
 * The text of a `chat-response` contract (ORMs), to be encoded with the tokenizer's specials: the conversation as it
 * is, system prompt and earlier turns included, then the response as the final assistant turn (Skywork-Reward-V2's
 * card), or the plain joiner without a template; a BOS the template writes and the tokenizer adds anyway is dropped.
 */
export function chatResponseText(c: ResolvedContract, tok: TokenizerPort, req: EncodeRequest): string {
  const p = c.params;
  if (p.kind !== 'chat-response') throw new ContractError(`chatResponseText needs a chat-response contract, not ${p.kind}`);
  const response = req.response ?? req.steps.join(p.responseJoiner);
  const useTemplate = p.useChatTemplate === 'auto' ? tok.hasChatTemplate : p.useChatTemplate;
  const turns: readonly ChatMessage[] = req.messages !== undefined && req.messages.length > 0 ? req.messages : [{ role: 'user', content: req.prompt }];
  const text = useTemplate ? tok.renderChat([...turns, { role: 'assistant', content: response }], false) : req.prompt + p.plainJoiner + response;
  const bos = tok.bosToken;
  const bosId = bos === undefined ? undefined : tok.tokenToId(bos);
  if (useTemplate && p.stripDuplicateBos && bos !== undefined && bos.length > 0 && text.startsWith(bos) && bosId !== undefined && c.specialsBefore.includes(bosId)) {
    return text.slice(bos.length);
  }
  return text;
}

/**
 * RLHFlow: one conversation, user turn k = step k, assistant turn k = the good token. Step k's score is
 * read at the position before the good token that ends turn k, which is where the reference (one pass
 * per prefix conversation, logits at -3) reads it. The prefix renderings must be token prefixes of the
 * full one, or one pass cannot reproduce the reference; that is checked.
 */
function encodeChatTurns(c: ResolvedContract, tok: TokenizerPort, req: EncodeRequest, joiner: string, good: string, notes: string[]): EncodedWithNotes {
  const messages: ChatMessage[] = [];
  const prefixTexts: string[] = [];
  req.steps.forEach((step, k) => {
    messages.push({ role: 'user', content: k === 0 ? req.prompt + joiner + step : step }, { role: 'assistant', content: good });
    prefixTexts.push(tok.renderChat(messages, false));
  });
  if (prefixTexts.length === 0) return { ids: tok.encode(tok.renderChat([{ role: 'user', content: req.prompt }], false), false), reads: [], notes };
  const { ids, lengths } = prefixTokens(tok, prefixTexts, 'chat_template');
  const reads: number[] = [];
  let from = 0;
  for (const len of lengths) {
    let at = -1;
    for (let i = len - 1; i >= from; i--) {
      if (ids[i] === c.markerId) {
        at = i;
        break;
      }
    }
    if (at < 1) {
      throw new ContractError(`the assistant turn's ${JSON.stringify(good)} token was not found in the rendered conversation`, 'goodToken', 'Check goodToken against the chat template.');
    }
    reads.push(at - 1);
    from = len;
  }
  return { ids, reads, notes };
}

/** UTF-8 byte length of a string. */
function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Tokenises `texts[last]` (each text a string prefix of the next) and finds the token length of every
 * prefix text: one forward pass over the full text gives every prefix's scores only if each prefix ends
 * on a token boundary of the full encoding. Byte-level tokenizers say where each token ends, so one
 * encoding suffices; otherwise the pieces between prefixes are tokenised and must add up to the full
 * encoding; failing that, each prefix is encoded in full and must be a token prefix of the full text.
 */
function prefixTokens(tok: TokenizerPort, texts: readonly string[], field: string): { ids: number[]; lengths: number[] } {
  const full = texts[texts.length - 1] ?? '';
  const ids = tok.encode(full, false);
  const lengths: number[] = [];
  const prefixesNest = texts.every((t, k) => k === 0 || t.startsWith(texts[k - 1] ?? ''));
  const bytes = prefixesNest ? tok.tokenUtf8Lengths?.(full, ids) : undefined;
  if (bytes !== undefined) {
    let at = 0;
    let end = 0;
    let prev = '';
    for (const t of texts) {
      const target = end + utf8Length(t.slice(prev.length));
      while (end < target && at < bytes.length) end += bytes[at++] ?? 0;
      if (end !== target) break;
      lengths.push(at);
      prev = t;
    }
    if (lengths.length === texts.length && at === ids.length) return { ids, lengths };
    lengths.length = 0;
  }
  if (prefixesNest) {
    const joined: number[] = [];
    let prev = '';
    for (const t of texts) {
      joined.push(...tok.encode(t.slice(prev.length), false));
      lengths.push(joined.length);
      prev = t;
    }
    if (joined.length === ids.length && joined.every((v, i) => v === ids[i])) return { ids, lengths };
  }
  lengths.length = 0;
  for (const t of texts) {
    const prefix = tok.encode(t, false);
    if (prefix.length > ids.length || !prefix.every((v, i) => v === ids[i])) {
      throw new ContractError(
        field === 'chat_template'
          ? 'the chat template renders earlier turns differently once later turns follow, so one forward pass cannot reproduce per-turn scoring'
          : 'a step boundary tokenises differently once the next step follows, so one forward pass cannot reproduce per-prefix scoring',
        field,
        field === 'chat_template' ? "Use the reward model's own chat template (RLHFlow models use Llama 3.1's)." : 'Use the "training" layout (steps tokenised piece by piece, as PRMTrainer trains).',
      );
    }
    lengths.push(prefix.length);
  }
  return { ids, lengths };
}
