import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOverrides, findPreset, inferPreset, PRESET_NAMES, PRESETS } from '../../../src/model/presets.js';

describe('presets', () => {
  it('lists the seven presets with descriptions, in order', () => {
    assert.deepEqual(PRESET_NAMES, ['qwen2.5-math-prm', 'math-shepherd', 'rlhflow-prm', 'skywork-o1-prm', 'trl-prm', 'skywork-reward-v2', 'seq-cls']);
    for (const p of PRESETS) assert.ok(p.description.length > 20 && p.models.length > 0, p.name);
  });

  it('carries the reference codes\' defaults', () => {
    assert.deepEqual(findPreset('qwen2.5-math-prm')?.defaults, { kind: 'chat-separator', separator: '<extra_0>', systemPrompt: 'Please reason step by step, and put your final answer within \\boxed{}.', labelIndex: 1 });
    assert.deepEqual(findPreset('math-shepherd')?.defaults, { kind: 'tagged-text', stepTag: 'ки', stepSuffix: ' ки', stepJoiner: '\n', promptJoiner: ' ', goodToken: '+', badToken: '-' });
    assert.equal(findPreset('skywork-o1-prm')?.output, 'value-head');
    assert.equal(findPreset('seq-cls')?.output, 'sequence-classification');
    assert.equal(findPreset('nope'), undefined);
  });

  it('infers a preset only from unambiguous architectures', () => {
    assert.equal(inferPreset(['Qwen2ForProcessRewardModel']), 'qwen2.5-math-prm');
    assert.equal(inferPreset(['Qwen2ForTokenClassification']), 'trl-prm');
    assert.equal(inferPreset(['LlamaForSequenceClassification']), 'seq-cls');
    assert.equal(inferPreset(['MistralForCausalLM']), undefined);
    assert.equal(inferPreset([]), undefined);
  });

  it('applies valid overrides and reports the rest by field', () => {
    const defaults = findPreset('trl-prm')?.defaults;
    assert.ok(defaults);
    const { params, problems } = applyOverrides(defaults, { separator: '\n\n', layout: 'sideways', extra: 1 });
    assert.deepEqual(params, { ...defaults, separator: '\n\n' });
    assert.deepEqual(
      problems.map((p) => [p.field, p.message]),
      [
        ['params.layout', '"layout" must be one of "processbench", "training", not "sideways"'],
        ['params.extra', 'unknown parameter "extra" for a piece-separator contract'],
      ],
    );
    assert.equal(applyOverrides(defaults, [1]).problems[0]?.field, 'params');
    assert.deepEqual(applyOverrides(defaults, undefined), { params: defaults, problems: [] });
  });
});
