import { basename } from 'node:path';
import * as vscode from 'vscode';
import { guardedCommand } from './guardedCommand.js';
import { runsOf } from '../core/dataset/slicing.js';
import type { DatasetRecord } from '../core/dataset/types.js';
import { compareView, dashboardView, runRowOfScored } from '../core/report/dashboardView.js';
import { assembleScored, type ScoredRecord, type ScoringSettings } from '../core/scoring/scoreRecords.js';
import { DatasetError } from '../data/datasetError.js';
import type { DatasetSource, SourceRow } from '../data/datasetSource.js';
import { DATASET_FILE, openDatasetSource } from '../data/openDatasetSource.js';
import { probesView } from '../core/probes/probesView.js';
import { runProbes } from '../core/probes/runProbes.js';
import { DASHBOARD_PROTOCOL_VERSION, type CompareView, type ProbesView, type DashboardToHost, type HostToDashboard, type OpenTarget } from '../protocol/dashboardMessages.js';
import type { Settings } from './config.js';
import { EXPLORER_VIEW_TYPE, PARQUET_VIEW_TYPE, TEXT_EDITOR_LIMIT_BYTES } from './datasetExplorer.js';
import type { DocumentIndex } from './documentIndex.js';
import { openReadableRecord, type ReadableDocuments } from './readableDocuments.js';
import { parseReadableUri } from './readableUri.js';
import type { ScoreService } from './scoreService.js';
import { buildWebviewHtml, makeNonce } from './webviewHtml.js';

/** Rows read per step while the figures are gathered (between steps the host thread is free). */
const READ_BATCH = 1000;
/** Waits this long after the last score change from elsewhere before gathering the figures again. */
const REFRESH_MS = 1000;

/** Every row of a source, read READ_BATCH at a time (between batches the host thread is free). */
async function* allRows(source: DatasetSource, signal?: AbortSignal): AsyncGenerator<SourceRow> {
  for (const run of runsOf(Array.from({ length: source.rowCount }, (_, i) => i), READ_BATCH)) yield* await source.readRows(run.start, run.end, signal);
}

export interface DashboardDeps {
  readonly extensionUri: vscode.Uri;
  readonly storageDir: vscode.Uri;
  readonly scores: ScoreService;
  readonly index: DocumentIndex;
  readonly readable: ReadableDocuments;
  readonly settings: () => Settings;
  readonly log: vscode.LogOutputChannel;
}

/** Where a figure's record lives: its row in the file and its place among the row's records. */
interface RecordRef {
  readonly row: number;
  readonly inRow: number;
  readonly id: string;
  readonly kind: DatasetRecord['kind'];
  /** Offset of the record in the file text (JSON text files), to find it in the text editor. */
  readonly offset?: number;
}

/** The data file a command is about: its argument, else the active editor's (a readable view's source), else the active Explorer tab's. */
function targetFile(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return parseReadableUri(arg)?.source ?? arg;
  const editor = vscode.window.activeTextEditor;
  if (editor !== undefined) return parseReadableUri(editor.document.uri)?.source ?? editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && (input.viewType === EXPLORER_VIEW_TYPE || input.viewType === PARQUET_VIEW_TYPE)) return input.uri;
  return undefined;
}

/** Registers "Evaluate Dataset" and "Open Dataset Dashboard": one dashboard panel per data file. */
export function registerDashboard(deps: DashboardDeps): vscode.Disposable {
  const sessions = new Map<string, DashboardSession>();
  const run = async (arg: unknown, evaluate: boolean): Promise<void> => {
    const uri = targetFile(arg);
    if (uri === undefined || uri.scheme !== 'file' || !DATASET_FILE.test(uri.fsPath)) {
      void vscode.window.showInformationMessage('Reward Lens: open a dataset file (.jsonl, .json, .jsonl.gz or .parquet, saved on disk) to evaluate it.');
      return;
    }
    const dirty = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && d.isDirty);
    if (dirty !== undefined) void vscode.window.showWarningMessage(`Reward Lens: ${basename(uri.fsPath)} has unsaved changes; the dashboard evaluates the file as saved on disk.`);
    let session = sessions.get(uri.toString());
    if (session === undefined) {
      const created = new DashboardSession(uri, deps, () => sessions.delete(uri.toString()));
      sessions.set(uri.toString(), created);
      session = created;
    } else session.reveal();
    if (evaluate) await session.evaluate();
    else await session.refresh();
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('rewardLens.evaluateDataset', guardedCommand(deps.log, 'rewardLens.evaluateDataset', (arg?: unknown) => run(arg, true))),
    vscode.commands.registerCommand('rewardLens.openDashboard', guardedCommand(deps.log, 'rewardLens.openDashboard', (arg?: unknown) => run(arg, false))),
    { dispose: () => [...sessions.values()].forEach((s) => s.dispose()) },
  );
}

/** One dashboard panel over one data file. */
class DashboardSession {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private source: Promise<DatasetSource> | undefined;
  private ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private scoring: AbortController | undefined;
  /** The records behind the figures shown, by the number `open` messages name. */
  private refs: RecordRef[] = [];
  private disposed = false;
  private format: string | undefined;
  /** The last probe run's sensitivity table, shown until the panel closes. */
  private probes: ProbesView | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly uri: vscode.Uri,
    private readonly deps: DashboardDeps,
    private readonly onClosed: () => void,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    const media = vscode.Uri.joinPath(deps.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel('rewardLens.dashboard', `Dashboard: ${basename(uri.fsPath)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [dist, media],
    });
    const webview = this.panel.webview;
    const asUri = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, ...p)).toString();
    webview.html = buildWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      title: 'Reward Lens Dashboard',
      scriptUri: asUri('dist', 'dashboard.js'),
      styleUris: [asUri('media', 'webview.css'), asUri('media', 'dashboard.css')],
    });
    this.disposables.push(
      // Rows of this file open as readable records through this panel's source (the Explorer answers for its own).
      deps.readable.registerResolver({
        resolve: async (source, ref) => {
          if (!('row' in ref) || source.toString() !== uri.toString() || this.source === undefined) return undefined;
          const rows = await (await this.source).readRows(ref.row, ref.row + 1);
          return rows[0]?.records[0];
        },
        formatOf: () => this.format,
      }),
      webview.onDidReceiveMessage((raw: unknown) => void this.handle(raw).catch((err: unknown) => this.fail(err))),
      this.panel.onDidDispose(() => this.dispose()),
      // Scores made elsewhere (the editor, the Explorer, Clear Scores, another model chosen) redraw the figures.
      deps.scores.onDidChangeScores((changed) => {
        if (changed.toString() !== uri.toString() || this.scoring !== undefined) return;
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => void this.refresh().catch((err: unknown) => this.fail(err)), REFRESH_MS);
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: HostToDashboard): void {
    if (!this.disposed) void this.panel.webview.postMessage({ ...message, version: DASHBOARD_PROTOCOL_VERSION });
  }

  private fail(err: unknown): void {
    const message = err instanceof DatasetError ? err.message : (err as Error).message;
    this.deps.log.error(`Dashboard of ${this.uri.fsPath}: ${(err as Error).stack ?? String(err)}`);
    void vscode.window.showErrorMessage(`Reward Lens: ${message}`);
  }

  private async handle(raw: unknown): Promise<void> {
    if (typeof raw !== 'object' || raw === null) return;
    const m = raw as DashboardToHost;
    switch (m.type) {
      case 'ready':
        this.markReady();
        return;
      case 'evaluate':
        return this.evaluate();
      case 'cancel':
        this.scoring?.abort();
        return;
      // One comparison per data file, the editor's: its badges read A | B while the dashboard shows the two runs.
      case 'compare':
        await vscode.commands.executeCommand('rewardLens.compareWith', this.uri);
        return;
      case 'clearCompare':
        await vscode.commands.executeCommand('rewardLens.clearCompare', this.uri);
        return;
      case 'probe':
        return this.probe();
      case 'open':
        if (typeof m.record === 'number' && (m.target === 'record' || m.target === 'judgmentDiff' || m.target === 'traceTree')) return this.open(m.record, m.target);
        return;
    }
  }

  /** The file's row source, opened (and indexed to the end) once per panel. */
  private openSource(): Promise<DatasetSource> {
    this.source ??= (async () => {
      const opened = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reward Lens: indexing ${basename(this.uri.fsPath)}` }, async () => {
        const o = await openDatasetSource(this.uri.fsPath, { options: this.deps.settings().parse, cacheDir: this.deps.storageDir.fsPath });
        await o.complete;
        return o;
      });
      for (const p of opened.source.problems.slice(0, 20)) this.deps.log.warn(`${basename(this.uri.fsPath)}:${p.line + 1}:${p.column + 1}: ${p.message}`);
      this.format = opened.source.format;
      return opened.source;
    })();
    return this.source;
  }

  private scoring_(): ScoringSettings {
    const s = this.deps.settings();
    return { threshold: s.threshold, aggregation: s.aggregation, batchSize: 8 };
  }

  /**
   * One run (Evaluate, Probe) at a time: `work` reports progress here and in a cancellable notification titled
   * `title`; when it ends the panel says how (`stopped` names a cancelled or failed run) and the figures are redrawn.
   */
  private async runWithProgress(
    title: string,
    stopped: (err: Error) => string,
    work: (signal: AbortSignal, report: (done: number, total: number, perSecond: number, etaSeconds: number | null) => void) => Promise<string | undefined>,
  ): Promise<void> {
    if (this.scoring !== undefined) return;
    await this.ready;
    const controller = new AbortController();
    this.scoring = controller;
    let outcome: string | undefined;
    try {
      outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const sub = token.onCancellationRequested(() => controller.abort());
        let last = 0;
        try {
          return await work(controller.signal, (done, total, perSecond, etaSeconds) => {
            progress.report({ increment: ((done - last) / Math.max(1, total)) * 100, message: `${done}/${total} · ${perSecond.toFixed(1)}/s${etaSeconds !== null ? ` · ETA ${etaSeconds}s` : ''}` });
            last = done;
            this.post({ type: 'progress', done, total, perSecond, etaSeconds });
          });
        } finally {
          sub.dispose();
        }
      });
    } catch (err) {
      outcome = stopped(err as Error);
      if ((err as Error).name !== 'AbortError') this.deps.log.error(`Dashboard of ${this.uri.fsPath}: ${outcome}`);
    } finally {
      this.scoring = undefined;
      this.post({ type: 'progressEnd', ...(outcome !== undefined ? { message: outcome } : {}) });
    }
    await this.refresh();
  }

  /** Scores every row not scored yet (progress here and in a notification, cancellable), then shows the figures. */
  async evaluate(): Promise<void> {
    const source = await this.openSource();
    const positions = Array.from({ length: source.rowCount }, (_, i) => i);
    let done = 0;
    await this.runWithProgress(
      `Reward Lens: evaluating ${basename(this.uri.fsPath)}`,
      (err) =>
        err.name === 'AbortError'
          ? `Cancelled after ${done} of ${positions.length} rows; the figures cover the scored records.`
          : `Scoring stopped after ${done} of ${positions.length} rows: ${err.message}`,
      async (signal, report) => {
        await this.deps.scores.scoreRows(this.uri, source, positions, {
          signal,
          onRows: () => undefined,
          onProgress: (p) => {
            done = p.done;
            report(p.done, p.total, p.rate, p.etaSeconds !== undefined ? Math.ceil(p.etaSeconds) : null);
          },
        });
        return undefined;
      },
    );
  }

  /**
   * Runs the perturbation probes (src/core/probes/) on every trace of the file with the current scorer (progress
   * here and in a notification, cancellable), then shows their sensitivity table with the figures.
   */
  async probe(): Promise<void> {
    const source = await this.openSource();
    await this.runWithProgress(
      `Reward Lens: probing ${basename(this.uri.fsPath)}`,
      (err) => (err.name === 'AbortError' ? 'Probing cancelled; nothing was kept.' : `Probing stopped: ${err.message}`),
      async (signal, report) => {
        const traces: DatasetRecord[] = [];
        for await (const row of allRows(source, signal)) traces.push(...row.records.filter((r) => r.kind === 'trace'));
        if (traces.length === 0) return 'No traces to probe in this file (preference records are not probed).';
        const started = Date.now();
        const scorer = await this.deps.scores.openScorer();
        const result = await runProbes(traces, scorer, this.scoring_(), {
          signal,
          onProgress: (p) => {
            const perSecond = p.done / Math.max(0.001, (Date.now() - started) / 1000);
            report(p.done, p.total, perSecond, perSecond > 0 ? Math.ceil((p.total - p.done) / perSecond) : null);
          },
        });
        this.probes = probesView(scorer.id, result);
        return undefined;
      },
    );
  }

  /** Reads every record, looks up the current model's scores (and the compared run's), and shows the figures. */
  async refresh(): Promise<void> {
    await this.ready;
    const source = await this.openSource();
    const settings = this.scoring_();
    const store = this.deps.scores.store(this.uri);
    const comparison = this.deps.scores.comparison(this.uri);
    const scored: ScoredRecord[] = [];
    const compared: ScoredRecord[] = [];
    const refs: RecordRef[] = [];
    const comparedRefs: RecordRef[] = [];
    let records = 0;
    for await (const row of allRows(source)) {
      if (this.disposed) return;
      row.records.forEach((record, inRow) => {
        records++;
        const ref: RecordRef = { row: row.position, inRow, id: record.id, kind: record.kind, ...(source.container !== 'parquet' ? { offset: record.recordRange.start } : {}) };
        const results = store.current(record);
        if (results !== undefined) {
          scored.push(assembleScored(record, results, settings));
          refs.push(ref);
        }
        // Only the compared run's results for this very text (a stale one was made for an edited record).
        const theirs = comparison?.scores.lookup(record);
        if (theirs !== undefined && !theirs.stale) {
          compared.push(assembleScored(record, theirs.results, settings));
          comparedRefs.push(ref);
        }
      });
    }
    const file = basename(this.uri.fsPath);
    const view = dashboardView({ file, format: source.format, model: this.deps.scores.modelId, records, scored, refs: refs.map((_, i) => i) }, settings);
    let compare: CompareView | undefined;
    const all = [...refs];
    if (comparison !== undefined) {
      // Comparison refs continue after the scored records' own, so one `open` number space covers both lists.
      const byId = new Map<string, number>();
      refs.forEach((r, i) => byId.set(r.id, i));
      comparedRefs.forEach((r) => {
        if (!byId.has(r.id)) {
          byId.set(r.id, all.length);
          all.push(r);
        }
      });
      compare = compareView(this.deps.scores.status.model, comparison.name, scored.map((s) => runRowOfScored(s, file)), compared.map((s) => runRowOfScored(s, file)), { refOf: (_file, id) => byId.get(id) });
    }
    this.refs = all;
    this.post({ type: 'view', view: { ...view, ...(compare !== undefined ? { compare } : {}), ...(this.probes !== undefined ? { probes: this.probes } : {}) } });
  }

  /** Opens a figure's record: laid out as a readable record, or in the Judgment Diff or the Trace Tree. */
  private async open(n: number, target: OpenTarget): Promise<void> {
    const ref = this.refs[n];
    if (ref === undefined) return;
    const column = { viewColumn: vscode.ViewColumn.Beside, preview: true };
    const inText = ref.offset !== undefined ? await this.textRecord(ref.offset) : undefined;
    let uri: vscode.Uri;
    let recordIndex: number;
    if (inText !== undefined) {
      // A JSON text file the editor can hold: the record's own place, with every editor feature.
      if (target === 'record') {
        await openReadableRecord(this.uri, { record: inText }, ref.id, column);
        return;
      }
      uri = this.uri;
      recordIndex = inText;
    } else {
      // Parquet, or a file too big for the text editor: its row laid out through the row source.
      const editor = await openReadableRecord(this.uri, { row: ref.row }, ref.id || `row ${ref.row + 1}`, column);
      if (target === 'record') return;
      uri = editor.document.uri;
      recordIndex = 0;
    }
    await vscode.commands.executeCommand(target === 'judgmentDiff' ? 'rewardLens.openJudgmentDiff' : 'rewardLens.openTraceTree', { uri: uri.toString(), recordIndex });
  }

  /** The text editor's index of the record at `offset`, when the file is small enough for the text editor. */
  private async textRecord(offset: number): Promise<number | undefined> {
    if (/\.gz$/i.test(this.uri.fsPath)) return undefined;
    try {
      const stat = await vscode.workspace.fs.stat(this.uri);
      if (stat.size > TEXT_EDITOR_LIMIT_BYTES) return undefined;
      const document = await vscode.workspace.openTextDocument(this.uri);
      return this.deps.index.get(document)?.records.recordAt(offset);
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.refreshTimer);
    this.scoring?.abort();
    this.markReady();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    void this.source?.then((s) => s.close()).catch(() => undefined);
    this.onClosed();
  }
}
