// The Dataset Explorer in a real VS Code (code-server), at the size it exists for: a 60 MB JSON Lines file (over the
// 50 MB that VS Code syncs to extensions, so the text editor cannot serve it) and a Parquet file. Opening the JSONL
// offers the Explorer; its table fills while the file is indexed; a filter narrows the rows; Enter opens a row as a
// readable trace, Score This Trace paints its badges there, and the row's score shows in the table. The Parquet file
// opens in the Explorer by default. Expected values: rows are generated below; row i states "i + i = 2i" except
// every 7th row, which says "i + i = 2i + 1" (the built-in verifier's arithmetic check fails that step).
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { writeParquet } from '../../unit/data/parquetWriter.js';
import { type EditorSession, startEditorSession, waitUntil } from './harness/session.js';

const BIG_ROWS = 68_000;
const PAD = 'x'.repeat(900);

function row(i: number): Record<string, unknown> {
  const wrong = i % 7 === 3;
  return {
    id: `pb-${i}`,
    generator: 'gen',
    problem: `Problem ${i}: what is ${i} + ${i}? ${i === 4242 ? 'needle-in-haystack' : ''} (${PAD.slice(0, 500 + (i % 400))})`,
    steps: [`We add: ${i} + ${i} = ${wrong ? 2 * i + 1 : 2 * i}.`, `So the answer is ${2 * i}.`],
    final_answer_correct: !wrong,
    label: wrong ? 0 : -1,
  };
}

/** The content frame of the newest webview (code-server nests the page in two iframes). */
function webview(session: EditorSession): FrameLocator {
  return session.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

describe('Dataset Explorer in a real VS Code', { timeout: 600_000 }, () => {
  let session: EditorSession;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'rl-explorer-ws-'));
    const fd = openSync(join(workspace, 'big.jsonl'), 'w');
    let bytes = 0;
    for (let i = 0; i < BIG_ROWS; i++) bytes += writeSync(fd, `${JSON.stringify(row(i))}\n`);
    closeSync(fd);
    assert.ok(bytes > 52 * 1024 * 1024, `big.jsonl is ${bytes} bytes: over VS Code's 50 MB sync limit`);
    const small = Array.from({ length: 2500 }, (_, i) => row(i));
    writeFileSync(join(workspace, 'custom.jsonl'), [1, 2, 3].map((i) => JSON.stringify({ question: `Custom question ${i}`, solution: [`${i} + 1 = ${i + 1}`, 'done'] })).join('\n'));
    writeParquet(join(workspace, 'hub.parquet'), small, { id: 'string', generator: 'string', problem: 'string', steps: 'list<string>', final_answer_correct: 'bool', label: 'int64' }, 1000);
    session = await startEditorSession({ name: 'datasetExplorer', workspace, dumpDecorations: true });
    await session.page.setViewportSize({ width: 1500, height: 900 });
  });

  after(async () => {
    await session?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('a JSONL over 50 MB is offered to the Explorer, indexed with progress, filtered, and a row opens as a scored readable trace', async () => {
    await session.openFile('big.jsonl', { text: false });
    const offer = session.page.locator('.notifications-toasts .monaco-button', { hasText: 'Open in Dataset Explorer' });
    await offer.first().click({ timeout: 30_000 });
    const view = webview(session);
    const rows = view.locator('[role=grid] [role=rowgroup]').last().locator('[role=row]');
    await rows.first().waitFor({ timeout: 60_000 });
    // Only the visible rows are in the DOM, whatever the file's size.
    assert.ok((await rows.count()) < 120, `rows in the DOM: ${await rows.count()}`);
    // The index completes: the grid's row count is every row of the file.
    await waitUntil(async () => (await view.locator('[role=grid]').getAttribute('aria-rowcount')) === String(BIG_ROWS + 1), 180_000, 'the whole file to be indexed');
    await session.screenshot('explorer-indexed');

    // Full-text filter over prompts and steps: one row mentions the needle.
    await view.locator('.filter-text input').fill('needle-in-haystack');
    await waitUntil(async () => (await view.locator('[role=grid]').getAttribute('aria-rowcount')) === '2', 120_000, 'the filter to leave one row');
    await waitUntil(async () => (await rows.first().innerText()).includes('Problem 4242:'), 30_000, 'row 4242 shown');
    await session.screenshot('explorer-filtered');

    // A wrong row (4245 % 7 === 3) opened as a readable trace, scored there.
    await view.locator('.filter-text input').fill('Problem 4245:');
    await waitUntil(async () => (await rows.first().innerText()).includes('Problem 4245:') && (await view.locator('[role=grid]').getAttribute('aria-rowcount')) === '2', 120_000, 'the filter to leave row 4245');
    assert.match(await rows.first().innerText(), /error at step 1/);
    await rows.first().click();
    await session.page.keyboard.press('Enter');
    await waitUntil(async () => (await session.page.locator('.tab', { hasText: 'pb-4245' }).count()) > 0, 30_000, 'the readable view of pb-4245 to open');
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => Object.keys(d.documents ?? {}).some((u) => u.startsWith('reward-lens:') && ((d.documents?.[u] as unknown[] | undefined)?.length ?? 0) >= 2), 60_000);
    const specs = Object.entries(dump.documents ?? {}).find(([u]) => u.startsWith('reward-lens:'))?.[1] as { badge: string; firstError: boolean }[];
    assert.equal(specs.filter((s) => s.firstError).length, 1, JSON.stringify(specs));
    // One sidecar, two views: the table shows the row's score and its first error.
    // The verifier's first error is step 1, where the dataset's label puts it: the row agrees.
    await waitUntil(async () => /\d\.\d\d/.test(await rows.first().innerText()) && (await rows.first().innerText()).includes('✓'), 30_000, "the table to show the row's score and agreement");
    await session.screenshot('explorer-scored');
  });

  test('Score All scores the rows in view in batches into the score log, and the table shows their scores', async () => {
    // The Explorer tab of big.jsonl (the second tab of that name; the first is the text editor's), alone and wide.
    await session.runCommand('View: Join All Editor Groups');
    await session.page.locator('.tabs-container .tab', { hasText: 'pb-4245' }).first().click();
    await session.runCommand('View: Close Editor');
    await session.page.locator('.tabs-container .tab', { hasText: /^big\.jsonl/ }).nth(1).click();
    await session.runCommand('View: Maximize Editor Group and Hide Side Bars').catch(() => undefined);
    const view = webview(session);
    const rows = view.locator('[role=grid] [role=rowgroup]').last().locator('[role=row]');
    await rows.first().waitFor({ timeout: 60_000 });
    // "what is 421 +" is row 421, rows 4210–4219 and 42100–42199: 111 rows.
    await view.locator('.filter-text input').fill('what is 421');
    await waitUntil(async () => (await view.locator('[role=grid]').getAttribute('aria-rowcount')) === '112', 120_000, 'the filter to leave 111 rows');
    await view.getByRole('button', { name: 'Score All' }).click();
    await waitUntil(async () => (await view.locator('body').innerText()).includes('Scored 111 rows.'), 120_000, 'Score All to finish');
    const log = readFileSync(join(session.server.workspaceDir, 'big.jsonl.reward-lens.scores.jsonl'), 'utf8').trim().split('\n');
    // pb-4245 was scored in the readable view before (the JSON sidecar); the 111 rows of this view go to the log.
    assert.equal(log.length, 111);
    assert.deepEqual(new Set(log.map((l) => (JSON.parse(l) as { row: number }).row)), new Set([421, ...Array.from({ length: 10 }, (_, k) => 4210 + k), ...Array.from({ length: 100 }, (_, k) => 42100 + k)]));
    // Every visible row now has a score; rows 4214 and 42105 (i % 7 === 3) are under the threshold, flagged at step 1.
    await waitUntil(async () => (await rows.allInnerTexts()).every((t) => /\d\.\d{3}/.test(t)), 30_000, 'every shown row to have a score');
    assert.match(await view.locator('body').innerText(), /11[12] of 68,000 scored/);
    await session.page.waitForTimeout(500);
    const shot = await session.screenshot('explorer-score-all');
    if (process.env['REWARD_LENS_UPDATE_MEDIA'] === '1') copyFileSync(shot, join(__dirname, '../../../media/screenshot-dataset-explorer.png'));
  });

  test('a file in no known format names its keys and offers the key mapping; with a mapping its rows are read', async () => {
    await session.openFile('custom.jsonl');
    await session.runCommand('Reward Lens: Open in Dataset Explorer');
    const offer = session.page.locator('.notifications-toasts .notification-toast', { hasText: 'Unrecognised record format' });
    await offer.first().waitFor({ timeout: 60_000 });
    assert.match(await offer.first().innerText(), /keys: question, solution/);
    assert.equal(await offer.first().locator('.monaco-button', { hasText: 'Set Key Mapping' }).count(), 1);
    // The mapping, as a user would set it: the Explorer reads the file again with it.
    mkdirSync(join(session.server.workspaceDir, '.vscode'), { recursive: true });
    writeFileSync(join(session.server.workspaceDir, '.vscode', 'settings.json'), JSON.stringify({ 'rewardLens.mapping': { prompt: 'question', steps: 'solution' } }));
    const view = webview(session);
    await waitUntil(async () => /mapping/.test(await view.locator('body').innerText()) && /Custom question 2/.test(await view.locator('body').innerText()), 60_000, 'the rows read with the key mapping');
    await session.screenshot('explorer-mapping');
  });

  test('a Parquet file opens in the Explorer by default, its rows read in slices', async () => {
    await session.openFile('hub.parquet', { text: false });
    const view = webview(session);
    await waitUntil(async () => (await view.locator('[role=grid]').getAttribute('aria-rowcount').catch(() => null)) === '2501', 120_000, 'every Parquet row to be summarised');
    const text = await view.locator('body').innerText();
    assert.match(text, /hub\.parquet/);
    assert.match(text, /processbench/i);
    assert.match(text, /Problem 0: what is 0 \+ 0\?/);
    await session.screenshot('explorer-parquet');
  });
});
