// "Compare With…" in a real VS Code (code-server): with a data file scored by the built-in verifier (A) and a second
// model's results written into its sidecar (B), Compare With… turns each step's badge into `A | B`, in the data file
// and its readable view; the hover gives both scores, named, and their difference; the status bar says what the file
// is compared with, and Stop Comparing puts the plain badges back. A `reward-lens score --out` file made by the CLI
// (with a torn line appended) is a run to compare with too: its records the editor never scored show `– | B`, and the
// torn line is reported by file and line. The Judgment Diff of a compared preference record names both runs' scores.
// Expected values are worked out by hand from test/integration/workspace/errors.jsonl: the verifier scores record 1's
// steps 1.00, 0.05 (wrong: 96 - 15 is 81) and 0.90; record 2's 1.00 and 0.90.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { REPO_ROOT } from './harness/paths.js';
import { openDialogAnswer, pickEntry } from './harness/quickInput.js';
import { type DecorationDump, type EditorSession, startEditorSession, waitUntil } from './harness/session.js';

interface Spec {
  readonly recordIndex: number;
  readonly stepIndex: number;
  readonly badge: string;
}

type Sidecar = { version: number; models: Record<string, Record<string, { recordId: string; steps: { score: number }[] }>> };

/** The specs last painted on the document whose URI passes `which`, or undefined when it has not been painted. */
function specsWhere(dump: DecorationDump, which: (uri: string) => boolean): Spec[] | undefined {
  const entry = Object.entries(dump.documents ?? {}).find(([uri]) => which(uri));
  return entry?.[1] as Spec[] | undefined;
}

const isErrors = (uri: string): boolean => uri.startsWith('file:') && uri.endsWith('/errors.jsonl');
const isReadable = (uri: string): boolean => uri.startsWith('reward-lens:');
const badgesOf = (dump: DecorationDump, which: (uri: string) => boolean): string[] => (specsWhere(dump, which) ?? []).map((s) => `${s.recordIndex}:${s.badge}`);

/** The content frame of the open webview panel (code-server nests the page in two iframes). */
function webview(session: EditorSession): FrameLocator {
  return session.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** `reward-lens score FILE --out OUT` with the built CLI, run where the data file is (so its `file` field is its name). */
function scoreOut(dir: string, file: string, out: string): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'score', file, '--out', out], { cwd: dir, stdio: 'pipe' });
}

describe('Compare With… in a real VS Code', { timeout: 400_000 }, () => {
  let session: EditorSession;
  let dataBefore = '';

  before(async () => {
    session = await startEditorSession({ name: 'compare', dumpDecorations: true });
    dataBefore = readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8');
  });

  after(async () => {
    await session?.close();
  });

  test("Compare With… another model in the sidecar badges each step A | B and the hover gives both", async () => {
    await session.openFile('errors.jsonl');
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Score This Trace');
    const scored = await session.waitForDecorationDump((d) => badgesOf(d, isErrors).length === 3);
    assert.deepEqual(badgesOf(scored, isErrors), ['0:1.00', '0:0.05 ✗', '0:0.90']);

    // A second model's results for the same record, written into the sidecar the extension keeps (as another window
    // or `reward-lens score --sidecar` would): the same keys, other scores.
    const sidecarPath = join(session.server.workspaceDir, 'errors.jsonl.reward-lens.json');
    await waitUntil(() => existsSync(sidecarPath) && Object.keys((JSON.parse(readFileSync(sidecarPath, 'utf8')) as Sidecar).models['builtin'] ?? {}).length > 0, 10_000, 'the sidecar');
    const sidecar = JSON.parse(readFileSync(sidecarPath, 'utf8')) as Sidecar;
    const other = Object.fromEntries(Object.entries(sidecar.models['builtin'] ?? {}).map(([key, r]) => [key, { ...r, steps: [{ score: 0.42 }, { score: 0.9 }, { score: 0.3 }], device: 'cpu' }]));
    writeFileSync(sidecarPath, JSON.stringify({ ...sidecar, models: { ...sidecar.models, 'other-model': other } }));

    await session.runCommand('Reward Lens: Compare With…');
    await pickEntry(session, 'other-model', /^\s*other-model\s*$/);
    const dump = await session.waitForDecorationDump((d) => badgesOf(d, isErrors).some((b) => b.includes('|')));
    assert.deepEqual(badgesOf(dump, isErrors), ['0:1.00 | 0.42 ✗', '0:0.05 ✗ | 0.90', '0:0.90 | 0.30 ✗']);
    const lines = await session.waitForLines((ls) => ls.some((l) => l.lineNumber === 1 && l.decorations.some((d) => d.kind === 'after' && d.text.includes('0.05 ✗ | 0.90'))));
    assert.ok(lines.find((l) => l.lineNumber === 1)?.text.includes('96 - 15 = 71 apples are good. 0.05 ✗ | 0.90'));

    await waitUntil(async () => (await session.statusBarItems()).some((t) => t.includes('Comparing with other-model')), 10_000, 'the status bar to say what the file is compared with');

    const hover = await session.hoverAt({ text: '96 - 15 = 71' });
    assert.ok(hover, 'a hover appeared');
    assert.match(hover, /step 2 of 3: 0\.050/);
    assert.match(hover, /Compared: A · built-in verifier: 0\.050 \(below threshold\) · B · other-model: 0\.900 · A − B = −0\.850/);
    await session.screenshot('01-compare-sidecar-model');
  });

  test('the readable view of the record shows the same A | B badges', async () => {
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Open as Readable Trace');
    const dump = await session.waitForDecorationDump((d) => badgesOf(d, isReadable).length === 3);
    assert.deepEqual(badgesOf(dump, isReadable), ['0:1.00 | 0.42 ✗', '0:0.05 ✗ | 0.90', '0:0.90 | 0.30 ✗']);
    await session.screenshot('02-compare-readable');
    await session.runCommand('View: Close Editor');
  });

  test('Stop Comparing puts the plain badges back', async () => {
    await session.openFile('errors.jsonl');
    await session.runCommand('Reward Lens: Stop Comparing');
    const dump = await session.waitForDecorationDump((d) => badgesOf(d, isErrors).length === 3 && !badgesOf(d, isErrors).some((b) => b.includes('|')));
    assert.deepEqual(badgesOf(dump, isErrors), ['0:1.00', '0:0.05 ✗', '0:0.90']);
    await waitUntil(async () => !(await session.statusBarItems()).some((t) => t.includes('Comparing with')), 10_000, 'the status bar note to go');
  });

  test('a score --out file is a run to compare with; a torn line is reported by file and line', async () => {
    const dir = session.server.workspaceDir;
    scoreOut(dir, 'errors.jsonl', 'run-b.jsonl');
    const written = readFileSync(join(dir, 'run-b.jsonl'), 'utf8').trim().split('\n');
    assert.ok(written.length >= 2, `the CLI wrote ${written.length} line(s)`);
    // A run killed mid-write leaves a torn last line.
    appendFileSync(join(dir, 'run-b.jsonl'), '{"file":"errors.jsonl","kind":"trace","id":"#9","ste');

    await session.runCommand('Reward Lens: Compare With…');
    await pickEntry(session, 'score --out', /score --out file/);
    await openDialogAnswer(session, join(dir, 'run-b.jsonl'));
    // Record 1 was scored in the editor (A); the others only by the CLI run (B).
    const dump = await session.waitForDecorationDump((d) => badgesOf(d, isErrors).some((b) => b.startsWith('1:')));
    const badges = badgesOf(dump, isErrors);
    assert.deepEqual(badges, ['0:1.00 | 1.00', '0:0.05 ✗ | 0.05 ✗', '0:0.90 | 0.90', '1:– | 1.00', '1:– | 0.90']);
    await waitUntil(async () => (await session.notifications()).some((n) => /run-b\.jsonl:\d+: not valid JSON/.test(n)), 10_000, 'the torn line to be reported');
    const line = written.length + 1;
    assert.ok((await session.notifications()).some((n) => n.includes(`run-b.jsonl:${line}: not valid JSON`)), JSON.stringify(await session.notifications()));
    await waitUntil(async () => (await session.statusBarItems()).some((t) => t.includes('Comparing with run-b.jsonl')), 10_000, 'the status bar to name the file');
    await session.screenshot('03-compare-score-out');
    assert.equal(readFileSync(join(dir, 'errors.jsonl'), 'utf8'), dataBefore, 'the data file is never written');
  });

  test("the Judgment Diff of a compared preference record shows both runs' scores", async () => {
    const dir = session.server.workspaceDir;
    await session.openFile('preferences.jsonl');
    await session.goToLine(1, 5);
    await session.runCommand('Reward Lens: Score This Trace');
    await session.waitForDecorationDump((d) => d.uri.endsWith('/preferences.jsonl') && d.specs.length > 0);
    scoreOut(dir, 'preferences.jsonl', 'prefs-b.jsonl');
    await session.runCommand('Reward Lens: Compare With…');
    await pickEntry(session, 'score --out', /score --out file/);
    await openDialogAnswer(session, join(dir, 'prefs-b.jsonl'));
    await waitUntil(async () => (await session.statusBarItems()).some((t) => t.includes('Comparing with prefs-b.jsonl')), 10_000, 'the comparison');
    await session.runCommand('Reward Lens: Open Judgment Diff');
    const compared = webview(session).locator('.compared-scores');
    await compared.first().waitFor({ timeout: 60_000 });
    const texts = await compared.allInnerTexts();
    assert.equal(texts.length, 2, JSON.stringify(texts));
    // The same verifier made both runs: equal scores, a zero difference, each named.
    for (const t of texts) assert.match(t, /^A · built-in verifier (\d\.\d{3}) \| B · prefs-b\.jsonl \1 · A − B 0\.000$/);
    await session.screenshot('04-compare-judgment-diff');
  });
});
