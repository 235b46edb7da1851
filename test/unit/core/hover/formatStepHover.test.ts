import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { agreesWithLabel, formatStepHover, type StepHoverInput } from '../../../../src/core/hover/formatStepHover.js';

const BASE: StepHoverInput = {
  stepNumber: 2,
  stepCount: 4,
  score: 0.19,
  critique: 'Step 2: wrote "13 x 8 / 13 = 6" but 13 × 8 / 13 = 8.',
  stale: false,
  threshold: 0.5,
  aggregates: { min: 0.19, product: 0.1, mean: 0.6, last: 1 },
  aggregation: 'min',
  model: 'builtin',
  device: 'cpu',
  label: 'good',
  links: [{ title: 'Rescore', uri: 'command:rewardLens.scoreTrace?%5B%5D' }],
};

describe('formatStepHover', () => {
  it('shows score, aggregates, model and device, critique, label agreement and links', () => {
    const md = formatStepHover(BASE);
    assert.match(md, /step 2 of 4: \*\*0\.190\*\* — \*\*below threshold\*\*/);
    assert.match(md, /\*\*min\*\* 0\.190 · product 0\.100 · mean 0\.600 · last 1\.000/);
    assert.match(md, /Model: builtin on cpu/);
    assert.match(md, /Critique: Step 2: wrote "13 x 8 \/ 13 = 6" but 13 × 8 \/ 13 = 8\\\./);
    assert.match(md, /Dataset label: good — \*\*model disagrees\*\*/);
    assert.match(md, /\[Rescore\]\(command:rewardLens\.scoreTrace\?%5B%5D\)$/);
  });
  it('escapes hostile critique text: no links, no HTML', () => {
    const md = formatStepHover({ ...BASE, critique: 'see [here](command:workbench.action.terminal.new) <img src=x onerror=alert(1)>', links: [] });
    assert.ok(!/\]\(command:workbench/.test(md));
    assert.ok(!md.includes('<img'));
  });
  it('compares a score with a label', () => {
    assert.equal(agreesWithLabel(0.9, 0.5, 'good'), true);
    assert.equal(agreesWithLabel(0.9, 0.5, 'bad'), false);
    assert.equal(agreesWithLabel(0.1, 0.5, 'neutral'), undefined);
  });
});
