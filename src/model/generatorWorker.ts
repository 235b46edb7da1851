// The generator worker thread: opens the generator (session, tokenizer, chat template) and runs one
// request at a time: render the chat, decode token by token, turn ids into text incrementally, stop on
// EOS ids and stop strings, and stream text deltas back. onnxruntime-node's run() blocks its thread;
// here that is this worker, never the editor or the CLI. Between runs the event loop turns (the runtime
// resolves runs through setImmediate), so a cancel message is seen before the next token.
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { FinishReason, GeneratedToken, GenerationResult } from '../core/judges/generation.js';
import { ContractError } from '../core/scoring/contracts/contractTypes.js';
import { fingerprintFiles } from './buildEngine.js';
import { chatTemplateFile, type HfTokenizer } from './hfTokenizer.js';
import { openGenerator, type TokenGenerator, type TokenStep } from './generator.js';
import type { FromGeneratorWorker, GeneratorWorkerInit, LocalModelInfo, PreparedPrompt, ToGeneratorWorker, WatchedToken, WireGenerationRequest } from './generatorProtocol.js';
import { ModelError } from './modelError.js';
import type { WireError } from './workerProtocol.js';

/** Prompt tokens the incremental decoder keeps as context, so the first generated token decodes as a continuation (e.g. its leading space). */
const PROMPT_CONTEXT = 5;

/**
 * Turns ids into text one token at a time without ever emitting half a character. Each push decodes a
 * short window twice — `ids[prefix..read)` and `ids[prefix..]` — and emits the difference once the
 * window no longer ends in U+FFFD (an incomplete UTF-8 sequence from byte-level tokens); until then the
 * token's bytes are carried to the next. Decoding a window, not the whole reply, keeps each push cheap,
 * and decoding the pair together keeps what a token means in context (a SentencePiece leading space).
 */
export class IncrementalDecoder {
  private readonly ids: number[];
  private prefix = 0;
  private read: number;

  /** `context`: the last prompt ids, decoded as the left context of the first generated token. */
  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    context: readonly number[] = [],
  ) {
    this.ids = [...context];
    this.read = this.ids.length;
  }

  /** Adds one id; returns the text it completes ('' while a character is still incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const before = this.read > this.prefix ? this.decode(this.ids.slice(this.prefix, this.read)) : '';
    const after = this.decode(this.ids.slice(this.prefix));
    if (after.length > before.length && !after.endsWith('\uFFFD') && after.startsWith(before)) {
      this.prefix = this.read;
      this.read = this.ids.length;
      return after.slice(before.length);
    }
    return '';
  }
}

/**
 * Builds a reply from generated tokens: each token's text, the text so far, stop strings, and the part of
 * the text that can be streamed (everything but what could still become a stop string).
 */
export class ReplyBuilder {
  private text = '';
  private readonly tokens: GeneratedToken[] = [];
  private streamed = 0;
  private cut: number | undefined;
  private readonly stops: readonly string[];
  private readonly holdBack: number;

  constructor(
    private readonly decoder: IncrementalDecoder,
    stops: readonly string[],
    private readonly watch: readonly WatchedToken[],
  ) {
    this.stops = stops.filter((s) => s.length > 0);
    this.holdBack = Math.max(0, ...this.stops.map((s) => s.length - 1));
  }

  /** Whether a stop string appeared (the reply ends before it). */
  get stopped(): boolean {
    return this.cut !== undefined;
  }

  /** Adds a generated token (not EOS); true when the text now contains a stop string. */
  add(step: TokenStep): boolean {
    const piece = this.decoder.push(step.id);
    this.tokens.push({ text: piece, logprob: step.logprob, top: this.watch.map((w, i) => ({ token: w.token, logprob: step.watched[i] ?? Number.NaN })) });
    if (piece === '' || this.cut !== undefined) return this.cut !== undefined;
    // A stop string that ends in the new piece starts at most holdBack characters before it.
    const from = Math.max(0, this.text.length - this.holdBack);
    this.text += piece;
    for (const s of this.stops) {
      const at = this.text.indexOf(s, from);
      if (at >= 0 && (this.cut === undefined || at < this.cut)) this.cut = at;
    }
    return this.cut !== undefined;
  }

  /** The text that became safe to stream since the last call ('' when none). */
  takeDelta(): string {
    let limit = this.cut ?? this.text.length - this.holdBack;
    // Never split a surrogate pair between two deltas.
    const code = this.text.charCodeAt(limit - 1);
    if (limit > 0 && code >= 0xd800 && code <= 0xdbff) limit -= 1;
    if (limit <= this.streamed) return '';
    const delta = this.text.slice(this.streamed, limit);
    this.streamed = limit;
    return delta;
  }

  /**
   * The final text and tokens, and the last delta to stream. With a stop string the text ends before it:
   * tokens that start at or after it are dropped and the one it starts in is shortened, so the tokens'
   * texts still concatenate to the text. Bytes of a character the model did not finish are dropped.
   */
  finish(): { text: string; tokens: GeneratedToken[]; delta: string } {
    const cut = this.cut;
    if (cut !== undefined) {
      this.text = this.text.slice(0, cut);
      const kept: GeneratedToken[] = [];
      let pos = 0;
      for (const t of this.tokens) {
        if (pos >= cut) break;
        const end = pos + t.text.length;
        kept.push(end > cut ? { ...t, text: t.text.slice(0, Math.max(0, cut - pos)) } : t);
        pos = end;
      }
      this.tokens.length = 0;
      this.tokens.push(...kept);
    }
    const delta = this.text.slice(this.streamed);
    this.streamed = this.text.length;
    return { text: this.text, tokens: [...this.tokens], delta };
  }
}

/** Renders the request's chat with the generation prompt, appends the assistant prefix, and finds the verdict tokens. */
export function preparePrompt(tokenizer: HfTokenizer, dir: string, request: Pick<WireGenerationRequest, 'messages' | 'assistantPrefix' | 'verdictWords'>, vocabSize: number): PreparedPrompt {
  let rendered: string;
  try {
    rendered = tokenizer.renderChat(request.messages, true);
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    throw new ModelError(e.message, join(dir, chatTemplateFile(dir) ?? 'tokenizer_config.json'), e.field, e.fix);
  }
  const text = rendered + (request.assistantPrefix ?? '');
  // The template writes BOS itself where the model wants one (as transformers' apply_chat_template, which
  // tokenises its rendering without special tokens): adding them again would duplicate BOS.
  const ids = tokenizer.encode(text, false);
  const watch: WatchedToken[] = [];
  for (const word of request.verdictWords ?? []) {
    const base = word.trimStart();
    if (base === '') continue;
    for (const variant of [base, ` ${base}`]) {
      const id = tokenizer.encode(variant, false)[0];
      if (id === undefined || id >= vocabSize || watch.some((w) => w.id === id)) continue;
      watch.push({ id, token: tokenizer.decode([id]) });
    }
  }
  return { text, ids, watch };
}

/** Runs one request on the generator; `onDelta` receives streamable text as tokens arrive. */
export async function runRequest(gen: TokenGenerator, info: LocalModelInfo, dir: string, request: WireGenerationRequest, signal: AbortSignal, onDelta?: (delta: string, tokens: number) => void): Promise<GenerationResult> {
  const prompt = preparePrompt(gen.tokenizer, dir, request, gen.vocabSize);
  const reply = new ReplyBuilder(new IncrementalDecoder((ids) => gen.tokenizer.decode(ids), prompt.ids.slice(-PROMPT_CONTEXT)), request.stop ?? [], prompt.watch);
  const eos = new Set(gen.eosIds);
  const out = await gen.generate(prompt.ids, {
    maxNewTokens: request.maxTokens,
    stopIds: gen.eosIds,
    watchIds: prompt.watch.map((w) => w.id),
    signal,
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    onToken: (step) => {
      // EOS ends the reply; like a server, the reply does not include its text.
      if (eos.has(step.id)) return undefined;
      const hit = reply.add(step);
      if (onDelta !== undefined) {
        const delta = reply.takeDelta();
        if (delta !== '') onDelta(delta, step.index + 1);
      }
      return hit ? 'stop' : undefined;
    },
  });
  const final = reply.finish();
  if (onDelta !== undefined && final.delta !== '') onDelta(final.delta, out.ids.length);
  const finish: FinishReason = reply.stopped ? 'stop' : out.stop;
  return { text: final.text, finish, tokens: final.tokens, model: info.id, device: out.device, promptTokens: out.promptTokens, completionTokens: out.ids.length };
}

function wire(e: unknown): WireError {
  if (e instanceof ModelError) return { name: e.name, message: e.message, file: e.file, ...(e.field !== undefined ? { field: e.field } : {}), ...(e.fix !== undefined ? { fix: e.fix } : {}) };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const post = (m: FromGeneratorWorker): void => port.postMessage(m);
  const init = workerData as GeneratorWorkerInit;
  let gen: TokenGenerator;
  let info: LocalModelInfo;
  try {
    gen = await openGenerator(init.dir, {
      device: init.device,
      ...(init.dtype !== undefined ? { dtype: init.dtype } : {}),
      ...(init.prefillChunk !== undefined ? { prefillChunk: init.prefillChunk } : {}),
      ...(init.intraOpNumThreads !== undefined ? { intraOpNumThreads: init.intraOpNumThreads } : {}),
      ...(init.simulateFailures !== undefined ? { simulateFailures: init.simulateFailures } : {}),
    });
    if (!gen.tokenizer.hasChatTemplate) {
      await gen.dispose();
      throw new ModelError('the folder has no chat template (no chat_template.jinja, and no chat_template in tokenizer_config.json), so judge prompts cannot be rendered', join(init.dir, 'tokenizer_config.json'), 'chat_template', 'Copy chat_template.jinja (or tokenizer_config.json with its chat_template) from the model repository.');
    }
    const folderName = init.dir.split(/[\\/]/u).filter((p) => p !== '').pop() ?? init.dir;
    info = {
      id: `onnx:${fingerprintFiles(gen.files)}`,
      description: `${folderName} (${gen.modelPath.split(/[\\/]/u).pop() ?? 'model.onnx'}, local generator)`,
      device: gen.device,
      attempts: gen.attempts,
      modelPath: gen.modelPath,
      format: gen.format,
      eosIds: gen.eosIds,
      maxPositions: gen.maxPositions,
      vocabSize: gen.vocabSize,
      cacheLocation: gen.cacheLocation,
    };
    post({ type: 'loaded', info });
  } catch (e) {
    post({ type: 'loadError', error: wire(e) });
    return;
  }
  const running = new Map<number, AbortController>();
  // Jobs cancelled before their generate message arrived (the caller's signal was already aborted).
  const cancelledEarly = new Set<number>();
  // Job numbers grow and messages arrive in order: a cancel for a job at or below this one came too late.
  let lastJob = 0;
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (msg: ToGeneratorWorker) => {
    switch (msg.type) {
      case 'cancel': {
        const controller = running.get(msg.job);
        if (controller !== undefined) controller.abort();
        else if (msg.job > lastJob) cancelledEarly.add(msg.job);
        break;
      }
      case 'prepare':
        lastJob = Math.max(lastJob, msg.job);
        queue = queue.then(() => {
          try {
            post({ type: 'prepared', job: msg.job, prompt: preparePrompt(gen.tokenizer, init.dir, msg.request, gen.vocabSize) });
          } catch (e) {
            post({ type: 'failed', job: msg.job, error: wire(e) });
          }
        });
        break;
      case 'generate': {
        lastJob = Math.max(lastJob, msg.job);
        const controller = new AbortController();
        if (cancelledEarly.delete(msg.job)) controller.abort();
        running.set(msg.job, controller);
        const onDelta = msg.request.stream ? (delta: string, tokens: number): void => post({ type: 'progress', job: msg.job, delta, tokens }) : undefined;
        queue = queue.then(async () => {
          try {
            post({ type: 'generated', job: msg.job, result: await runRequest(gen, info, init.dir, msg.request, controller.signal, onDelta) });
          } catch (e) {
            post({ type: 'failed', job: msg.job, error: wire(e) });
          } finally {
            running.delete(msg.job);
          }
        });
        break;
      }
      case 'dispose':
        for (const c of running.values()) c.abort();
        queue = queue.then(async () => {
          await gen.dispose();
          post({ type: 'disposed' });
          port.close();
        });
        break;
    }
  });
}

void main();
