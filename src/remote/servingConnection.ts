/**
 * Which serving engine answers at an endpoint and which model it serves: TEI answers `GET /info` with a
 * `model_id`, SGLang `GET /get_model_info` (or `/model_info`) with a `model_path`; anything else is taken
 * for vLLM and asked `GET /v1/models`. Node-only (HTTP).
 */
import { modelIds } from './chatGenerator.js';
import { EndpointError, type Endpoint, type HttpClient } from './httpClient.js';

/** The serving engines Reward Lens speaks to. */
export type ServerKind = 'vllm' | 'sglang' | 'tei';

/** Engine names as people write them. */
export const SERVER_NAMES: Readonly<Record<ServerKind, string>> = { vllm: 'vLLM', sglang: 'SGLang', tei: 'TEI' };

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** `v` when it is a JSON object (not an array), else undefined. */
export function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** What {@link connect} needs to know. */
export interface ConnectOptions {
  /** `auto` or absent: detect. */
  readonly server?: 'auto' | ServerKind | undefined;
  /** The model to ask for; absent: the server's only (or first) model. */
  readonly model?: string | undefined;
}

/** A connected server: which engine, which models, which model to ask for. */
export interface Connection {
  readonly client: HttpClient;
  readonly endpoint: Endpoint;
  readonly server: ServerKind;
  readonly models: string[];
  readonly model: string;
  /** TEI: the most inputs per request (`max_client_batch_size`) and the labels (`id2label`). */
  readonly maxBatch: number | undefined;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly findings: { level: 'warning'; message: string }[];
}

/** GET that treats 404/405 as "this server has no such route". */
async function probe(client: HttpClient, route: string): Promise<Obj | undefined> {
  try {
    return obj(await client.getJson(route));
  } catch (err) {
    if (err instanceof EndpointError && (err.status === 404 || err.status === 405)) return undefined;
    throw err;
  }
}

/**
 * Detects the engine (unless `opts.server` names it), lists its models and picks the model. Rejects with an
 * {@link EndpointError} when the server cannot be reached, does not answer like the named engine, or (vLLM)
 * does not serve the named model; notes (several models, a name a one-model server ignores) are warnings.
 */
export async function connect(client: HttpClient, opts: ConnectOptions): Promise<Connection> {
  const want = opts.server ?? 'auto';
  let server: ServerKind = want === 'auto' ? 'vllm' : want;
  let info: Obj | undefined;
  if (want === 'auto' || want === 'tei') {
    info = await probe(client, '/info');
    if (typeof info?.['model_id'] === 'string') server = 'tei';
    else info = undefined;
  }
  if (info === undefined && (want === 'auto' || want === 'sglang')) {
    for (const route of ['/get_model_info', '/model_info']) {
      info = await probe(client, route);
      if (typeof info?.['model_path'] === 'string') {
        server = 'sglang';
        break;
      }
      info = undefined;
    }
  }
  if (want !== 'auto' && want !== 'vllm' && info === undefined) {
    throw new EndpointError(`${client.endpoint.host} does not answer like ${SERVER_NAMES[want]} (${want === 'tei' ? 'GET /info with a model_id' : 'GET /get_model_info with a model_path'}); check the URL or the server setting`);
  }
  const findings: { level: 'warning'; message: string }[] = [];
  const models = server === 'tei' ? [String(info?.['model_id'])] : server === 'sglang' ? [String(info?.['model_path'])] : modelIds(await client.getJson('/v1/models'));
  let model = opts.model !== undefined && opts.model !== '' ? opts.model : undefined;
  if (model === undefined) {
    model = models[0];
    if (model === undefined) throw new EndpointError(`GET ${client.endpoint.basePath}/v1/models: ${client.endpoint.host} lists no models; name one with the model setting`);
    if (models.length > 1) findings.push({ level: 'warning', message: `${client.endpoint.host} serves ${models.length} models (${models.join(', ')}); using the first, ${model}. Name another with the model setting.` });
  } else if (!models.includes(model)) {
    if (server === 'vllm') throw new EndpointError(`the model "${model}" is not served at ${client.endpoint.host}; it serves ${models.length === 0 ? 'no models' : models.join(', ')}`);
    findings.push({ level: 'warning', message: `${SERVER_NAMES[server]} at ${client.endpoint.host} serves ${models.join(', ')}, not "${model}"; it serves one model, so requests go to that one` });
  }
  let maxBatch: number | undefined;
  let labels: Record<string, string> | undefined;
  if (server === 'tei') {
    const max = info?.['max_client_batch_size'];
    if (typeof max === 'number' && max >= 1) maxBatch = max;
    const id2label = obj(obj(obj(info?.['model_type'])?.['classifier'])?.['id2label']);
    if (id2label !== undefined) labels = Object.fromEntries(Object.entries(id2label).map(([k, v]) => [k, String(v)]));
  }
  return { client, endpoint: client.endpoint, server, models, model, maxBatch, labels, findings };
}
