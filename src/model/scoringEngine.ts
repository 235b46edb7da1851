// The scoring engine: encodes traces per contract (one sequence per trace, windows for overlong ones),
// looks them up in the cache, batches the rest by length, runs them, reads the step scores and
// assembles results. Runtime-agnostic: it drives any BatchRunner, so it runs inside the model worker
// (see modelWorker.ts) and, for tests and the benchmark, in-thread.
import { ContractError, type ChatMessage, type ModelScoreResult, type ResolvedContract, type TokenizerPort } from '../core/scoring/contracts/contractTypes.js';
import { encodeWithinLimit, type FittedInput } from '../core/scoring/contracts/fitToLimit.js';
import { planBatches, type BatchLimits } from '../core/scoring/contracts/planBatches.js';
import { neededColumns, scoreRow } from '../core/scoring/contracts/readScores.js';
import type { StepScore } from '../core/scoring/scorer.js';
import type { Device } from './devices.js';
import { abortError, ModelError } from './modelError.js';
import { isOutOfMemory, type BatchRunner, type PaddedBatch } from './onnxRunner.js';
import { cacheKey, type ScoreCache } from './scoreCache.js';

/** Bump when reading or encoding changes, so cached scores from older versions are not reused. */
const ENGINE_VERSION = 1;

/** One trace or response to score. */
export interface EngineRequest {
  readonly prompt: string;
  readonly messages?: readonly ChatMessage[];
  readonly steps: readonly string[];
  readonly response?: string;
}

/** Everything the engine needs. */
export interface EngineConfig {
  readonly contract: ResolvedContract;
  readonly tokenizer: TokenizerPort;
  /** Opens the runtime on first use (the session is created lazily and reused). */
  readonly openRunner: () => Promise<BatchRunner>;
  readonly cache: ScoreCache;
  readonly maxTokens: number;
  readonly limits: BatchLimits;
  /** Padding id; batches hold one sequence when batching is impossible (`canBatch` false). */
  readonly padId: number;
  readonly canBatch: boolean;
  readonly bidirectional: boolean;
  /** Model file, for runtime error messages. */
  readonly modelFile: string;
}

/** Counters of the last `score` call. */
export interface EngineStats {
  readonly sequences: number;
  readonly cached: number;
  readonly computed: number;
  readonly batches: number;
  /** Padded cells (rows × width) and real tokens of the computed batches. */
  readonly cells: number;
  readonly tokens: number;
  /** Seconds spent inside the runtime's run() (the rest of a call is encoding, batching, reading). */
  readonly runSeconds: number;
  /** Seconds of the whole call. */
  readonly totalSeconds: number;
}

interface Unit {
  readonly key: string;
  readonly ids: readonly number[];
  readonly reads: readonly number[];
  values?: readonly number[];
  device?: string;
}

interface Pass {
  readonly fitted?: FittedInput;
  readonly units: readonly Unit[];
  readonly error?: string;
}

interface Planned {
  readonly forward: Pass;
  readonly backward?: Pass;
}

/** Scores requests with one contract and one runner. */
export class ScoringEngine {
  private runner: BatchRunner | undefined;
  private opening: Promise<BatchRunner> | undefined;
  private readonly paramsKey: string;
  /** Counters of the last call. */
  lastStats: EngineStats = { sequences: 0, cached: 0, computed: 0, batches: 0, cells: 0, tokens: 0, runSeconds: 0, totalSeconds: 0 };
  private runNanos = 0n;

  constructor(private readonly cfg: EngineConfig) {
    const c = cfg.contract;
    this.paramsKey = JSON.stringify({ v: ENGINE_VERSION, preset: c.preset, params: c.params, marker: c.markerId, columns: c.columns });
  }

  /** The device, once the runner is open. */
  get device(): Device | undefined {
    return this.runner?.device;
  }

  /** The runner, opened on first call. */
  async ensureRunner(): Promise<BatchRunner> {
    if (this.runner !== undefined) return this.runner;
    this.opening ??= this.cfg.openRunner();
    try {
      this.runner = await this.opening;
    } finally {
      this.opening = undefined;
    }
    return this.runner;
  }

  private pass(req: EngineRequest, units: Map<string, Unit>): Pass {
    if (this.cfg.contract.output !== 'sequence-classification' && req.steps.length === 0) return { units: [] };
    try {
      const fitted = encodeWithinLimit(this.cfg.contract, this.cfg.tokenizer, req, this.cfg.maxTokens);
      const list = fitted.windows.map((w) => {
        const key = cacheKey(this.paramsKey, w.input.ids);
        let unit = units.get(key);
        if (unit === undefined) {
          unit = { key, ids: w.input.ids, reads: w.input.reads };
          units.set(key, unit);
        }
        return unit;
      });
      return { fitted, units: list };
    } catch (e) {
      if (e instanceof ContractError) return { units: [], error: e.message };
      throw e;
    }
  }

  /** Encodes requests into units (deduplicated) without running anything. */
  plan(requests: readonly EngineRequest[]): { planned: Planned[]; units: Unit[] } {
    const units = new Map<string, Unit>();
    const stepwise = this.cfg.contract.output !== 'sequence-classification';
    const planned = requests.map((req): Planned => {
      const forward = this.pass(req, units);
      if (!this.cfg.bidirectional || !stepwise || req.steps.length < 2) return { forward };
      return { forward, backward: this.pass({ ...req, steps: [...req.steps].reverse() }, units) };
    });
    return { planned, units: [...units.values()] };
  }

  /** Length-bucketed padded batches for `units`, in run order. */
  batchesFor(units: readonly Unit[]): { batch: PaddedBatch; members: Unit[] }[] {
    const lengths = units.map((u) => u.ids.length);
    const limits = this.cfg.canBatch ? this.cfg.limits : { ...this.cfg.limits, maxBatchSize: 1 };
    const perSequence = this.cfg.contract.output === 'sequence-classification';
    return planBatches(lengths, limits).map((idx) => {
      const members = idx.map((i) => units[i]).filter((u): u is Unit => u !== undefined);
      return { batch: padBatch(members, this.cfg.padId, perSequence), members };
    });
  }

  /**
   * Scores requests; results are in request order. `shouldStop` is checked between batches and makes
   * the call reject with an AbortError (scores of finished batches stay cached).
   */
  async score(requests: readonly EngineRequest[], shouldStop: () => boolean = () => false): Promise<ModelScoreResult[]> {
    const started = process.hrtime.bigint();
    this.runNanos = 0n;
    const { planned, units } = this.plan(requests);
    let cached = 0;
    const missing: Unit[] = [];
    for (const u of units) {
      const hit = this.cfg.cache.get(u.key);
      if (hit !== undefined && hit.values.length === this.valuesPerUnit(u)) {
        u.values = hit.values;
        u.device = hit.device;
        cached++;
      } else {
        missing.push(u);
      }
    }
    let batches = 0;
    let cells = 0;
    let tokens = 0;
    if (missing.length > 0) {
      const runner = await this.ensureRunner();
      const columns = neededColumns(this.cfg.contract);
      for (const { batch, members } of this.batchesFor(missing)) {
        if (shouldStop()) throw abortError();
        await this.runBatch(runner, batch, members, columns);
        batches++;
        cells += batch.rows * batch.width;
        tokens += members.reduce((s, u) => s + u.ids.length, 0);
        // Let cancel messages in between batches.
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.lastStats = { sequences: units.length, cached, computed: missing.length, batches, cells, tokens, runSeconds: Number(this.runNanos) / 1e9, totalSeconds };
    return planned.map((p, i) => this.assemble(p, requests[i]?.steps.length ?? 0));
  }

  private async runBatch(runner: BatchRunner, batch: PaddedBatch, members: Unit[], columns: readonly number[] | undefined): Promise<void> {
    let out: { values: Float32Array; width: number };
    const t0 = process.hrtime.bigint();
    try {
      out = await runner.run(batch, columns);
      this.runNanos += process.hrtime.bigint() - t0;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (isOutOfMemory(message) && members.length > 1) {
        // Out of memory: halve the batch and retry each half.
        const half = Math.ceil(members.length / 2);
        const perSequence = batch.perSequence;
        for (const part of [members.slice(0, half), members.slice(half)]) await this.runBatch(runner, padBatch(part, this.cfg.padId, perSequence), part, columns);
        return;
      }
      throw new ModelError(
        `the model failed while running on ${runner.device}: ${message.split('\n')[0] ?? message}`,
        this.cfg.modelFile,
        undefined,
        isOutOfMemory(message) ? 'Lower maxTokens, or use a smaller (fp16/int4) export.' : 'Check the export (run `reward-lens models check`), or re-export the model.',
      );
    }
    const entries: [string, { values: number[]; device: string }][] = [];
    let at = 0;
    for (const u of members) {
      const n = this.valuesPerUnit(u);
      const values: number[] = [];
      for (let k = 0; k < n; k++) {
        values.push(scoreRow(this.cfg.contract, out.values.subarray((at + k) * out.width, (at + k + 1) * out.width)));
      }
      at += n;
      u.values = values;
      u.device = runner.device;
      entries.push([u.key, { values, device: runner.device }]);
    }
    this.cfg.cache.set(entries);
  }

  private valuesPerUnit(u: Unit): number {
    return this.cfg.contract.output === 'sequence-classification' ? 1 : u.reads.length;
  }

  private assemble(p: Planned, stepCount: number): ModelScoreResult {
    const device = p.forward.units[0]?.device ?? this.runner?.device ?? 'cpu';
    const tokens = [...p.forward.units, ...(p.backward?.units ?? [])].reduce((s, u) => s + u.ids.length, 0);
    if (p.forward.error !== undefined) {
      const critique = `Not scored: ${p.forward.error}`;
      return { steps: Array.from({ length: stepCount }, (): StepScore => ({ score: Number.NaN, critique })), device, warnings: [critique] };
    }
    const warnings = [...(p.forward.fitted?.warnings ?? [])];
    if (this.cfg.contract.output === 'sequence-classification') {
      const score = p.forward.units[0]?.values?.[0] ?? Number.NaN;
      return { steps: [], sequenceScore: score, device, tokens, ...(warnings.length > 0 ? { warnings } : {}) };
    }
    const forward = p.forward.units.flatMap((u) => u.values ?? []);
    if (p.backward === undefined || p.backward.error !== undefined) {
      if (p.backward?.error !== undefined) warnings.push(`Backward pass not scored: ${p.backward.error}`);
      return { steps: forward.map((score) => ({ score })), device, tokens, ...(warnings.length > 0 ? { warnings } : {}) };
    }
    for (const w of p.backward.fitted?.warnings ?? []) warnings.push(`Backward pass: ${w}`);
    const reversed = p.backward.units.flatMap((u) => u.values ?? []);
    const backward = reversed.map((_, i) => reversed[reversed.length - 1 - i] ?? Number.NaN);
    return {
      steps: forward.map((f, i) => ({ score: (f + (backward[i] ?? Number.NaN)) / 2 })),
      device,
      tokens,
      bidirectional: { forward, backward },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /** Releases the runner. */
  async dispose(): Promise<void> {
    const r = this.runner;
    this.runner = undefined;
    await r?.dispose();
  }
}

/** Right-pads units into one batch; picks are each unit's read positions (or its row for sequence outputs). */
export function padBatch(members: readonly { ids: readonly number[]; reads: readonly number[] }[], padId: number, perSequence: boolean): PaddedBatch {
  const rows = members.length;
  const width = members.reduce((m, u) => Math.max(m, u.ids.length), 0);
  const ids = new Int32Array(rows * width).fill(padId);
  const lengths = new Int32Array(rows);
  const picks: number[] = [];
  members.forEach((u, r) => {
    ids.set(u.ids, r * width);
    lengths[r] = u.ids.length;
    if (perSequence) picks.push(r, 0);
    else for (const pos of u.reads) picks.push(r, pos);
  });
  return { rows, width, ids, lengths, picks: Int32Array.from(picks), perSequence };
}
