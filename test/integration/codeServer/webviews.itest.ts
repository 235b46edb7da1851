// The Trace Tree and the Judgment Diff as a user first sees them, in a real VS Code (code-server): the tree of four
// responses to one prompt opens with its root inside the panel and leaves labelled with the answers read from the
// text; the diff shows each response's critique in its column. Screenshots of both go to the README (media/).
// Expected values come from test/integration/workspace/tree.jsonl and preferences.jsonl, worked out by hand: the
// verifier flags "4 * 0.75 = 3.5" (record 3) and "0.75 / 3 = 0.35" (record 4), and "0.15 × 80 = 10" (rejected).
// REWARD_LENS_UPDATE_MEDIA=1 copies the screenshots over media/ (the README's images); otherwise they stay in
// .test-output/integration/webviews/.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { type EditorSession, startEditorSession } from './harness/session.js';

const MEDIA = resolve(__dirname, '../../../media');

function updateMedia(shot: string, name: string): void {
  if (process.env['REWARD_LENS_UPDATE_MEDIA'] !== '1') return;
  mkdirSync(MEDIA, { recursive: true });
  copyFileSync(shot, join(MEDIA, name));
}

/** The content frame of the open webview panel (code-server nests the page in two iframes). */
function webview(session: EditorSession): FrameLocator {
  return session.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

describe('Trace Tree and Judgment Diff in a real VS Code', { timeout: 300_000 }, () => {
  let session: EditorSession;

  before(async () => {
    session = await startEditorSession({ name: 'webviews' });
    await session.page.setViewportSize({ width: 1400, height: 860 });
  });

  after(async () => {
    await session?.close();
  });

  test('the Trace Tree opens fitted to the panel, leaves labelled with the answers from the text', async () => {
    await session.openFile('tree.jsonl');
    await session.runCommand('Reward Lens: Score All Traces in File');
    await session.goToLine(3, 5);
    await session.runCommand('Reward Lens: Open Trace Tree');
    const view = webview(session);
    const nodes = view.locator('svg g.node');
    await nodes.first().waitFor({ timeout: 60_000 });
    // Answers read from the text: \boxed{3} (twice, so one group), \boxed{3.5}, \boxed{4.2}.
    const text = (await view.locator('svg').innerText().catch(() => '')) + (await view.locator('body').innerText());
    for (const answer of ['3.5', '4.2']) assert.ok(text.includes(answer), `leaf answer ${answer} in ${text.slice(0, 400)}`);
    assert.ok(!text.includes('(no final answer)'), 'every leaf has an answer');
    // The root node's box lies inside the panel's viewport.
    const root = await view.locator('svg g.node.kind-root').boundingBox();
    const panel = await session.page.locator('iframe.webview.ready').last().boundingBox();
    assert.ok(root && panel, 'boxes');
    assert.ok(root.x >= panel.x - 1 && root.y >= panel.y - 1 && root.x + root.width <= panel.x + panel.width + 1 && root.y + root.height <= panel.y + panel.height + 1, `root ${JSON.stringify(root)} inside ${JSON.stringify(panel)}`);
    // Resized (the panel's editor group maximised, side bars hidden): the view refits and the root stays inside.
    await session.runCommand('View: Maximize Editor Group and Hide Side Bars');
    await session.page.waitForTimeout(1500);
    const grown = await session.page.locator('iframe.webview.ready').last().boundingBox();
    const rootAfter = await view.locator('svg g.node.kind-root').boundingBox();
    assert.ok(grown && rootAfter && grown.width > panel.width, 'the panel grew');
    assert.ok(rootAfter.x >= grown.x - 1 && rootAfter.x + rootAfter.width <= grown.x + grown.width + 1 && rootAfter.y >= grown.y - 1 && rootAfter.y + rootAfter.height <= grown.y + grown.height + 1, `root ${JSON.stringify(rootAfter)} inside ${JSON.stringify(grown)}`);
    const shot = await session.screenshot('01-trace-tree');
    updateMedia(shot, 'screenshot-trace-tree.png');
  });

  test('the Judgment Diff shows each response\'s critique in its column', async () => {
    await session.runCommand('View: Toggle Maximize Editor Group');
    await session.runCommand('View: Close All Editors');
    await session.openFile('preferences.jsonl');
    await session.goToLine(1, 5);
    await session.runCommand('Reward Lens: Score This Trace');
    await session.runCommand('Reward Lens: Open Judgment Diff');
    const view = webview(session);
    const critique = view.getByText(/wrote "0\.15 × 80 = 10" but/u);
    await critique.first().waitFor({ timeout: 60_000 });
    assert.equal(await critique.count(), 1, 'one critique, on the rejected side');
    await session.runCommand('View: Toggle Maximize Editor Group');
    await session.page.waitForTimeout(1000);
    const shot = await session.screenshot('02-judgment-diff');
    updateMedia(shot, 'screenshot-judgment-diff.png');
  });
});
