import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { escapeMarkdown, neutraliseBidi } from '../../../../src/core/text/escape.js';

describe('escapeMarkdown', () => {
  it('makes links, HTML and emphasis inert', () => {
    const out = escapeMarkdown('[click](command:evil) <img src=x onerror=alert(1)> **bold** `code`');
    assert.ok(!out.includes('<img'));
    assert.ok(out.includes('&lt;img'));
    assert.ok(out.includes('\\[click\\]\\(command:evil\\)'));
    assert.ok(out.includes('\\*\\*bold\\*\\*'));
    assert.ok(out.includes('\\`code\\`'));
  });
  it('shows bidi controls instead of obeying them', () => {
    assert.equal(neutraliseBidi('a\u202Eb\u2066c'), 'aU+202EbU+2066c');
  });
});
