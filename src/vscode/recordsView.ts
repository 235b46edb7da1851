import * as vscode from 'vscode';
import type { DatasetRecord } from '../core/dataset/types.js';
import type { RecordScores } from '../core/editor/scoreStore.js';
import { formatSparkline } from '../core/hover/sparkline.js';
import { aggregate } from '../core/scoring/aggregate.js';
import { preferenceMargin } from '../core/scoring/scoreRecords.js';
import { truncate } from '../core/text/escape.js';
import type { Settings } from './config.js';
import type { DocumentIndex } from './documentIndex.js';
import type { ScoreService } from './scoreService.js';

/** How the records list is ordered. */
export type RecordSort = 'position' | 'scoreAscending' | 'scoreDescending';

interface RecordItem {
  readonly uri: vscode.Uri;
  readonly index: number;
  readonly record: DatasetRecord;
  /** Trace score, or preference margin; undefined when unscored. */
  readonly score: number | undefined;
  readonly stale: boolean;
  /** While comparing ("Compare With…"): the compared run's score (undefined when it has none) and staleness. */
  readonly compared?: { readonly score: number | undefined; readonly stale: boolean };
  /** A scored trace's reward curve as Unicode bars (empty otherwise). */
  readonly curve: string;
}

/** Glyphs of a record's reward curve in the list (longer traces are downsampled, keeping the first error and the minimum). */
const RECORD_CURVE_GLYPHS = 24;

/** The side bar's list of the active file's records with their scores: sortable, filterable, click to reveal. */
export class RecordsView implements vscode.TreeDataProvider<RecordItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private sort: RecordSort = 'position';
  private filter = '';
  private onlyLow = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly view: vscode.TreeView<RecordItem>;

  constructor(
    private readonly index: DocumentIndex,
    private readonly scores: ScoreService,
    private settings: () => Settings,
  ) {
    this.view = vscode.window.createTreeView('rewardLens.records', { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(
      this.view,
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      scores.onDidChangeScores(() => this.refresh()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.refresh();
      }),
    );
  }

  refresh(): void {
    this.changed.fire();
    this.updateMessage();
  }

  setSort(sort: RecordSort): void {
    this.sort = sort;
    this.refresh();
  }

  setFilter(text: string, onlyLow: boolean): void {
    this.filter = text.trim().toLowerCase();
    this.onlyLow = onlyLow;
    void vscode.commands.executeCommand('setContext', 'rewardLens.recordsFiltered', this.filter !== '' || onlyLow);
    this.refresh();
  }

  get currentFilter(): { text: string; onlyLow: boolean } {
    return { text: this.filter, onlyLow: this.onlyLow };
  }

  private updateMessage(): void {
    const f = [this.filter && `"${this.filter}"`, this.onlyLow && `under ${this.settings().threshold}`].filter(Boolean).join(', ');
    this.view.message = f ? `Filtered: ${f}` : '';
  }

  getTreeItem(item: RecordItem): vscode.TreeItem {
    const r = item.record;
    const t = new vscode.TreeItem(r.id, vscode.TreeItemCollapsibleState.None);
    const s = this.settings();
    const what = r.kind === 'trace' ? `${r.steps.length} steps` : `${r.responses.length} responses`;
    const scoreText = item.score === undefined ? 'unscored' : `${r.kind === 'trace' ? '' : 'margin '}${item.score.toFixed(3)}${item.stale ? ' (stale)' : ''}`;
    const c = item.compared;
    // Comparing: `A | B`, as the badges read.
    const comparedText = c === undefined ? '' : ` | ${c.score === undefined ? '–' : `${c.score.toFixed(3)}${c.stale ? ' (stale)' : ''}`}`;
    t.description = `${scoreText}${item.curve === '' ? '' : ` ${item.curve}`}${comparedText} · ${what}`;
    t.tooltip = new vscode.MarkdownString().appendText(truncate(r.prompt || '(no prompt)', 400));
    const low = item.score !== undefined && (r.kind === 'trace' ? item.score < s.threshold : item.score <= 0);
    t.iconPath = new vscode.ThemeIcon(item.score === undefined ? 'circle-outline' : low ? 'error' : 'pass', new vscode.ThemeColor(item.score === undefined ? 'foreground' : low ? 'rewardLens.scoreLowForeground' : 'rewardLens.scoreHighForeground'));
    t.command = { command: 'rewardLens.revealRecord', title: 'Reveal', arguments: [{ uri: item.uri.toString(), recordIndex: item.index }] };
    t.contextValue = r.kind;
    return t;
  }

  getChildren(element?: RecordItem): RecordItem[] {
    if (element) return [];
    const editor = vscode.window.activeTextEditor;
    const doc = editor && this.index.get(editor.document);
    if (!doc || !doc.isDataset) return [];
    const s = this.settings();
    const store = this.scores.store(doc.uri);
    const compared = this.scores.comparison(doc.uri)?.scores;
    const scoreOf = (record: DatasetRecord, stored: RecordScores | undefined): number | undefined => {
      if (!stored) return undefined;
      const perResponse = stored.results.map((res) => res.sequenceScore ?? aggregate(res.steps.map((x) => x.score), s.aggregation));
      return record.kind === 'trace' ? perResponse[0] : (preferenceMargin(record, perResponse) ?? undefined);
    };
    let items: RecordItem[] = doc.records.all().map((record, index) => {
      const stored = store.lookup(record);
      const other = compared?.lookup(record);
      return {
        uri: doc.uri,
        index,
        record,
        score: scoreOf(record, stored),
        stale: stored?.stale ?? false,
        curve: record.kind === 'trace' && stored ? formatSparkline(stored.results[0]?.steps.map((x) => x.score) ?? [], s.threshold, RECORD_CURVE_GLYPHS) : '',
        ...(compared ? { compared: { score: scoreOf(record, other), stale: other?.stale ?? false } } : {}),
      };
    });
    if (this.filter) items = items.filter((i) => i.record.id.toLowerCase().includes(this.filter) || i.record.prompt.toLowerCase().includes(this.filter));
    if (this.onlyLow) items = items.filter((i) => i.score !== undefined && (i.record.kind === 'trace' ? i.score < s.threshold : i.score <= 0));
    if (this.sort !== 'position') {
      const dir = this.sort === 'scoreAscending' ? 1 : -1;
      items = [...items].sort((a, b) => (a.score === undefined ? 1 : b.score === undefined ? -1 : dir * (a.score - b.score)));
    }
    return items;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
