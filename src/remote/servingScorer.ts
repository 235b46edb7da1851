/**
 * Reward models on serving engines (FORMATS.md Part D §5): PRMs through vLLM's `POST /pooling`
 * (`task: "token_classify"`), ORMs through vLLM's `POST /classify`, SGLang's native `POST /classify` or
 * TEI's `POST /predict`. Inputs are built as the local engine builds them (encodeInput), so a served model
 * and its ONNX export score the same text. Node-only (HTTP); the wire formats are checked against vLLM main.
 *
 * vLLM's STEP pooling keeps the rows at tokens equal to its launch-time `step_tag_id`, which the server does
 * not report. Before scoring, the step tag is tokenised by the server (`POST /tokenize`) and its id compared
 * with the id Reward Lens assumes (`stepTagId`): a mismatch would put scores on the wrong tokens, so it is
 * refused. A trace whose answer has fewer or more step rows than steps gets NaN scores, never shifted ones.
 */
import type { ChatResponseParams, ChatSeparatorParams, PieceSeparatorParams, PresetName, TaggedTextParams } from '../core/scoring/contracts/contractTypes.js';
import type { ScoreRequest, ScoreResult, Scorer, StepScore } from '../core/scoring/scorer.js';
import { findPreset, PRESET_NAMES } from '../model/presets.js';
import { abortError, EndpointError, HttpClient, isAbortError, parseEndpoint } from './httpClient.js';
import { connect, obj, SERVER_NAMES, type Connection, type Obj, type ServerKind } from './servingConnection.js';
import {
  chatResponseMessages,
  chatSeparatorMessages,
  classProbability,
  pieceSeparatorPrefixes,
  plainResponseText,
  responseOf,
  rowsOf,
  taggedText,
  type BuiltInput,
  type ServingInput,
} from './servingInputs.js';

/** How to reach a served reward model. */
export interface ServingScorerOptions {
  /** Server URL (root or `/v1`). `https:` unless this machine. */
  readonly endpoint: string;
  /** The model contract (`reward-lens models presets`). */
  readonly preset: string;
  /** Model id; default the server's only (or first) model. */
  readonly model?: string | undefined;
  readonly apiKey?: string | undefined;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number | undefined;
  /** `auto` (default): TEI if `GET /info` names a `model_id`, SGLang if `GET /get_model_info` answers, else vLLM. */
  readonly server?: 'auto' | ServerKind | undefined;
  /**
   * The token id the server's STEP pooling keeps (its launch-time `step_tag_id`). Default: 151651 for
   * qwen2.5-math-prm (vLLM's own default), 12902 for math-shepherd (the documented `--pooler-config`), the
   * separator's id for trl-prm.
   */
  readonly stepTagId?: number | undefined;
  /** Traces per request where the input is text (default 16); chat inputs go one trace per request. */
  readonly batchSize?: number | undefined;
  /**
   * Renders a request to the exact text the local engine would tokenise (e.g. with the model's own tokenizer
   * and chat template). When given, PRM and ORM inputs are sent as this text (batched) instead of as chat
   * messages for the server to render; SGLang ORMs need it. Not used by trl-prm, whose text needs no template.
   */
  readonly render?: ((req: ScoreRequest) => string) | undefined;
  readonly timeoutMs?: number | undefined;
  readonly retries?: number | undefined;
  readonly retryBaseMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
}

/** One finding of {@link checkEndpoint}. */
export interface EndpointFinding {
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
}

/** What {@link checkEndpoint} found. */
export interface EndpointCheck {
  /** No error finding: the server can score this preset. */
  readonly ok: boolean;
  readonly server: ServerKind;
  readonly models: string[];
  /** The model requests would name ('' when none could be chosen). */
  readonly model: string;
  readonly findings: EndpointFinding[];
}

const QWEN_DEFAULT_TAG_ID = 151651;
const SHEPHERD_TAG_ID = 12902;
const DEFAULT_BATCH = 16;

type Plan =
  | { readonly kind: 'step'; readonly preset: PresetName; readonly params: ChatSeparatorParams | TaggedTextParams; readonly tag: string }
  | { readonly kind: 'piece'; readonly preset: PresetName; readonly params: PieceSeparatorParams }
  | { readonly kind: 'classify'; readonly preset: PresetName; readonly params: ChatResponseParams };

/** The route a preset takes on a server, or why it cannot be served there. */
function planFor(preset: string, server: ServerKind, canRender: boolean): Plan | string {
  const info = findPreset(preset);
  if (info === undefined) return `unknown preset "${preset}"; use one of ${PRESET_NAMES.join(', ')}`;
  const p = info.defaults;
  const isPrm = p.kind !== 'chat-response';
  if (p.kind === 'chat-turns') {
    return `${preset} reads a causal LM's next-token logits before every assistant "+", which no serving engine's pooling API returns; score it locally with an ONNX export (reward-lens export)`;
  }
  if (p.kind === 'step-newlines') {
    return `${preset} needs a value-head model vLLM only runs as an out-of-tree plugin; score it locally with an ONNX export (reward-lens export)`;
  }
  if (isPrm && server !== 'vllm') {
    return `${preset} is a process reward model: Reward Lens scores PRMs with vLLM's /pooling (token_classify), and ${SERVER_NAMES[server]} returns no per-token outputs for it. Serve it with \`vllm serve MODEL\` (add --trust-remote-code for Qwen PRMs)`;
  }
  switch (p.kind) {
    case 'chat-separator':
      return { kind: 'step', preset: info.name, params: p, tag: p.separator };
    case 'tagged-text':
      return { kind: 'step', preset: info.name, params: p, tag: p.stepTag };
    case 'piece-separator':
      return { kind: 'piece', preset: info.name, params: p };
    case 'chat-response':
      if (server === 'sglang' && !canRender && p.useChatTemplate !== false) {
        return `SGLang's /classify takes text already rendered with the reward model's chat template and has no chat-messages variant, so ${preset} cannot be scored there without the model's tokenizer. Serve the model with vLLM (its /classify renders chat messages itself)`;
      }
      return { kind: 'classify', preset: info.name, params: p };
  }
}

/** A request's place in the call and what it sends. */
interface Unit {
  readonly index: number;
  readonly req: ScoreRequest;
  readonly steps: number;
  readonly built: BuiltInput;
}

/** A trace prepared for trl-prm: the text, its tokens and the positions of each step's last token. */
interface PieceUnit extends Unit {
  readonly tokens?: readonly number[];
  readonly reads?: readonly number[];
  /** Why positions could not be found (the steps get NaN). */
  readonly problem?: string;
}

function isInputProblem(err: unknown): err is EndpointError {
  return (
    err instanceof EndpointError &&
    (err.status === 400 || err.status === 413 || err.status === 422) &&
    /context|too long|maximum|max_model_len|length|tokens/iu.test(err.serverMessage ?? '')
  );
}

function tagWords(preset: PresetName, tag: string, stepTagId: number, fromSetting: boolean): string {
  const assumed = fromSetting ? `${stepTagId} (the step tag id setting)` : `${stepTagId}`;
  return preset === 'qwen2.5-math-prm'
    ? `vLLM pools on its launch-time step_tag_id, which it does not report: ${QWEN_DEFAULT_TAG_ID} unless --pooler-config sets it (Reward Lens assumes ${assumed}). In stock Qwen tokenizers ${QWEN_DEFAULT_TAG_ID} is <|quad_end|>, not ${tag}; only the PRM's own tokenizer maps ${tag} there`
    : `vLLM pools on the step_tag_id of its launch-time --pooler-config, which it does not report (Reward Lens assumes ${assumed})`;
}

/** The scorer over a connection and a plan. */
class ServingScorer implements Scorer {
  readonly id: string;
  readonly description: string;
  readonly granularity: 'step' | 'sequence';
  /** Findings of the setup checks, for {@link checkEndpoint}. */
  readonly findings: EndpointFinding[] = [];
  private readonly device: string;
  private readonly batchSize: number;
  /** Warnings added to the results of the next call (setup notes). */
  private pending: string[] = [];
  private tagCheck: Promise<void> | undefined;
  private ormMode: 'messages' | 'text' | 'plain';

  constructor(
    private readonly conn: Connection,
    private readonly plan: Plan,
    private readonly opts: ServingScorerOptions,
    private stepTagId: number | undefined,
  ) {
    const { endpoint, model, server } = conn;
    this.id = `endpoint:${endpoint.host}${endpoint.basePath}/${model}:${plan.preset}`;
    this.description = `${model} (${plan.preset}) on ${SERVER_NAMES[server]} at ${endpoint.host}${endpoint.basePath}`;
    this.granularity = plan.kind === 'classify' ? 'sequence' : 'step';
    this.device = endpoint.host;
    const batch = opts.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batch) || batch < 1) throw new EndpointError(`batchSize must be a positive integer (got ${batch})`);
    this.batchSize = Math.min(batch, conn.maxBatch ?? batch);
    this.ormMode = opts.render !== undefined ? 'text' : plan.kind === 'classify' && plan.params.useChatTemplate === false ? 'plain' : 'messages';
    this.pending.push(...conn.findings.filter((f) => f.level === 'warning').map((f) => f.message));
    this.findings.push(...conn.findings);
  }

  async score(requests: readonly ScoreRequest[], signal?: AbortSignal): Promise<readonly ScoreResult[]> {
    if (signal?.aborted === true) throw abortError();
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const results: (ScoreResult | undefined)[] = new Array<ScoreResult | undefined>(requests.length);
    try {
      if (this.plan.kind === 'classify') await this.scoreSequences(this.plan.params, requests, results, ac.signal);
      else if (this.plan.kind === 'step') await this.scoreSteps(this.plan, requests, results, ac.signal);
      else await this.scorePieces(this.plan.params, requests, results, ac.signal);
    } catch (err) {
      ac.abort();
      if (cancelled(signal)) throw abortError();
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const extra = this.pending;
    this.pending = [];
    return results.map((r, i) => {
      const result = r ?? this.nan(requests[i]?.steps.length ?? 0, 'no answer was read for this request', []);
      return extra.length === 0 ? result : { ...result, warnings: [...extra, ...(result.warnings ?? [])] };
    });
  }

  dispose(): Promise<void> {
    this.conn.client.close();
    return Promise.resolve();
  }

  /**
   * Runs `tasks` at once (the client's limit queues them). The first failure rejects at once and reaches
   * {@link score}, which aborts the call's signal, so the others' requests stop.
   */
  private async all(tasks: readonly (() => Promise<void>)[]): Promise<void> {
    await Promise.all(tasks.map((t) => t()));
  }

  private nan(steps: number, why: string, notes: readonly string[]): ScoreResult {
    const base = { device: this.device, warnings: [...notes, why] };
    if (this.plan.kind === 'classify') return { ...base, steps: [], sequenceScore: Number.NaN };
    return { ...base, steps: Array.from({ length: steps }, (): StepScore => ({ score: Number.NaN, critique: why })) };
  }

  private ok(steps: StepScore[], notes: readonly string[], sequenceScore?: number): ScoreResult {
    return { steps, ...(sequenceScore !== undefined ? { sequenceScore } : {}), device: this.device, ...(notes.length > 0 ? { warnings: [...notes] } : {}) };
  }

  private body(extra: Obj): Obj {
    return { model: this.conn.model, ...extra };
  }

  /** The `data` items of a vLLM list answer, in input order; 'empty' for an empty list (vllm#27343). */
  private items(answer: unknown, count: number, route: string): Obj[] | 'empty' {
    const data = obj(answer)?.['data'];
    const path = `${this.conn.endpoint.basePath}${route}`;
    if (!Array.isArray(data)) throw new EndpointError(`POST ${path}: the answer has no "data" list: ${JSON.stringify(answer).slice(0, 160)}`, { method: 'POST', path });
    if (data.length === 0) return 'empty';
    if (data.length !== count) throw new EndpointError(`POST ${path}: ${data.length} results for ${count} inputs`, { method: 'POST', path });
    const out = data.map((d) => obj(d) ?? {});
    if (out.every((d) => typeof d['index'] === 'number')) out.sort((a, b) => (a['index'] as number) - (b['index'] as number));
    return out;
  }

  /**
   * Posts one group; on an input-specific 4xx (too long for the context) a group of several is retried one by
   * one so only the offending trace fails, and a single trace gets NaN with the server's words.
   */
  private async post<U extends Unit>(route: string, group: readonly U[], body: (g: readonly U[]) => Obj, read: (g: readonly U[], answer: unknown) => void, results: (ScoreResult | undefined)[], signal: AbortSignal): Promise<void> {
    let answer: unknown;
    try {
      answer = await this.conn.client.postJson(route, body(group), { signal });
    } catch (err) {
      if (!isInputProblem(err)) throw err;
      if (group.length > 1) {
        await this.all(group.map((u) => () => this.post(route, [u], body, read, results, signal)));
        return;
      }
      const u = group[0];
      if (u !== undefined) results[u.index] = this.nan(u.steps, `the server refused this trace: ${err.serverMessage ?? err.message}`, u.built.notes);
      return;
    }
    read(group, answer);
  }

  // ---- PRMs with STEP pooling: qwen2.5-math-prm, math-shepherd ----

  private async scoreSteps(plan: Extract<Plan, { kind: 'step' }>, requests: readonly ScoreRequest[], results: (ScoreResult | undefined)[], signal: AbortSignal): Promise<void> {
    const render = this.opts.render;
    const units: Unit[] = [];
    requests.forEach((req, index) => {
      if (req.steps.length === 0) {
        results[index] = this.ok([], []);
        return;
      }
      const built: BuiltInput =
        render !== undefined ? { input: { text: render(req) }, notes: [] } : plan.params.kind === 'chat-separator' ? chatSeparatorMessages(plan.params, req) : taggedText(plan.params, req);
      units.push({ index, req, steps: req.steps.length, built });
    });
    const first = units[0];
    if (first === undefined) return;
    await this.ensureTagInContext(plan, first, signal);
    const read = (g: readonly Unit[], answer: unknown): void => {
      const items = this.items(answer, g.length, '/pooling');
      g.forEach((u, i) => {
        results[u.index] = items === 'empty' ? this.nan(u.steps, this.noRowsWhy(plan.tag), u.built.notes) : this.stepResult(plan, u, rowsOf(items[i]?.['data']));
      });
    };
    const body = (g: readonly Unit[]): Obj => {
      const input = g[0]?.built.input;
      if (input !== undefined && 'messages' in input) return this.body({ messages: input.messages, add_generation_prompt: false, task: 'token_classify' });
      return this.body({ input: g.map((u) => ('text' in u.built.input ? u.built.input.text : '')), task: 'token_classify' });
    };
    await this.all(this.groups(units).map((g) => () => this.post('/pooling', g, body, read, results, signal)));
  }

  /** Text inputs in batches of `batchSize`; chat inputs one per request (the chat variant takes one conversation). */
  private groups<U extends Unit>(units: readonly U[]): U[][] {
    const groups: U[][] = [];
    let batch: U[] = [];
    for (const u of units) {
      if ('messages' in u.built.input) {
        groups.push([u]);
        continue;
      }
      batch.push(u);
      if (batch.length >= this.batchSize) {
        groups.push(batch);
        batch = [];
      }
    }
    if (batch.length > 0) groups.push(batch);
    return groups;
  }

  private noRowsWhy(tag: string): string {
    return `the server returned no step vectors: vLLM's STEP pooling returns nothing when no token of the input equals its step_tag_id (vllm#27343), so ${JSON.stringify(tag)} was not tokenised as that id here`;
  }

  private stepResult(plan: Extract<Plan, { kind: 'step' }>, u: Unit, rows: number[][] | undefined): ScoreResult {
    if (rows === undefined) return this.nan(u.steps, 'the server\'s pooled output is not a list of number rows', u.built.notes);
    if (rows.length === 0) return this.nan(u.steps, this.noRowsWhy(plan.tag), u.built.notes);
    if (rows.length !== u.steps) {
      return this.nan(
        u.steps,
        `the server returned ${rows.length} step vector${rows.length === 1 ? '' : 's'} for ${u.steps} step${u.steps === 1 ? '' : 's'}, so no score can be placed on a step (the step tag ${JSON.stringify(plan.tag)} merged with its neighbours, or the server pools a different step_tag_id or all tokens)`,
        u.built.notes,
      );
    }
    const p = plan.params;
    const steps = rows.map((row): StepScore => {
      if (p.kind === 'tagged-text' && row.length !== 2) {
        return {
          score: Number.NaN,
          critique: `the server returned ${row.length} values per step; Math-Shepherd needs [P(+), P(-)]: launch vLLM with --pooler-config '{"pooling_type":"STEP","step_tag_id":${this.stepTagId ?? SHEPHERD_TAG_ID},"returned_token_ids":[648,387]}'`,
        };
      }
      const index = p.kind === 'tagged-text' ? 0 : p.labelIndex;
      if (index >= row.length) return { score: Number.NaN, critique: `the server returned ${row.length} values per step; class ${index} is missing` };
      return { score: classProbability(row, index) };
    });
    const bad = steps.find((s) => Number.isNaN(s.score));
    const notes = bad?.critique !== undefined ? [...u.built.notes, bad.critique] : u.built.notes;
    return this.ok(steps, notes);
  }

  /** Tokenises on the server; undefined when it has no `/tokenize`. */
  private async tokenize(body: Obj, signal?: AbortSignal): Promise<{ tokens: number[]; strs: string[] | undefined } | undefined> {
    let answer: unknown;
    try {
      answer = await this.conn.client.postJson('/tokenize', this.body({ ...body, return_token_strs: true }), { signal });
    } catch (err) {
      if (err instanceof EndpointError && (err.status === 404 || err.status === 405)) return undefined;
      throw err;
    }
    const o = obj(answer);
    const tokens = o?.['tokens'];
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'number')) {
      const path = `${this.conn.endpoint.basePath}/tokenize`;
      throw new EndpointError(`POST ${path}: the answer has no "tokens" list`, { method: 'POST', path });
    }
    const strs = o?.['token_strs'];
    return { tokens: tokens as number[], strs: Array.isArray(strs) ? strs.map(String) : undefined };
  }

  /**
   * Setup check, run when the scorer opens: the step tag alone must be one token (Math-Shepherd: its last
   * token, as the reference code takes it) whose id is the pooling `step_tag_id`. Refuses otherwise.
   */
  async checkTagAlone(): Promise<void> {
    const plan = this.plan;
    if (plan.kind === 'classify') return;
    if (plan.kind === 'piece') {
      const sep = plan.params.separator;
      if (this.stepTagId === undefined) {
        const t = await this.tokenize({ prompt: sep, add_special_tokens: false });
        if (t?.tokens.length === 1) this.stepTagId = t.tokens[0];
      }
      this.findings.push({
        level: 'info',
        message: `trl-prm reads each step at its last token: with vLLM's default ALL pooling every token's row comes back and the positions come from /tokenize; with STEP pooling the server's step_tag_id must be the separator ${JSON.stringify(sep)}'s id${this.stepTagId !== undefined ? ` (${this.stepTagId})` : ''}`,
      });
      return;
    }
    const fromSetting = this.opts.stepTagId !== undefined;
    const stepTagId = this.stepTagId ?? (plan.preset === 'qwen2.5-math-prm' ? QWEN_DEFAULT_TAG_ID : SHEPHERD_TAG_ID);
    this.stepTagId = stepTagId;
    const t = await this.tokenize({ prompt: plan.tag, add_special_tokens: false });
    if (t === undefined) {
      const why = `could not check the step tag: ${this.conn.endpoint.host} has no /tokenize. Scores are right only if the server's step_tag_id (assumed ${stepTagId}) is the id of ${JSON.stringify(plan.tag)}`;
      this.findings.push({ level: 'warning', message: why });
      this.pending.push(why);
      return;
    }
    const shown = (t.strs ?? t.tokens.map(String)).map((s) => JSON.stringify(s)).join(', ');
    const tagId = plan.preset === 'math-shepherd' ? t.tokens[t.tokens.length - 1] : t.tokens.length === 1 ? t.tokens[0] : undefined;
    if (tagId === undefined) {
      throw new EndpointError(
        `the step tag ${JSON.stringify(plan.tag)} is not one token of the tokenizer ${this.conn.endpoint.host} serves: it splits into ${t.tokens.length} tokens (${shown}). Qwen2.5-Math-PRM's own tokenizer has it as one added token: serve the PRM with its own tokenizer`,
        { method: 'POST', path: `${this.conn.endpoint.basePath}/tokenize` },
      );
    }
    if (tagId !== stepTagId) {
      let returned = '';
      if (plan.preset === 'math-shepherd') {
        const pm = await this.tokenize({ prompt: '+ -', add_special_tokens: false });
        if (pm?.tokens.length === 2) returned = `,"returned_token_ids":[${pm.tokens.join(',')}]`;
      }
      throw new EndpointError(
        `step tag mismatch: the served tokenizer maps ${JSON.stringify(plan.tag)} to id ${tagId}, but the pooling step_tag_id is taken to be ${stepTagId}, so scores would be read at the wrong tokens. ${tagWords(plan.preset, plan.tag, stepTagId, fromSetting)}. Fix: relaunch with --pooler-config '{"pooling_type":"STEP","step_tag_id":${tagId}${returned}}' and set the step tag id to ${tagId}, or serve the model with its own tokenizer`,
        { method: 'POST', path: `${this.conn.endpoint.basePath}/tokenize` },
      );
    }
    this.findings.push({ level: 'info', message: `the step tag ${JSON.stringify(plan.tag)} is one token, id ${tagId}, the pooling step_tag_id assumed (${tagWords(plan.preset, plan.tag, stepTagId, fromSetting)})` });
  }

  /** Before the first pooling request: the first trace, tokenised by the server as it will be pooled, holds one step tag per step. */
  private async ensureTagInContext(plan: Extract<Plan, { kind: 'step' }>, unit: Unit, signal: AbortSignal): Promise<void> {
    for (;;) {
      this.tagCheck ??= this.checkTagInContext(plan, unit, signal).catch((err: unknown) => {
        if (isAbortError(err)) this.tagCheck = undefined;
        throw err;
      });
      try {
        await this.tagCheck;
        return;
      } catch (err) {
        // Another call's check was cancelled: run it again for this one.
        if (isAbortError(err) && !signal.aborted) continue;
        throw err;
      }
    }
  }

  private async checkTagInContext(plan: Extract<Plan, { kind: 'step' }>, unit: Unit, signal: AbortSignal): Promise<void> {
    const input: ServingInput = unit.built.input;
    const body = 'messages' in input ? { messages: input.messages, add_generation_prompt: false, add_special_tokens: false } : { prompt: input.text, add_special_tokens: true };
    const t = await this.tokenize(body, signal);
    if (t === undefined || this.stepTagId === undefined) return;
    const count = t.tokens.filter((id) => id === this.stepTagId).length;
    if (count === unit.steps) return;
    throw new EndpointError(
      `the first trace, as ${this.conn.endpoint.host} tokenises it, has ${count} token${count === 1 ? '' : 's'} with the pooling step_tag_id ${this.stepTagId} for ${unit.steps} step${unit.steps === 1 ? '' : 's'}: the step tag ${JSON.stringify(plan.tag)} is not one token with that id in context. ${tagWords(plan.preset, plan.tag, this.stepTagId, this.opts.stepTagId !== undefined)}`,
      { method: 'POST', path: `${this.conn.endpoint.basePath}/tokenize` },
    );
  }

  // ---- trl-prm: rows at each step's last token ----
  // Step k is read at the last token of `sep.join([prompt, *steps[:k]]) + sep` (encodeInput's ProcessBench
  // layout). The server's tokenizer says where those tokens are: /tokenize on the full text (with and without
  // specials) and on each step prefix, i.e. steps + 2 cheap CPU requests per trace, through the same
  // concurrency limit. Rows are one per token (ALL pooling, vLLM's default for token classification) or one
  // per separator token (STEP pooling on the separator's id).

  private async scorePieces(params: PieceSeparatorParams, requests: readonly ScoreRequest[], results: (ScoreResult | undefined)[], signal: AbortSignal): Promise<void> {
    const units: Unit[] = [];
    requests.forEach((req, index) => {
      if (req.steps.length === 0) {
        results[index] = this.ok([], []);
        return;
      }
      const prefixes = pieceSeparatorPrefixes(params, req);
      units.push({ index, req, steps: req.steps.length, built: { input: { text: prefixes[prefixes.length - 1] ?? '' }, notes: [] } });
    });
    const read = (g: readonly PieceUnit[], answer: unknown): void => {
      const items = this.items(answer, g.length, '/pooling');
      g.forEach((u, i) => {
        results[u.index] = items === 'empty' ? this.nan(u.steps, 'the server returned no rows for this trace', []) : this.pieceResult(params, u, rowsOf(items[i]?.['data']));
      });
    };
    const body = (g: readonly PieceUnit[]): Obj => this.body({ input: g.map((u) => ('text' in u.built.input ? u.built.input.text : '')), task: 'token_classify' });
    await this.all(
      this.groups(units).map((g) => async () => {
        const prepared: PieceUnit[] = [];
        await this.all(g.map((u) => async () => void prepared.push(await this.piecePositions(params, u, signal))));
        prepared.sort((a, b) => a.index - b.index);
        const ready = prepared.filter((u) => u.problem === undefined);
        for (const u of prepared) if (u.problem !== undefined) results[u.index] = this.nan(u.steps, u.problem, []);
        if (ready.length > 0) await this.post('/pooling', ready, body, read, results, signal);
      }),
    );
  }

  /** Token positions of each step's last token, from the server's tokenizer (as encodeInput's prefix rule). */
  private async piecePositions(params: PieceSeparatorParams, u: Unit, signal: AbortSignal): Promise<PieceUnit> {
    const prefixes = pieceSeparatorPrefixes(params, u.req);
    const full = prefixes[prefixes.length - 1] ?? '';
    const need = (t: Awaited<ReturnType<ServingScorer['tokenize']>>): { tokens: number[] } => {
      if (t !== undefined) return t;
      throw new EndpointError(`trl-prm needs the server's /tokenize to find each step's last token, and ${this.conn.endpoint.host} has none`);
    };
    const [withSpecials, plain, ...partial] = await Promise.all([
      this.tokenize({ prompt: full, add_special_tokens: true }, signal).then(need),
      this.tokenize({ prompt: full, add_special_tokens: false }, signal).then(need),
      ...prefixes.slice(0, -1).map((p) => this.tokenize({ prompt: p, add_special_tokens: false }, signal).then(need)),
    ]);
    if (withSpecials === undefined || plain === undefined) return { ...u, problem: 'the server returned no tokens for this trace' };
    const lengths = [...partial.map((t) => t.tokens.length), plain.tokens.length];
    const nested = partial.every((t) => t.tokens.length <= plain.tokens.length && t.tokens.every((id, i) => id === plain.tokens[i]));
    if (!nested) return { ...u, problem: 'a step boundary tokenises differently once the next step follows, so one pass cannot reproduce per-prefix scoring (encodeInput\'s "training" layout is not available over a server)' };
    let offset = -1;
    for (let o = 0; o + plain.tokens.length <= withSpecials.tokens.length; o++) {
      if (plain.tokens.every((id, i) => id === withSpecials.tokens[o + i])) {
        offset = o;
        break;
      }
    }
    if (offset < 0) return { ...u, problem: 'the server adds special tokens inside the text; its tokens cannot be lined up with the steps' };
    return { ...u, tokens: withSpecials.tokens, reads: lengths.map((n) => offset + n - 1) };
  }

  private pieceResult(params: PieceSeparatorParams, u: PieceUnit, rows: number[][] | undefined): ScoreResult {
    const tokens = u.tokens ?? [];
    const reads = u.reads ?? [];
    if (rows === undefined) return this.nan(u.steps, 'the server\'s pooled output is not a list of number rows', []);
    let pick: (pos: number) => number[] | undefined;
    if (rows.length === tokens.length) {
      pick = (pos) => rows[pos];
    } else {
      const tagPositions = this.stepTagId === undefined ? [] : tokens.flatMap((id, i) => (id === this.stepTagId ? [i] : []));
      if (this.stepTagId === undefined || rows.length !== tagPositions.length) {
        return this.nan(u.steps, `the server returned ${rows.length} rows for a ${tokens.length}-token input with ${u.steps} steps: neither one row per token (ALL pooling) nor one per separator token (STEP pooling), so no score can be placed on a step`, []);
      }
      pick = (pos) => {
        const k = tagPositions.indexOf(pos);
        return k < 0 ? undefined : rows[k];
      };
    }
    const steps = reads.map((pos): StepScore => {
      const row = pick(pos);
      if (row === undefined) return { score: Number.NaN, critique: 'this step does not end on a separator token the server pools (STEP pooling); use ALL pooling, vLLM\'s default for token classification' };
      if (params.labelIndex >= row.length) return { score: Number.NaN, critique: `the server returned ${row.length} values per token; class ${params.labelIndex} is missing` };
      return { score: classProbability(row, params.labelIndex) };
    });
    const bad = steps.find((s) => Number.isNaN(s.score));
    return this.ok(steps, bad?.critique !== undefined ? [bad.critique] : []);
  }

  // ---- ORMs: vLLM /classify, SGLang /classify, TEI /predict ----
  // vLLM: `use_activation: false`, or with one label it returns sigmoid(logit). TEI: `raw_scores: true`, and
  // `truncate: false`: an overlong input is refused (that response gets NaN with TEI's message) rather than cut
  // silently and scored as if whole.

  private async scoreSequences(params: ChatResponseParams, requests: readonly ScoreRequest[], results: (ScoreResult | undefined)[], signal: AbortSignal): Promise<void> {
    const units: Unit[] = requests.map((req, index) => ({ index, req, steps: 0, built: this.ormInput(params, req) }));
    const server = this.conn.server;
    const route = server === 'tei' ? '/predict' : '/classify';
    const texts = (g: readonly Unit[]): string[] => g.map((u) => ('text' in u.built.input ? u.built.input.text : ''));
    const body = (g: readonly Unit[]): Obj => {
      if (server === 'tei') {
        const inputs = this.ormMode === 'text' ? texts(g).map((t) => [t]) : g.map((u) => [u.req.prompt, responseOf(params, u.req)]);
        return { inputs, raw_scores: true, truncate: false };
      }
      if (server === 'sglang') return this.body({ text: texts(g) });
      const input = g[0]?.built.input;
      if (input !== undefined && 'messages' in input) return this.body({ messages: input.messages, use_activation: false });
      return this.body({ input: texts(g), use_activation: false });
    };
    const read = (g: readonly Unit[], answer: unknown): void => {
      const scores = this.sequenceScores(params, answer, g.length, route);
      g.forEach((u, i) => {
        const s = scores[i];
        results[u.index] = s === undefined || typeof s === 'string' ? this.nan(0, s ?? 'no score for this response', u.built.notes) : this.ok([], u.built.notes, s);
      });
    };
    await this.all(
      this.groups(units).map((g) => async () => {
        try {
          await this.post(route, g, body, read, results, signal);
        } catch (err) {
          // seq-cls ('auto'): a model without a chat template is scored on prompt + joiner + response, as locally.
          const u = g[0];
          if (u === undefined || !(err instanceof EndpointError) || err.status !== 400 || !/chat.?template/iu.test(err.serverMessage ?? '') || params.useChatTemplate !== 'auto' || !('messages' in u.built.input)) throw err;
          if (this.ormMode === 'messages') {
            this.ormMode = 'plain';
            this.pending.push(`${this.conn.model} has no chat template on the server, so responses are scored as prompt + ${JSON.stringify(params.plainJoiner)} + response (seq-cls "auto")`);
          }
          const plain: Unit = { ...u, built: { input: { text: plainResponseText(params, u.req) }, notes: u.built.notes } };
          await this.post(route, [plain], body, read, results, signal);
        }
      }),
    );
  }

  private ormInput(params: ChatResponseParams, req: ScoreRequest): BuiltInput {
    if (this.ormMode === 'text' && this.opts.render !== undefined) return { input: { text: this.opts.render(req) }, notes: [] };
    if (this.ormMode === 'plain' || this.ormMode === 'text') return { input: { text: plainResponseText(params, req) }, notes: [] };
    if (this.conn.server === 'vllm') return { input: { messages: chatResponseMessages(params, req) }, notes: [] };
    // TEI scores the (prompt, response) pair; the text here is unused.
    return { input: { text: plainResponseText(params, req) }, notes: [] };
  }

  /** One raw score (or why none) per input, from each engine's answer shape. */
  private sequenceScores(params: ChatResponseParams, answer: unknown, count: number, route: string): (number | string)[] {
    const path = `${this.conn.endpoint.basePath}${route}`;
    const fail = (what: string): EndpointError => new EndpointError(`POST ${path}: ${what}: ${JSON.stringify(answer).slice(0, 160)}`, { method: 'POST', path });
    const index = params.labelIndex;
    const pickIndex = (values: unknown, what: string): number | string => {
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) throw fail(`"${what}" is not a list of numbers`);
      const v = (values as number[])[index];
      return v === undefined ? `the server returned ${values.length} value${values.length === 1 ? '' : 's'}; label ${index} is missing` : v;
    };
    if (this.conn.server === 'vllm') {
      const items = this.items(answer, count, route);
      if (items === 'empty') throw fail('no results');
      return items.map((d) => pickIndex(d['probs'], 'probs'));
    }
    if (this.conn.server === 'sglang') {
      const list = Array.isArray(answer) ? answer : [answer];
      if (list.length !== count) throw fail(`${list.length} results for ${count} inputs`);
      return list.map((d) => pickIndex(obj(d)?.['embedding'], 'embedding'));
    }
    // TEI: [[{score, label}, …], …] for a batch; [{score, label}] when a single input came back unwrapped.
    if (!Array.isArray(answer)) throw fail('the answer is not a list');
    const perInput = answer.length > 0 && answer.every((a) => Array.isArray(a)) ? (answer as unknown[][]) : [answer];
    if (perInput.length !== count) throw fail(`${perInput.length} results for ${count} inputs`);
    const label = this.conn.labels?.[String(index)] ?? `LABEL_${index}`;
    return perInput.map((preds) => {
      const entries = preds.map((p) => obj(p) ?? {});
      const hit = entries.length === 1 ? entries[0] : entries.find((e) => e['label'] === label);
      const score = hit?.['score'];
      if (typeof score === 'number') return score;
      return `the server's predictions have no label ${JSON.stringify(label)} (${entries.map((e) => String(e['label'])).join(', ')})`;
    });
  }
}

/** Whether the caller's signal fired (a function, so TypeScript does not keep an earlier narrowing across awaits). */
function cancelled(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function stepTagDefault(plan: Plan, opts: ServingScorerOptions): number | undefined {
  if (opts.stepTagId !== undefined) {
    if (!Number.isInteger(opts.stepTagId) || opts.stepTagId < 0) throw new EndpointError(`the step tag id must be a token id (got ${opts.stepTagId})`);
    return opts.stepTagId;
  }
  if (plan.kind !== 'step') return undefined;
  return plan.preset === 'qwen2.5-math-prm' ? QWEN_DEFAULT_TAG_ID : SHEPHERD_TAG_ID;
}

async function build(client: HttpClient, opts: ServingScorerOptions): Promise<ServingScorer> {
  const conn = await connect(client, opts);
  const plan = planFor(opts.preset, conn.server, opts.render !== undefined);
  if (typeof plan === 'string') throw new EndpointError(plan);
  const scorer = new ServingScorer(conn, plan, opts, stepTagDefault(plan, opts));
  await scorer.checkTagAlone();
  return scorer;
}

function clientFor(opts: ServingScorerOptions, retries?: number): HttpClient {
  return new HttpClient(parseEndpoint(opts.endpoint), {
    apiKey: opts.apiKey,
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
    retries: retries ?? opts.retries,
    retryBaseMs: opts.retryBaseMs,
    retryMaxMs: opts.retryMaxMs,
  });
}

/**
 * Opens a reward model on a serving engine: detects the engine (unless `server` says), picks the model,
 * checks that the preset can be served there and (PRMs) that the step tag is the pooling `step_tag_id`.
 * Rejects with an {@link EndpointError} saying what is wrong and how to fix it.
 */
export async function openServingScorer(opts: ServingScorerOptions): Promise<Scorer> {
  const client = clientFor(opts);
  try {
    return await build(client, opts);
  } catch (err) {
    client.close();
    throw err;
  }
}

/** A tiny trace the check scores end to end. */
const SAMPLE: ScoreRequest = { prompt: 'What is 2 + 3?', steps: ['2 + 3 = 5.', 'The answer is 5.'] };

/**
 * Checks a server for a preset without throwing: reachable, which engine, the model listed, the preset
 * servable there, the step tag token (PRMs), and one sample trace scored end to end. Connection failures are
 * retried once only, so an unreachable server is reported quickly.
 */
export async function checkEndpoint(opts: ServingScorerOptions): Promise<EndpointCheck> {
  const findings: EndpointFinding[] = [];
  let server: ServerKind = opts.server !== undefined && opts.server !== 'auto' ? opts.server : 'vllm';
  let models: string[] = [];
  let model = '';
  let client: HttpClient | undefined;
  try {
    client = clientFor(opts, opts.retries ?? 1);
    const conn = await connect(client, opts);
    ({ server, models, model } = conn);
    findings.push({ level: 'info', message: `${SERVER_NAMES[server]} at ${conn.endpoint.host}${conn.endpoint.basePath} serves ${models.join(', ')}` });
    const plan = planFor(opts.preset, server, opts.render !== undefined);
    if (typeof plan === 'string') {
      findings.push(...conn.findings, { level: 'error', message: plan });
    } else {
      const scorer = new ServingScorer(conn, plan, opts, stepTagDefault(plan, opts));
      try {
        await scorer.checkTagAlone();
      } finally {
        findings.push(...scorer.findings);
      }
      const [r] = await scorer.score([SAMPLE]);
      const known = new Set(findings.map((f) => f.message));
      if (r !== undefined) findings.push(...sampleFindings(plan, { ...r, warnings: (r.warnings ?? []).filter((w) => !known.has(w)) }));
    }
  } catch (err) {
    findings.push({ level: 'error', message: err instanceof EndpointError ? err.describe() : err instanceof Error ? err.message : String(err) });
  } finally {
    client?.close();
  }
  return { ok: !findings.some((f) => f.level === 'error'), server, models, model, findings };
}

function sampleFindings(plan: Plan, r: ScoreResult): EndpointFinding[] {
  const problems = (r.warnings ?? []).map((w): EndpointFinding => ({ level: 'warning', message: `sample trace: ${w}` }));
  if (plan.kind === 'classify') {
    const s = r.sequenceScore ?? Number.NaN;
    return Number.isNaN(s) ? [{ level: 'error', message: 'the sample response got no score' }, ...problems] : [{ level: 'info', message: `sample response scored: raw reward ${s.toFixed(4)}` }, ...problems];
  }
  const scores = r.steps.map((s) => s.score);
  if (scores.some((s) => Number.isNaN(s))) return [{ level: 'error', message: `the sample trace's steps could not be scored: ${r.steps.find((s) => s.critique !== undefined)?.critique ?? 'no reason given'}` }];
  return [{ level: 'info', message: `sample trace scored: ${scores.length} steps, ${scores.map((s) => s.toFixed(3)).join(', ')}` }, ...problems];
}
