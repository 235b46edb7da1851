import * as vscode from 'vscode';

/**
 * A command handler that never throws into VS Code (it resolves with the command's result, or undefined): a failure is logged with its stack under the command's id and
 * shown to the user as one message. Every Reward Lens command is registered through it.
 */
export function guardedCommand<A extends unknown[], R>(log: vscode.LogOutputChannel, id: string, run: (...args: A) => Promise<R> | R): (...args: A) => Promise<R | undefined> {
  return async (...args: A): Promise<R | undefined> => {
    try {
      return await run(...args);
    } catch (err) {
      log.error(`${id} failed: ${(err as Error).stack ?? String(err)}`);
      void vscode.window.showErrorMessage(`Reward Lens: ${(err as Error).message}`);
      return undefined;
    }
  };
}
