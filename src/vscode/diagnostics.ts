import * as vscode from 'vscode';
import type { DocumentIndex } from './documentIndex.js';

/** Parse problems → the Problems panel, with their exact ranges; refreshed on open and (debounced) on edit. */
export function registerDiagnostics(index: DocumentIndex): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('rewardLens');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const refresh = (document: vscode.TextDocument): void => {
    const doc = index.get(document);
    if (!doc || !doc.isDataset) {
      collection.delete(document.uri);
      return;
    }
    collection.set(
      document.uri,
      doc.records.problems().map((p) => {
        const start = document.positionAt(p.offset);
        const end = document.positionAt(p.offset + Math.max(1, p.length));
        const d = new vscode.Diagnostic(new vscode.Range(start, end), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        d.source = 'Reward Lens';
        return d;
      }),
    );
  };
  const later = (document: vscode.TextDocument): void => {
    const key = document.uri.toString();
    const t = timers.get(key);
    if (t) clearTimeout(t);
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        refresh(document);
      }, 400),
    );
  };
  for (const d of vscode.workspace.textDocuments) refresh(d);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => later(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}
