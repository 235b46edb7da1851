// Chat templates call Python's str.strip/lstrip/rstrip with an argument; @huggingface/jinja ignores it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Template } from '@huggingface/jinja';
import { qwenTokenizerDir } from '../../../scripts/genModels.js';
import { HfTokenizer } from '../../../src/model/hfTokenizer.js';
import { pythonStrip, usePythonStringMethods } from '../../../src/model/jinjaStrings.js';

describe('Python string methods in chat templates', () => {
  it('pythonStrip strips exactly the given characters (Python semantics), whitespace without them', () => {
    assert.equal(pythonStrip(' \n blue \n', '\n', 'left'), ' \n blue \n');
    assert.equal(pythonStrip('\n\n blue \n', '\n', 'left'), ' blue \n');
    assert.equal(pythonStrip(' \n blue \n', '\n', 'right'), ' \n blue ');
    assert.equal(pythonStrip('xyblueyx', 'xy', 'both'), 'blue');
    assert.equal(pythonStrip('  blue  ', undefined, 'both'), 'blue');
    assert.equal(pythonStrip('\n\n', '\n', 'both'), '');
  });

  it('templates get them, other string methods are unchanged', () => {
    usePythonStringMethods();
    const t = new Template("{{ x.lstrip('\\n') }}|{{ x.rstrip('\\n') }}|{{ x.strip('\\n ') }}|{{ x.lstrip() }}|{{ x.upper() }}|{{ x.strip() }}");
    assert.equal(t.render({ x: ' \n blue \n' }), ' \n blue \n| \n blue |blue|blue \n| \n BLUE \n|blue');
  });

  it("Qwen3's template keeps a response's leading space, as transformers renders it", () => {
    const dir = qwenTokenizerDir();
    const tok = new HfTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>, JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>);
    const text = tok.renderChat(
      [
        { role: 'user', content: 'The sky is' },
        { role: 'assistant', content: ' blue.' },
      ],
      false,
    );
    // transformers 5.18 apply_chat_template(tokenize=False) with Qwen3's template gives exactly this.
    assert.equal(text, '<|im_start|>user\nThe sky is<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n blue.<|im_end|>\n');
  });
});
