// What-if edits in a real VS Code (code-server): from the readable view of test/integration/workspace/errors.jsonl's
// first record, "Edit and Rescore…" corrects step 2's arithmetic (96 - 15 = 81) in a scratch overlay; the built-in
// verifier then scores it 1.00 where the original scored 0.05, and each step from the edit on shows its new score
// beside the old one with the change, the header the trace score under each aggregation before → after. A second
// edit from the hover's link breaks step 1 (12 × 8 = 97); "Keep as Variant…" keeps both edits in the sidecar, "Open
// Variant…" finds them again from the data file and "Compare Variants" lists the original and the variant with their
// trace scores and opens them side by side. The data file is never written.
// Expected values by hand (src/core/verifier/builtinVerifier.ts: 1.00 when every check passes, 0.05 for wrong
// arithmetic, 0.90 when nothing can be checked): the original scores [1.00, 0.05, 0.90] — min 0.050, product
// 0.045, mean 1.95 / 3 = 0.650, last 0.900; step 2 corrected scores [1.00, 1.00, 0.90] — min 0.900, product 0.900,
// mean 2.9 / 3 = 0.967, last 0.900; step 1 then broken scores [0.05, 1.00, 0.90] — the same aggregates as the original.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pickEntry } from './harness/quickInput.js';
import { type DecorationDump, type EditorSession, type RenderedLine, startEditorSession, waitUntil } from './harness/session.js';

interface Spec {
  readonly stepIndex: number;
  readonly badge: string;
  readonly bucket: string;
  readonly firstError: boolean;
}

const STEP2 = 'Step 2: Without the bruised ones, 96 - 15 = 71 apples are good.';
const STEP2_FIXED = 'Step 2: Without the bruised ones, 96 - 15 = 81 apples are good.';
const STEP1 = 'Step 1: There are 12 × 8 = 96 apples.';
const STEP1_BROKEN = 'Step 1: There are 12 × 8 = 97 apples.';
const NAME = 'swap errors';

/** The variant part of a readable URI as the dump keys it (`{"draft":true}`, `{"kept":…}`), or undefined. */
function variantOf(uri: string): string | undefined {
  if (!uri.startsWith('reward-lens:')) return undefined;
  return /"variant":(\{[^}]*\})/.exec(decodeURIComponent(uri))?.[1];
}

const isDraft = (uri: string): boolean => variantOf(uri) === '{"draft":true}';
const isKept = (uri: string): boolean => variantOf(uri) === JSON.stringify({ kept: NAME });

function specsWhere(dump: DecorationDump, which: (uri: string) => boolean): Spec[] | undefined {
  const entry = Object.entries(dump.documents ?? {}).find(([uri]) => which(uri));
  return entry?.[1] as Spec[] | undefined;
}

const badges = (specs: readonly Spec[] | undefined): string[] => (specs ?? []).map((s) => s.badge);
/** A rendered line's text with wrapped pieces' spacing collapsed. */
const flat = (l: RenderedLine): string => l.text.replace(/\s+/g, ' ').trim();
const lineStarting = (lines: readonly RenderedLine[], prefix: string): string | undefined => lines.map(flat).find((t) => t.startsWith(prefix));
/**
 * A text without its whitespace: the header's long rows wrap in a narrow editor, and a wrap can fall inside a number
 * (`0.` | `650`) with the continuation indented, so they are compared without spaces (the unit tests pin the spacing).
 */
const squash = (s: string | undefined): string => (s ?? '').replace(/\s+/g, '');
const hasRow = (lines: readonly RenderedLine[], prefix: string, expected: string): boolean => squash(lineStarting(lines, prefix)) === squash(expected);
const TRACE_FIXED = 'Trace min 0.050 → 0.900 · product 0.045 → 0.900 · mean 0.650 → 0.967 · last 0.900 → 0.900';
const TRACE_BOTH = 'Trace min 0.050 → 0.050 · product 0.045 → 0.045 · mean 0.650 → 0.650 · last 0.900 → 0.900';

/** Waits for the input box titled `title` to hold `expected`, then answers it with `value`. */
async function answerInputBox(session: EditorSession, title: string, expected: string, value: string): Promise<void> {
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  const heading = session.page.locator('.quick-input-widget .quick-input-title');
  const ready = async (): Promise<boolean> => (await input.isVisible()) && ((await heading.textContent()) ?? '').includes(title) && (await input.inputValue()) === expected;
  await waitUntil(ready, 20_000, `the "${title}" input box holding "${expected}"`);
  await input.fill(value);
  await session.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** Waits for the active tab's label to contain `label`. */
async function activeTab(session: EditorSession, label: string): Promise<void> {
  await session.page.locator(`.tabs-container .tab.active .tab-label[aria-label*=${JSON.stringify(label)}]`).first().waitFor({ timeout: 20_000 });
}

describe('what-if edits in a real VS Code', { timeout: 300_000 }, () => {
  let session: EditorSession;
  let dataBefore = '';
  const sidecar = (): { models: Record<string, Record<string, { recordId: string; steps: { score: number }[] }>>; variants?: unknown[] } =>
    JSON.parse(readFileSync(join(session.server.workspaceDir, 'errors.jsonl.reward-lens.json'), 'utf8')) as ReturnType<typeof sidecar>;

  before(async () => {
    session = await startEditorSession({ name: 'what-if', dumpDecorations: true });
    dataBefore = readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8');
  });

  after(async () => {
    await session?.close();
  });

  test('the record is read and scored as it is', async () => {
    await session.openFile('errors.jsonl');
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Open as Readable Trace');
    await activeTab(session, '#1 · errors.jsonl.trace');
    await session.waitForLines((ls) => ls.some((l) => l.text.startsWith('── Step 3')));
    await session.goToLine(12, 3, 2);
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => specsWhere(d, (u) => u.startsWith('reward-lens:') && variantOf(u) === undefined)?.length === 3);
    assert.deepEqual(badges(specsWhere(dump, (u) => u.startsWith('reward-lens:'))), ['1.00', '0.05 ✗', '0.90']);
  });

  test('Edit and Rescore… on the wrong step shows its new score beside the old one, and the trace score before → after', async () => {
    await session.goToLine(15, 1, 2);
    await session.runCommand('Reward Lens: Edit and Rescore…');
    await answerInputBox(session, 'Edit and Rescore', STEP2, STEP2_FIXED);
    await activeTab(session, '#1 ✎ edited · errors.jsonl.trace');
    const dump = await session.waitForDecorationDump((d) => specsWhere(d, isDraft)?.length === 3 && !badges(specsWhere(d, isDraft)).some((b) => b.includes('stale')), 30_000);
    const specs = specsWhere(dump, isDraft) ?? [];
    assert.deepEqual(
      specs.map((s) => [s.stepIndex, s.badge, s.bucket, s.firstError]),
      [
        [0, '1.00', 'high', false],
        [1, '1.00 (was 0.05, Δ +0.95)', 'high', false],
        [2, '0.90 (was 0.90, Δ 0.00)', 'high', false],
      ],
    );
    const lines = await session.waitForLines((ls) => hasRow(ls, 'Trace', TRACE_FIXED) && ls.some((l) => l.text.startsWith('── Step 2 · edited') && l.decorations.some((d) => d.kind === 'after')));
    assert.equal(flat(lines.find((l) => l.lineNumber === 1) as RenderedLine), 'Reward Lens · what-if edit (read-only; the data file is unchanged)');
    assert.equal(lineStarting(lines, 'Record'), 'Record #1');
    assert.ok(hasRow(lines, 'Variant', 'Variant unsaved edit (Keep as Variant… names it and keeps it in the sidecar)'), lineStarting(lines, 'Variant'));
    assert.equal(lineStarting(lines, 'Edited'), 'Edited step 2');
    // The badge sits on the edited step's heading; the step's text is the edited one.
    assert.match(lineStarting(lines, '── Step 2 · edited') ?? '', /^── Step 2 · edited ─+ 1\.00 \(was 0\.05, Δ \+0\.95\)$/);
    assert.ok(lines.some((l) => flat(l) === STEP2_FIXED));
    await session.screenshot('01-edited');
    // Both records' results are in the data file's one sidecar, keyed by their text; the data file is unchanged.
    const scored = Object.values(sidecar().models['builtin'] ?? {}).map((r) => [r.recordId, r.steps.map((s) => s.score)]);
    assert.deepEqual(
      scored.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['#1', [1, 0.05, 0.9]],
        ['#1 ✎ edited', [1, 1, 0.9]],
      ],
    );
    assert.equal(readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8'), dataBefore);
  });

  test("the hover's Edit and Rescore… edits another step of the same overlay", async () => {
    const hover = await session.hoverAt({ text: '12 × 8 = 96' });
    assert.ok(hover?.includes('Edit and Rescore…'), hover ?? 'no hover');
    await session.page.locator('.monaco-hover a', { hasText: 'Edit and Rescore…' }).first().click();
    await answerInputBox(session, 'Edit and Rescore', STEP1, STEP1_BROKEN);
    const dump = await session.waitForDecorationDump((d) => badges(specsWhere(d, isDraft))[0]?.includes('was') === true && !badges(specsWhere(d, isDraft)).some((b) => b.includes('stale')), 30_000);
    assert.deepEqual(
      (specsWhere(dump, isDraft) ?? []).map((s) => [s.badge, s.firstError]),
      [
        ['0.05 ✗ (was 1.00, Δ −0.95)', true],
        ['1.00 (was 0.05, Δ +0.95)', false],
        ['0.90 (was 0.90, Δ 0.00)', false],
      ],
    );
    const lines = await session.waitForLines((ls) => lineStarting(ls, 'Edited') === 'Edited steps 1 and 2' && hasRow(ls, 'Trace', TRACE_BOTH));
    assert.ok(lines.some((l) => flat(l) === STEP1_BROKEN) && lines.some((l) => flat(l) === STEP2_FIXED), 'both edits are laid out');
  });

  test('Keep as Variant… keeps the edits in the sidecar under a name', async () => {
    await session.runCommand('Reward Lens: Keep as Variant…');
    await answerInputBox(session, 'Keep as Variant', '', NAME);
    await activeTab(session, `#1 ✎ ${NAME} · errors.jsonl.trace`);
    await waitUntil(() => (sidecar().variants ?? []).length === 1, 10_000, 'the variant in the sidecar');
    const [variant] = sidecar().variants as { name: string; recordId: string; ref: unknown; edits: { stepIndex: number; was: string; text: string }[] }[];
    assert.deepEqual(
      [variant?.name, variant?.recordId, variant?.ref, variant?.edits.map((e) => [e.stepIndex, e.was, e.text])],
      [
        NAME,
        '#1',
        { record: 0 },
        [
          [0, STEP1, STEP1_BROKEN],
          [1, STEP2, STEP2_FIXED],
        ],
      ],
    );
    const lines = await session.waitForLines((ls) => hasRow(ls, 'Variant', `Variant ${NAME} (kept in the sidecar)`));
    assert.equal(lineStarting(lines, 'Edited'), 'Edited steps 1 and 2');
    const dump = await session.waitForDecorationDump((d) => specsWhere(d, isKept)?.length === 3);
    assert.deepEqual(badges(specsWhere(dump, isKept)), ['0.05 ✗ (was 1.00, Δ −0.95)', '1.00 (was 0.05, Δ +0.95)', '0.90 (was 0.90, Δ 0.00)']);
    // The unsaved edit's tab made way for the kept variant's.
    assert.equal(await session.page.locator('.tabs-container .tab .tab-label[aria-label*="✎ edited"]').count(), 0);
    await session.screenshot('02-kept');
  });

  test('Open Variant… on the record in the data file opens the kept variant again', async () => {
    await session.runCommand('View: Close All Editors');
    await session.openFile('errors.jsonl');
    await session.goToLine(1, 10);
    await session.runCommand('Reward Lens: Open Variant…');
    await pickEntry(session, 'swap', new RegExp(`^\\s*${NAME}\\s*$`));
    await activeTab(session, `#1 ✎ ${NAME} · errors.jsonl.trace`);
    await session.waitForLines((ls) => hasRow(ls, 'Trace', TRACE_BOTH) && ls.some((l) => flat(l) === STEP1_BROKEN));
    await session.waitForLines((ls) => ls.some((l) => l.text.startsWith('── Step 1 · edited') && l.decorations.some((d) => d.kind === 'after' && d.text.includes('(was 1.00, Δ −0.95)'))));
  });

  test('Compare Variants lists the original and the variant with their trace scores, and shows two side by side', async () => {
    await session.runCommand('Reward Lens: Compare Variants');
    const rows = session.page.locator('.quick-input-list .monaco-list-row');
    await waitUntil(async () => (await rows.count()) === 2, 20_000, 'two rows');
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.match(texts[0] ?? '', /^original ?min 0\.050 min 0\.050 · product 0\.045 · mean 0\.650 · last 0\.900$/);
    assert.match(texts[1] ?? '', new RegExp(`^${NAME} ?min 0\\.050 \\(0\\.00 vs original\\) min 0\\.050 · product 0\\.045 · mean 0\\.650 · last 0\\.900 · edits steps 1 and 2$`));
    await session.screenshot('03-compare');
    // Pick both (a click toggles a row's check box) and accept: a diff editor of the original's view and the variant's.
    for (let i = 0; i < 2; i++) await rows.nth(i).click();
    await session.page.keyboard.press('Enter');
    await activeTab(session, `#1: original ↔ ${NAME}`);
    await session.screenshot('04-side-by-side');
  });

  test('the data file is never written; the one sidecar holds the variant', () => {
    assert.equal(readFileSync(join(session.server.workspaceDir, 'errors.jsonl'), 'utf8'), dataBefore);
    assert.deepEqual(
      readdirSync(session.server.workspaceDir).filter((f) => f.startsWith('errors.jsonl')),
      ['errors.jsonl', 'errors.jsonl.reward-lens.json'],
    );
  });
});
