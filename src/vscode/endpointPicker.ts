import * as vscode from 'vscode';
import { apiKeyFor } from './apiKeys.js';

/** A server and one of its models, as the user picked them. */
export interface ServerPick {
  readonly endpoint: string;
  readonly model: string;
}

/**
 * Asks for a server URL, checks the connection and lists the server's models to pick from. With `preset` (a served
 * reward model) the check is `models check --endpoint`'s: the engine, the model and the step tag token; without, the
 * server's OpenAI-compatible model list (a judge). Problems are shown with the server's own words.
 */
export async function pickServerModel(secrets: vscode.SecretStorage, current: string | undefined, opts: { readonly preset?: string }): Promise<ServerPick | undefined> {
  const endpoint = (
    await vscode.window.showInputBox({
      title: 'Reward Lens: server URL',
      prompt: opts.preset !== undefined ? `vLLM, SGLang or TEI serving a ${opts.preset} model` : 'An OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama, LM Studio, TGI)',
      value: current ?? 'http://127.0.0.1:8000',
      ignoreFocusOut: true,
    })
  )?.trim();
  if (endpoint === undefined || endpoint === '') return undefined;
  const apiKey = await apiKeyFor(secrets, endpoint);
  const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reward Lens: connecting to ${endpoint}…` }, async () => {
    try {
      if (opts.preset !== undefined) {
        const { checkEndpoint } = await import('../remote/servingScorer.js');
        const report = await checkEndpoint({ endpoint, preset: opts.preset, ...(apiKey !== undefined ? { apiKey } : {}) });
        const errors = report.findings.filter((f) => f.level === 'error').map((f) => f.message);
        return { models: report.models, problems: errors, server: report.server };
      }
      const { openChatGenerator } = await import('../remote/chatGenerator.js');
      const gen = await openChatGenerator({ endpoint, ...(apiKey !== undefined ? { apiKey } : {}) });
      const models = gen.models;
      await gen.dispose();
      return { models, problems: [] as string[], server: 'OpenAI-compatible' };
    } catch (err) {
      return { models: [] as string[], problems: [(err as Error).message], server: '' };
    }
  });
  if (found.problems.length > 0 && found.models.length === 0) {
    const pick = await vscode.window.showErrorMessage(`Reward Lens: ${found.problems.join(' ')}`, 'Set API Key…');
    if (pick === 'Set API Key…') await vscode.commands.executeCommand('rewardLens.setApiKey');
    return undefined;
  }
  if (found.problems.length > 0) void vscode.window.showWarningMessage(`Reward Lens: ${found.problems.join(' ')}`);
  const model =
    found.models.length === 1
      ? found.models[0]
      : (await vscode.window.showQuickPick(found.models.map((m) => ({ label: m, description: found.server }))
          , { title: `Models served at ${endpoint}` }))?.label;
  return model === undefined ? undefined : { endpoint, model };
}
