/**
 * What a serving engine is sent for one trace, built as `encodeInput` builds the local engine's input
 * (src/core/scoring/contracts/encodeInput.ts), and how its answer rows become scores. Pure: no I/O.
 */
import type { ChatResponseParams, ChatSeparatorParams, PieceSeparatorParams, TaggedTextParams } from '../core/scoring/contracts/contractTypes.js';
import { softmaxAt } from '../core/scoring/contracts/readScores.js';
import type { ScoreRequest } from '../core/scoring/scorer.js';

/** One chat message as the servers take it. */
export interface WireMessage {
  readonly role: string;
  readonly content: string;
}

/** A trace's model input: text the server tokenises, or messages it renders with the model's chat template. */
export type ServingInput = { readonly text: string } | { readonly messages: readonly WireMessage[] };

/** An input plus notes about text that had to change (a step holding the marker). */
export interface BuiltInput {
  readonly input: ServingInput;
  readonly notes: readonly string[];
}

/** Removes every occurrence of `marker` from `text`, noting it (encodeInput's rule, so step positions stay exact). */
function scrub(text: string, marker: string, what: string, notes: string[]): string {
  if (marker.length === 0 || !text.includes(marker)) return text;
  notes.push(`${what} contained the marker ${JSON.stringify(marker)}; it was removed so step positions stay exact`);
  return text.split(marker).join('');
}

/**
 * Qwen2.5-Math-PRM: system prompt, user = prompt, assistant = the steps each followed by the separator, for
 * the server to render with `add_generation_prompt: false`.
 */
export function chatSeparatorMessages(p: ChatSeparatorParams, req: ScoreRequest): BuiltInput {
  const notes: string[] = [];
  const prompt = scrub(req.prompt, p.separator, 'The prompt', notes);
  const steps = req.steps.map((s, i) => scrub(s, p.separator, `Step ${i + 1}`, notes));
  const messages: WireMessage[] = [];
  if (p.systemPrompt !== null) messages.push({ role: 'system', content: p.systemPrompt });
  messages.push({ role: 'user', content: prompt }, { role: 'assistant', content: steps.join(p.separator) + p.separator });
  return { input: { messages }, notes };
}

/** Math-Shepherd: `prompt + promptJoiner + steps.map(s => s + stepSuffix).join(stepJoiner)`, trailing spaces of steps cut. */
export function taggedText(p: TaggedTextParams, req: ScoreRequest): BuiltInput {
  const notes: string[] = [];
  const prompt = scrub(req.prompt, p.stepTag, 'The prompt', notes);
  const steps = req.steps.map((s, i) => scrub(s, p.stepTag, `Step ${i + 1}`, notes).replace(/\s+$/u, ''));
  return { input: { text: prompt + p.promptJoiner + steps.map((s) => s + p.stepSuffix).join(p.stepJoiner) }, notes };
}

/**
 * TRL PRMs (ProcessBench layout): `text_k = sep.join([prompt, *steps[:k]]) + sep`; step k is read at the last
 * token of `text_k`. Returns every `text_k`; the last is the text sent.
 */
export function pieceSeparatorPrefixes(p: PieceSeparatorParams, req: ScoreRequest): string[] {
  const texts: string[] = [];
  let text = req.prompt + p.separator;
  for (const step of req.steps) {
    text += step + p.separator;
    texts.push(text);
  }
  return texts;
}

/** The response an ORM scores: the record's full response, else the steps joined. */
export function responseOf(p: ChatResponseParams, req: ScoreRequest): string {
  return req.response ?? req.steps.join(p.responseJoiner);
}

/** The conversation an ORM scores: the prompt's turns (or one user turn), then the response as the assistant's. */
export function chatResponseMessages(p: ChatResponseParams, req: ScoreRequest): WireMessage[] {
  const turns: readonly WireMessage[] = req.messages !== undefined && req.messages.length > 0 ? req.messages : [{ role: 'user', content: req.prompt }];
  return [...turns.map((m) => ({ role: m.role, content: m.content })), { role: 'assistant', content: responseOf(p, req) }];
}

/** The ORM input without a chat template: `prompt + plainJoiner + response`. */
export function plainResponseText(p: ChatResponseParams, req: ScoreRequest): string {
  return req.prompt + p.plainJoiner + responseOf(p, req);
}

/** Whether a row already holds probabilities (the server applied its softmax): all in [0, 1], summing to 1. */
export function isDistribution(row: readonly number[]): boolean {
  if (row.length < 2) return false;
  let sum = 0;
  for (const v of row) {
    if (!(v >= 0 && v <= 1)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
}

/**
 * The probability of class `index` from a pooled row: read as is when the server already applied softmax
 * (vLLM's default activation), else softmax over the row (a server run with `use_activation: false`).
 */
export function classProbability(row: readonly number[], index: number): number {
  if (index >= row.length) return Number.NaN;
  return isDistribution(row) ? (row[index] ?? Number.NaN) : softmaxAt(row, index);
}

/** A pooled answer's rows: `[[…], …]`, or a flat `[…]` meaning one row. Undefined when not numbers. */
export function rowsOf(data: unknown): number[][] | undefined {
  if (!Array.isArray(data)) return undefined;
  if (data.length === 0) return [];
  if (data.every((v) => typeof v === 'number')) return [data as number[]];
  if (data.every((r) => Array.isArray(r) && r.every((v: unknown) => typeof v === 'number'))) return data as number[][];
  return undefined;
}
