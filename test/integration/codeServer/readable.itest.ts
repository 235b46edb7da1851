// The readable view in a real VS Code (code-server): "Open as Readable Trace" lays a JSONL record out (prompt, one
// heading per step, the step text on its own lines, the answer); Score This Trace in that view paints badges on the
// laid-out steps and a hover explains them; Next Low-Scoring Step lands on the wrong step's line; the data file
// shows the very same scores (one sidecar, two views), and scoring or clearing in either view repaints the other.
// Expected values are worked out by hand from test/integration/workspace/errors.jsonl (record 1: "12 × 8 = 96" is
// right, "96 - 15 = 71" is wrong, the answer step cannot be checked) and src/core/readable/readableLayout.ts: the
// view's lines are 1 title, 3–6 header, 8 Prompt, 11/14/17 step headings (where the badges go) with the steps'
// texts on 12, 15 and 18.
// REWARD_LENS_UPDATE_MEDIA=1 copies the two-views screenshot over media/screenshot-readable-view.png (README's image).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { type DecorationDump, type EditorSession, startEditorSession, waitUntil } from './harness/session.js';

interface Spec {
  readonly startLine: number;
  readonly stepIndex: number;
  readonly badge: string;
  readonly bucket: string;
  readonly firstError: boolean;
}

const READABLE_TAB = '#1 · errors.jsonl.trace';

/** The specs last painted on the document whose URI passes `which`, or undefined when it has not been painted. */
function specsWhere(dump: DecorationDump, which: (uri: string) => boolean): Spec[] | undefined {
  const entry = Object.entries(dump.documents ?? {}).find(([uri]) => which(uri));
  return entry?.[1] as Spec[] | undefined;
}

const isReadable = (uri: string): boolean => uri.startsWith('reward-lens:');
const isSource = (uri: string): boolean => uri.startsWith('file:') && uri.endsWith('/errors.jsonl');
const badges = (specs: readonly Spec[] | undefined): string[] => (specs ?? []).map((s) => s.badge);

/** The content frame of the open webview panel (code-server nests the page in two iframes). */
function webview(session: EditorSession): FrameLocator {
  return session.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** The `Ln x, Col y` the status bar shows for the active editor's cursor. */
async function cursorLine(session: EditorSession): Promise<number | undefined> {
  const item = (await session.statusBarItems()).find((t) => /^Ln \d+, Col \d+/.test(t));
  return item === undefined ? undefined : Number(/^Ln (\d+)/.exec(item)?.[1]);
}

describe('the readable view of a record in a real VS Code', { timeout: 300_000 }, () => {
  let session: EditorSession;
  let dataBefore = '';

  before(async () => {
    session = await startEditorSession({ name: 'readable', dumpDecorations: true });
    dataBefore = readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8');
  });

  after(async () => {
    await session?.close();
  });

  test('Open as Readable Trace lays the record under the cursor out, beside the data file', async () => {
    await session.openFile('errors.jsonl');
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Open as Readable Trace');
    await session.page.locator(`.tabs-container .tab.active .tab-label[aria-label*=${JSON.stringify(READABLE_TAB)}]`).waitFor();
    const lines = await session.waitForLines((ls) => ls.some((l) => l.text.startsWith('── Step 3')));
    const at = (n: number): string => lines.find((l) => l.lineNumber === n)?.text ?? '';
    assert.equal(at(1), 'Reward Lens · readable view (read-only)');
    assert.equal(at(3), '  Record  #1');
    assert.equal(at(4), '  File    errors.jsonl · record 1');
    assert.equal(at(6), '  Labels  steps 1 good, 2 bad · first bad step 2');
    assert.match(at(8), /^━━ Prompt ━+$/);
    assert.equal(at(9), 'A crate holds 12 boxes of 8 apples and 15 apples are bruised. How many apples are good?');
    assert.match(at(14), /^── Step 2 ─+ label: bad ──$/);
    assert.equal(at(15), 'Step 2: Without the bruised ones, 96 - 15 = 71 apples are good.');
    assert.equal(at(18), 'Step 3: The answer is: 71');
    assert.equal(at(21), 'final answer  71');
    // Two editor groups: the data file stays in view on the left.
    assert.equal(await session.page.locator('.editor-group-container').count(), 2);
    await session.screenshot('01-readable-layout');
  });

  test('the view has its own language (headings coloured, words wrapped) and is read-only', async () => {
    const status = await session.statusBarItems();
    assert.ok(status.includes('Reward Lens Trace'), JSON.stringify(status));
    // The TextMate grammar gives headings their own token colour: the colours of the tokens reading `Step 2` and
    // holding step text, in the active editor.
    const colours = (await session.page.evaluate(`(() => {
      const spans = [...document.querySelectorAll('.editor-group-container.active .view-line span span')];
      const colour = (test) => { const s = spans.find((e) => test(e.textContent.replace(/\\u00a0/g, ' '))); return s ? getComputedStyle(s).color : null; };
      return [colour((t) => t === 'Step 2'), colour((t) => t.includes('Without the bruised'))];
    })()`)) as [string | null, string | null];
    assert.ok(colours[0] !== null && colours[1] !== null, JSON.stringify(colours));
    assert.notEqual(colours[0], colours[1], 'a step heading is coloured unlike step text');
    // Typing changes nothing: the document is read-only.
    await session.goToLine(15, 1, 2);
    await session.page.keyboard.type('xyz');
    const lines = await session.logicalLines();
    assert.equal(lines.find((l) => l.lineNumber === 15)?.text, 'Step 2: Without the bruised ones, 96 - 15 = 71 apples are good.');
  });

  test('Score This Trace in the view badges each laid-out step', async () => {
    await session.goToLine(12, 3, 2);
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => specsWhere(d, isReadable)?.length === 3);
    const specs = specsWhere(dump, isReadable) ?? [];
    assert.deepEqual(
      specs.map((s) => [s.startLine, s.stepIndex, s.badge, s.bucket, s.firstError]),
      [
        [11, 0, '1.00', 'high', false],
        [14, 1, '0.05 ✗', 'low', true],
        [17, 2, '0.90', 'high', false],
      ],
    );
    // Badges sit at the end of each step's heading, beside the dataset's label; the step text is tinted.
    const lines = await session.waitForLines((ls) => ls.some((l) => l.lineNumber === 14 && l.decorations.some((d) => d.kind === 'after')));
    const at = (n: number): string => lines.find((l) => l.lineNumber === n)?.text ?? '';
    assert.match(at(14), /^── Step 2 ─+ label: bad ── 0\.05 ✗ $/);
    assert.match(at(11), /^── Step 1 ─+ label: good ── 1\.00 $/);
    assert.match(at(17), /^── Step 3 ─+ label: bad ── 0\.90 $/);
    assert.equal(at(15), 'Step 2: Without the bruised ones, 96 - 15 = 71 apples are good.');
    await session.screenshot('02-readable-scored');
  });

  test('hovering a laid-out step explains its score', async () => {
    const hover = await session.hoverAt({ text: '96 - 15 = 71' });
    assert.ok(hover, 'a hover appeared');
    assert.match(hover, /step 2 of 3: 0\.050/);
    assert.match(hover, /Critique: Step 2: wrote "96 - 15 = 71" but 96 - 15 = 81\./);
    assert.match(hover, /Dataset label: bad — model agrees/);
    assert.match(hover, /Rescore/);
    await session.screenshot('03-readable-hover');
  });

  test('Next Low-Scoring Step moves the cursor to the wrong step\'s line', async () => {
    await session.goToLine(1, 1, 2);
    await session.runCommand('Reward Lens: Next Low-Scoring Step');
    await waitUntil(async () => (await cursorLine(session)) === 15, 10_000, 'the cursor on line 15');
  });

  test('Reveal Record in Data File goes back to the record, in the group already showing the file', async () => {
    await session.goToLine(15, 1, 2);
    await session.runCommand('Reward Lens: Reveal Record in Data File');
    const active = session.page.locator('.editor-group-container.active .tab.active .tab-label');
    await waitUntil(async () => ((await active.getAttribute('aria-label')) ?? '').endsWith('/errors.jsonl'), 10_000, 'the data file active');
    assert.equal(await session.page.locator('.editor-group-container').count(), 2, 'no third group');
    assert.equal(await cursorLine(session), 1);
  });

  test('the data file shows the same scores: one sidecar, two views', async () => {
    const dump = await session.waitForDecorationDump((d) => specsWhere(d, isSource)?.length === 3);
    assert.deepEqual(badges(specsWhere(dump, isSource)), ['1.00', '0.05 ✗', '0.90']);
    // On screen too: the data file's editor (group 1) has the three badges on its line 1.
    await session.goToLine(1, 1);
    const lines = await session.waitForLines((ls) => ls.some((l) => l.lineNumber === 1 && l.decorations.filter((d) => d.kind === 'after').length === 3));
    assert.deepEqual(
      lines.find((l) => l.lineNumber === 1)?.decorations.filter((d) => d.kind === 'after').map((d) => d.text.trim()),
      ['1.00', '0.05 ✗', '0.90'],
    );
    const sidecar = join(session.server.workspaceDir, 'errors.jsonl.reward-lens.json');
    await waitUntil(() => existsSync(sidecar), 10_000, 'the data file\'s sidecar');
    const data = JSON.parse(readFileSync(sidecar, 'utf8')) as { models: Record<string, Record<string, { steps: { score: number }[] }>> };
    assert.deepEqual(
      Object.values(data.models['builtin'] ?? {}).map((r) => r.steps.map((s) => s.score)),
      [[1, 0.05, 0.9]],
    );
    // No second sidecar for the view, and the data file is untouched.
    assert.deepEqual(readdirSync(session.server.workspaceDir).filter((f) => f.endsWith('.reward-lens.json')), ['errors.jsonl.reward-lens.json']);
    assert.equal(readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8'), dataBefore);
    const shot = await session.screenshot('04-two-views');
    if (process.env['REWARD_LENS_UPDATE_MEDIA'] === '1') copyFileSync(shot, resolve(__dirname, '../../../media/screenshot-readable-view.png'));
  });

  test('Clear Scores in the view clears both; scoring in the data file repaints the view', async () => {
    await session.goToLine(1, 1, 2);
    await session.runCommand('Reward Lens: Clear Scores');
    await session.waitForDecorationDump((d) => specsWhere(d, isReadable)?.length === 0 && specsWhere(d, isSource)?.length === 0);
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => specsWhere(d, isReadable)?.length === 3 && specsWhere(d, isSource)?.length === 3);
    assert.deepEqual(badges(specsWhere(dump, isReadable)), ['1.00', '0.05 ✗', '0.90']);
  });

  test('the CodeLens of the data file offers Read; the view\'s Tree reveals steps in the view', async () => {
    // CodeLens are re-requested after the rescoring above and render a moment later: wait for them, then check.
    const lensTexts = async (group: 'first' | 'last'): Promise<string[]> =>
      (await session.page.locator('.editor-group-container')[group]().locator('.contentWidgets .codelens-decoration a').allInnerTexts()).map((t) => t.trim());
    await waitUntil(async () => (await lensTexts('first')).includes('Read'), 15_000, 'the data file\'s Read lens').catch(() => undefined);
    const lenses = await lensTexts('first');
    assert.ok(lenses.includes('Read'), JSON.stringify(lenses));
    await waitUntil(async () => (await lensTexts('last')).includes('Tree'), 15_000, 'the view\'s Tree lens').catch(() => undefined);
    const viewLenses = await lensTexts('last');
    assert.ok(viewLenses.includes('Tree') && !viewLenses.includes('Read'), JSON.stringify(viewLenses));
    await session.page.locator('.editor-group-container').last().locator('.contentWidgets .codelens-decoration a', { hasText: /^Tree$/ }).click();
    const step2 = webview(session).locator('svg g.node[aria-label^="Step 2,"]').first();
    await step2.waitFor({ timeout: 60_000 });
    await step2.click();
    // The reveal selects step 2 in the readable view (its text is line 15 there), not in the JSONL file. Focus stays
    // in the panel (arrow keys walk the tree), so the view's group is focused to read its cursor.
    await session.page.waitForTimeout(1000);
    await session.page.keyboard.press('Control+2');
    await waitUntil(async () => (await cursorLine(session)) === 15, 15_000, 'step 2 revealed in the readable view');
    const active = await session.page.locator('.editor-group-container.active .tab.active .tab-label').getAttribute('aria-label');
    assert.ok(active?.includes(READABLE_TAB), `${active}`);
    await session.screenshot('05-tree-reveal');
  });

  test('a preference record reads response by response, scores there, and opens its Judgment Diff', async () => {
    await session.runCommand('View: Close All Editors');
    await session.openFile('preferences.jsonl');
    await session.goToLine(1, 5);
    await session.runCommand('Reward Lens: Open as Readable Trace');
    await session.page.locator(`.tabs-container .tab.active .tab-label[aria-label*=${JSON.stringify('#1 · preferences.jsonl.trace')}]`).waitFor();
    await session.goToLine(12, 1, 2);
    await session.runCommand('Reward Lens: Score This Trace');
    // Each one-step response's badge sits on its `Response N` heading; the rejected side's arithmetic is wrong.
    const lines = await session.waitForLines((ls) => ls.some((l) => l.lineNumber === 14 && l.decorations.some((d) => d.kind === 'after')));
    const at = (n: number): string => lines.find((l) => l.lineNumber === n)?.text ?? '';
    assert.match(at(11), /^━━ Response 1 — chosen ━+ {1,2}\d\.\d\d $/);
    assert.equal(at(12), '15% of 80 is 0.15 × 80 = 12.');
    assert.match(at(14), /^━━ Response 2 — rejected ━+ {1,2}\d\.\d\d ✗ $/);
    assert.equal(at(15), '15% of 80 is 0.15 × 80 = 10.');
    await session.runCommand('Reward Lens: Open Judgment Diff');
    await webview(session).getByText(/wrote "0\.15 × 80 = 10" but/u).first().waitFor({ timeout: 60_000 });
    await session.screenshot('06-preference');
  });
});
