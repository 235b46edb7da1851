import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { DEFAULT_PARSE_OPTIONS, type KeyMapping, type ParseOptions } from '../../../../src/core/formats/formatSpec.js';
import { keyMappingFormat, lookupPath, mappedStepLabel } from '../../../../src/core/formats/keyMapping.js';
import type { PreferenceSet, Trace } from '../../../../src/core/dataset/types.js';
import { decodeAt } from '../../helpers.js';

const jsonl = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n');
const withMapping = (mapping: KeyMapping, extra: Partial<ParseOptions> = {}): ParseOptions => ({ ...DEFAULT_PARSE_OPTIONS, mapping, ...extra });

describe('key mapping', () => {
  it('reads nested step arrays, labels, answer, reference and id', () => {
    const text = jsonl([
      { q: { text: 'What is 2+2?\n"quick"' }, out: { steps: ['2+2 = 4.', 'So \\(4\\).'] }, lab: [1, '-'], ans: 4, gt: '4', uid: 'r-1' },
      { q: { text: 'p2' }, out: { steps: ['only'] }, lab: [true], ans: 'x', gt: 'y', uid: 7 },
    ]);
    const mapping: KeyMapping = { prompt: 'q.text', steps: 'out.steps', labels: 'lab', answer: 'ans', reference: 'gt', id: 'uid' };
    const doc = parseDocument(text, 'custom.jsonl', withMapping(mapping));
    assert.equal(doc.format, 'mapping');
    assert.deepEqual(doc.problems, []);
    const [a, b] = doc.records as Trace[];
    assert.equal(a?.id, 'r-1');
    assert.equal(a?.prompt, 'What is 2+2?\n"quick"');
    assert.deepEqual(a?.steps.map((s) => [s.text, s.label]), [
      ['2+2 = 4.', 'good'],
      ['So \\(4\\).', 'bad'],
    ]);
    assert.equal(a?.answer, '4');
    assert.equal(a?.reference, '4');
    assert.equal(b?.id, '7');
    assert.deepEqual(b?.steps.map((s) => s.label), ['good']);
    for (const t of [a, b]) {
      assert.ok(t?.promptRange);
      assert.equal(decodeAt(text, t.promptRange), t.prompt);
      for (const s of t.steps) assert.equal(decodeAt(text, s.range ?? { start: 0, end: 0 }), s.text);
    }
  });

  it('segments a free-text response per the segmentation option', () => {
    const text = jsonl([{ prompt: 'Solve it.', output: 'Step 1: Let x = 2.\nStep 2: Then x² = 4.\nStep 3: Done “ok”.', labels: ['+', '+', '-'] }]);
    const auto = parseDocument(text, 'c.jsonl', withMapping({ prompt: 'prompt', response: 'output', labels: 'labels' }));
    const t = auto.records[0] as Trace;
    assert.deepEqual(auto.problems, []);
    assert.deepEqual(
      t.steps.map((s) => [s.text, s.label]),
      [
        ['Step 1: Let x = 2.', 'good'],
        ['Step 2: Then x² = 4.', 'good'],
        ['Step 3: Done “ok”.', 'bad'],
      ],
    );
    for (const s of t.steps) assert.equal(decodeAt(text, s.range ?? { start: 0, end: 0 }), s.text);
    const paragraphs = parseDocument(text, 'c.jsonl', withMapping({ prompt: 'prompt', response: 'output' }, { segmentation: 'paragraphs' }));
    assert.equal((paragraphs.records[0] as Trace).steps.length, 1);
  });

  it('names the missing key path in its problem', () => {
    const text = jsonl([
      { question: { text: 'q' }, steps: ['a'] },
      { question: 'flat', steps: ['b'] },
      { question: { text: 'q3' } },
      { question: { text: 'q4' }, steps: 'not a list' },
    ]);
    const doc = parseDocument(text, 'c.jsonl', withMapping({ prompt: 'question.text', steps: 'steps', answer: 'final.answer' }));
    assert.equal(doc.records.length, 2);
    const byLine = doc.problems.map((p) => [p.line, p.severity, p.message]);
    assert.deepEqual(byLine, [
      [1, 'warning', 'Mapped key "final.answer" (answer) is missing: the record has no "final".'],
      [2, 'warning', 'Mapped key "question.text" (prompt) is missing: "question" is a string.'],
      [2, 'warning', 'Mapped key "final.answer" (answer) is missing: the record has no "final".'],
      [3, 'error', 'Mapped key "steps" (steps) is missing: the record has no "steps".'],
      [4, 'error', 'Mapped key "steps" (steps) is a string, expected an array of strings.'],
    ]);
    assert.equal((doc.records[1] as Trace).prompt, '');
  });

  it('makes pair preference sets from chosen and rejected (strings or message lists)', () => {
    const text = jsonl([
      { p: 'Say hi.', good: 'Hi!\n\nHow are you?', bad: 'No.' },
      {
        p: [{ role: 'user', content: 'Say hi.' }],
        good: [
          { role: 'user', content: 'Say hi.' },
          { role: 'assistant', content: 'Hello there.' },
        ],
        bad: [{ role: 'assistant', content: 'Go away.' }],
      },
    ]);
    const doc = parseDocument(text, 'pairs.jsonl', withMapping({ prompt: 'p', chosen: 'good', rejected: 'bad' }));
    assert.equal(doc.format, 'mapping');
    assert.deepEqual(doc.problems, []);
    const [a, b] = doc.records as PreferenceSet[];
    assert.equal(a?.kind, 'preference');
    assert.equal(a?.comparison, 'pair');
    assert.deepEqual(a?.responses.map((r) => [r.text, r.chosen]), [
      ['Hi!\n\nHow are you?', true],
      ['No.', false],
    ]);
    assert.deepEqual(a?.responses[0]?.steps.map((s) => s.text), ['Hi!', 'How are you?']);
    assert.equal(b?.prompt, 'Say hi.');
    assert.deepEqual(b?.responses.map((r) => r.text), ['Hello there.', 'Go away.']);
    for (const set of [a, b]) {
      for (const r of set?.responses ?? []) {
        assert.equal(decodeAt(text, r.range ?? { start: 0, end: 0 }), r.text);
        for (const s of r.steps) assert.equal(decodeAt(text, s.range ?? { start: 0, end: 0 }), s.text);
      }
    }
  });

  it('reports an incomplete mapping on each record', () => {
    const text = jsonl([{ a: 'x' }]);
    const onlyChosen = parseDocument(text, 'c.jsonl', withMapping({ chosen: 'a' }));
    assert.equal(onlyChosen.records.length, 0);
    assert.match(onlyChosen.problems[0]?.message ?? '', /names "chosen" but not "rejected"/);
    const nothing = parseDocument(text, 'c.jsonl', withMapping({ prompt: 'a' }));
    assert.match(nothing.problems[0]?.message ?? '', /names no "steps", "response"/);
  });

  it('a forced format wins over the mapping', () => {
    const text = jsonl([{ problem: 'p', steps: ['a'], label: -1 }]);
    const doc = parseDocument(text, 'c.jsonl', withMapping({ steps: 'steps' }, { format: 'processbench' }));
    assert.equal(doc.format, 'processbench');
  });

  it('helpers: dot paths with array indices, label values, detection', () => {
    const v = { messages: [{ content: 'hi' }], n: null };
    const hit = lookupPath(v, 'messages.0.content');
    assert.ok(hit.found);
    assert.equal(hit.value, 'hi');
    assert.equal(hit.key, 'content');
    assert.deepEqual(lookupPath(v, 'messages.1.content'), { found: false, reason: '"messages" has no "1"' });
    assert.deepEqual(lookupPath(v, 'n.x'), { found: false, reason: '"n" is null' });
    assert.equal(mappedStepLabel(0.2), 'bad');
    assert.equal(mappedStepLabel('neutral'), 'neutral');
    assert.equal(mappedStepLabel('maybe'), undefined);
    assert.equal(keyMappingFormat({ steps: 'out.steps' }).detect({ out: { steps: [] } }), 2);
    assert.equal(keyMappingFormat({ steps: 'out.steps' }).detect({ out: {} }), 0);
  });
});
