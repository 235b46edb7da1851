import * as vscode from 'vscode';
import { judgeReasoningDocument, type ReasoningDocument } from '../core/editor/judgeReasoning.js';
import type { DocumentIndex } from './documentIndex.js';
import type { ScoreService } from './scoreService.js';

/** The scheme of the read-only judge reasoning documents. */
export const REASONING_SCHEME = 'reward-lens-judge';

/** Which judged response a reasoning document shows (its URI query). */
interface ReasoningTarget {
  readonly uri: string;
  readonly recordIndex: number;
  readonly responseIndex: number;
}

function targetOf(uri: vscode.Uri): ReasoningTarget | undefined {
  try {
    const t = JSON.parse(uri.query) as Partial<ReasoningTarget>;
    return typeof t.uri === 'string' && typeof t.recordIndex === 'number' && typeof t.responseIndex === 'number' ? (t as ReasoningTarget) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * "Show Judge Reasoning": the judge's whole output for a record (or response) as a read-only document; each step's
 * part links back to that step in the data file. The text is the judge's own, shown as plain text.
 */
export function registerJudgeReasoning(index: DocumentIndex, scores: ScoreService): vscode.Disposable {
  const built = new Map<string, { source: vscode.Uri; doc: ReasoningDocument; stepRanges: readonly (vscode.Range | undefined)[] }>();
  const changed = new vscode.EventEmitter<vscode.Uri>();

  const build = async (uri: vscode.Uri): Promise<string> => {
    const t = targetOf(uri);
    if (t === undefined) return 'Reward Lens: this link names no judged record.';
    const source = vscode.Uri.parse(t.uri);
    const document = await vscode.workspace.openTextDocument(source);
    const doc = index.get(document);
    const record = doc?.records.record(t.recordIndex);
    if (!doc || !record) return `Reward Lens: record ${t.recordIndex + 1} is no longer in ${source.path}.`;
    const result = scores.lookup(doc.uri, record)?.results[t.responseIndex];
    if (result?.judge === undefined) return `Reward Lens: record ${record.id} has no judge output for the current model (score it with a judge first).`;
    const steps = record.kind === 'trace' ? record.steps : (record.responses[t.responseIndex]?.steps ?? []);
    const reasoning = judgeReasoningDocument(result.judge, { recordId: record.id, ...(record.kind === 'preference' ? { response: { index: t.responseIndex, count: record.responses.length } } : {}) });
    built.set(uri.toString(), {
      source,
      doc: reasoning,
      stepRanges: steps.map((s) => (s.range ? new vscode.Range(document.positionAt(s.range.start), document.positionAt(s.range.end)) : undefined)),
    });
    return reasoning.text;
  };

  const links: vscode.DocumentLinkProvider = {
    provideDocumentLinks(document) {
      const b = built.get(document.uri.toString());
      if (!b) return [];
      return b.doc.links.flatMap((l) => {
        const target = b.stepRanges[l.stepIndex];
        if (!target) return [];
        const link = new vscode.DocumentLink(
          new vscode.Range(document.positionAt(l.start), document.positionAt(l.end)),
          // VS Code opens `#L<line>,<column>` fragments at that position.
          b.source.with({ fragment: `L${target.start.line + 1},${target.start.character + 1}` }),
        );
        link.tooltip = `Go to step ${l.stepIndex + 1}`;
        return [link];
      });
    },
  };

  const show = async (arg?: { uri?: unknown; recordIndex?: unknown; responseIndex?: unknown; stepIndex?: unknown }): Promise<void> => {
    let target: ReasoningTarget | undefined;
    if (typeof arg?.uri === 'string' && typeof arg.recordIndex === 'number') {
      target = { uri: arg.uri, recordIndex: arg.recordIndex, responseIndex: typeof arg.responseIndex === 'number' ? arg.responseIndex : 0 };
    } else {
      const editor = vscode.window.activeTextEditor;
      const doc = editor && index.get(editor.document);
      if (editor && doc) {
        const offset = editor.document.offsetAt(editor.selection.active);
        const slot = doc.records.stepAt(offset);
        const recordIndex = slot?.recordIndex ?? doc.records.recordAt(offset);
        if (recordIndex !== undefined) target = { uri: editor.document.uri.toString(), recordIndex, responseIndex: slot?.responseIndex ?? 0 };
      }
    }
    if (target === undefined) {
      void vscode.window.showInformationMessage('Reward Lens: put the cursor on a record scored by a judge to see its reasoning.');
      return;
    }
    const uri = vscode.Uri.from({ scheme: REASONING_SCHEME, path: `/judge-reasoning-${target.recordIndex + 1}-${target.responseIndex + 1}.txt`, query: JSON.stringify(target) });
    changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
  };

  return vscode.Disposable.from(
    changed,
    // A rescore rewrites the reasoning of documents already open.
    scores.onDidChangeScores(() => {
      for (const key of built.keys()) changed.fire(vscode.Uri.parse(key));
    }),
    vscode.workspace.registerTextDocumentContentProvider(REASONING_SCHEME, { onDidChange: changed.event, provideTextDocumentContent: (uri) => build(uri) }),
    vscode.languages.registerDocumentLinkProvider({ scheme: REASONING_SCHEME }, links),
    vscode.commands.registerCommand('rewardLens.showJudgeReasoning', async (arg?: { uri?: unknown; recordIndex?: unknown; responseIndex?: unknown }) => {
      try {
        await show(arg);
      } catch (err) {
        void vscode.window.showErrorMessage(`Reward Lens: ${(err as Error).message}`);
      }
    }),
  );
}
