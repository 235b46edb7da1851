import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PresetName } from '../core/scoring/contracts/contractTypes.js';
import { chatResponseText, chatSeparatorText } from '../core/scoring/contracts/encodeInput.js';
import { resolveContract } from '../core/scoring/contracts/resolveContract.js';
import type { ScoreRequest } from '../core/scoring/scorer.js';
import { chatTemplateFile, HfTokenizer } from '../model/hfTokenizer.js';
import { findPreset } from '../model/presets.js';

/**
 * The text a serving engine should score for a request, rendered here with the reward model's own tokenizer and chat
 * template (a folder holding `tokenizer.json`, `tokenizer_config.json` or a chat template file): exactly the text the
 * local engine encodes. SGLang's `/classify` needs it (it takes only rendered text); on vLLM it replaces the server's
 * own chat rendering and lets several traces go in one request. Undefined for presets whose text needs no template.
 */
export function serverRenderer(preset: string, dir: string): ((req: ScoreRequest) => string) | undefined {
  const info = findPreset(preset);
  if (info === undefined) throw new Error(`unknown preset "${preset}"`);
  const params = info.defaults;
  if (params.kind !== 'chat-response' && params.kind !== 'chat-separator') return undefined;
  const tokPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokPath)) throw new Error(`--tokenizer names ${dir}, which has no tokenizer.json (copy the reward model's tokenizer files there)`);
  const configPath = join(dir, 'tokenizer_config.json');
  const template = chatTemplateFile(dir);
  const tok = HfTokenizer.fromFiles(tokPath, existsSync(configPath) ? configPath : undefined, template === undefined ? undefined : join(dir, template));
  const contract = resolveContract(preset as PresetName, params, tok);
  return (req) => {
    const r = { prompt: req.prompt, steps: req.steps, ...(req.messages !== undefined ? { messages: req.messages } : {}), ...(req.response !== undefined ? { response: req.response } : {}) };
    return params.kind === 'chat-response' ? chatResponseText(contract, tok, r) : chatSeparatorText(contract, tok, r, []);
  };
}
