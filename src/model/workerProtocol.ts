// Messages between a ModelScorer (caller's thread) and its model worker thread.
import type { ModelScoreResult } from '../core/scoring/contracts/contractTypes.js';
import type { EngineOptions } from './buildEngine.js';
import type { Finding } from './checkModel.js';
import type { DeviceAttempt } from './devices.js';
import type { EngineRequest, EngineStats } from './scoringEngine.js';

/** `workerData` of a model worker. */
export interface WorkerInit extends EngineOptions {
  readonly dir: string;
  readonly preset?: string;
}

/** A ModelError or other failure, as plain data. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly file?: string;
  readonly field?: string;
  readonly fix?: string;
}

/** Caller → worker. */
export type ToWorker =
  | { readonly type: 'score'; readonly job: number; readonly requests: readonly EngineRequest[] }
  | { readonly type: 'cancel'; readonly job: number }
  | { readonly type: 'dispose' };

/** Worker → caller. */
export type FromWorker =
  | {
      readonly type: 'loaded';
      readonly id: string;
      readonly description: string;
      readonly preset: string;
      readonly output: string;
      readonly dtype: string;
      readonly maxTokens: number;
      readonly findings: readonly Finding[];
    }
  | { readonly type: 'loadError'; readonly error: WireError; readonly findings: readonly Finding[] }
  | { readonly type: 'scored'; readonly job: number; readonly results: readonly ModelScoreResult[]; readonly device: string; readonly attempts: readonly DeviceAttempt[]; readonly stats: EngineStats }
  | { readonly type: 'failed'; readonly job: number; readonly error: WireError; readonly attempts: readonly DeviceAttempt[] }
  | { readonly type: 'disposed' };
