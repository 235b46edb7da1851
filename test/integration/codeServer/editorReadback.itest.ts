// Proves the read-back helpers the feature suites rely on: the decoration dump, `after` decoration text in the DOM,
// hovers (by text and by position) and the Problems panel. Expected values come from the workspace files: the
// first record of stepwise.jsonl has three completions; invalid-syntax.json lacks a comma before line 4, column 5.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DecorationDump, type EditorSession, startEditorSession } from './harness/session.js';

/** The fields of a dumped decoration spec this suite reads (src/vscode/testHooks.ts writes the whole spec). */
interface DumpedSpec {
  readonly startLine: number;
  readonly badge?: string;
}

function specsOf(dump: DecorationDump): DumpedSpec[] {
  return dump.specs.map((s) => {
    const spec = s as Partial<DumpedSpec>;
    assert.equal(typeof spec.startLine, 'number', `spec without startLine: ${JSON.stringify(s)}`);
    return spec as DumpedSpec;
  });
}

describe('code-server harness: reading the editor back', { timeout: 240_000 }, () => {
  let session: EditorSession;

  before(async () => {
    session = await startEditorSession({ name: 'editor-readback', dumpDecorations: true });
  });

  after(async () => {
    await session?.close();
  });

  test('Score This Trace dumps one decoration spec per step of the record under the cursor', async () => {
    await session.openFile('stepwise.jsonl');
    await session.runCommand('Reward Lens: Score This Trace');
    const dump = await session.waitForDecorationDump((d) => d.uri.endsWith('/stepwise.jsonl') && d.specs.length > 0);
    const specs = specsOf(dump);
    assert.equal(specs.length, 3, 'record 1 has three completions');
    assert.deepEqual(
      specs.map((s) => s.startLine),
      [0, 0, 0],
      'all on line 1 (0-based 0)',
    );
  });

  test('each dumped badge renders as `after` decoration text on that line, in order', async () => {
    const specs = specsOf(session.readDecorationDump() ?? { uri: '', specs: [] });
    const badges = specs.map((s) => s.badge);
    assert.ok(badges.every((b) => typeof b === 'string' && b.trim() !== ''), `badges: ${JSON.stringify(badges)}`);
    // The dump is written in the extension host; the renderer draws the decorations a moment later.
    const lines = await session.waitForLines((ls) => ls.some((l) => l.lineNumber === 1 && l.decorations.length >= badges.length));
    const line1 = lines.find((l) => l.lineNumber === 1);
    assert.ok(line1, 'line 1 is rendered');
    assert.deepEqual(
      line1.decorations.filter((d) => d.kind === 'after').map((d) => d.text.trim()),
      badges.map((b) => b?.trim()),
    );
    // The badge follows its step's closing text inside the string literal.
    assert.ok(line1.text.includes(`0.75 hours.${line1.decorations[0]?.text ?? '?'}`), line1.text);
    await session.screenshot('01-scored-trace');
  });

  test('hovering a step’s text shows the Reward Lens hover for that step', async () => {
    const hover = await session.hoverAt({ text: 'Speed = 60 / 0.75' });
    assert.ok(hover, 'a hover appeared');
    assert.match(hover, /Reward Lens/);
    assert.match(hover, /step 2 of 3/i);
    await session.screenshot('02-hover-by-text');
  });

  test('Show Hover at a line and column works from the keyboard', async () => {
    // Line 1, column 100 lies inside "Step 1: 45 minutes is 45/60 = 0.75 hours." (columns 96–136).
    const hover = await session.hoverAt({ line: 1, column: 100 });
    assert.ok(hover, 'a hover appeared');
    assert.match(hover, /step 1 of 3/i);
  });

  test('the Problems panel lists a JSON syntax error with its position', async () => {
    await session.openFile('invalid-syntax.json');
    const rows = await session.readProblems(1);
    const markers = rows.flatMap((r) => (r.marker ? [r.marker] : []));
    const comma = markers.find((m) => /expected comma/i.test(m.message));
    assert.ok(comma, `problems: ${JSON.stringify(rows)}`);
    assert.equal(comma.severity, 'Error');
    assert.deepEqual([comma.line, comma.column], [4, 5]);
    assert.ok(rows.some((r) => r.isFile && r.text.startsWith('invalid-syntax.json')), 'grouped under its file');
    await session.screenshot('03-problems');
  });
});
