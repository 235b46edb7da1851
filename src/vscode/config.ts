import * as vscode from 'vscode';
import { DEFAULT_PARSE_OPTIONS, MAPPING_KEYS, type KeyMapping, type ParseOptions } from '../core/formats/formatSpec.js';
import { AGGREGATIONS, type Aggregation } from '../core/scoring/aggregate.js';
import type { SegmentationMode } from '../core/text/segmentSteps.js';

/** Where sidecars go: beside the data file, or in the extension's workspace storage. */
export type SidecarLocation = 'besideFile' | 'workspaceStorage';

/** Every `rewardLens.*` setting, read once per change and passed down as a frozen value. */
export interface Settings {
  /** `builtin` or a model folder path. */
  readonly model: string;
  readonly preset: string | undefined;
  readonly device: 'auto' | 'cpu' | 'webgpu' | 'cuda';
  /** A generative judge's name, or undefined for none. */
  readonly judge: string | undefined;
  /** A serving engine's URL (judge server, or a served reward model), or undefined. */
  readonly endpoint: string | undefined;
  /** The model id to ask the endpoint for, or undefined for the server's only model. */
  readonly serverModel: string | undefined;
  /** The rubric file of a `rubric` / `prometheus` judge, or undefined. */
  readonly rubricFile: string | undefined;
  readonly judgeMaxTokens: number;
  readonly concurrency: number;
  readonly threshold: number;
  readonly highThreshold: number;
  readonly aggregation: Aggregation;
  readonly sidecarLocation: SidecarLocation;
  readonly parse: ParseOptions;
  /** Why a workspace value was ignored (untrusted workspace), for the UI; undefined when nothing was ignored. */
  readonly restrictedReason: string | undefined;
}

const SEGMENTATION: readonly SegmentationMode[] = ['auto', 'lists', 'step-markers', 'paragraphs', 'lines'];

/**
 * Reads the settings. In an untrusted workspace, model paths and presets set by the workspace are ignored (only the
 * user's own settings count), because a workspace must not make the extension load and run a model of its choosing.
 */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('rewardLens');
  const trusted = vscode.workspace.isTrusted;
  const ignored: string[] = [];
  const userOnly = <T>(key: string, fallback: T): T => {
    if (trusted) return c.get<T>(key, fallback);
    const i = c.inspect<T>(key);
    if (i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined) ignored.push(`"rewardLens.${key}"`);
    return i?.globalValue ?? i?.defaultValue ?? fallback;
  };
  const model = userOnly<string>('model', 'builtin').trim() || 'builtin';
  const preset = userOnly<string>('preset', '').trim();
  const judge = userOnly<string>('judge', '').trim();
  const endpoint = userOnly<string>('endpoint', '').trim();
  const serverModel = userOnly<string>('serverModel', '').trim();
  const rubricFile = userOnly<string>('rubricFile', '').trim();
  const maxTokens = c.get<number>('judgeMaxTokens', 4096);
  const concurrency = c.get<number>('concurrency', 8);
  const orUndefined = (v: string): string | undefined => (v === '' ? undefined : v);
  const names = ignored.length <= 1 ? ignored.join('') : `${ignored.slice(0, -1).join(', ')} and ${ignored[ignored.length - 1] ?? ''}`;
  const restrictedReason =
    ignored.length === 0
      ? undefined
      : `This workspace is not trusted, so its ${names} setting${ignored.length === 1 ? ' is' : 's are'} ignored (a workspace must not choose which model runs or which server gets your data); trust the workspace to use ${ignored.length === 1 ? 'it' : 'them'}.`;
  const device = c.get<string>('device', 'auto');
  const aggregation = c.get<string>('aggregation', 'min');
  const threshold = c.get<number>('threshold', 0.5);
  const segmentation = c.get<string>('segmentation', 'auto');
  const zero = c.get<string>('prm800kRatingZero', 'neutral');
  const mapping = readMapping(c.get<unknown>('mapping'));
  const settings: Settings = {
    model,
    preset: preset === '' ? undefined : preset,
    device: device === 'cpu' || device === 'webgpu' || device === 'cuda' ? device : 'auto',
    judge: orUndefined(judge),
    endpoint: orUndefined(endpoint),
    serverModel: orUndefined(serverModel),
    rubricFile: orUndefined(rubricFile),
    judgeMaxTokens: Number.isInteger(maxTokens) && maxTokens >= 1 ? maxTokens : 4096,
    concurrency: Number.isInteger(concurrency) && concurrency >= 1 ? Math.min(256, concurrency) : 8,
    threshold: Number.isFinite(threshold) ? Math.min(1, Math.max(0, threshold)) : 0.5,
    highThreshold: Math.max(threshold, c.get<number>('highThreshold', 0.8)),
    aggregation: (AGGREGATIONS as readonly string[]).includes(aggregation) ? (aggregation as Aggregation) : 'min',
    sidecarLocation: c.get<string>('sidecarLocation', 'besideFile') === 'workspaceStorage' ? 'workspaceStorage' : 'besideFile',
    parse: {
      ...DEFAULT_PARSE_OPTIONS,
      segmentation: (SEGMENTATION as readonly string[]).includes(segmentation) ? (segmentation as SegmentationMode) : 'auto',
      prm800kRatingZero: zero === 'good' || zero === 'bad' ? zero : ('neutral' as const),
      ...(mapping ? { mapping } : {}),
    },
    restrictedReason,
  };
  return Object.freeze(settings);
}


/** The `rewardLens.mapping` setting as a KeyMapping; undefined when empty or unusable (no steps/response/chosen). */
function readMapping(value: unknown): KeyMapping | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, string> = {};
  for (const k of MAPPING_KEYS) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out['steps'] !== undefined || out['response'] !== undefined || out['chosen'] !== undefined ? out : undefined;
}

/** Fires `onChange` with fresh settings whenever a `rewardLens` setting or workspace trust changes. */
export function watchSettings(onChange: (s: Settings) => void): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('rewardLens')) onChange(readSettings());
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => onChange(readSettings())),
  );
}
