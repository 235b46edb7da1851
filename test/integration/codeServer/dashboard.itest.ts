// Evaluate Dataset in a real VS Code (code-server): on a ProcessBench-style file the command scores every record with
// the built-in verifier (progress, into the file's score log), then the dashboard shows its plots; the metrics that
// do not apply to the file say why instead of drawing zeros; a disagreement opens its record. A preference file
// shows the pairwise bars and the margin histogram. Expected values come from the rows generated below: row i says
// "i + i = 2i" except every 5th row (i % 5 === 2), which says "i + i = 2i + 1" at step 1 and is labelled so
// (ProcessBench label 0); rows 3 and 8 are labelled wrong at step 2 though their steps are right (label noise the
// verifier disagrees with). REWARD_LENS_UPDATE_MEDIA=1 copies the screenshot over media/ (the README's image).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { writeParquet } from '../../unit/data/parquetWriter.js';
import { REPO_ROOT } from './harness/paths.js';
import { openDialogAnswer, pickEntry } from './harness/quickInput.js';
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
    // The same rows as a hub-style Parquet export: read through the Dataset Explorer's row source.
    const columns = { id: 'string', generator: 'string', problem: 'string', steps: 'list<string>', final_answer_correct: 'bool', label: 'int64' } as const;
    writeParquet(join(workspace, 'processbench.parquet'), Array.from({ length: ROWS }, (_, i) => row(i)), columns, 16);
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

  test('Compare With… from the dashboard draws run A against run B and lists where they differ most', async () => {
    // Run B: the CLI's scores of the same file, except that it finds the labelled error of gsm8k-3 (step 2 at 0.1).
    const dir = session.server.workspaceDir;
    execFileSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'score', 'processbench.jsonl', '--out', 'run-b.jsonl'], { cwd: dir, stdio: 'pipe' });
    const lines = readFileSync(join(dir, 'run-b.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; steps: { score: number | null }[] });
    assert.equal(lines.length, ROWS);
    const noisy = lines.find((l) => l.id === 'gsm8k-3');
    assert.ok(noisy?.steps[1] !== undefined);
    noisy.steps[1].score = 0.1;
    writeFileSync(join(dir, 'run-b.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');

    await session.page.locator('.tabs-container .tab', { hasText: 'Dashboard: processbench.jsonl' }).first().click();
    const view = webview(session);
    await view.getByRole('button', { name: /Compare With/ }).click();
    await pickEntry(session, 'score --out', /score --out file/);
    await openDialogAnswer(session, join(dir, 'run-b.jsonl'));
    const compare = view.locator('[data-plot="compare"]');
    await compare.locator('svg').first().waitFor({ timeout: 60_000 });
    const text = await compare.innerText();
    assert.match(text, /run-b\.jsonl/);
    // All 40 records compared; only gsm8k-3 differs (its trace score and its first error).
    assert.match(text, new RegExp(`\\b${ROWS}\\b`));
    assert.match(text, /gsm8k-3/);
    assert.doesNotMatch(text, /gsm8k-8\b/);
    await session.screenshot('dashboard-compare');
    await view.getByRole('button', { name: /Clear comparison/ }).click();
    await waitUntil(async () => (await compare.count()) === 0, 30_000, 'the comparison to go');
  });

  test('Probe in the dashboard runs the perturbation probes and adds their sensitivity table', async () => {
    await session.page.locator('.tabs-container .tab', { hasText: 'Dashboard: processbench.jsonl' }).first().click();
    const view = webview(session);
    await view.getByRole('button', { name: /^Probe$/ }).click();
    const probes = view.locator('[data-plot="probes"]');
    await probes.locator('svg').first().waitFor({ timeout: 120_000 });
    const text = await probes.innerText();
    // Every trace has an equation that holds (step 2: "2i * 2 = 4i"), so corrupt-number applies to all 40; the
    // built-in verifier checks arithmetic, so it moves the right way on every one of them.
    assert.match(text, /corrupt-number/);
    const titles = await probes.locator('svg title').allTextContents();
    assert.ok(titles.some((t) => /corrupt-number/.test(t) && /100(\.0)?%/.test(t)), JSON.stringify(titles));
    await session.screenshot('dashboard-probes');
  });

  test('Evaluate Dataset on a Parquet file open in the Dataset Explorer; its disagreements open as readable rows', async () => {
    await session.runCommand('View: Close All Editors');
    await session.openFile('processbench.parquet', { text: false });
    await session.page.locator('.tabs-container .tab.active', { hasText: 'processbench.parquet' }).waitFor({ timeout: 30_000 });
    await session.runCommand('Reward Lens: Evaluate Dataset');
    const view = webview(session);
    await view.locator('[data-plot="firstError"] svg').first().waitFor({ timeout: 120_000 });
    assert.match(await view.locator('body').innerText(), new RegExp(`${ROWS} of ${ROWS}`));
    const queue = view.locator('[data-plot="disagreements"]');
    assert.match(await queue.innerText(), /gsm8k-3/);
    await queue.locator('[data-action="open"][data-target="record"]').first().click();
    const tab = session.page.locator('.tabs-container .tab', { hasText: /gsm8k-[38] · processbench\.parquet/ });
    await tab.first().waitFor({ timeout: 30_000 });
    await tab.first().click();
    // The row laid out from the Parquet file: its steps under their headings.
    await session.waitForLines((ls) => ls.some((l) => /Step 2/.test(l.text)), 30_000);
    await session.screenshot('dashboard-parquet');
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
