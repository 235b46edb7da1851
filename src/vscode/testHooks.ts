import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Decorator } from './decorations.js';

/**
 * For end-to-end tests only: VS Code cannot read decorations back, so when the (undocumented) setting
 * `rewardLens.test.dumpDecorationsTo` names a file, every applied set of decoration specs is written there as JSON
 * `{uri, specs, documents}`: the last painted document's, and every painted document's last specs by URI (a data
 * file and its readable view are painted together, so "the last" alone would hide one of them). Off (and free)
 * when the setting is unset.
 */
export function registerTestHooks(decorator: Decorator): vscode.Disposable {
  const documents: Record<string, unknown> = {};
  return decorator.onDidApply(({ uri, specs }) => {
    const target = vscode.workspace.getConfiguration('rewardLens').get<string>('test.dumpDecorationsTo');
    if (!target) return;
    documents[uri.toString()] = specs;
    try {
      writeFileSync(target, JSON.stringify({ uri: uri.toString(), specs, documents }));
    } catch {
      // A test hook must never disturb the editor.
    }
  });
}
