// The model's own tokenizer (tokenizer.json via @huggingface/tokenizers) and chat template
// (tokenizer_config.json via @huggingface/jinja), behind the contracts' TokenizerPort.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { ContractError, type ChatMessage, type TokenizerPort } from '../core/scoring/contracts/contractTypes.js';
import { usePythonStringMethods } from './jinjaStrings.js';

type Json = Record<string, unknown>;

function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && typeof (v as Json)['content'] === 'string') return (v as Json)['content'] as string;
  return undefined;
}

/** Picks the default template from `chat_template` (a string, or a list of `{name, template}`). */
function defaultTemplate(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const named = v as { name?: unknown; template?: unknown }[];
    const pick = named.find((t) => t.name === 'default') ?? named[0];
    return typeof pick?.template === 'string' ? pick.template : undefined;
  }
  return undefined;
}

const recent = new Map<string, HfTokenizer>();

/** The chat template files a model folder may carry beside tokenizer_config.json, in precedence order. */
const CHAT_TEMPLATE_FILES = ['chat_template.jinja', 'chat_template.json'] as const;

/** The name of the folder's chat template file (`chat_template.jinja` first), or undefined when it has none. */
export function chatTemplateFile(dir: string): string | undefined {
  return CHAT_TEMPLATE_FILES.find((f) => existsSync(join(dir, f)));
}
const NO_TEMPLATE = 'the folder has no chat template (no chat_template.jinja, and no chat_template in tokenizer_config.json)';
const NO_TEMPLATE_FIX = "Copy chat_template.jinja (or tokenizer_config.json with its chat_template) from the reward model repository.";

/** Whether a ByteLevel pre-tokenizer (alone or in a Sequence) adds a leading space the text lacks. */
function addsPrefixSpace(pre: unknown): boolean {
  if (pre === null || typeof pre !== 'object') return false;
  const p = pre as Json;
  if (p['type'] === 'ByteLevel') return p['add_prefix_space'] === true;
  if (p['type'] === 'Sequence' && Array.isArray(p['pretokenizers'])) return p['pretokenizers'].some(addsPrefixSpace);
  return false;
}

/** A TokenizerPort over parsed tokenizer.json / tokenizer_config.json objects. */
export class HfTokenizer implements TokenizerPort {
  private readonly tokenizer: Tokenizer;
  private readonly template: Template | undefined;
  private readonly specials: Json;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  readonly padToken: string | undefined;
  readonly hasChatTemplate: boolean;
  /** Number of ids the tokenizer can produce (vocabulary plus added tokens). */
  readonly size: number;
  /** Byte length per id for byte-level BPE tokenizers (see tokenUtf8Lengths); undefined for others. */
  private byteLengths: Int32Array | undefined;
  private readonly byteLevel: boolean;
  private readonly nfc: boolean;

  /**
   * `chatTemplate` overrides tokenizer_config.json's `chat_template`: transformers ≥ 4.43 saves the template
   * as `chat_template.jinja` beside it, and that file wins when both exist, as it does in transformers.
   */
  constructor(tokenizerJson: Json, tokenizerConfig: Json, chatTemplate?: string) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    this.bosToken = tokenText(tokenizerConfig['bos_token']);
    this.eosToken = tokenText(tokenizerConfig['eos_token']);
    this.padToken = tokenText(tokenizerConfig['pad_token']);
    const source = chatTemplate ?? defaultTemplate(tokenizerConfig['chat_template']);
    usePythonStringMethods();
    this.template = source === undefined ? undefined : new Template(source);
    this.hasChatTemplate = this.template !== undefined;
    const specials: Json = {};
    for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token', 'sep_token', 'cls_token', 'mask_token']) {
      const t = tokenText(tokenizerConfig[key]);
      if (t !== undefined) specials[key] = t;
    }
    if (Array.isArray(tokenizerConfig['additional_special_tokens'])) specials['additional_special_tokens'] = tokenizerConfig['additional_special_tokens'];
    this.specials = specials;
    let max = -1;
    for (const id of this.tokenizer.get_vocab(true).values()) max = Math.max(max, id);
    this.size = max + 1;
    const normalizer = tokenizerJson['normalizer'] as Json | null | undefined;
    this.nfc = normalizer?.['type'] === 'NFC';
    this.byteLevel = (tokenizerJson['decoder'] as Json | null | undefined)?.['type'] === 'ByteLevel' && (normalizer === null || normalizer === undefined || this.nfc) && !addsPrefixSpace(tokenizerJson['pre_tokenizer']);
  }

  /**
   * Byte-level BPE only: every vocabulary token is a string of byte symbols (one character per byte), and
   * an added token is its content; so token byte lengths are exact when normalisation leaves `text` as is.
   */
  tokenUtf8Lengths(text: string, ids: readonly number[]): number[] | undefined {
    if (!this.byteLevel || (this.nfc && text.normalize('NFC') !== text)) return undefined;
    if (this.byteLengths === undefined) {
      const lengths = new Int32Array(this.size).fill(-1);
      for (const [token, id] of this.tokenizer.get_vocab(false)) lengths[id] = token.length;
      for (const [id, added] of this.tokenizer.get_added_tokens_decoder()) lengths[id] = new TextEncoder().encode(added.content).length;
      this.byteLengths = lengths;
    }
    const table = this.byteLengths;
    const out = new Array<number>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const n = table[ids[i] ?? -1] ?? -1;
      if (n < 0) return undefined;
      out[i] = n;
    }
    return out;
  }

  /**
   * Reads the files; `configPath` may be absent (no special-token names), and `templatePath` names a
   * `chat_template.jinja` (the template as plain text) or `chat_template.json` (`{"chat_template": …}`)
   * that overrides the config's template. Building a tokenizer from a 10 MB tokenizer.json takes about a
   * second, so the last few are kept, keyed by the files' content.
   */
  static fromFiles(tokenizerPath: string, configPath: string | undefined, templatePath?: string): HfTokenizer {
    const tokText = readFileSync(tokenizerPath, 'utf8');
    const configText = configPath === undefined ? '{}' : readFileSync(configPath, 'utf8');
    const templateText = templatePath === undefined ? '' : readFileSync(templatePath, 'utf8');
    const key = createHash('sha256').update(tokText).update('\u0000').update(configText).update('\u0000').update(templatePath ?? '').update('\u0000').update(templateText).digest('hex');
    const hit = recent.get(key);
    if (hit !== undefined) return hit;
    const template = templatePath === undefined ? undefined : templatePath.endsWith('.json') ? defaultTemplate((JSON.parse(templateText) as Json)['chat_template']) : templateText;
    const tok = new HfTokenizer(JSON.parse(tokText) as Json, JSON.parse(configText) as Json, template);
    recent.set(key, tok);
    if (recent.size > 8) recent.delete(recent.keys().next().value ?? '');
    return tok;
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  renderChat(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
    if (this.template === undefined) throw new ContractError(NO_TEMPLATE, 'chat_template', NO_TEMPLATE_FIX);
    try {
      return this.template.render({ ...this.specials, messages: messages.map((m) => ({ role: m.role, content: m.content })), add_generation_prompt: addGenerationPrompt });
    } catch (e) {
      throw new ContractError(`the chat template failed: ${e instanceof Error ? e.message : String(e)}`, 'chat_template', 'Check the chat_template in tokenizer_config.json.');
    }
  }
}
