import * as vscode from 'vscode';
import { guardedCommand } from './guardedCommand.js';
import type { IndexedDocument } from './documentIndex.js';
import { judgmentDiffContent } from './judgmentDiffPanel.js';
import { traceTreeContent, treeMembers } from './traceTreePanel.js';
import { RecordPanel, type PanelContent, type PanelDeps } from './webviewPanel.js';

/** The argument CodeLens and hover links pass: a document and a record in it. */
interface RecordArg {
  readonly uri?: unknown;
  readonly recordIndex?: unknown;
}

/** Which record a command is about: its argument, else the record under the active editor's cursor. */
async function targetOf(deps: PanelDeps, arg: RecordArg | undefined, what: string): Promise<{ uri: vscode.Uri; doc: IndexedDocument; recordIndex: number } | undefined> {
  let document: vscode.TextDocument | undefined;
  let recordIndex: number | undefined;
  if (typeof arg?.uri === 'string' && typeof arg.recordIndex === 'number') {
    document = await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri));
    recordIndex = arg.recordIndex;
  } else {
    const editor = vscode.window.activeTextEditor;
    document = editor?.document;
    const doc = document && deps.index.get(document);
    recordIndex = editor && doc ? doc.records.recordAt(editor.document.offsetAt(editor.selection.active)) : undefined;
  }
  const doc = document && deps.index.get(document);
  if (!document || !doc || recordIndex === undefined || doc.records.record(recordIndex) === undefined) {
    void vscode.window.showInformationMessage(`Reward Lens: put the cursor on a record of a trace or preference file to open its ${what}.`);
    return undefined;
  }
  return { uri: document.uri, doc, recordIndex };
}

/**
 * Registers `rewardLens.openTraceTree` and `rewardLens.openJudgmentDiff` (argument `{uri: string, recordIndex:
 * number}`, or the record under the cursor). Opening what is already open brings its panel to the front.
 */
export function registerWebviews(deps: PanelDeps): vscode.Disposable {
  const panels = new Map<string, RecordPanel>();
  const tree = traceTreeContent(deps);
  const diff = judgmentDiffContent(deps);

  const open = (content: PanelContent, key: string, uri: vscode.Uri, recordIndex: number): void => {
    const existing = panels.get(key);
    if (existing) {
      existing.show(recordIndex);
      return;
    }
    const panel = new RecordPanel(deps, content, uri, recordIndex, () => panels.delete(key));
    panels.set(key, panel);
  };


  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      'rewardLens.openTraceTree',
      guardedCommand(deps.log, 'rewardLens.openTraceTree', async (arg?: RecordArg) => {
        const t = await targetOf(deps, arg, 'Trace Tree');
        if (!t) return;
        // One panel per prompt group: any member's Tree link shows the same tree, focused on that member.
        const first = treeMembers(t.doc, t.recordIndex)[0] ?? t.recordIndex;
        open(tree, `tree|${t.uri.toString()}|${first}`, t.uri, t.recordIndex);
      }),
    ),
    vscode.commands.registerCommand(
      'rewardLens.openJudgmentDiff',
      guardedCommand(deps.log, 'rewardLens.openJudgmentDiff', async (arg?: RecordArg) => {
        const t = await targetOf(deps, arg, 'Judgment Diff');
        if (!t) return;
        if (t.doc.records.record(t.recordIndex)?.kind !== 'preference') {
          void vscode.window.showInformationMessage('Reward Lens: the Judgment Diff compares the responses of a preference record; this record is a single trace. Use Open Trace Tree to compare it with other responses to its prompt.');
          return;
        }
        open(diff, `diff|${t.uri.toString()}|${t.recordIndex}`, t.uri, t.recordIndex);
      }),
    ),
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
  );
}
