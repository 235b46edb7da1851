import * as vscode from 'vscode';
import { guardedCommand } from './guardedCommand.js';
import { readableFolds } from '../core/readable/readableFolds.js';
import type { DocumentIndex } from './documentIndex.js';
import { openReadableRecord } from './readableDocuments.js';
import { parseReadableUri, READABLE_SCHEME } from './readableUri.js';

/** The `rewardLens.openReadable` argument: a CodeLens's `{uri, recordIndex}` or a Records view item `{uri, index}`. */
interface OpenArg {
  readonly uri?: unknown;
  readonly recordIndex?: unknown;
  readonly index?: unknown;
}

/** "Open as Readable Trace" on the record of a CodeLens or Records view item, else the one under the cursor. */
async function openReadable(index: DocumentIndex, arg: OpenArg | undefined): Promise<void> {
  const uri = typeof arg?.uri === 'string' ? vscode.Uri.parse(arg.uri) : arg?.uri instanceof vscode.Uri ? arg.uri : undefined;
  const given = typeof arg?.recordIndex === 'number' ? arg.recordIndex : typeof arg?.index === 'number' ? arg.index : undefined;
  const editor = vscode.window.activeTextEditor;
  const document = uri !== undefined ? await vscode.workspace.openTextDocument(uri) : editor?.document;
  if (document?.uri.scheme === READABLE_SCHEME) {
    await vscode.window.showTextDocument(document, { preview: false });
    return;
  }
  const doc = document && index.get(document);
  const recordIndex = given ?? (doc && editor?.document === document ? doc.records.recordAt(document.offsetAt(editor.selection.active)) : undefined);
  const record = recordIndex === undefined ? undefined : doc?.records.record(recordIndex);
  if (document === undefined || recordIndex === undefined || record === undefined) {
    void vscode.window.showInformationMessage('Reward Lens: put the cursor on a record of a trace or preference file to read it laid out.');
    return;
  }
  await openReadableRecord(document.uri, { record: recordIndex }, record.id);
}

/**
 * "Reveal Record in Data File": from a readable view (its editor title, or the active one) to its record in the data
 * file, in the editor group already showing that file if there is one. A row of a file the text editor cannot hold
 * opens that file in its default editor.
 */
async function revealSource(index: DocumentIndex, uri: vscode.Uri | undefined): Promise<void> {
  const from = uri ?? vscode.window.activeTextEditor?.document.uri;
  const target = from && parseReadableUri(from);
  if (target === undefined) return;
  if (!('record' in target.ref)) {
    await vscode.commands.executeCommand('vscode.open', target.source);
    return;
  }
  const document = await vscode.workspace.openTextDocument(target.source);
  const record = index.get(document)?.records.record(target.ref.record);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.Beside });
  if (record === undefined) return;
  const at = document.positionAt(record.recordRange.start);
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Registers `rewardLens.openReadable`, `rewardLens.revealReadableSource` and the readable views' folds. */
export function registerReadableCommands(index: DocumentIndex, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('rewardLens.openReadable', guardedCommand(log, 'rewardLens.openReadable', (arg?: OpenArg) => openReadable(index, arg))),
    vscode.commands.registerCommand('rewardLens.revealReadableSource', guardedCommand(log, 'rewardLens.revealReadableSource', (uri?: vscode.Uri) => revealSource(index, uri))),
    vscode.languages.registerFoldingRangeProvider(
      { scheme: READABLE_SCHEME },
      {
        provideFoldingRanges: (document) => {
          const doc = index.get(document);
          const record = doc?.records.record(0);
          return record === undefined || doc === undefined ? [] : readableFolds(record, doc.lines).map((f) => new vscode.FoldingRange(f.startLine, f.endLine));
        },
      },
    ),
  );
}
