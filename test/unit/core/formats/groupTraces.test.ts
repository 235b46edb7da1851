import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { groupTracesByPrompt } from '../../../../src/core/formats/groupTraces.js';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import type { Trace } from '../../../../src/core/dataset/types.js';

const trace = (id: string, prompt: string): Trace => ({ kind: 'trace', id, recordRange: { start: 0, end: 0 }, prompt, steps: [], metadata: {} });

describe('groupTracesByPrompt', () => {
  it('groups identical prompts in first-seen order, keeping trace order', () => {
    const groups = groupTracesByPrompt([trace('a', 'P'), trace('b', 'Q'), trace('c', 'P'), trace('d', 'P '), trace('e', 'Q')]);
    assert.deepEqual(
      groups.map((g) => [g.kind, g.prompt, g.traces.map((t) => t.id)]),
      [
        ['group', 'P', ['a', 'c']],
        ['group', 'Q', ['b', 'e']],
        ['group', 'P ', ['d']],
      ],
    );
  });

  it('returns no groups for no traces', () => {
    assert.deepEqual(groupTracesByPrompt([]), []);
  });

  it('groups best-of-N scored samples of one problem', () => {
    const row = (problem: string, answer: string): string => JSON.stringify({ problem, answer, is_correct: false, steps: ['s'], rating_probs: [{ '1': 0.5 }] });
    const doc = parseDocument([row('x+1=2', '1'), row('y=3', '3'), row('x+1=2', '2')].join('\n'), 'bon.jsonl');
    const groups = groupTracesByPrompt(doc.records as Trace[]);
    assert.deepEqual(
      groups.map((g) => g.traces.map((t) => t.answer)),
      [['1', '2'], ['3']],
    );
  });
});
