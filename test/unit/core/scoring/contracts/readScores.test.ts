import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractParams, ResolvedContract } from '../../../../../src/core/scoring/contracts/contractTypes.js';
import { preferenceProbability, scoreRow, sigmoid, softmaxAt } from '../../../../../src/core/scoring/contracts/readScores.js';

const contract = (params: ContractParams, output: ResolvedContract['output']): ResolvedContract => ({ preset: 'trl-prm', params, output, specialsBefore: [], specialsAfter: [] });

describe('reading scores', () => {
  it('softmax and sigmoid match hand-computed values', () => {
    // softmax([0, ln 3])[1] = 3 / (1 + 3)
    assert.ok(Math.abs(softmaxAt([0, Math.log(3)], 1) - 0.75) < 1e-15);
    assert.ok(Math.abs(softmaxAt([1000, 1000 + Math.log(3)], 1) - 0.75) < 1e-12, 'stable for large logits');
    assert.equal(sigmoid(0), 0.5);
    assert.ok(Math.abs(sigmoid(Math.log(4)) - 0.8) < 1e-15);
    assert.ok(Math.abs(sigmoid(-Math.log(4)) - 0.2) < 1e-15);
    assert.equal(sigmoid(-800), 0);
  });

  it('Bradley–Terry preference is sigmoid(r_a − r_b): the card\'s 23.0 vs 3.59', () => {
    assert.ok(Math.abs(preferenceProbability(23, 3.59) - 1 / (1 + Math.exp(-19.41))) < 1e-15);
    assert.equal(preferenceProbability(1.5, 1.5), 0.5);
  });

  it('reads each contract as its reference code does', () => {
    const tokenCls = contract({ kind: 'chat-separator', separator: '<extra_0>', systemPrompt: null, labelIndex: 1 }, 'token-classification');
    assert.ok(Math.abs(scoreRow(tokenCls, [0, Math.log(3)]) - 0.75) < 1e-15);
    const lm = contract({ kind: 'tagged-text', stepTag: 'ки', stepSuffix: ' ки', stepJoiner: '\n', promptJoiner: ' ', goodToken: '+', badToken: '-' }, 'causal-lm');
    assert.ok(Math.abs(scoreRow(lm, [Math.log(3), 0]) - 0.75) < 1e-15, 'P(good) is index 0 of [good, bad]');
    const value = contract({ kind: 'step-newlines', stepToken: '\n', bosText: null, applySigmoid: true }, 'value-head');
    assert.ok(Math.abs(scoreRow(value, [Math.log(4)]) - 0.8) < 1e-15);
    const raw = contract({ kind: 'step-newlines', stepToken: '\n', bosText: null, applySigmoid: false }, 'value-head');
    assert.equal(scoreRow(raw, [0.3]), 0.3);
    const seq = contract({ kind: 'chat-response', responseJoiner: '\n\n', useChatTemplate: true, plainJoiner: '\n\n', stripDuplicateBos: true, labelIndex: 0 }, 'sequence-classification');
    assert.equal(scoreRow(seq, [23]), 23, 'raw logit, no sigmoid');
  });
});
