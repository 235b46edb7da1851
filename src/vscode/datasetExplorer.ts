import { statSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { buildExplorerView, compileFilterText, toExplorerRow, type RowScore } from '../core/dataset/explorerView.js';
import type { DatasetRecord } from '../core/dataset/types.js';
import { assembleScored, type ScoredRecord } from '../core/scoring/scoreRecords.js';
import { runsOf } from '../core/dataset/slicing.js';
import { DatasetError } from '../data/datasetError.js';
import type { DatasetSource } from '../data/datasetSource.js';
import { openDatasetSource, type OpenedSource } from '../data/openDatasetSource.js';
import { EXPLORER_PROTOCOL_VERSION, type ExplorerQuery, type ExplorerStatus, type FromExplorer, type ToExplorer } from '../protocol/explorerMessages.js';
import type { Settings } from './config.js';
import { openReadableRecord, type ReadableDocuments } from './readableDocuments.js';
import type { ScoreService } from './scoreService.js';
import { buildWebviewHtml, makeNonce } from './webviewHtml.js';

/** The custom editor for JSON Lines / JSON files (offered through "Open With…" and for files too big to open as text). */
export const EXPLORER_VIEW_TYPE = 'rewardLens.datasetExplorer';
/** The same editor as the default for Parquet files, which have no text view. */
export const PARQUET_VIEW_TYPE = 'rewardLens.parquetExplorer';
/** VS Code gives extensions no text document above this size ("Files above 50MB cannot be synchronized"). */
export const TEXT_EDITOR_LIMIT_BYTES = 50 * 1024 * 1024;

const DEFAULT_QUERY: ExplorerQuery = { sort: { column: 'position', descending: false }, filter: {} };
/** Rows read per step of a full-text search (between steps the host thread is free). */
const SEARCH_BATCH = 512;

export interface ExplorerDeps {
  readonly extensionUri: vscode.Uri;
  readonly storageDir: vscode.Uri;
  readonly scores: ScoreService;
  readonly settings: () => Settings;
  readonly log: vscode.LogOutputChannel;
}

/** One opened data file: its row source (shared by every panel showing it) and the model's scores per row. */
class ExplorerDocument implements vscode.CustomDocument {
  source: DatasetSource | undefined;
  failure: string | undefined;
  progress = 0;
  /** Per row: what the current model's stored scores say (`null` = looked, none). */
  readonly rowScores = new Map<number, RowScore | null>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  ready: Promise<OpenedSource | undefined>;
  /** The parse options the source was opened with (a change of format, mapping or segmentation reopens it). */
  private optionsKey = '';

  constructor(
    readonly uri: vscode.Uri,
    private readonly deps: ExplorerDeps,
  ) {
    this.ready = this.open();
  }

  /** Opens (or, after a settings change, reopens) the row source with the current parse options. */
  private open(): Promise<OpenedSource | undefined> {
    const deps = this.deps;
    const uri = this.uri;
    const options = deps.settings().parse;
    this.optionsKey = JSON.stringify(options);
    let lastFire = 0;
    return openDatasetSource(uri.fsPath, {
      options,
      cacheDir: deps.storageDir.fsPath,
      onProgress: (p) => {
        this.progress = p.fraction;
        // Rows arrive in batches many times a second: repaint at most ~6 times a second, and at the end.
        if (p.complete || Date.now() - lastFire > 150) {
          lastFire = Date.now();
          this.changed.fire();
        }
      },
    }).then(
      (opened) => {
        this.source = opened.source;
        void opened.complete.then(() => {
          this.changed.fire();
          if (opened.source.format === 'unknown') void this.offerMapping(opened.source);
        });
        void this.prefillLogged().catch((err: unknown) => deps.log.warn(`Dataset Explorer: reading earlier scores: ${(err as Error).message}`));
        this.changed.fire();
        return opened;
      },
      (err: unknown) => {
        this.failure = err instanceof DatasetError ? err.message : `${basename(uri.fsPath)}: ${(err as Error).message}`;
        deps.log.error(`Dataset Explorer: ${this.failure}`);
        this.changed.fire();
        return undefined;
      },
    );
  }

  /** Settings changed: a source read with other parse options is read again (its rows may be other records). */
  reopenIfOptionsChanged(): void {
    if (JSON.stringify(this.deps.settings().parse) === this.optionsKey) return;
    const old = this.source;
    this.source = undefined;
    this.failure = undefined;
    this.rowScores.clear();
    void old?.close();
    this.ready = this.open();
    this.changed.fire();
  }

  /** A file in no known format: its problem names the keys or columns; offer the key mapping setting. */
  private async offerMapping(source: DatasetSource): Promise<void> {
    const message = source.problems.find((p) => /Unrecognised record format/.test(p.message))?.message ?? `${basename(this.uri.fsPath)} is in no known format.`;
    const pick = await vscode.window.showWarningMessage(`Reward Lens: ${basename(this.uri.fsPath)}: ${message}`, 'Set Key Mapping');
    if (pick === 'Set Key Mapping') await vscode.commands.executeCommand('workbench.action.openSettings', 'rewardLens.mapping');
  }

  /** Runs of this file's Score All in progress: their rows' scores arrive through `onRows`, not lookups. */
  scoringRuns = 0;

  /** Fills the row-score cache for rows not looked at yet: reads their records and asks the file's score store. */
  async lookUpScores(positions: readonly number[]): Promise<void> {
    const s = this.source;
    const missing = positions.filter((p) => !this.rowScores.has(p));
    if (s === undefined || missing.length === 0) return;
    const settings = this.deps.settings();
    const wanted = new Set(missing);
    const lo = Math.min(...missing);
    const hi = Math.max(...missing) + 1;
    const rows = hi - lo <= 4 * missing.length ? await s.readRows(lo, hi) : (await Promise.all(missing.map((p) => s.readRows(p, p + 1)))).flat();
    for (const row of rows) {
      if (!wanted.has(row.position)) continue;
      const first = row.records[0];
      const found = first && this.deps.scores.lookup(this.uri, first);
      if (first === undefined || found === undefined || found.stale) {
        this.rowScores.set(row.position, null);
        continue;
      }
      const scored = assembleScored(first, found.results, { threshold: settings.threshold, aggregation: settings.aggregation, batchSize: 1 });
      this.rowScores.set(row.position, rowScoreOf(scored, s.summary(row.position).labelledFirstError));
    }
  }

  /**
   * Looks up every row the score log has for the current model, once the index is complete, so sorting and
   * filtering by score cover an earlier run's rows, not only the rows on screen.
   */
  async prefillLogged(): Promise<void> {
    await this.ready;
    await this.source?.done;
    const logged = this.deps.scores.loggedRows(this.uri).filter((p) => p < (this.source?.rowCount ?? 0));
    for (const run of runsOf(logged, 512)) await this.lookUpScores(Array.from({ length: run.end - run.start }, (_, k) => run.start + k));
    if (logged.length > 0) this.changed.fire();
  }

  /** The row's records, read on demand. */
  async recordsAt(position: number): Promise<readonly DatasetRecord[]> {
    await this.ready;
    if (this.source === undefined || position >= this.source.rowCount) return [];
    return (await this.source.readRows(position, position + 1))[0]?.records ?? [];
  }

  fireChanged(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    void this.source?.close();
  }
}

/** What a model's scores say of one row, from its scored records (the first record speaks for the row). */
export function rowScoreOf(scored: ScoredRecord, labelledFirstError: number | null | undefined): RowScore {
  if (scored.kind === 'preference') {
    return { ...(scored.margin !== null ? { score: scored.margin } : {}), ...(scored.agreesWithLabel !== null ? { agrees: scored.agreesWithLabel } : {}) };
  }
  const agrees = labelledFirstError !== undefined ? scored.firstError === labelledFirstError : scored.record.correct !== undefined ? (scored.firstError === null) === scored.record.correct : undefined;
  return { ...(scored.score !== undefined ? { score: scored.score } : {}), firstError: scored.firstError, ...(agrees !== undefined ? { agrees } : {}) };
}

/**
 * The Dataset Explorer: a read-only custom editor over a data file of any size. The host keeps the row index (built
 * off-thread) and the scores; the webview is a window of rows that asks for the ones it shows.
 */
export class DatasetExplorerProvider implements vscode.CustomReadonlyEditorProvider<ExplorerDocument> {
  private readonly documents = new Map<string, ExplorerDocument>();
  /** Files the Explorer was offered for while their text tab stays open (offered once, not on every tab event). */
  private readonly offered = new Set<string>();

  constructor(private readonly deps: ExplorerDeps) {}

  /** Registers both view types, the readable-view resolver for rows, the command and the big-file offer. */
  register(readable: ReadableDocuments): vscode.Disposable {
    const options = { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true };
    const registered = vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(EXPLORER_VIEW_TYPE, this, options),
      vscode.window.registerCustomEditorProvider(PARQUET_VIEW_TYPE, this, options),
      readable.registerResolver({
        resolve: async (source, ref) => {
          if (!('row' in ref)) return undefined;
          const doc = this.documents.get(source.toString());
          return doc === undefined ? undefined : (await doc.recordsAt(ref.row))[0];
        },
        formatOf: (source) => this.documents.get(source.toString())?.source?.format,
      }),
      vscode.commands.registerCommand('rewardLens.openDatasetExplorer', (uri?: vscode.Uri) => this.openCommand(uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // After the extension's own settings listener has read the new values.
        if (e.affectsConfiguration('rewardLens')) setTimeout(() => this.documents.forEach((doc) => doc.reopenIfOptionsChanged()), 0);
      }),
      // A preview tab replaced by another file is "changed", not "opened"; tabs open before activation are checked once.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of [...e.opened, ...e.changed]) void this.offerForLargeFile(tab);
        for (const tab of e.closed) if (tab.input instanceof vscode.TabInputText) this.offered.delete(tab.input.uri.toString());
      }),
    );
    for (const group of vscode.window.tabGroups.all) for (const tab of group.tabs) void this.offerForLargeFile(tab);
    return registered;
  }

  private async openCommand(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const pick = target ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Datasets: ['jsonl', 'json', 'ndjson', 'parquet', 'gz'] } }))?.[0];
    if (pick === undefined) return;
    await vscode.commands.executeCommand('vscode.openWith', pick, /\.parquet$/i.test(pick.fsPath) ? PARQUET_VIEW_TYPE : EXPLORER_VIEW_TYPE);
  }

  /** A data file too big for the text editor gets no TextDocument (and no API says so): offer the Explorer instead. */
  private async offerForLargeFile(tab: vscode.Tab): Promise<void> {
    if (!(tab.input instanceof vscode.TabInputText)) return;
    const uri = tab.input.uri;
    if (uri.scheme !== 'file' || !/\.(jsonl|ndjson|json|jsonl\.gz)$/i.test(uri.fsPath) || this.offered.has(uri.toString())) return;
    let size: number;
    try {
      size = statSync(uri.fsPath).size;
    } catch {
      return;
    }
    if (size <= TEXT_EDITOR_LIMIT_BYTES && !/\.gz$/i.test(uri.fsPath)) return;
    this.offered.add(uri.toString());
    const why = /\.gz$/i.test(uri.fsPath) ? 'is compressed' : `is ${(size / 1024 / 1024).toFixed(0)} MB, too large for the text editor`;
    const open = 'Open in Dataset Explorer';
    if ((await vscode.window.showInformationMessage(`Reward Lens: ${basename(uri.fsPath)} ${why}. Open it in the Dataset Explorer?`, open)) === open) {
      await vscode.commands.executeCommand('vscode.openWith', uri, EXPLORER_VIEW_TYPE);
    }
  }

  openCustomDocument(uri: vscode.Uri): ExplorerDocument {
    const doc = new ExplorerDocument(uri, this.deps);
    this.documents.set(uri.toString(), doc);
    return doc;
  }

  resolveCustomEditor(document: ExplorerDocument, panel: vscode.WebviewPanel): void {
    new ExplorerSession(document, panel, this.deps, () => {
      if (this.documents.get(document.uri.toString()) === document) this.documents.delete(document.uri.toString());
    });
  }
}

/** One panel showing a document: its query, its view and the rows it asked for. */
class ExplorerSession {
  private query: ExplorerQuery = DEFAULT_QUERY;
  private queryId = 0;
  private positions: Int32Array = new Int32Array(0);
  private search: { text: string; regex: boolean; matches: Uint8Array; done: boolean; cancelled: boolean } | undefined;
  private scoring: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private rebuildTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly doc: ExplorerDocument,
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: ExplorerDeps,
    onClosed: () => void,
  ) {
    const webview = panel.webview;
    const media = vscode.Uri.joinPath(deps.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    const asUri = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, ...p)).toString();
    webview.html = buildWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      title: 'Reward Lens Dataset Explorer',
      scriptUri: asUri('dist', 'explorer.js'),
      styleUris: [asUri('media', 'webview.css'), asUri('media', 'explorer.css')],
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => void this.handle(raw as FromExplorer).catch((err: unknown) => deps.log.error(`Dataset Explorer: ${(err as Error).stack ?? String(err)}`))),
      doc.onDidChange(() => this.scheduleRebuild()),
      deps.scores.onDidChangeScores((u) => {
        if (u.toString() !== doc.uri.toString()) return;
        // During this file's Score All, scores arrive with their rows: forget only rows looked at and found unscored.
        // Otherwise (a rescore in a readable view, Clear Scores, another model) every row is looked up again.
        if (doc.scoringRuns > 0) {
          for (const [p, v] of doc.rowScores) if (v === null) doc.rowScores.delete(p);
        } else doc.rowScores.clear();
        this.scheduleRebuild();
      }),
      panel.onDidDispose(() => {
        this.scoring?.abort();
        if (this.search) this.search.cancelled = true;
        for (const d of this.disposables) d.dispose();
        onClosed();
      }),
    );
  }

  private post(msg: ToExplorer): void {
    void this.panel.webview.postMessage(msg);
  }

  private scheduleRebuild(): void {
    if (this.rebuildTimer !== undefined) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = undefined;
      this.rebuild();
    }, 100);
  }

  private status(): ExplorerStatus {
    const s = this.doc.source;
    const settings = this.deps.settings();
    let scored = 0;
    for (const v of this.doc.rowScores.values()) if (v !== null) scored++;
    const problems = s?.problems ?? [];
    return {
      fileName: basename(this.doc.uri.fsPath),
      container: s?.container ?? (/\.parquet$/i.test(this.doc.uri.fsPath) ? 'parquet' : 'jsonl'),
      format: s?.format ?? 'pending',
      rows: s?.rowCount ?? 0,
      complete: s?.complete ?? false,
      progress: s?.complete === true ? 1 : this.doc.progress,
      problemCount: problems.length,
      problems: problems.slice(0, 5).map((p) => (s?.container === 'parquet' ? p.message : `line ${p.line}, column ${p.column}: ${p.message}`)),
      labels: s?.distinctLabels?.() ?? [],
      subsets: s?.distinctSubsets?.() ?? [],
      model: this.deps.scores.status.model,
      scored,
      threshold: settings.threshold,
    };
  }

  private rebuild(): void {
    if (this.doc.failure !== undefined) {
      this.post({ type: 'error', message: this.doc.failure });
      return;
    }
    const s = this.doc.source;
    this.post({ type: 'status', status: this.status() });
    if (s === undefined) return;
    const search = this.search;
    const view = buildExplorerView(
      {
        count: s.rowCount,
        summaryAt: (p) => s.summary(p),
        scoreAt: (p) => this.doc.rowScores.get(p) ?? undefined,
        ...(search !== undefined && search.done ? { textMatch: (p: number) => search.matches[p] === 1 } : {}),
      },
      this.query,
    );
    this.positions = view.positions;
    if (view.filterError !== undefined) this.post({ type: 'error', message: view.filterError });
    this.post({ type: 'view', total: this.positions.length, queryId: this.queryId, searching: search !== undefined && !search.done });
  }

  private async handle(msg: FromExplorer): Promise<void> {
    switch (msg.type) {
      case 'ready':
        if (msg.version !== EXPLORER_PROTOCOL_VERSION) this.deps.log.warn(`Dataset Explorer: webview protocol ${msg.version}, host ${EXPLORER_PROTOCOL_VERSION}.`);
        await this.doc.ready;
        this.rebuild();
        break;
      case 'query':
        this.query = msg.query;
        this.queryId = msg.queryId;
        this.startSearch();
        this.rebuild();
        break;
      case 'rows':
        await this.sendRows(msg.requestId, msg.start, msg.end);
        break;
      case 'open':
        await this.open(msg.position);
        break;
      case 'score':
        await this.score(msg.positions);
        break;
      case 'cancelScoring':
        this.scoring?.abort();
        break;
    }
  }

  /** Rows of the current view, with the scores stored for them (read from the file for rows not yet looked at). */
  private async sendRows(requestId: number, start: number, end: number): Promise<void> {
    const s = this.doc.source;
    if (s === undefined) return;
    const queryId = this.queryId;
    const positions = Array.from(this.positions.subarray(Math.max(0, start), Math.min(end, this.positions.length)));
    await this.doc.lookUpScores(positions);
    if (queryId !== this.queryId) return;
    const rows = positions.map((p) => toExplorerRow(s.summary(p), this.doc.rowScores.get(p) ?? undefined));
    this.post({ type: 'rows', requestId, queryId, start, rows });
  }

  /** Full-text search of prompts and steps, over the whole file in batches; the view narrows when it is done. */
  private startSearch(): void {
    const f = this.query.filter;
    if (this.search) this.search.cancelled = true;
    this.search = undefined;
    const s = this.doc.source;
    if (s === undefined || f.text === undefined || f.text === '') return;
    const compiled = compileFilterText(f.text, f.regex === true);
    if (!compiled.ok) return;
    const job = { text: f.text, regex: f.regex === true, matches: new Uint8Array(s.rowCount), done: false, cancelled: false };
    this.search = job;
    void (async () => {
      for (let at = 0; at < job.matches.length && !job.cancelled; at += SEARCH_BATCH) {
        const rows = await s.readRows(at, Math.min(job.matches.length, at + SEARCH_BATCH));
        for (const row of rows) if (row.records.some((r) => textsOf(r).some(compiled.test))) job.matches[row.position] = 1;
      }
      if (job.cancelled) return;
      job.done = true;
      this.rebuild();
    })().catch((err: unknown) => this.deps.log.error(`Dataset Explorer search: ${(err as Error).message}`));
  }

  private async open(position: number): Promise<void> {
    const s = this.doc.source;
    if (s === undefined || position >= s.rowCount) return;
    const summary = s.summary(position);
    await openReadableRecord(this.doc.uri, { row: position }, summary.id || `row ${position + 1}`);
  }

  /** Scores the given rows, or the whole current view, streaming batches into the score log with progress. */
  private async score(requested: readonly number[] | undefined): Promise<void> {
    const s = this.doc.source;
    if (s === undefined || this.scoring !== undefined) return;
    const positions = [...(requested ?? Array.from(this.positions))].sort((a, b) => a - b);
    const controller = new AbortController();
    this.scoring = controller;
    let done = 0;
    this.post({ type: 'scoring', state: 'running', done: 0, total: positions.length });
    this.doc.scoringRuns++;
    try {
      await this.deps.scores.scoreRows(this.doc.uri, s, positions, {
        signal: controller.signal,
        onRows: (rows) => {
          for (const row of rows) {
            const first = row.scored[0];
            if (first !== undefined) this.doc.rowScores.set(row.position, rowScoreOf(first, s.summary(row.position).labelledFirstError));
          }
          this.scheduleRebuild();
        },
        onProgress: (p) => {
          done = p.done;
          this.post({ type: 'scoring', state: 'running', done: p.done, total: p.total, rate: p.rate, ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}) });
        },
      });
      this.post({ type: 'scoring', state: 'done', done: positions.length, total: positions.length });
    } catch (err) {
      const cancelled = (err as Error).name === 'AbortError';
      this.post({ type: 'scoring', state: cancelled ? 'cancelled' : 'failed', done, total: positions.length, ...(cancelled ? {} : { message: (err as Error).message }) });
    } finally {
      this.doc.scoringRuns--;
      this.scoring = undefined;
      this.rebuild();
    }
  }
}

/** The texts a full-text search looks at: the prompt and every step of every response. */
function textsOf(r: DatasetRecord): string[] {
  return r.kind === 'trace' ? [r.prompt, ...r.steps.map((s) => s.text)] : [r.prompt, ...r.responses.flatMap((x) => x.steps.map((s) => s.text))];
}
