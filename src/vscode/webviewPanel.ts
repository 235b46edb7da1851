import * as vscode from 'vscode';
import type { StepRef } from '../core/tree/treeTypes.js';
import { refRange } from '../core/tree/buildStepTree.js';
import { isFromWebview } from '../protocol/guards.js';
import { PROTOCOL_VERSION, type FromWebview, type ToWebview, type ViewData } from '../protocol/messages.js';
import type { Settings } from './config.js';
import type { DocumentIndex, IndexedDocument } from './documentIndex.js';
import type { ScoreService } from './scoreService.js';
import { buildWebviewHtml, makeNonce } from './webviewHtml.js';

/** What every record panel needs from the extension. */
export interface PanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly index: DocumentIndex;
  readonly scores: ScoreService;
  readonly settings: () => Settings;
  readonly log: vscode.LogOutputChannel;
}

/** What makes a panel a Trace Tree or a Judgment Diff: its snapshot and what its Score button scores. */
export interface PanelContent {
  readonly viewType: string;
  /** Fixed panel title prefix, e.g. `Trace Tree`. */
  readonly title: string;
  /** The complete view of the record, or why there is none. */
  snapshot(doc: IndexedDocument, recordIndex: number): ViewData | { readonly unavailable: string };
  /** Record indices the Score button scores; `force` rescores records that already have current scores. */
  scoreTargets(doc: IndexedDocument, recordIndex: number): { readonly indices: readonly number[]; readonly force: boolean };
}

/** Waits this long after the last edit or score change before re-sending (scoring fires once per batch). */
const REFRESH_MS = 200;

/**
 * One webview panel showing one record of one document. Holds no model data of its own: every `ready` (first load, or
 * the panel becoming visible again, since `retainContextWhenHidden` is off) and every change gets a fresh snapshot.
 * The record is followed across edits by id.
 */
export class RecordPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private scoring = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private recordId: string | undefined;
  private disposed = false;

  constructor(
    private readonly deps: PanelDeps,
    private readonly content: PanelContent,
    readonly uri: vscode.Uri,
    private recordIndex: number,
    onDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(deps.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel(
      content.viewType,
      `${content.title}: ${uri.path.split('/').pop() ?? ''}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [dist, media], retainContextWhenHidden: false },
    );
    this.setHtml();
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (!isFromWebview(raw)) {
          deps.log.warn(`${content.title}: ignored a malformed webview message.`);
          return;
        }
        void this.handle(raw).catch((err: unknown) => deps.log.error(`${content.title}: ${(err as Error).stack ?? String(err)}`));
      }),
      deps.scores.onDidChangeScores((u) => {
        // Scores are the data file's: a panel opened from a readable view follows its source's.
        if (u.toString() === deps.scores.homeOf(uri).toString()) this.scheduleRefresh();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === uri.toString()) this.scheduleRefresh();
      }),
      this.panel.onDidChangeViewState(() => {
        // Hidden panels lose their page (retainContextWhenHidden is off); the new page says `ready` when shown.
        if (!this.panel.visible) this.ready = false;
      }),
      this.panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
  }

  /** Brings the panel to the front, now showing `recordIndex` (another record of the same tree, for example). */
  show(recordIndex: number): void {
    if (recordIndex !== this.recordIndex) {
      this.recordIndex = recordIndex;
      this.recordId = undefined;
      this.scheduleRefresh();
    }
    this.panel.reveal(undefined, false);
  }

  private setHtml(): void {
    const webview = this.panel.webview;
    const asUri = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...path)).toString();
    this.ready = false;
    webview.html = buildWebviewHtml({
      cspSource: webview.cspSource,
      scriptUri: asUri('dist', 'webview.js'),
      styleUris: [asUri('media', 'webview.css')],
      nonce: makeNonce(),
      title: this.content.title,
    });
  }

  private async handle(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        if (msg.version !== PROTOCOL_VERSION) {
          // A page from another build (reload after an update): start it over with this build's bundle.
          this.deps.log.info(`${this.content.title}: webview protocol ${msg.version} ≠ ${PROTOCOL_VERSION}; reloading it.`);
          this.setHtml();
          return;
        }
        this.ready = true;
        await this.send('init');
        return;
      case 'reveal':
        await this.reveal(msg.target);
        return;
      case 'score':
        await this.score();
        return;
      default:
        assertNever(msg);
    }
  }

  private post(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  /** The current parse of the document and the index of our record in it, or a reason why not. */
  private async resolve(): Promise<{ doc: IndexedDocument; recordIndex: number } | { unavailable: string }> {
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(this.uri);
    } catch (err) {
      return { unavailable: `The file ${this.uri.fsPath} cannot be opened: ${(err as Error).message}` };
    }
    const doc = this.deps.index.get(document);
    if (!doc) return { unavailable: 'Reward Lens cannot read this file (not a JSON / JSON Lines dataset, or too large).' };
    const records = doc.records;
    let index = this.recordIndex;
    if (this.recordId !== undefined && records.recordId(index) !== this.recordId) {
      // Edits above the record shift its index; follow it by id (ids need no parse), else stay at the same position.
      for (let i = 0; i < records.count; i++) {
        if (records.recordId(i) === this.recordId) {
          index = i;
          break;
        }
      }
    }
    const record = records.record(index);
    if (!record) return { unavailable: `Record ${this.recordIndex + 1} is no longer in the file.` };
    this.recordIndex = index;
    this.recordId = record.id;
    return { doc, recordIndex: index };
  }

  private async send(kind: 'init' | 'update'): Promise<void> {
    if (!this.ready || this.disposed) return;
    const r = await this.resolve();
    if ('unavailable' in r) {
      this.post({ type: 'unavailable', message: r.unavailable });
      return;
    }
    const view = this.content.snapshot(r.doc, r.recordIndex);
    if ('unavailable' in view) this.post({ type: 'unavailable', message: view.unavailable });
    else this.post(kind === 'init' ? { type: 'init', version: PROTOCOL_VERSION, view } : { type: 'update', view });
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      // A hidden panel has no live page (retainContextWhenHidden is off); it asks again with `ready` when shown.
      if (this.panel.visible) void this.send('update');
    }, REFRESH_MS);
  }

  private async reveal(target: StepRef): Promise<void> {
    const r = await this.resolve();
    if ('unavailable' in r) return;
    const record = r.doc.records.record(target.recordIndex);
    if (!record) return;
    const document = await vscode.workspace.openTextDocument(this.uri);
    const span = refRange(record, target);
    const start = document.positionAt(span.start);
    const end = document.positionAt(span.end);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
    const column = visible?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One);
    // Keep focus in the panel so arrow keys keep walking the tree; the editor shows the selection.
    const editor = await vscode.window.showTextDocument(document, { viewColumn: column, preserveFocus: true, preview: false });
    editor.selection = new vscode.Selection(start, end);
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async score(): Promise<void> {
    if (this.scoring) return;
    const r = await this.resolve();
    if ('unavailable' in r) return;
    const { indices, force } = this.content.scoreTargets(r.doc, r.recordIndex);
    if (indices.length === 0) return;
    this.scoring = true;
    this.post({ type: 'scoring', state: 'running' });
    try {
      const title = `Reward Lens: scoring ${indices.length} record${indices.length === 1 ? '' : 's'}`;
      let last = 0;
      await vscode.window.withProgress({ location: indices.length > 1 ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window, title, cancellable: indices.length > 1 }, (progress, token) =>
        this.deps.scores.score(r.doc, indices, {
          token,
          force,
          onProgress: (done, total) => {
            progress.report({ message: `${done}/${total}`, increment: ((done - last) / total) * 100 });
            last = done;
          },
        }),
      );
      this.post({ type: 'scoring', state: 'done' });
    } catch (err) {
      const message = (err as Error).message;
      this.deps.log.error(`${this.content.title}: scoring failed: ${(err as Error).stack ?? message}`);
      this.post({ type: 'scoring', state: 'failed', message });
    } finally {
      this.scoring = false;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

function assertNever(x: never): never {
  throw new Error(`Unhandled webview message ${JSON.stringify(x)}`);
}
