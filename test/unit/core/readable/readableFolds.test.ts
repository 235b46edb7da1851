import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PreferenceSet, Step, Trace } from '../../../../src/core/dataset/types.js';
import { readableFolds } from '../../../../src/core/readable/readableFolds.js';
import { layoutReadable } from '../../../../src/core/readable/readableLayout.js';
import { LineIndex } from '../../../../src/core/text/positions.js';

const step = (index: number, text: string): Step => ({ index, text, label: 'unknown', part: 'reasoning' });
const CONTEXT = { fileName: 'f.jsonl', format: 'unknown' };

describe('readableFolds', () => {
  it('folds the prompt and each step from its heading to its last line', () => {
    const trace: Trace = { kind: 'trace', id: 't', recordRange: { start: 0, end: 0 }, prompt: 'p', steps: [step(0, 'one'), step(1, 'two\nlines')], metadata: {} };
    const laid = layoutReadable(trace, CONTEXT);
    const lines = laid.text.split('\n');
    const folds = readableFolds(laid.record, new LineIndex(laid.text));
    assert.deepEqual(
      folds.map((f) => [lines[f.startLine], lines[f.endLine]]),
      [
        [lines.find((l) => l.startsWith('━━ Prompt')), 'p'],
        [lines.find((l) => l.startsWith('── Step 1')), 'one'],
        [lines.find((l) => l.startsWith('── Step 2')), 'lines'],
      ],
    );
  });

  it('a one-step response is one fold, a response with steps folds as a whole and by step', () => {
    const set: PreferenceSet = {
      kind: 'preference',
      id: 'p',
      recordRange: { start: 0, end: 0 },
      prompt: 'q',
      responses: [
        { text: 'a', chosen: true, steps: [step(0, 'a')] },
        { text: 'b c', chosen: false, steps: [step(0, 'b'), step(1, 'c')] },
      ],
      labelSource: 'keys',
      comparison: 'pair',
      metadata: {},
    };
    const laid = layoutReadable(set, CONTEXT);
    const lines = laid.text.split('\n');
    const titles = readableFolds(laid.record, new LineIndex(laid.text)).map((f) => lines[f.startLine]?.replace(/[━─]/g, '').split(' — ')[0]?.trim());
    assert.deepEqual(titles, ['Prompt', 'Response 1', 'Response 2', 'Step 1', 'Step 2']);
  });
});
