// Evaluate Dataset in a real VS Code (code-server): on a ProcessBench-style file the command scores every record with
// the built-in verifier (progress, into the file's score log), then the dashboard shows its plots; the metrics that
// do not apply to the file say why instead of drawing zeros; a disagreement opens its record. A preference file
// shows the pairwise bars and the margin histogram. Expected values come from the rows generated below: row i says
// "i + i = 2i" except every 5th row (i % 5 === 2), which says "i + i = 2i + 1" at step 1 and is labelled so
// (ProcessBench label 0); rows 3 and 8 are labelled wrong at step 2 though their steps are right (label noise the
// verifier disagrees with). REWARD_LENS_UPDATE_MEDIA=1 copies the screenshot over media/ (the README's image).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { type EditorSession, startEditorSession, waitUntil } from './harness/session.js';

const ROWS = 40;
const NOISY = new Set([3, 8]);

function row(i: number): Record<string, unknown> {
  const wrong = i % 5 === 2;
  return {
    id: `gsm8k-${i}`,
    generator: 'gen',
    problem: `What is ${i} + ${i}, doubled?`,
    steps: [`We add: ${i} + ${i} = ${wrong ? 2 * i + 1 : 2 * i}.`, `Doubled: ${2 * i} * 2 = ${4 * i}.`, `So the answer is ${4 * i}.`],
    final_answer_correct: !wrong,
    label: wrong ? 0 : NOISY.has(i) ? 1 : -1,
  };
}

/** The content frame of the newest webview (code-server nests the page in two iframes). */
function webview(session: EditorSession): FrameLocator {
  return session.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

describe('Evaluate Dataset in a real VS Code', { timeout: 400_000 }, () => {
  let session: EditorSession;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'rl-dashboard-ws-'));
    writeFileSync(join(workspace, 'processbench.jsonl'), Array.from({ length: ROWS }, (_, i) => JSON.stringify(row(i))).join('\n') + '\n');
    copyFileSync(resolve(__dirname, '../workspace/preferences.jsonl'), join(workspace, 'preferences.jsonl'));
    session = await startEditorSession({ name: 'dashboard', workspace });
    await session.page.setViewportSize({ width: 1500, height: 1000 });
  });

  after(async () => {
    await session?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('Evaluate Dataset scores the file and the dashboard draws its plots, saying which metrics do not apply', async () => {
    const data = join(session.server.workspaceDir, 'processbench.jsonl');
    const before = readFileSync(data, 'utf8');
    await session.openFile('processbench.jsonl');
    await session.runCommand('Reward Lens: Evaluate Dataset');
    const view = webview(session);
    const plot = (key: string) => view.locator(`[data-plot="${key}"]`);
    await plot('firstError').locator('svg').first().waitFor({ timeout: 120_000 });
    const body = await view.locator('body').innerText();
    assert.match(body, new RegExp(`${ROWS} of ${ROWS}`), 'every record scored');
    // Drawn: the step-score histogram, both reliability diagrams, the first-error heat map.
    for (const key of ['stepScores', 'traceReliability', 'firstError']) {
      assert.ok((await plot(key).locator('svg').count()) > 0, `${key} is drawn`);
      assert.ok((await plot(key).locator('table').count()) > 0, `${key} has a table view`);
    }
    // Not drawn, with the reason: no pairs, no RewardBench, no RM-Bench in a ProcessBench file.
    for (const key of ['pairwise', 'rmBench', 'margins']) {
      assert.equal(await plot(key).locator('svg').count(), 0, `${key} is not drawn`);
      assert.match(await plot(key).innerText(), /No |no /, `${key} says why`);
    }
    // The heat map's numbers are on hover (SVG titles): the 8 wrong rows, predicted at step 1 by the verifier.
    const titles = await plot('firstError').locator('svg title').allTextContents();
    assert.ok(titles.some((t) => /\b8\b/.test(t)), JSON.stringify(titles.slice(0, 12)));
    // The scores went to the file's score log; the data file is untouched.
    assert.ok(existsSync(`${data}.reward-lens.scores.jsonl`));
    assert.equal(readFileSync(`${data}.reward-lens.scores.jsonl`, 'utf8').trim().split('\n').length, ROWS);
    assert.equal(readFileSync(data, 'utf8'), before);
    const shot = await session.screenshot('dashboard-processbench');
    if (process.env['REWARD_LENS_UPDATE_MEDIA'] === '1') copyFileSync(shot, resolve(__dirname, '../../../media/screenshot-dashboard.png'));
  });

  test('the disagreement queue lists the label noise, and an entry opens its record laid out', async () => {
    const view = webview(session);
    const queue = view.locator('[data-plot="disagreements"]');
    const text = await queue.innerText();
    // Rows 3 and 8 are labelled wrong at step 2; the verifier finds every step right.
    assert.match(text, /gsm8k-3/);
    assert.match(text, /gsm8k-8/);
    await queue.locator('[data-action="open"][data-target="record"]').first().click();
    await waitUntil(async () => (await session.page.locator('.tabs-container .tab', { hasText: /gsm8k-[38]/ }).count()) > 0, 30_000, 'the readable view of the disputed record');
    await session.screenshot('dashboard-open-record');
  });

  test('a preference file shows its pairwise accuracy and margins', async () => {
    await session.runCommand('View: Close All Editors');
    await session.openFile('preferences.jsonl');
    await session.runCommand('Reward Lens: Evaluate Dataset');
    const view = webview(session);
    await view.locator('[data-plot="margins"] svg').first().waitFor({ timeout: 120_000 });
    assert.ok((await view.locator('[data-plot="pairwise"] svg').count()) > 0);
    assert.equal(await view.locator('[data-plot="firstError"] svg').count(), 0);
    await session.screenshot('dashboard-preferences');
  });
});
