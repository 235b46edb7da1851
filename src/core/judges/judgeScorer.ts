/**
 * A {@link Scorer} over a generative judge: builds each judge's prompt, runs the {@link TextGenerator},
 * and reads the verdicts back into step scores, a response score and a {@link JudgeReport}. Pure core: the
 * generator is the only boundary.
 */
import { Limiter } from '../async/limiter.js';
import { textHash } from '../editor/textHash.js';
import { abortError } from '../scoring/scoreRecords.js';
import type { ScoreRequest, ScoreResult, Scorer } from '../scoring/scorer.js';
import type { GenerationRequest, GenerationResult, TextGenerator } from './generation.js';
import { findJudge, JUDGES, type JudgeInfo } from './judgeRegistry.js';
import { pairResult, type Matchup, type PairGame, type PairParse } from './pairGames.js';
import { buildArenaHardRequest, buildSkyworkCriticRequest, parseArenaHardVerdict, parseSkyworkCriticVerdict } from './pairwise.js';
import { processBenchResult, buildProcessBenchRequest } from './processBenchCritic.js';
import { buildPrometheusAbsoluteRequest, buildPrometheusRelativeRequest, DEFAULT_SCORE_RUBRIC, parsePrometheusRelative, prometheusAbsoluteResult } from './prometheus.js';
import { buildRmR1Request, parseRmR1Verdict } from './rmR1.js';
import type { PrincipleRubric, Rubric, ScoreRubric } from './rubric.js';
import { buildRubricRequest, rubricResult } from './rubricJudge.js';
import { buildThinkPrmFollowUp, buildThinkPrmRequest, parseThinkPrm, thinkPrmResult } from './thinkPrm.js';

/** Progress of one generation: `delta` was appended to the output for request `requestIndex`. */
export interface JudgeProgress {
  /** Index into the `score()` call's requests (for a pair game shared by two requests, the first to ask). */
  readonly requestIndex: number;
  /** Tokens generated so far in this output. */
  readonly tokens: number;
  readonly delta: string;
}

/** Options of {@link createJudgeScorer}. */
export interface JudgeScorerOptions {
  /** Principles for `rubric` (required); a score rubric for `prometheus` (optional). Ignored by other judges. */
  readonly rubric?: Rubric;
  /** Most new tokens per output. Default 4096. */
  readonly maxTokens?: number;
  /** Generations in flight at once. Default 8 (a local generator runs one at a time anyway). */
  readonly concurrency?: number;
  /** Sampling; absent or 0 temperature is greedy, as the reference evaluations run. */
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly onProgress?: (p: JudgeProgress) => void;
}

const DEFAULT_MAX_TOKENS = 4096;
const DEFAULT_CONCURRENCY = 8;

/** One `score()` call: the shared limiter, abort signal, and the memo of pair games. */
interface Run {
  generate(request: GenerationRequest, requestIndex: number): Promise<GenerationResult>;
  readonly games: Map<string, Promise<PairGame>>;
  readonly maxTokens: number;
}

interface PairSpec {
  build(question: string, a: string, b: string, reference: string | undefined, maxTokens: number): GenerationRequest;
  parse(text: string): PairParse;
  /** The expected verdict format, for warnings. */
  readonly expected: string;
}

function pairSpec(name: string, scoreRubric: ScoreRubric): PairSpec | undefined {
  switch (name) {
    case 'pairwise':
      return { build: (q, a, b, _r, t) => buildSkyworkCriticRequest(q, a, b, t), parse: parseSkyworkCriticVerdict, expected: '[[A]] or [[B]]' };
    case 'arena-hard':
      return { build: (q, a, b, _r, t) => buildArenaHardRequest(q, a, b, t), parse: parseArenaHardVerdict, expected: '[[A>>B]], [[A>B]], [[A=B]], [[B>A]] or [[B>>A]]' };
    case 'rm-r1':
      return { build: (q, a, b, _r, t) => buildRmR1Request(q, a, b, t), parse: parseRmR1Verdict, expected: '<answer>[[A]]</answer> or <answer>[[B]]</answer>' };
    case 'prometheus':
      return { build: (q, a, b, r, t) => buildPrometheusRelativeRequest(q, a, b, scoreRubric, r, t), parse: parsePrometheusRelative, expected: '"[RESULT] A" or "[RESULT] B" at the end' };
    default:
      return undefined;
  }
}

/** The response text a single-response judge reads: the record's own text, else the steps joined by blank lines. */
function responseText(request: ScoreRequest): string {
  return request.response ?? request.steps.join('\n\n');
}

function noStepsResult(name: string): ScoreResult {
  return { steps: [], device: 'none', warnings: [`The ${name} judge scores steps, and this request has none; it was not scored.`] };
}

async function scoreSteps(name: string, request: ScoreRequest, index: number, run: Run): Promise<ScoreResult> {
  const n = request.steps.length;
  if (n === 0) return noStepsResult(name);
  if (name === 'processbench-critic') return processBenchResult(n, await run.generate(buildProcessBenchRequest(request.prompt, request.steps, run.maxTokens), index));
  const first = buildThinkPrmRequest(request.prompt, request.steps, run.maxTokens);
  const gen = await run.generate(first, index);
  if (parseThinkPrm(gen.text, n).decision !== null) return thinkPrmResult(n, gen);
  return thinkPrmResult(n, gen, await run.generate(buildThinkPrmFollowUp(first, gen.text), index));
}

function playGame(spec: PairSpec, request: ScoreRequest, a: string, b: string, index: number, run: Run): Promise<PairGame> {
  const key = JSON.stringify([request.prompt, request.reference ?? null, a, b]);
  let game = run.games.get(key);
  if (game === undefined) {
    game = run.generate(spec.build(request.prompt, a, b, request.reference, run.maxTokens), index).then((gen) => ({ gen, parse: spec.parse(gen.text) }));
    run.games.set(key, game);
  }
  return game;
}

async function scorePair(name: string, spec: PairSpec, request: ScoreRequest, index: number, run: Run): Promise<ScoreResult> {
  const sib = request.siblings;
  const own = sib?.responses[sib.index];
  if (sib === undefined || own === undefined || sib.responses.length < 2) return pairResult(name, [], spec.expected);
  const matchups = await Promise.all(
    sib.responses.flatMap((other, j) =>
      j === sib.index ? [] : [Promise.all([playGame(spec, request, own, other, index, run), playGame(spec, request, other, own, index, run)]).then(([asA, asB]): Matchup => ({ asA, asB }))],
    ),
  );
  return pairResult(name, matchups, spec.expected);
}

function hasSiblings(request: ScoreRequest): boolean {
  return request.siblings !== undefined && request.siblings.responses.length >= 2;
}

function checkRubric(name: string, rubric: Rubric | undefined): void {
  if (name === 'rubric' && rubric?.kind !== 'principles') {
    throw new Error(
      rubric === undefined
        ? 'The rubric judge needs a rubric file (rewardLens.rubricFile, or --rubric FILE) listing its principles.'
        : 'The rubric judge needs a list of principles (`principles: [...]`); this rubric file is a Prometheus score rubric.',
    );
  }
  if (name === 'prometheus' && rubric !== undefined && rubric.kind !== 'score') {
    throw new Error('The prometheus judge takes a score rubric (`criteria` and `score1_description` … `score5_description`); this rubric file lists principles, which are for the rubric judge.');
  }
}

/**
 * A scorer that runs judge `name` (see {@link JUDGES}) on `generator`. Throws for an unknown name (listing
 * the names), for `rubric` without a principles rubric, and for `prometheus` with a principles rubric.
 *
 * - `id`: `judge:{name}:{generator.id}`, plus `:{hash}` of the rubric when the judge uses one.
 * - `granularity`: `step` for steps judges, else `sequence`.
 * - `score()`: results in request order. Pair judges judge each response against every other response of its
 *   set, in both orders; a pair is generated once per call and shared by both of its responses. A pair
 *   judge's request without siblings gets a warning and no score. The signal is passed to the generator and
 *   checked between generations (an abort rejects with an `AbortError`); when a generation rejects,
 *   `score()` rejects with that error and the other generations of the call are cancelled.
 * - `dispose()`: releases nothing; the generator belongs to the caller, who disposes it.
 */
export function createJudgeScorer(name: string, generator: TextGenerator, opts: JudgeScorerOptions = {}): Scorer {
  const info: JudgeInfo | undefined = findJudge(name);
  if (info === undefined) throw new Error(`Unknown judge "${name}". Judges: ${JUDGES.map((j) => j.name).join(', ')}.`);
  checkRubric(name, opts.rubric);
  const usesRubric = name === 'rubric' || (name === 'prometheus' && opts.rubric !== undefined);
  const rubricTag = usesRubric && opts.rubric !== undefined ? `:${textHash(JSON.stringify(opts.rubric)).slice(0, 8)}` : '';
  const scoreRubric = opts.rubric?.kind === 'score' ? opts.rubric : DEFAULT_SCORE_RUBRIC;
  const principles: PrincipleRubric | undefined = opts.rubric?.kind === 'principles' ? opts.rubric : undefined;
  const spec = pairSpec(name, scoreRubric);
  const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  const sampling = {
    ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
    ...(opts.topP !== undefined ? { topP: opts.topP } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };

  const scoreOne = (request: ScoreRequest, index: number, run: Run): Promise<ScoreResult> => {
    if (info.kind === 'steps') return scoreSteps(name, request, index, run);
    if (spec !== undefined && (info.kind === 'pair' || hasSiblings(request))) return scorePair(name, spec, request, index, run);
    if (name === 'prometheus') return run.generate(buildPrometheusAbsoluteRequest(request.prompt, responseText(request), scoreRubric, request.reference, maxTokens), index).then(prometheusAbsoluteResult);
    if (principles === undefined) return Promise.reject(new Error('The rubric judge needs a list of principles.')); // unreachable: checked above
    return run.generate(buildRubricRequest(request.prompt, responseText(request), principles, request.reference, maxTokens), index).then((gen) => rubricResult(principles, gen));
  };

  return {
    id: `judge:${name}:${generator.id}${rubricTag}`,
    description: `${info.description} — judge model: ${generator.description}`,
    granularity: info.kind === 'steps' ? 'step' : 'sequence',
    async score(requests, signal) {
      if (signal?.aborted) throw abortError();
      // Cancels the call's other generations once one fails or the caller aborts.
      const inner = new AbortController();
      const onAbort = (): void => inner.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const limiter = new Limiter(Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY)));
      const run: Run = {
        maxTokens,
        games: new Map(),
        generate: (request, requestIndex) =>
          limiter.run(async () => {
            if (inner.signal.aborted) throw abortError();
            const onProgress = opts.onProgress;
            const result = await generator.generate(
              { ...request, ...sampling },
              { signal: inner.signal, ...(onProgress !== undefined ? { onProgress: (p) => onProgress({ requestIndex, tokens: p.tokens, delta: p.delta }) } : {}) },
            );
            if (inner.signal.aborted || result.finish === 'cancelled') throw abortError();
            return result;
          }),
      };
      try {
        return await Promise.all(
          requests.map((r, i) =>
            scoreOne(r, i, run).catch((err: unknown) => {
              inner.abort();
              throw err;
            }),
          ),
        );
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    // The generator belongs to the caller, who may share it; nothing else is held between calls.
    dispose: () => Promise.resolve(),
  };
}
