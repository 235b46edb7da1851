// Workspace trust: in Restricted Mode a model path from the workspace's settings is never used. The workspace
// (test/integration/untrusted-workspace) sets rewardLens.model to a folder; Reward Lens must ignore it, say why,
// and keep scoring with the built-in verifier.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type EditorSession, startEditorSession, waitUntil } from './harness/session.js';

describe('Reward Lens in an untrusted workspace', { timeout: 240_000 }, () => {
  let session: EditorSession;

  before(async () => {
    session = await startEditorSession({
      name: 'workspace-trust',
      dumpDecorations: true,
      untrustedWorkspace: true,
      workspace: resolve(__dirname, '../untrusted-workspace'),
    });
  });

  after(async () => {
    await session?.close();
  });

  test('ignores the workspace model setting, says why, and scores with the built-in verifier', async () => {
    await session.openFile('errors.jsonl');
    await waitUntil(async () => (await session.notifications()).some((n) => /not trusted/.test(n)), 60_000, 'the trust notification');
    const notes = await session.notifications();
    assert.ok(notes.some((n) => /rewardLens\.model/.test(n) && /ignored/.test(n)), JSON.stringify(notes));
    const items = await session.statusBarItems();
    assert.ok(items.some((t) => /built-in verifier · builtin/.test(t)), JSON.stringify(items));
    assert.ok(!items.some((t) => t.includes('untrusted-model')), JSON.stringify(items));
    const label = await session.page.locator('#workbench\\.parts\\.statusbar [aria-label*="Reward Lens"]').first().getAttribute('aria-label');
    assert.match(label ?? '', /not trusted/);
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => d.uri.endsWith('/errors.jsonl') && d.specs.length === 3);
    assert.deepEqual(
      (dump.specs as { badge: string }[]).map((s) => s.badge),
      ['1.00', '0.05 ✗', '0.90'],
    );
    await session.screenshot('01-untrusted');
  });
});
