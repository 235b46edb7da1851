// Workspace trust: in Restricted Mode a model path, judge or server from the workspace's settings is never used. The
// workspace (test/integration/untrusted-workspace) sets rewardLens.model to a folder and a judge on a server;
// Reward Lens must ignore them, say why, and keep scoring with the built-in verifier (nothing is sent anywhere).
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

  test('ignores the workspace model, judge and endpoint settings, says why, and scores with the built-in verifier', async () => {
    await session.openFile('errors.jsonl');
    await waitUntil(async () => (await session.notifications()).some((n) => /not trusted/.test(n)), 60_000, 'the trust notification');
    const notes = await session.notifications();
    assert.ok(notes.some((n) => /rewardLens\.model/.test(n) && /rewardLens\.judge/.test(n) && /rewardLens\.endpoint/.test(n) && /ignored/.test(n)), JSON.stringify(notes));
    const items = await session.statusBarItems();
    assert.ok(items.some((t) => /built-in verifier · builtin/.test(t)), JSON.stringify(items));
    assert.ok(!items.some((t) => t.includes('untrusted-model') || t.includes('thinkprm') || t.includes('127.0.0.1:9')), JSON.stringify(items));
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
