import * as vscode from 'vscode';
import type { DocumentIndex } from './documentIndex.js';
import { READABLE_SCHEME } from './readableUri.js';
import type { ScoreService } from './scoreService.js';

/**
 * `Score · Tree · Diff · Read` above each record, as they apply (Diff for preference records, Tree for traces; Read
 * opens the readable view, so it is left off that view itself).
 */
export class RecordCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly index: DocumentIndex,
    scores: ScoreService,
  ) {
    scores.onDidChangeScores(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const doc = this.index.get(document);
    if (!doc || !doc.isDataset) return [];
    const uri = doc.uri.toString();
    const readable = document.uri.scheme === READABLE_SCHEME;
    const lenses: vscode.CodeLens[] = [];
    const records = doc.records;
    // Spans and kinds come from the index: lenses need no record parsed.
    for (let recordIndex = 0; recordIndex < records.count; recordIndex++) {
      const span = records.recordRange(recordIndex);
      if (span === undefined) continue;
      const at = document.positionAt(span.start);
      const range = new vscode.Range(at, at);
      const arg = { uri, recordIndex };
      lenses.push(new vscode.CodeLens(range, { title: 'Score', command: 'rewardLens.scoreTrace', arguments: [{ ...arg, force: true }], tooltip: 'Score this record with the current reward model' }));
      if (records.recordKind(recordIndex) === 'trace') lenses.push(new vscode.CodeLens(range, { title: 'Tree', command: 'rewardLens.openTraceTree', arguments: [arg], tooltip: 'Open the trace tree of this prompt' }));
      else lenses.push(new vscode.CodeLens(range, { title: 'Diff', command: 'rewardLens.openJudgmentDiff', arguments: [arg], tooltip: 'Compare the responses side by side' }));
      if (!readable) lenses.push(new vscode.CodeLens(range, { title: 'Read', command: 'rewardLens.openReadable', arguments: [arg], tooltip: 'Open as Readable Trace: the prompt, each step and the answer laid out on their own lines' }));
    }
    return lenses;
  }
}
