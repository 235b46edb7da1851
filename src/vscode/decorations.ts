import * as vscode from 'vscode';
import { decorationSpecsOf, type DecorationSpec, type ScoreBucket } from '../core/editor/decorationSpecs.js';
import type { Settings } from './config.js';
import type { DocumentIndex } from './documentIndex.js';
import type { ScoreService } from './scoreService.js';
import { READABLE_SCHEME } from './readableUri.js';

const BUCKETS: readonly ScoreBucket[] = ['high', 'mid', 'low', 'stale', 'unjudged'];
const COLOR: Record<ScoreBucket, { bg: string; fg: string }> = {
  high: { bg: 'rewardLens.scoreHighBackground', fg: 'rewardLens.scoreHighForeground' },
  mid: { bg: 'rewardLens.scoreMidBackground', fg: 'rewardLens.scoreMidForeground' },
  low: { bg: 'rewardLens.scoreLowBackground', fg: 'rewardLens.scoreLowForeground' },
  stale: { bg: 'rewardLens.scoreStaleBackground', fg: 'rewardLens.scoreStaleForeground' },
  unjudged: { bg: 'rewardLens.scoreStaleBackground', fg: 'rewardLens.scoreStaleForeground' },
};

/**
 * Paints step scores: one decoration type per bucket (created once) carrying the tint, a badge after each step
 * (per-decoration `after` text), and a gutter mark on each trace's first step under the threshold. Only visible
 * editors are painted; edits are debounced and results cached by document version.
 */
/** Lines above and below the visible ranges whose records are parsed with them (a short scroll needs no new parse). */
const SCREEN_MARGIN_LINES = 100;

/** Indices of the records on an editor's screen, give or take a margin. */
function onScreen(editor: vscode.TextEditor, records: { recordAt(offset: number): number | undefined }): number[] {
  const out: number[] = [];
  const last = editor.document.lineCount - 1;
  for (const r of editor.visibleRanges) {
    const from = records.recordAt(editor.document.offsetAt(new vscode.Position(Math.max(0, r.start.line - SCREEN_MARGIN_LINES), 0)));
    const to = records.recordAt(editor.document.offsetAt(new vscode.Position(Math.min(last, r.end.line + SCREEN_MARGIN_LINES), 0)));
    if (from === undefined || to === undefined) continue;
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

/** Rewrites a document's decoration specs before they are painted; returns them unchanged for documents it does not own. */
export type SpecsTransform = (uri: vscode.Uri, specs: readonly DecorationSpec[]) => readonly DecorationSpec[];

export class Decorator implements vscode.Disposable {
  private readonly types: Record<ScoreBucket, vscode.TextEditorDecorationType>;
  private readonly gutter: vscode.TextEditorDecorationType;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly lastSpecs = new Map<string, { version: number; specs: readonly DecorationSpec[] }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly applied = new vscode.EventEmitter<{ readonly uri: vscode.Uri; readonly specs: readonly DecorationSpec[] }>();
  private transform: SpecsTransform | undefined;
  /** Fires after specs are applied to an editor (the test hook and navigation read them). */
  readonly onDidApply = this.applied.event;

  constructor(
    private readonly index: DocumentIndex,
    private readonly scores: ScoreService,
    private settings: Settings,
    media: vscode.Uri,
  ) {
    const make = (b: ScoreBucket): vscode.TextEditorDecorationType =>
      vscode.window.createTextEditorDecorationType({
        backgroundColor: new vscode.ThemeColor(COLOR[b].bg),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
        after: { margin: '0 0 0 0.6em', color: new vscode.ThemeColor(COLOR[b].fg), fontWeight: 'bold' },
      });
    this.types = { high: make('high'), mid: make('mid'), low: make('low'), stale: make('stale'), unjudged: make('unjudged') };
    this.gutter = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(media, 'first-error.svg'),
      gutterIconSize: 'contain',
      overviewRulerColor: new vscode.ThemeColor('rewardLens.firstErrorRuler'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    });
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (vscode.window.visibleTextEditors.some((ed) => ed.document === e.document)) this.schedule(300);
      }),
      scores.onDidChangeScores(() => this.schedule(50)),
      // Records scrolled into view may match stored scores by text (see `paint`).
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        const uri = e.textEditor.document.uri;
        if (this.scores.store(uri).hasAny || this.scores.comparison(uri) !== undefined) this.schedule(100);
      }),
    );
    this.schedule(0);
  }

  updateSettings(s: Settings): void {
    this.settings = s;
    this.lastSpecs.clear();
    this.schedule(0);
  }

  /** Lets an adapter rewrite a document's specs before they are painted (what-if views add each step's change). */
  setSpecsTransform(transform: SpecsTransform): vscode.Disposable {
    this.transform = transform;
    this.schedule(0);
    return new vscode.Disposable(() => {
      if (this.transform === transform) this.transform = undefined;
    });
  }

  /** The specs last applied to a document (tests and the side bar read them). */
  specsFor(uri: vscode.Uri): readonly DecorationSpec[] {
    return this.lastSpecs.get(uri.toString())?.specs ?? [];
  }

  /** Repaints visible editors after `ms` (coalescing bursts of edits and progress events). */
  schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.paintVisible();
    }, ms);
  }

  private paintVisible(): void {
    for (const editor of vscode.window.visibleTextEditors) this.paint(editor);
  }

  private paint(editor: vscode.TextEditor): void {
    const doc = this.index.get(editor.document);
    if (!doc || !doc.isDataset) return;
    const store = this.scores.store(doc.uri);
    // While comparing ("Compare With…"), badges read `A | B` and steps only the compared run scored paint too.
    const compared = this.scores.comparison(doc.uri)?.scores;
    const records = doc.records;
    // Only records with stored results can paint: others stay unparsed (an unscored file paints without a parse).
    // A scored text can also sit under another id (fallback `#n` ids move when a line is inserted above): the records
    // on screen are parsed too, so what the user looks at is always matched by text.
    const wanted = new Set<number>();
    for (let i = 0; i < records.count; i++) {
      const id = records.recordId(i);
      if (records.eager || (id !== undefined && (store.hasResultsFor(id) || compared?.hasResultsFor(id) === true))) wanted.add(i);
    }
    if ((store.hasAny || compared !== undefined) && !records.eager) for (const i of onScreen(editor, records)) wanted.add(i);
    const candidates = [...wanted].sort((a, b) => a - b);
    const computed =
      candidates.length === 0
        ? []
        : decorationSpecsOf(
            candidates,
            (i) => records.record(i),
            (i) => {
              const r = records.record(i);
              return r ? store.lookup(r) : undefined;
            },
            doc.lines,
            { threshold: this.settings.threshold, high: this.settings.highThreshold },
            compared === undefined
              ? undefined
              : (i) => {
                  const r = records.record(i);
                  return r ? compared.lookup(r) : undefined;
                },
          );
    const specs = this.transform?.(doc.uri, computed) ?? computed;
    const byBucket: Record<ScoreBucket, vscode.DecorationOptions[]> = { high: [], mid: [], low: [], stale: [], unjudged: [] };
    const gutter: vscode.DecorationOptions[] = [];
    const onHeadings = editor.document.uri.scheme === READABLE_SCHEME;
    for (const s of specs) {
      const range = new vscode.Range(s.startLine, s.startChar, s.endLine, s.endChar);
      const badge: vscode.DecorationInstanceRenderOptions = { after: { contentText: ` ${s.badge} ` } };
      if (onHeadings && s.startLine > 0) {
        // A readable view puts each step under a heading line: badges line up there, beside the dataset's label,
        // instead of trailing wrapped text (where the editor does not wrap them and they can run off screen).
        const heading = editor.document.lineAt(s.startLine - 1).range.end;
        byBucket[s.bucket].push({ range }, { range: new vscode.Range(heading, heading), renderOptions: badge });
      } else byBucket[s.bucket].push({ range, renderOptions: badge });
      if (s.firstError) gutter.push({ range: new vscode.Range(s.startLine, s.startChar, s.startLine, s.startChar) });
    }
    for (const b of BUCKETS) editor.setDecorations(this.types[b], byBucket[b]);
    editor.setDecorations(this.gutter, gutter);
    this.lastSpecs.set(doc.uri.toString(), { version: doc.version, specs });
    this.applied.fire({ uri: doc.uri, specs });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.applied.dispose();
    for (const b of BUCKETS) this.types[b].dispose();
    this.gutter.dispose();
  }
}
