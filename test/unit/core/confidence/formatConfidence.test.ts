import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { confidenceLine, formatSigned, formatTokenHover, stepConfidenceHover } from '../../../../src/core/confidence/formatConfidence.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { formatStepHover } from '../../../../src/core/hover/formatStepHover.js';
import { readFixture } from '../../helpers.js';
import { tracesOf } from '../formats/responseTestUtils.js';

describe('confidence in hovers', () => {
  it('writes the step line', () => {
    const step = { tokens: 4, meanLogprob: -0.42, entropy: 0.81, selfCertainty: 0.1 };
    assert.equal(confidenceLine({ step, agreement: 0.6 }), 'Confidence: mean log-prob \u22120.42 · entropy 0.81 nats · agrees with the reward model: ρ 0.60');
    assert.equal(confidenceLine({ step: { ...step, entropy: null } }), 'Confidence: mean log-prob \u22120.42');
    assert.equal(
      confidenceLine({ step, agreement: null }),
      'Confidence: mean log-prob \u22120.42 · entropy 0.81 nats · agreement with the reward model: undefined (needs 2 scored steps that differ)',
    );
  });

  it('never prints −0.00', () => {
    assert.equal(formatSigned(-0.001, 2), '0.00');
    assert.equal(formatSigned(-0.5, 1), '\u22120.5');
  });

  const [t] = tracesOf(parseDocument(readFixture('logprobs/vllm_reasoning_chat.json'), 'f.json').records);

  it('builds the line for a step of the fixture, with agreement only once scored', () => {
    // Step 3: mean log-prob −0.6, entropy ln 2 / 5 = 0.1386…; ρ = 0.5 (see stepConfidence.test.ts).
    assert.equal(confidenceLine(stepConfidenceHover(t as Trace, 2) ?? { step: { tokens: 0, meanLogprob: 0, entropy: null, selfCertainty: null } }), 'Confidence: mean log-prob \u22120.60 · entropy 0.14 nats');
    const scored = stepConfidenceHover(t as Trace, 2, [0.9, 0.2, 0.6]);
    assert.equal(scored?.agreement, 0.5);
    assert.equal(stepConfidenceHover({ ...(t as Trace), logprobs: undefined as never }, 0), undefined);
  });

  it('writes a token hover with its probability and alternatives, escaped', () => {
    // Token 12 is " *" at −1.0 (p = e^−1 = 0.368) with " ×" at −1.0: renormalised (½, ½), entropy ln 2 = 0.69.
    assert.equal(
      formatTokenHover(t as Trace, 12, ' *'),
      '**Token** " \\*" · p 0.368 (log-prob \u22121.00) · entropy 0.69 nats over the listed alternatives\n\nAlternatives: " ×" 0.368',
    );
    // Token 0 ("First", −0.1) lists only itself.
    assert.equal(formatTokenHover(t as Trace, 0, 'First'), '**Token** "First" · p 0.905 (log-prob \u22120.10) · entropy 0.00 nats over the listed alternatives\n\nNo other token was listed.');
  });

  it('keeps markdown in a token inert', () => {
    const hover = formatTokenHover(t as Trace, 0, '[x](command:evil)');
    assert.ok(hover.includes('\\[x\\]\\(command:evil\\)'));
  });

  it('puts the line in the step hover, under the trace score', () => {
    const md = formatStepHover({
      stepNumber: 1,
      stepCount: 3,
      score: 0.9,
      stale: false,
      threshold: 0.5,
      aggregates: { min: 0.2, product: 0.108, mean: 0.567, last: 0.6 },
      aggregation: 'min',
      model: 'm',
      device: 'cpu',
      label: 'unknown',
      links: [],
      confidence: { step: { tokens: 8, meanLogprob: -0.15, entropy: 0, selfCertainty: 0 }, agreement: 0.5 },
    });
    const lines = md.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Trace score:'));
    assert.ok(at > 0);
    assert.equal(lines.find((l) => l.startsWith('Confidence:')), 'Confidence: mean log-prob \u22120.15 · entropy 0.00 nats · agrees with the reward model: ρ 0.50');
    assert.ok(lines.findIndex((l) => l.startsWith('Confidence:')) > at);
    assert.ok(!formatStepHover({ stepNumber: 1, stepCount: 1, score: 1, stale: false, threshold: 0.5, aggregates: { min: 1, product: 1, mean: 1, last: 1 }, aggregation: 'min', model: 'm', device: 'cpu', label: 'unknown', links: [] }).includes('Confidence:'));
  });
});
