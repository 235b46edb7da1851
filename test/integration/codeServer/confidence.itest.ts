// Confidence from the trace's own log-probabilities in a real VS Code (code-server): a vLLM chat completion with
// `logprobs` (test/fixtures/logprobs/vllm_reasoning_chat.json) opened as a readable trace paints its tokens, and
// hovering a token gives its probability and the alternatives the server listed; the step hover gives the step's
// mean log-probability. Expected values are worked out from the fixture by hand: "Then" has log-prob −0.5
// (p = e^−0.5 = 0.607) with "Next" listed at −1.5986 (p = 0.202); renormalised over those two (0.750, 0.250) its
// entropy is −(0.75 ln 0.75 + 0.25 ln 0.25) = 0.562 nats; step 2 ("Then, 7 * 2 = 14.") is spelled by the tokens
// "Then", ",", " 7", " *", " 2", " =", " 14", "." with log-probs −0.5, −0.1, −0.2, −1.0, −0.2, −0.1, −2.0, −0.1:
// mean −4.2 / 8 = −0.525, shown with two decimals (−0.52 or −0.53 by the float sum's last bit).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type EditorSession, startEditorSession } from './harness/session.js';

describe('token log-probabilities in a real VS Code', { timeout: 300_000 }, () => {
  let session: EditorSession;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'rl-confidence-ws-'));
    copyFileSync(resolve(__dirname, '../../fixtures/logprobs/vllm_reasoning_chat.json'), join(workspace, 'chat.json'));
    session = await startEditorSession({ name: 'confidence', workspace });
    await session.page.setViewportSize({ width: 1400, height: 900 });
  });

  after(async () => {
    await session?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('a readable trace shows each token\'s probability and alternatives on hover, and the step\'s mean log-prob', async () => {
    await session.openFile('chat.json');
    await session.goToLine(2, 3);
    await session.runCommand('Reward Lens: Open as Readable Trace');
    await session.page.locator('.tabs-container .tab.active .tab-label', { hasText: 'chat.json' }).first().waitFor();
    await session.waitForLines((ls) => ls.some((l) => l.text.startsWith('Then, 7 * 2 = 14.')), 30_000);
    const hover = await session.hoverAt({ text: 'Then,' });
    assert.ok(hover !== null, 'a hover appeared');
    assert.match(hover, /Token "Then" · p 0\.607 \(log-prob −0\.50\) · entropy 0\.56 nats/u, hover);
    // The other tokens the server listed (the chosen one is in the line above).
    assert.match(hover, /Alternatives: "Next" 0\.202/u, hover);
    assert.match(hover, /Confidence: mean log-prob −0\.5[23]\b/u, hover);
    await session.screenshot('01-token-hover');
  });
});
