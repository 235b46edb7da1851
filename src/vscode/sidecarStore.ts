import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as vscode from 'vscode';
import { emptySidecar, readSidecarData, SIDECAR_SUFFIX, type SidecarData } from '../core/editor/scoreStore.js';
import { textHash } from '../core/editor/textHash.js';
import { mergeScoreLog, readScoreLog, SCORE_LOG_SUFFIX, withoutModel } from '../core/editor/scoreLog.js';
import { writeFileAtomic } from '../scorers/atomicWrite.js';
import type { SidecarLocation } from './config.js';

/**
 * Reads and writes sidecars: scores of a data file kept beside it (`<file>.reward-lens.json`) or in the
 * extension's workspace storage. Writes are atomic (temp file + rename); the data file itself is never written.
 */
export class SidecarStore {
  constructor(
    private readonly storageDir: vscode.Uri | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The sidecar path for a data file, or undefined when the file is not on disk (untitled, remote). */
  pathFor(uri: vscode.Uri, location: SidecarLocation): string | undefined {
    if (uri.scheme !== 'file') return undefined;
    if (location === 'workspaceStorage' && this.storageDir !== undefined) {
      return join(this.storageDir.fsPath, 'sidecars', `${textHash(uri.fsPath)}${SIDECAR_SUFFIX}`);
    }
    return `${uri.fsPath}${SIDECAR_SUFFIX}`;
  }

  /** The append-only score log beside the sidecar (dataset-size runs write there, batch by batch). */
  logPathFor(uri: vscode.Uri, location: SidecarLocation): string | undefined {
    const path = this.pathFor(uri, location);
    return path === undefined ? undefined : `${path.slice(0, -SIDECAR_SUFFIX.length)}${SCORE_LOG_SUFFIX}`;
  }

  /** Loads a sidecar and merges the file's score log into it; a missing or unreadable one is empty (and an unreadable one is logged). */
  load(uri: vscode.Uri, location: SidecarLocation): SidecarData {
    const data = this.loadSidecar(uri, location);
    const logPath = this.logPathFor(uri, location);
    if (logPath === undefined || !existsSync(logPath)) return data;
    try {
      return mergeScoreLog(data, readScoreLog(readFileSync(logPath, 'utf8')).data);
    } catch (err) {
      this.log.warn(`Ignoring unreadable score log ${logPath}: ${(err as Error).message}`);
      return data;
    }
  }

  /** Row positions the score log holds for `model` (the Dataset Explorer shows their scores without a rescore). */
  loggedRows(uri: vscode.Uri, location: SidecarLocation, model: string): number[] {
    const logPath = this.logPathFor(uri, location);
    if (logPath === undefined || !existsSync(logPath)) return [];
    try {
      return [...(readScoreLog(readFileSync(logPath, 'utf8')).rows.get(model)?.keys() ?? [])].sort((a, b) => a - b);
    } catch (err) {
      this.log.warn(`Ignoring unreadable score log ${logPath}: ${(err as Error).message}`);
      return [];
    }
  }

  /** Drops a model's lines from the score log (Clear Scores), atomically; failures are logged. */
  clearLogged(uri: vscode.Uri, location: SidecarLocation, model: string): void {
    const logPath = this.logPathFor(uri, location);
    if (logPath === undefined || !existsSync(logPath)) return;
    try {
      writeFileAtomic(logPath, withoutModel(readFileSync(logPath, 'utf8'), model));
    } catch (err) {
      this.log.error(`Could not rewrite score log ${logPath}: ${(err as Error).message}`);
    }
  }

  private loadSidecar(uri: vscode.Uri, location: SidecarLocation): SidecarData {
    const path = this.pathFor(uri, location);
    if (path === undefined) return emptySidecar();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return emptySidecar();
    }
    try {
      return readSidecarData(JSON.parse(text));
    } catch (err) {
      this.log.warn(`Ignoring unreadable sidecar ${path}: ${(err as Error).message}`);
      return emptySidecar();
    }
  }

  /** Saves a sidecar atomically; failures are logged, never thrown (scores stay in memory). */
  save(uri: vscode.Uri, location: SidecarLocation, data: SidecarData): void {
    const path = this.pathFor(uri, location);
    if (path === undefined) return;
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomic(path, JSON.stringify(data));
    } catch (err) {
      this.log.error(`Could not write sidecar ${path}: ${(err as Error).message}`);
    }
  }
}
