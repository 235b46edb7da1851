import * as vscode from 'vscode';
import { formatTokenHover } from '../core/confidence/formatConfidence.js';
import { heatSpanAt, tokenHeatSpans, tokenTextInStep, type TokenHeatSpan } from '../core/confidence/tokenHeatMap.js';
import type { Trace } from '../core/dataset/types.js';
import type { DocumentIndex, IndexedDocument } from './documentIndex.js';
import { READABLE_SCHEME } from './readableUri.js';

/** `rewardLens.confidence.heatMap`: where token probabilities tint the text. */
type HeatMapSetting = 'readable' | 'all' | 'off';

const LEVELS = [1, 2, 3, 4] as const;

function readSetting(): HeatMapSetting {
  const v = vscode.workspace.getConfiguration('rewardLens').get<string>('confidence.heatMap', 'readable');
  return v === 'all' || v === 'off' ? v : 'readable';
}

/** The traces with token log-probabilities of one document version, laid out as token spans (by record index). */
interface Painted {
  readonly version: number;
  readonly spans: Map<number, readonly TokenHeatSpan[]>;
}

/**
 * The token-level heat map: in a readable view (and, with `rewardLens.confidence.heatMap: all`, in the data file),
 * each token of a trace that carries log-probabilities gets a background whose strength follows its improbability
 * (four theme colours, `rewardLens.tokenUncertainty1Background` … `4`), and a hover with its probability and
 * alternatives. Spans come from the pure `tokenHeatSpans`; this class only maps them to editor ranges.
 */
export class ConfidenceHeatMap implements vscode.Disposable {
  private readonly types = LEVELS.map((l) => vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor(`rewardLens.tokenUncertainty${l}Background`) }));
  private readonly painted = new Map<string, Painted>();
  private readonly disposables: vscode.Disposable[] = [];
  private setting = readSetting();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly index: DocumentIndex,
    selector: vscode.DocumentSelector,
  ) {
    this.disposables.push(
      vscode.languages.registerHoverProvider(selector, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule(0)),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (e.textEditor.document.uri.scheme !== READABLE_SCHEME && this.setting === 'all') this.schedule(100);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (vscode.window.visibleTextEditors.some((ed) => ed.document === e.document)) this.schedule(300);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('rewardLens')) return;
        this.setting = readSetting();
        this.painted.clear();
        this.schedule(0);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.painted.delete(d.uri.toString())),
    );
    this.schedule(0);
  }

  private enabled(document: vscode.TextDocument): boolean {
    return document.uri.scheme === READABLE_SCHEME ? this.setting !== 'off' : this.setting === 'all';
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const editor of vscode.window.visibleTextEditors) this.paint(editor);
    }, ms);
  }

  /** The token spans of record `i`, computed once per document version. */
  private spansOf(document: vscode.TextDocument, doc: IndexedDocument, i: number): readonly TokenHeatSpan[] {
    const key = document.uri.toString();
    let painted = this.painted.get(key);
    if (painted?.version !== document.version) this.painted.set(key, (painted = { version: document.version, spans: new Map() }));
    const hit = painted.spans.get(i);
    if (hit !== undefined) return hit;
    const record = doc.records.record(i);
    let spans: readonly TokenHeatSpan[] = [];
    if (record?.kind === 'trace' && record.logprobs !== undefined) {
      const readable = document.uri.scheme === READABLE_SCHEME;
      const r = record.recordRange;
      // A data file's steps sit in JSON string literals: only the record's own text is read to step over escapes.
      const text = readable ? '' : document.getText(new vscode.Range(document.positionAt(r.start), document.positionAt(r.end)));
      spans = tokenHeatSpans(record, text, readable ? 'verbatim' : 'json', readable ? 0 : r.start);
    }
    painted.spans.set(i, spans);
    return spans;
  }

  private paint(editor: vscode.TextEditor): void {
    const document = editor.document;
    const doc = this.enabled(document) ? this.index.get(document) : undefined;
    const byLevel: vscode.Range[][] = LEVELS.map(() => []);
    if (doc?.isDataset === true) {
      for (const i of this.recordsOnScreen(editor, doc)) {
        for (const s of this.spansOf(document, doc, i)) {
          if (s.level > 0) byLevel[s.level - 1]?.push(new vscode.Range(document.positionAt(s.start), document.positionAt(s.end)));
        }
      }
    }
    this.types.forEach((t, k) => editor.setDecorations(t, byLevel[k] ?? []));
  }

  /** A readable view's one record; a data file's records on screen (tokens are many: only what is seen is laid out). */
  private recordsOnScreen(editor: vscode.TextEditor, doc: IndexedDocument): number[] {
    if (editor.document.uri.scheme === READABLE_SCHEME) return doc.records.count > 0 ? [0] : [];
    const out = new Set<number>();
    for (const r of editor.visibleRanges) {
      const from = doc.records.recordAt(editor.document.offsetAt(r.start));
      const to = doc.records.recordAt(editor.document.offsetAt(r.end));
      if (from === undefined || to === undefined) continue;
      for (let i = from; i <= to; i++) out.add(i);
    }
    return [...out];
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.enabled(document)) return undefined;
    const doc = this.index.get(document);
    const offset = document.offsetAt(position);
    const i = doc?.records.recordAt(offset);
    if (doc === undefined || i === undefined) return undefined;
    const span = heatSpanAt(this.spansOf(document, doc, i), offset);
    const record = doc.records.record(i);
    if (span === undefined || record?.kind !== 'trace') return undefined;
    const md = new vscode.MarkdownString(formatTokenHover(record as Trace, span.token, tokenTextInStep(record, span.step, span.token)));
    md.isTrusted = false;
    md.supportHtml = false;
    return new vscode.Hover(md, new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    for (const t of this.types) t.dispose();
    this.painted.clear();
  }
}
