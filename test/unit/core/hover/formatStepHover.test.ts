import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { agreesWithLabel, compareLine, describeVerifierChecks, formatStepHover, modelDisplayName, type StepHoverInput } from '../../../../src/core/hover/formatStepHover.js';
import { SPARKLINE_COLORS } from '../../../../src/core/hover/sparkline.js';

const BASE: StepHoverInput = {
  stepNumber: 2,
  stepCount: 4,
  score: 0.19,
  critique: 'Step 2: wrote "13 x 8 / 13 = 6" but 13 × 8 / 13 = 8.',
  stale: false,
  threshold: 0.5,
  aggregates: { min: 0.19, product: 0.1, mean: 0.6, last: 1 },
  aggregation: 'min',
  model: 'Qwen2.5-Math-PRM-7B',
  device: 'cpu',
  label: 'good',
  links: [{ title: 'Rescore', uri: 'command:rewardLens.scoreTrace?%5B%5D' }],
};

describe('formatStepHover', () => {
  it('shows score, aggregates, model and device, critique, label agreement and links', () => {
    const md = formatStepHover(BASE);
    assert.match(md, /step 2 of 4: \*\*0\.190\*\* — \*\*below threshold\*\*/);
    assert.match(md, /\*\*min\*\* 0\.190 · product 0\.100 · mean 0\.600 · last 1\.000/);
    // Markdown-escaped: renders as "Model: Qwen2.5-Math-PRM-7B on cpu".
    assert.match(md, /^Model: Qwen2\\\.5\\-Math\\-PRM\\-7B on cpu$/m);
    assert.match(md, /Critique: Step 2: wrote "13 x 8 \/ 13 = 6" but 13 × 8 \/ 13 = 8\\\./);
    assert.match(md, /Dataset label: good — \*\*model disagrees\*\*/);
    assert.match(md, /\[Rescore\]\(command:rewardLens\.scoreTrace\?%5B%5D\)$/);
  });
  it('says what the built-in verifier checked instead of naming a device', () => {
    const verifier = { ...BASE, model: 'built-in verifier', device: 'builtin' };
    const md = formatStepHover({ ...verifier, checks: ['arithmetic', 'repeat'] });
    assert.match(md, /^Scored by the built-in verifier: arithmetic re-evaluated exactly; compared with earlier steps for repeats$/m);
    assert.ok(!md.includes('on builtin'));
    assert.ok(!md.includes('Model:'));
    assert.match(
      formatStepHover({ ...verifier, checks: ['final-answer', 'repeat'] }),
      /^Scored by the built-in verifier: final answer checked against the reference; compared with earlier steps for repeats$/m,
    );
    assert.match(
      formatStepHover({ ...verifier, checks: ['repeat'] }),
      /^Scored by the built-in verifier: compared with earlier steps for repeats; no arithmetic or final answer to check in this step$/m,
    );
    // Results stored before checks were kept: every check the verifier runs.
    assert.match(formatStepHover(verifier), /^Scored by the built-in verifier: arithmetic re-evaluated exactly, final answer against the reference, repeated steps$/m);
  });

  it('lists checks in a fixed order and ignores unknown names', () => {
    assert.equal(describeVerifierChecks(['repeat', 'arithmetic']), 'arithmetic re-evaluated exactly; compared with earlier steps for repeats');
    assert.equal(describeVerifierChecks(['<b>x</b>' as never]), 'no arithmetic or final answer to check in this step');
  });

  it('names a model by its folder', () => {
    assert.equal(modelDisplayName('builtin'), 'built-in verifier');
    assert.equal(modelDisplayName('/models/Qwen2.5-Math-PRM-7B/'), 'Qwen2.5-Math-PRM-7B');
    assert.equal(modelDisplayName('C:\\models\\Skywork-PRM'), 'Skywork-PRM');
    assert.equal(modelDisplayName('Skywork-PRM'), 'Skywork-PRM');
  });

  it('escapes a hostile model name', () => {
    const md = formatStepHover({ ...BASE, model: '[x](command:workbench.action.terminal.new)' });
    assert.ok(!/\]\(command:workbench/.test(md));
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

describe('compareLine (Compare With…)', () => {
  const a = { name: 'built-in verifier', score: 0.91, stale: false };
  const b = { name: 'run-b.jsonl', score: 0.42, stale: false };

  it('names both runs, gives both scores and the difference A − B', () => {
    assert.equal(compareLine({ a, b }, 0.5), 'Compared: A · built\\-in verifier: **0.910** · B · run\\-b\\.jsonl: **0.420** (below threshold) · A \u2212 B = +0.490');
    assert.match(compareLine({ a: b, b: a }, 0.5), /A \u2212 B = \u22120\.490$/);
  });

  it('leaves the difference out when a run has no score for the step, and marks a stale side', () => {
    assert.equal(compareLine({ a: { ...a, score: undefined }, b }, 0.5), 'Compared: A · built\\-in verifier: not scored · B · run\\-b\\.jsonl: **0.420** (below threshold)');
    assert.equal(compareLine({ a, b: { ...b, score: Number.NaN } }, 0.5), 'Compared: A · built\\-in verifier: **0.910** · B · run\\-b\\.jsonl: not scored');
    assert.match(compareLine({ a, b: { ...b, stale: true } }, 0.5), /\*\*0\.420\*\* \(below threshold\) \*\(stale\)\* · A/);
  });

  it('escapes run names and sits in the step hover under the trace score', () => {
    const md = formatStepHover({ ...BASE, compare: { a, b: { ...b, name: '[x](command:evil)' } } });
    assert.ok(!md.includes('[x](command:evil)'));
    assert.match(md, /Trace score: .*\n\nCompared: A · built\\-in verifier: \*\*0\.910\*\*/);
    assert.ok(!formatStepHover(BASE).includes('Compared:'));
  });
});

describe('the reward curve in the step hover', () => {
  it("shows the trace's curve under the trace score, the hovered step ringed and the first error named", () => {
    // BASE hovers step 2 of 4.
    const md = formatStepHover({ ...BASE, curve: { scores: [0.93, 0.19, Number.NaN, 1], colors: SPARKLINE_COLORS.dark } });
    const m = /^Trace score: .*\n\nReward curve: !\[█✗·█\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\) first error \(red\): step 2 · ring: step 2\n\nModel: /mu.exec(md);
    assert.ok(m, md);
    const svg = Buffer.from(m[1] ?? '', 'base64').toString('latin1');
    // 160 × 28 px, 4 points 50 px apart; step 2 (x = 55) is both the red first error and the ringed step.
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="160" height="28"'), svg);
    assert.ok(svg.includes(`<circle cx="55" cy="19.6" r="3" fill="${SPARKLINE_COLORS.dark.firstError}"/>`), svg);
    assert.ok(svg.includes(`<circle cx="55" cy="19.6" r="4" fill="none" stroke="${SPARKLINE_COLORS.dark.highlight}"`), svg);
    assert.ok(!formatStepHover(BASE).includes('Reward curve'), 'no curve without scores');
  });
});
