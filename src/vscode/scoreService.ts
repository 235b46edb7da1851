import * as vscode from 'vscode';
import type { DatasetSource } from '../data/datasetSource.js';
import { scoreDataset, type DatasetProgress, type ScoredRow } from '../data/scoreDataset.js';
import type { DatasetRecord } from '../core/dataset/types.js';
import { sidecarRuns, type RunScores, type SidecarRun } from '../core/editor/comparedRuns.js';
import { ScoreStore, type RecordScores, type SidecarData } from '../core/editor/scoreStore.js';
import { scoreRecords, type ScoredRecord } from '../core/scoring/scoreRecords.js';
import type { Scorer } from '../core/scoring/scorer.js';
import { modelDisplayName } from '../core/hover/formatStepHover.js';
import { choiceKey, openScorer, type ScorerChoice } from '../scorers/openScorer.js';
import { formatDeviceNote } from '../model/devices.js';
import type { ModelScorer } from '../model/loadScorer.js';
import { apiKeyFor } from './apiKeys.js';
import type { Settings } from './config.js';
import type { IndexedDocument } from './documentIndex.js';
import { parseReadableUri } from './readableUri.js';
import type { SidecarStore } from './sidecarStore.js';

/** What the status bar shows. */
export interface ScoringStatus {
  readonly model: string;
  readonly device: string;
  readonly running?: { readonly done: number; readonly total: number; readonly perSecond: number; readonly tokensPerSecond?: number };
}

/** A run to compare a data file's scores with ("Compare With…"): another model in its sidecar, or a `score --out` file. */
export type CompareSource = { readonly kind: 'model'; readonly modelId: string } | { readonly kind: 'file'; readonly name: string; readonly scores: RunScores };

/** A data file's comparison; a sidecar model's store is built over the file's current sidecar data, on demand. */
interface Comparison {
  readonly source: CompareSource;
  model?: { readonly over: SidecarData; readonly store: ScoreStore } | undefined;
}

/**
 * Owns the scorer (opened lazily on first use, reopened when settings change), the per-file score stores loaded from
 * sidecars, and scoring runs. Every completed record is stored and persisted, so a cancelled run keeps its work.
 */
export class ScoreService implements vscode.Disposable {
  private scorer: Promise<Scorer> | undefined;
  private readonly stores = new Map<string, ScoreStore>();
  /** Per data file ({@link homeOf}): the run its scores are compared with; kept for the session only. */
  private readonly comparisons = new Map<string, Comparison>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly statusChanged = new vscode.EventEmitter<ScoringStatus>();
  private lastDevice = '';
  private running: ScoringStatus['running'];
  /** Tokens a judge has generated in this scorer's life (for tokens/s while a run goes). */
  private tokens = 0;
  /** When the current run started and the token count then; the last time tokens/s was shown. */
  private run: { started: number; tokensAtStart: number; shown: number } | undefined;

  /** While a judge streams, the status bar shows its tokens/s (at most every 250 ms). */
  private showTokens(): void {
    const r = this.run;
    if (r === undefined || Date.now() - r.shown < 250) return;
    r.shown = Date.now();
    const secs = Math.max(0.001, (Date.now() - r.started) / 1000);
    this.running = { ...(this.running ?? { done: 0, total: 0, perSecond: 0 }), tokensPerSecond: (this.tokens - r.tokensAtStart) / secs };
    this.statusChanged.fire(this.status);
  }

  /** Fires with a data file's uri ({@link homeOf} the document scored) when its scores change. */
  readonly onDidChangeScores = this.changed.event;
  /** Fires when the model, device or progress changes. */
  readonly onDidChangeStatus = this.statusChanged.event;

  constructor(
    private settings: Settings,
    private readonly sidecars: SidecarStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly cacheDir: string | undefined,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  /** The id scores are stored under: `builtin`, the model folder, or an endpoint / judge key (see `choiceKey`). */
  get modelId(): string {
    return choiceKey(this.settings);
  }

  get status(): ScoringStatus {
    const builtin = this.modelId === 'builtin';
    return { model: builtin ? 'built-in verifier' : modelDisplayName(this.modelId), device: this.lastDevice || (builtin ? 'builtin' : this.settings.endpoint ?? this.settings.device), ...(this.running ? { running: this.running } : {}) };
  }

  /** New settings: a different model, judge, endpoint or device closes the scorer; stores are reloaded for the new model id. */
  updateSettings(next: Settings): void {
    const scorerKey = (s: Settings): string => JSON.stringify([choiceKey(s), s.preset, s.device, s.judgeMaxTokens, s.concurrency]);
    const modelChanged = scorerKey(next) !== scorerKey(this.settings);
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

  /**
   * The scorer the settings choose, opened once and shared (probes and the dashboard use it like scoring does); the
   * service owns it: callers never dispose it.
   */
  openScorer(): Promise<Scorer> {
    return this.getScorer();
  }

  private getScorer(): Promise<Scorer> {
    this.scorer ??= this.openChosen();
    return this.scorer;
  }

  /** Forgets an opened scorer that failed, so the next run tries again (e.g. after the server is started). */
  private async openChosen(): Promise<Scorer> {
    try {
      return await openScorer(await this.choice(), (message) => {
        this.log.error(message);
        void vscode.window.showErrorMessage(`Reward Lens: ${message}`, 'Show Log').then((pick) => {
          if (pick === 'Show Log') this.log.show();
        });
      });
    } catch (err) {
      this.scorer = undefined;
      throw err;
    }
  }

  /** The scorer the settings choose, with the endpoint's API key from secret storage and the rubric file read. */
  private async choice(): Promise<ScorerChoice> {
    const s = this.settings;
    const apiKey = s.endpoint !== undefined ? await apiKeyFor(this.secrets, s.endpoint) : undefined;
    let rubric: ScorerChoice['rubric'];
    if (s.judge !== undefined && s.rubricFile !== undefined) {
      const { readRubricFile } = await import('./rubricFile.js');
      rubric = await readRubricFile(s.rubricFile);
    }
    return {
      model: s.model,
      preset: s.preset,
      device: s.device,
      cacheDir: this.cacheDir,
      endpoint: s.endpoint,
      judge: s.judge,
      serverModel: s.serverModel,
      apiKey,
      concurrency: s.concurrency,
      rubric,
      maxTokens: s.judgeMaxTokens,
      onJudgeProgress: (p) => {
        this.tokens = p.tokens;
        this.showTokens();
      },
    };
  }

  private async closeScorer(): Promise<void> {
    const s = this.scorer;
    this.scorer = undefined;
    if (s) await (await s).dispose();
  }

  /** Once per opened scorer: which devices were tried and why they were passed over (e.g. WebGPU without an adapter). */
  private logDevices(scorer: Scorer): void {
    const info = (scorer as Partial<Pick<ModelScorer, 'deviceInfo'>>).deviceInfo?.();
    const note = info === undefined ? undefined : formatDeviceNote(info.attempts);
    if (note !== undefined) this.log.info(`Devices: ${note}.`);
  }

  /**
   * The data file whose sidecar holds a document's scores: a readable view's source file, else the document itself.
   * One store per data file, so a score made in either view shows in both.
   */
  homeOf(uri: vscode.Uri): vscode.Uri {
    return parseReadableUri(uri)?.source ?? uri;
  }

  /** The score store of a document for the current model (its data file's, loaded from the sidecar on first use). */
  store(uri: vscode.Uri): ScoreStore {
    const home = this.homeOf(uri);
    const key = home.toString();
    let store = this.stores.get(key);
    if (!store) {
      store = new ScoreStore(this.sidecars.load(home, this.settings.sidecarLocation), this.modelId);
      this.stores.set(key, store);
    }
    return store;
  }

  /** Stored scores for a record (current, or stale when its text changed), or undefined. */
  lookup(uri: vscode.Uri, record: DatasetRecord): RecordScores | undefined {
    return this.store(uri).lookup(record);
  }

  /**
   * The other models with results for a document's data file (not the current model), with how many records each
   * scored. Their results are read from the sidecar again first: the CLI or another window may have added some since
   * it was loaded (the current model's results in memory are kept as they are).
   */
  otherRuns(uri: vscode.Uri): SidecarRun[] {
    const home = this.homeOf(uri);
    const data = this.store(home).data;
    const disk = this.sidecars.load(home, this.settings.sidecarLocation);
    for (const [id, table] of Object.entries(disk.models)) if (id !== this.modelId) data.models[id] = table;
    const c = this.comparisons.get(home.toString());
    if (c) c.model = undefined;
    return sidecarRuns(data, this.modelId);
  }

  /** Shows a document's data file's scores beside another run's (B) until {@link stopComparing}. */
  compareWith(uri: vscode.Uri, source: CompareSource): void {
    const home = this.homeOf(uri);
    this.comparisons.set(home.toString(), { source });
    this.changed.fire(home);
  }

  /** Stops comparing a document's data file; false when it was not being compared. */
  stopComparing(uri: vscode.Uri): boolean {
    const home = this.homeOf(uri);
    const had = this.comparisons.delete(home.toString());
    if (had) this.changed.fire(home);
    return had;
  }

  /** The run a document's data file is compared with (its name and scores), or undefined when it is not. */
  comparison(uri: vscode.Uri): { readonly name: string; readonly scores: RunScores } | undefined {
    const c = this.comparisons.get(this.homeOf(uri).toString());
    if (c === undefined) return undefined;
    if (c.source.kind === 'file') return { name: c.source.name, scores: c.source.scores };
    // Stores are rebuilt when the settings change: follow the file's current sidecar data.
    const data = this.store(uri).data;
    if (c.model?.over !== data) c.model = { over: data, store: new ScoreStore(data, c.source.modelId) };
    return { name: modelDisplayName(c.source.modelId), scores: c.model.store };
  }

  /** Forgets a document's scores for the current model and persists that. */
  clear(uri: vscode.Uri): void {
    const home = this.homeOf(uri);
    const store = this.store(home);
    store.clear();
    this.sidecars.save(home, this.settings.sidecarLocation, store.data);
    this.sidecars.clearLogged(home, this.settings.sidecarLocation, this.modelId);
    this.changed.fire(home);
  }

  /** Rows of a data file whose scores by the current model are in its score log (Dataset Explorer runs). */
  loggedRows(uri: vscode.Uri): number[] {
    return this.sidecars.loggedRows(this.homeOf(uri), this.settings.sidecarLocation, this.modelId);
  }

  /**
   * Scores the given records of a document. Already-current records are skipped unless `force`. Resolves with the
   * number of records scored; a cancelled run resolves early with what was done (all of it stored).
   */
  async score(doc: IndexedDocument, indices: readonly number[], opts: { token?: vscode.CancellationToken; force?: boolean; onProgress?: (done: number, total: number, perSecond: number) => void }): Promise<number> {
    const home = this.homeOf(doc.uri);
    const store = this.store(home);
    const todo = indices
      .map((i) => doc.records.record(i))
      .filter((r): r is DatasetRecord => r !== undefined)
      .filter((r) => opts.force === true || store.current(r) === undefined);
    if (todo.length === 0) return 0;
    const scorer = await this.getScorer();
    const controller = new AbortController();
    const sub = opts.token?.onCancellationRequested(() => controller.abort());
    const started = Date.now();
    const tokensAtStart = this.tokens;
    this.run = { started, tokensAtStart, shown: 0 };
    this.running = { done: 0, total: todo.length, perSecond: 0 };
    let done = 0;
    let lastSave = Date.now();
    const onRecord = (s: ScoredRecord): void => {
      store.put(s.record, s.results);
      if (this.lastDevice === '') this.logDevices(scorer);
      this.lastDevice = s.device;
      done++;
      if (Date.now() - lastSave > 1000) {
        this.sidecars.save(home, this.settings.sidecarLocation, store.data);
        lastSave = Date.now();
      }
    };
    try {
      await scoreRecords(
        todo,
        scorer,
        // With a judge or a server, one batch is what the server runs at once: a failure then loses little.
        { threshold: this.settings.threshold, aggregation: this.settings.aggregation, batchSize: this.settings.endpoint !== undefined || this.settings.judge !== undefined ? this.settings.concurrency : 8 },
        {
          signal: controller.signal,
          onRecord,
          onProgress: (p) => {
            const secs = Math.max(0.001, (Date.now() - started) / 1000);
            const perSecond = p.done / secs;
            const generated = this.tokens - tokensAtStart;
            this.running = { done: p.done, total: p.total, perSecond, ...(generated > 0 ? { tokensPerSecond: generated / secs } : {}) };
            this.statusChanged.fire(this.status);
            opts.onProgress?.(p.done, p.total, perSecond);
            this.changed.fire(home);
          },
        },
      );
    } catch (err) {
      if ((err as Error).name !== 'AbortError') {
        const message = `scoring stopped after ${done} of ${todo.length} record(s): ${(err as Error).message} The ${done} scored record(s) are kept.`;
        this.log.error(message);
        throw new Error(message);
      }
      this.log.info(`Scoring cancelled after ${done} of ${todo.length} records; those are kept.`);
    } finally {
      sub?.dispose();
      this.running = undefined;
      this.run = undefined;
      this.sidecars.save(home, this.settings.sidecarLocation, store.data);
      this.statusChanged.fire(this.status);
      this.changed.fire(home);
    }
    return done;
  }

  /**
   * Scores rows of a data file read through its row source (the Dataset Explorer's Score All): batch by batch, into
   * the file's append-only score log (a rerun resumes from it) and its in-memory store, so every view of the file
   * shows them. Rejects with AbortError when cancelled, after everything scored so far is logged.
   */
  async scoreRows(
    uri: vscode.Uri,
    source: DatasetSource,
    positions: readonly number[],
    hooks: { readonly signal: AbortSignal; readonly onRows: (rows: readonly ScoredRow[]) => void; readonly onProgress: (p: DatasetProgress) => void },
  ): Promise<void> {
    const home = this.homeOf(uri);
    const store = this.store(home);
    const scorer = await this.getScorer();
    const logPath = this.sidecars.logPathFor(home, this.settings.sidecarLocation);
    this.running = { done: 0, total: positions.length, perSecond: 0 };
    this.statusChanged.fire(this.status);
    try {
      await scoreDataset(source, positions, scorer, { threshold: this.settings.threshold, aggregation: this.settings.aggregation, batchSize: this.settings.endpoint !== undefined || this.settings.judge !== undefined ? this.settings.concurrency : 8 }, {
        modelId: this.modelId,
        ...(logPath !== undefined ? { logPath } : {}),
        // Records scored in the text editor (the sidecar) are not scored again.
        known: (record) => store.current(record),
        signal: hooks.signal,
        onRows: (rows) => {
          for (const row of rows) for (const s of row.scored) store.put(s.record, s.results);
          hooks.onRows(rows);
          this.changed.fire(home);
        },
        onProgress: (p) => {
          this.running = { done: p.done, total: p.total, perSecond: p.rate };
          this.statusChanged.fire(this.status);
          hooks.onProgress(p);
        },
      });
    } finally {
      this.running = undefined;
      this.statusChanged.fire(this.status);
    }
  }

  dispose(): void {
    void this.closeScorer();
    this.changed.dispose();
    this.statusChanged.dispose();
  }
}
