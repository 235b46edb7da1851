// The editor experience end to end in a real VS Code (code-server): Score This Trace paints badges on the right
// steps, the hover explains a step, scores persist in a sidecar and come back after a reload without rescoring,
// the data file is never written, and parse problems reach the Problems panel with their positions.
// Expected values are worked out by hand from test/integration/workspace/errors.jsonl: record 1 has
// "12 × 8 = 96" (right), "96 - 15 = 71" (wrong: 81) and an unverifiable answer step.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DecorationDump, type EditorSession, startEditorSession, waitUntil } from './harness/session.js';

interface Spec {
  readonly startLine: number;
  readonly stepIndex: number;
  readonly recordIndex: number;
  readonly badge: string;
  readonly bucket: string;
  readonly firstError: boolean;
}

const specsOf = (d: DecorationDump): Spec[] => d.specs as Spec[];
const isErrors = (d: DecorationDump): boolean => d.uri.endsWith('/errors.jsonl');

describe('Reward Lens in a real VS Code: scoring, hovers, persistence, problems', { timeout: 300_000 }, () => {
  let session: EditorSession;
  let dataBefore = '';

  before(async () => {
    session = await startEditorSession({ name: 'editor-features', dumpDecorations: true });
    dataBefore = readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8');
  });

  after(async () => {
    await session?.close();
  });

  test('Score This Trace scores the record under the cursor and badges each step', async () => {
    await session.openFile('errors.jsonl');
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => isErrors(d) && d.specs.length === 3);
    const specs = specsOf(dump);
    assert.deepEqual(
      specs.map((s) => [s.recordIndex, s.stepIndex, s.badge, s.bucket, s.firstError]),
      [
        [0, 0, '1.00', 'high', false],
        [0, 1, '0.05 ✗', 'low', true],
        [0, 2, '0.90', 'high', false],
      ],
    );
    // The badges render after each step's text, inside the string literal, in order.
    const lines = await session.waitForLines((ls) => ls.some((l) => l.lineNumber === 1 && l.decorations.filter((d) => d.kind === 'after').length >= 3));
    const line1 = lines.find((l) => l.lineNumber === 1);
    assert.ok(line1);
    assert.deepEqual(
      line1.decorations.filter((d) => d.kind === 'after').map((d) => d.text.trim()),
      ['1.00', '0.05 ✗', '0.90'],
    );
    assert.ok(line1.text.includes('96 - 15 = 71 apples are good. 0.05 ✗'), line1.text);
    await session.screenshot('01-score-this-trace');
  });

  test('hovering the wrong step shows its score, critique, label agreement and actions', async () => {
    const hover = await session.hoverAt({ text: '96 - 15 = 71' });
    assert.ok(hover, 'a hover appeared');
    assert.match(hover, /step 2 of 3: 0\.050/);
    assert.match(hover, /below threshold/);
    assert.match(hover, /min 0\.050/);
    assert.match(hover, /Scored by the built-in verifier: arithmetic re-evaluated exactly; compared with earlier steps for repeats/);
    assert.doesNotMatch(hover, /on builtin/);
    assert.match(hover, /Critique: Step 2: wrote "96 - 15 = 71" but 96 - 15 = 81\./);
    assert.match(hover, /Dataset label: bad — model agrees/);
    assert.match(hover, /Rescore/);
    assert.match(hover, /Open Trace Tree/);
    assert.match(hover, /Copy Step/);
    // The reward curve: VS Code renders the data-URI SVG as an image (it loads at its 160 px width), the Unicode
    // bars as its alt text; scores 1.00, 0.05, 0.90 with the first error at step 2.
    assert.match(hover, /Reward curve: +first error \(red\): step 2 · ring: step 2/);
    await session.page.waitForFunction(`(() => {
      const img = document.querySelector('.monaco-hover:not(.hidden) img[src^="data:image/svg+xml;base64,"]');
      return img !== null && img.complete && img.naturalWidth > 0;
    })()`);
    const curve = await session.page.evaluate<{ width: number; alt: string }>(
      `(() => { const img = document.querySelector('.monaco-hover:not(.hidden) img[src^="data:image/svg+xml;base64,"]'); return { width: img.naturalWidth, alt: img.alt }; })()`,
    );
    assert.deepEqual(curve, { width: 160, alt: '█✗█' });
    await session.screenshot('02-hover');
  });

  test('the status bar names the model and device', async () => {
    const items = await session.statusBarItems();
    assert.ok(items.some((t) => /built-in verifier · builtin/.test(t)), JSON.stringify(items));
  });

  test('scores go to a sidecar; the data file is never written', async () => {
    const sidecar = join(session.server.workspaceDir, 'errors.jsonl.reward-lens.json');
    await waitUntil(() => existsSync(sidecar), 10_000, 'sidecar file');
    const data = JSON.parse(readFileSync(sidecar, 'utf8')) as { version: number; models: Record<string, Record<string, { steps: { score: number }[] }>> };
    assert.equal(data.version, 1);
    const stored = Object.values(data.models['builtin'] ?? {});
    assert.deepEqual(
      stored.map((r) => r.steps.map((s) => s.score)),
      [[1, 0.05, 0.9]],
    );
    assert.equal(readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8'), dataBefore);
  });

  test('after a window reload the scores come back from the sidecar with no rescoring', async () => {
    // Remove the old dump so only a paint by the reloaded window (from the sidecar alone) can satisfy the wait.
    const dumpPath = session.decorationDumpPath;
    assert.ok(dumpPath);
    rmSync(dumpPath, { force: true });
    // A browser reload is a window reload in code-server; wait for the new workbench's Explorer before typing.
    await session.page.reload({ waitUntil: 'load' });
    await session.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await session.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await session.openFile('errors.jsonl').catch(() => session.openFile('errors.jsonl'));
    const dump = await session.waitForDecorationDump((d) => isErrors(d) && d.specs.length === 3);
    assert.deepEqual(
      specsOf(dump).map((s) => s.badge),
      ['1.00', '0.05 ✗', '0.90'],
    );
    const lines = await session.waitForLines((ls) => ls.some((l) => l.lineNumber === 1 && l.decorations.filter((d) => d.kind === 'after').length >= 3));
    assert.ok(lines.length > 0);
    await session.screenshot('03-after-reload');
  });

  test('Score All Traces in File scores every record', async () => {
    await session.runCommand('Reward Lens: Score All Traces in File');
    const dump = await session.waitForDecorationDump((d) => isErrors(d) && d.specs.length === 5);
    assert.deepEqual(
      specsOf(dump).map((s) => `${s.recordIndex}:${s.badge}`),
      ['0:1.00', '0:0.05 ✗', '0:0.90', '1:1.00', '1:0.90'],
    );
    await session.screenshot('04-score-all');
    // The Records side bar: each trace's score (min) followed by its reward curve in bars, ✗ at the first error.
    await session.runCommand('Reward Lens: Focus on Records View');
    const descriptions = session.page.locator('.pane-body .monaco-list-row .label-description');
    await waitUntil(async () => (await descriptions.count()) === 2, 10_000, 'two records listed');
    assert.deepEqual((await descriptions.allInnerTexts()).map((t) => t.trim()), ['0.050 █✗█ · 3 steps', '0.900 ██ · 2 steps']);
    await session.screenshot('04b-records-curves');
  });

  test('a malformed line is a located problem and the other lines still work', async () => {
    await session.openFile('malformed.jsonl');
    const rows = await session.readProblems(1);
    const markers = rows.flatMap((r) => (r.marker ? [r.marker] : []));
    const ours = markers.find((m) => /Invalid JSON on this line/.test(m.message));
    assert.ok(ours, `problems: ${JSON.stringify(rows)}`);
    assert.equal(ours.severity, 'Error');
    // Line 2: `{"prompt": "broken", "completions": ["Step 1: 3 + 3 = 6."] "labels"` — the missing comma is at column 60.
    assert.deepEqual([ours.line, ours.column], [2, 60]);
    assert.match(ours.message, /missing ','/);
    await session.goToLine(3, 5);
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => d.uri.endsWith('/malformed.jsonl') && d.specs.length === 1);
    assert.equal(specsOf(dump)[0]?.startLine, 2);
    await session.screenshot('05-problems');
  });
});
