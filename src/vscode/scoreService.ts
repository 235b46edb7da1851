import * as vscode from 'vscode';
import type { DatasetRecord } from '../core/dataset/types.js';
import { ScoreStore, type RecordScores } from '../core/editor/scoreStore.js';
import { scoreRecords, type ScoredRecord } from '../core/scoring/scoreRecords.js';
import type { Scorer } from '../core/scoring/scorer.js';
import { openScorer } from '../scorers/openScorer.js';
import type { Settings } from './config.js';
import type { IndexedDocument } from './documentIndex.js';
import type { SidecarStore } from './sidecarStore.js';

/** What the status bar shows. */
export interface ScoringStatus {
  readonly model: string;
  readonly device: string;
  readonly running?: { readonly done: number; readonly total: number; readonly perSecond: number };
}

/**
 * Owns the scorer (opened lazily on first use, reopened when settings change), the per-file score stores loaded from
 * sidecars, and scoring runs. Every completed record is stored and persisted, so a cancelled run keeps its work.
 */
export class ScoreService implements vscode.Disposable {
  private scorer: Promise<Scorer> | undefined;
  private readonly stores = new Map<string, ScoreStore>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly statusChanged = new vscode.EventEmitter<ScoringStatus>();
  private lastDevice = '';
  private running: ScoringStatus['running'];

  /** Fires with a document's uri when its scores change. */
  readonly onDidChangeScores = this.changed.event;
  /** Fires when the model, device or progress changes. */
  readonly onDidChangeStatus = this.statusChanged.event;

  constructor(
    private settings: Settings,
    private readonly sidecars: SidecarStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly cacheDir: string | undefined,
  ) {}

  /** The id scores are stored under: `builtin` or the model folder. */
  get modelId(): string {
    return this.settings.model;
  }

  get status(): ScoringStatus {
    return { model: this.settings.model === 'builtin' ? 'built-in verifier' : this.settings.model, device: this.lastDevice || (this.settings.model === 'builtin' ? 'builtin' : this.settings.device), ...(this.running ? { running: this.running } : {}) };
  }

  /** New settings: a different model or device closes the scorer; stores are reloaded for the new model id. */
  updateSettings(next: Settings): void {
    const modelChanged = next.model !== this.settings.model || next.preset !== this.settings.preset || next.device !== this.settings.device;
    const sidecarMoved = next.sidecarLocation !== this.settings.sidecarLocation;
    this.settings = next;
    if (modelChanged) {
      void this.closeScorer();
      this.lastDevice = '';
    }
    if (modelChanged || sidecarMoved) {
      const uris = [...this.stores.keys()];
      this.stores.clear();
      for (const u of uris) this.changed.fire(vscode.Uri.parse(u));
    }
    this.statusChanged.fire(this.status);
  }

  private getScorer(): Promise<Scorer> {
    this.scorer ??= openScorer(
      { model: this.settings.model, preset: this.settings.preset, device: this.settings.device, cacheDir: this.cacheDir },
      (message) => {
        this.log.error(message);
        void vscode.window.showErrorMessage(`Reward Lens: ${message}`, 'Show Log').then((pick) => {
          if (pick === 'Show Log') this.log.show();
        });
      },
    );
    return this.scorer;
  }

  private async closeScorer(): Promise<void> {
    const s = this.scorer;
    this.scorer = undefined;
    if (s) await (await s).dispose();
  }

  /** The score store of a document for the current model (loaded from its sidecar on first use). */
  store(uri: vscode.Uri): ScoreStore {
    const key = uri.toString();
    let store = this.stores.get(key);
    if (!store) {
      store = new ScoreStore(this.sidecars.load(uri, this.settings.sidecarLocation), this.modelId);
      this.stores.set(key, store);
    }
    return store;
  }

  /** Stored scores for a record (current, or stale when its text changed), or undefined. */
  lookup(uri: vscode.Uri, record: DatasetRecord): RecordScores | undefined {
    return this.store(uri).lookup(record);
  }

  /** Forgets a document's scores for the current model and persists that. */
  clear(uri: vscode.Uri): void {
    const store = this.store(uri);
    store.clear();
    this.sidecars.save(uri, this.settings.sidecarLocation, store.data);
    this.changed.fire(uri);
  }

  /**
   * Scores the given records of a document. Already-current records are skipped unless `force`. Resolves with the
   * number of records scored; a cancelled run resolves early with what was done (all of it stored).
   */
  async score(doc: IndexedDocument, indices: readonly number[], opts: { token?: vscode.CancellationToken; force?: boolean; onProgress?: (done: number, total: number, perSecond: number) => void }): Promise<number> {
    const store = this.store(doc.uri);
    const todo = indices
      .map((i) => doc.parsed.records[i])
      .filter((r): r is DatasetRecord => r !== undefined)
      .filter((r) => opts.force === true || store.current(r) === undefined);
    if (todo.length === 0) return 0;
    const scorer = await this.getScorer();
    const controller = new AbortController();
    const sub = opts.token?.onCancellationRequested(() => controller.abort());
    const started = Date.now();
    let done = 0;
    let lastSave = Date.now();
    const onRecord = (s: ScoredRecord): void => {
      store.put(s.record, s.results);
      this.lastDevice = s.device;
      done++;
      if (Date.now() - lastSave > 1000) {
        this.sidecars.save(doc.uri, this.settings.sidecarLocation, store.data);
        lastSave = Date.now();
      }
    };
    try {
      await scoreRecords(
        todo,
        scorer,
        { threshold: this.settings.threshold, aggregation: this.settings.aggregation, batchSize: 8 },
        {
          signal: controller.signal,
          onRecord,
          onProgress: (p) => {
            const perSecond = p.done / Math.max(0.001, (Date.now() - started) / 1000);
            this.running = { done: p.done, total: p.total, perSecond };
            this.statusChanged.fire(this.status);
            opts.onProgress?.(p.done, p.total, perSecond);
            this.changed.fire(doc.uri);
          },
        },
      );
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
      this.log.info(`Scoring cancelled after ${done} of ${todo.length} records; those are kept.`);
    } finally {
      sub?.dispose();
      this.running = undefined;
      this.sidecars.save(doc.uri, this.settings.sidecarLocation, store.data);
      this.statusChanged.fire(this.status);
      this.changed.fire(doc.uri);
    }
    return done;
  }

  dispose(): void {
    void this.closeScorer();
    this.changed.dispose();
    this.statusChanged.dispose();
  }
}
