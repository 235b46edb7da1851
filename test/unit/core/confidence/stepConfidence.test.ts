import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import type { TraceLogprobs } from '../../../../src/core/confidence/tokenLogprobs.js';
import {
  confidenceAgreement,
  pooledAgreement,
  spearman,
  stepConfidence,
  summarizeTokens,
  tokenEntropy,
  tokenSelfCertainty,
  traceConfidence,
} from '../../../../src/core/confidence/stepConfidence.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { readFixture } from '../../helpers.js';
import { tracesOf } from '../formats/responseTestUtils.js';

const close = (actual: number | null | undefined, expected: number, what = ''): void => {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-9, `${what}: ${String(actual)} ≠ ${expected}`);
};

/** A trace of one step per token run, for hand-built logprobs. */
function traceWith(lp: TraceLogprobs, stepCount: number): Trace {
  const steps = Array.from({ length: stepCount }, (_, i) => ({ index: i, text: `s${i}`, label: 'unknown' as const, part: 'reasoning' as const }));
  return { kind: 'trace', id: 't', recordRange: { start: 0, end: 0 }, prompt: '', steps, metadata: {}, logprobs: lp };
}

describe('per-token entropy and self-certainty over the listed alternatives', () => {
  // Token 0: p = 0.5 and an alternative at 0.25 → renormalised (2/3, 1/3).
  // Token 1: listed alone → a point mass.
  const lp: TraceLogprobs = {
    offsets: [0, 1, 2],
    logprobs: [Math.log(0.5), Math.log(0.9)],
    alternatives: { starts: [0, 1, 1], tokens: ['b'], logprobs: [Math.log(0.25)] },
    steps: [],
  };

  it('renormalises before taking the entropy', () => {
    // H(2/3, 1/3) = −(2/3 ln 2/3 + 1/3 ln 1/3) = 0.6365141682948128.
    close(tokenEntropy(lp, 0), 0.6365141682948128, 'entropy');
    close(tokenEntropy(lp, 1), 0, 'entropy of a lone token');
  });

  it('self-certainty is KL(uniform ‖ renormalised)', () => {
    // −ln 2 − ½ (ln 2/3 + ln 1/3) = −0.6931471805599453 + ½ (0.4054651081081644 + 1.0986122886681098) = 0.0588915178281918.
    close(tokenSelfCertainty(lp, 0), 0.0588915178281918, 'self-certainty');
    close(tokenSelfCertainty(lp, 1), 0, 'self-certainty of a lone token');
  });

  it('is undefined when no alternatives are listed at all', () => {
    const bare: TraceLogprobs = { offsets: [0, 1], logprobs: [-1], steps: [] };
    assert.equal(tokenEntropy(bare, 0), undefined);
    assert.deepEqual(summarizeTokens(bare, 0, 1), { tokens: 1, meanLogprob: -1, entropy: null, selfCertainty: null });
    assert.equal(summarizeTokens(bare, 0, 0), null);
  });
});

describe('step and trace confidence of the vLLM fixture', () => {
  const [t] = tracesOf(parseDocument(readFixture('logprobs/vllm_reasoning_chat.json'), 'f.json').records);
  if (t === undefined) throw new Error('no trace');
  const steps = stepConfidence(t);

  it('mean log-probability per step and over all tokens', () => {
    // Step 1: (−0.1 −0.1 −0.2 −0.1 −0.1 −0.1 −0.4 −0.1) / 8 = −1.2 / 8.
    close(steps[0]?.meanLogprob, -0.15, 'step 1');
    // Step 2: (−0.5 −0.1 −0.2 −1.0 −0.2 −0.1 −2.0 −0.1) / 8 = −4.2 / 8.
    close(steps[1]?.meanLogprob, -0.525, 'step 2');
    // Step 3: (−0.2 −0.1 −0.1 −2.5 −0.1) / 5 = −3.0 / 5.
    close(steps[2]?.meanLogprob, -0.6, 'step 3');
    assert.deepEqual(
      steps.map((s) => s?.tokens),
      [8, 8, 5],
    );
    // All 25 tokens, the 5 between steps too (−0.3, −0.1, −0.1, −0.1 and none else): −9.0 / 25.
    const all = traceConfidence(t);
    assert.equal(all?.tokens, 25);
    close(all?.meanLogprob, -0.36, 'trace');
  });

  it('mean entropy per step, renormalised over the listed alternatives', () => {
    close(steps[0]?.entropy, 0, 'step 1 lists no alternatives');
    // Step 2: "Then" (3/4, 1/4) → 0.5623351446188083, " *" two equal → ln 2, " 14" three equal → ln 3; / 8 tokens.
    close(steps[1]?.entropy, (0.5623351446188083 + Math.LN2 + Math.log(3)) / 8, 'step 2');
    close(steps[2]?.entropy, Math.LN2 / 5, 'step 3');
    close(traceConfidence(t)?.entropy, (0.5623351446188083 + 2 * Math.LN2 + Math.log(3)) / 25, 'trace');
  });

  it('self-certainty: only the uneven "Then" token is above zero', () => {
    // −ln 2 − ½ (ln 3/4 + ln 1/4) = 0.14384103622589045, over 8 tokens.
    close(steps[1]?.selfCertainty, 0.14384103622589045 / 8, 'step 2');
    close(steps[2]?.selfCertainty, 0, 'step 3');
  });

  it('gives an edited step no confidence (its tokens spelled the old text), even at the same length', () => {
    const edited: Trace = { ...t, steps: t.steps.map((s) => (s.index === 1 ? { ...s, text: 'Then, 7 * 2 = 15.' } : s)) };
    const conf = stepConfidence(edited);
    assert.equal(conf[1], null);
    close(conf[0]?.meanLogprob, -0.15, 'an unedited step keeps its figures');
  });

  it('agreement with the reward model: Spearman over the steps', () => {
    // Confidence ranks (−0.15, −0.525, −0.6) = 3, 2, 1; score ranks (0.9, 0.2, 0.6) = 3, 1, 2; Σd² = 2 → 1 − 6·2/24.
    close(confidenceAgreement(steps, [0.9, 0.2, 0.6]), 0.5, 'ρ');
    // An unscored step is left out: two pairs left, in the same order → 1.
    close(confidenceAgreement(steps, [0.9, null, 0.6]), 1, 'ρ without step 2');
    assert.equal(confidenceAgreement(steps, [0.9, Number.NaN, undefined]), null);
    assert.equal(confidenceAgreement(steps, [0.5, 0.5, 0.5]), null);
  });
});

describe('spearman', () => {
  it('is 1 and −1 for monotone pairs', () => {
    close(spearman([1, 2, 3], [10, 20, 30]), 1);
    close(spearman([1, 2, 3], [3, 2, 1]), -1);
  });

  it('gives ties their average rank', () => {
    // Ranks x: 1, 2.5, 2.5, 4; y: 1, 3, 2, 4. Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5 / √22.5 = 3 / √10.
    close(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 3 / Math.sqrt(10));
  });

  it('is null when undefined', () => {
    assert.equal(spearman([], []), null);
    assert.equal(spearman([1], [2]), null);
    assert.equal(spearman([1, 1, 1], [1, 2, 3]), null);
  });

  it('pools every step of a file', () => {
    const lp: TraceLogprobs = {
      offsets: [0, 1, 2, 3, 4],
      logprobs: [-0.1, -1, -0.5, -2],
      steps: [
        { text: 's0', start: 0, end: 1, firstToken: 0, endToken: 1 },
        { text: 's1', start: 1, end: 2, firstToken: 1, endToken: 2 },
      ],
    };
    const a = stepConfidence(traceWith(lp, 2));
    const b = stepConfidence(traceWith({ ...lp, steps: [
            { text: 's0', start: 2, end: 3, firstToken: 2, endToken: 3 },
            { text: 's1', start: 3, end: 4, firstToken: 3, endToken: 4 },
          ] }, 2));
    // Pooled confidences (−0.1, −1, −0.5, −2) rank 4, 2, 3, 1; scores (0.9, 0.1, 0.4, 0.3) rank 4, 1, 3, 2:
    // Σd² = 0 + 1 + 0 + 1 = 2 → 1 − 6·2 / (4·15) = 0.8.
    close(
      pooledAgreement([
        { confidence: a, scores: [0.9, 0.1] },
        { confidence: b, scores: [0.4, 0.3] },
      ]),
      0.8,
    );
    // Each trace alone has 2 steps in the same order: ρ = 1 each.
    close(confidenceAgreement(a, [0.9, 0.1]), 1);
    assert.equal(pooledAgreement([]), null);
  });
});
