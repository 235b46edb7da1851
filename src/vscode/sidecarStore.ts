import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as vscode from 'vscode';
import { emptySidecar, readSidecarData, SIDECAR_SUFFIX, type SidecarData } from '../core/editor/scoreStore.js';
import { textHash } from '../core/editor/textHash.js';
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

  /** Loads a sidecar; a missing or unreadable one is empty (and an unreadable one is logged). */
  load(uri: vscode.Uri, location: SidecarLocation): SidecarData {
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
