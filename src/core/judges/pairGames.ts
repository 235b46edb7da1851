/**
 * Pairwise judging as JudgeBench scores it (ScalerLab/JudgeBench `utils/metrics.py`, commit e2c52c28): every
 * pair is judged in both orders, and a response's score is the share of its games it won. With two
 * responses, chosen − rejected > 0 exactly when JudgeBench counts the pair correct (its counter: +1 per game
 * won, −1 per game lost, ties and unreadable verdicts 0), and a judge that names the same letter in both
 * orders yields a tie.
 */
import type { JudgeReport, ScoreResult } from '../scoring/scorer.js';
import type { GeneratedToken, GenerationResult } from './generation.js';
import { noVerdictGamesWarning, truncatedWarning, unalignedWarning } from './judgeWarnings.js';
import { verdictProbability } from './verdictProbability.js';

/** One game's verdict. */
export interface PairVerdict {
  /** The verdict as written: `A`, `B`, `A>>B`, `A=B`, … */
  readonly label: string;
  /** How much assistant A won: 1, 0.5 (tie) or 0. */
  readonly winA: number;
  /**
   * Offset in the output of the verdict letter, for two-way verdicts, where P(A) against P(B) is read;
   * undefined for five-way labels (a letter's probability cannot tell `A>B` from `A=B`).
   */
  readonly letterOffset?: number;
}

/** What a pair judge's parser read from one output. */
export interface PairParse {
  readonly verdict: PairVerdict | null;
  /** Verdict-like text that could not be read as a verdict (e.g. an `<answer>` naming both), quoted raw. */
  readonly unreadable?: string;
}

/** One generated game and its parse. */
export interface PairGame {
  readonly gen: GenerationResult;
  readonly parse: PairParse;
}

/** The two games of this response against one other response. */
export interface Matchup {
  /** This response as assistant A. */
  readonly asA: PairGame;
  /** This response as assistant B. */
  readonly asB: PairGame;
}

/** A's share of one game: P(A) against P(B) at the verdict letter when the tokens show either, else the verdict's. */
export function winShareA(game: PairGame, tokens: readonly GeneratedToken[] | undefined): { share: number; logprob: boolean } | null {
  const v = game.parse.verdict;
  if (v === null) return null;
  const p = v.letterOffset !== undefined && tokens !== undefined ? verdictProbability(tokens, v.letterOffset, 'A', 'B') : undefined;
  return p !== undefined ? { share: p, logprob: true } : { share: v.winA, logprob: false };
}

type Pick = 'this' | 'other' | 'tie';

function pickOf(v: PairVerdict | null, thisIsA: boolean): Pick | null {
  if (v === null) return null;
  if (v.winA === 0.5) return 'tie';
  return (v.winA === 1) === thisIsA ? 'this' : 'other';
}

/**
 * The result for one response from its matchups against every other response of its set. `sequenceScore`
 * is the mean of its game shares (a win 1, a tie ½, a loss 0; with log-probabilities, its letter's
 * probability), over the games with a readable verdict; absent when none has one. The report shows the
 * matchup against the first other response: `text`/`orderAb` with this response as A, `textBa`/`orderBa`
 * as B, and whether both orders picked the same response.
 */
export function pairResult(name: string, matchups: readonly Matchup[], expected: string): ScoreResult {
  const shares: number[] = [];
  let usedLogprobs = false;
  let unreadable = 0;
  const unaligned: string[] = [];
  let truncated = false;
  for (const m of matchups) {
    for (const [game, thisIsA] of [[m.asA, true], [m.asB, false]] as const) {
      if (game.gen.finish === 'length') truncated = true;
      if (game.parse.unreadable !== undefined) unaligned.push(game.parse.unreadable);
      const s = winShareA(game, game.gen.tokens);
      if (s === null) {
        unreadable++;
        continue;
      }
      usedLogprobs ||= s.logprob;
      shares.push(thisIsA ? s.share : 1 - s.share);
    }
  }
  const first = matchups[0];
  if (first === undefined) return { steps: [], device: 'none', warnings: [`The ${name} judge compares responses, and this request has no other response to compare with; it was not scored.`] };

  const ab = first.asA.parse.verdict;
  const ba = first.asB.parse.verdict;
  const pickAb = pickOf(ab, true);
  const pickBa = pickOf(ba, false);
  const consistent = pickAb !== null && pickBa !== null ? pickAb === pickBa : undefined;
  const warnings: string[] = [];
  if (truncated) warnings.push(truncatedWarning(name));
  if (unreadable > 0) warnings.push(noVerdictGamesWarning(name, expected, unreadable, matchups.length * 2));
  if (unaligned.length > 0) warnings.push(unalignedWarning(unaligned.length));
  if (consistent === false) warnings.push(`The ${name} judge picked a different response when the order was swapped (position bias); those games cancel out.`);
  const judge: JudgeReport = {
    name,
    model: first.asA.gen.model,
    text: first.asA.gen.text,
    verdict: ab?.label ?? null,
    truncated,
    source: usedLogprobs ? 'logprob' : 'verdict',
    ...(unaligned.length > 0 ? { unaligned } : {}),
    orderAb: ab?.label ?? null,
    orderBa: ba?.label ?? null,
    textBa: first.asB.gen.text,
    ...(consistent !== undefined ? { consistent } : {}),
  };
  return {
    steps: [],
    ...(shares.length > 0 ? { sequenceScore: shares.reduce((a, b) => a + b, 0) / shares.length } : {}),
    device: first.asA.gen.device,
    ...(warnings.length > 0 ? { warnings } : {}),
    judge,
  };
}
