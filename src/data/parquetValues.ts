/** A plain JSON value: what `JSON.parse` can return. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A 64-bit integer as a JSON number when it is exact, else as its decimal string (ids, hashes) so no digit is lost. */
function bigintToJson(value: bigint): number | string {
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

/** Raw bytes (an unannotated BYTE_ARRAY): their UTF-8 text when they are valid UTF-8, else base64. */
function bytesToJson(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
}

/** A timestamp or date as ISO 8601; an out-of-range one (hyparquet's `Invalid Date`) as null rather than a throw. */
function dateToJson(date: Date): string | null {
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * Turns one decoded Parquet value (hyparquet's output) into plain JSON, so a row can be serialised and read by the
 * JSON parsers exactly as the same row in a JSONL file would be. INT64 arrives as BigInt (a number when exact, else a
 * decimal string); raw bytes become UTF-8 text or base64; timestamps ISO strings; typed arrays, lists, structs and
 * maps are converted element by element; null, undefined and non-finite floats become null (as `JSON.stringify`
 * writes them). Objects are rebuilt with own data properties only, so a `__proto__` key stays a key.
 *
 * Invariant: the result equals `JSON.parse(JSON.stringify(result))`, so it may stand in for the parse of its own text.
 */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // `+ 0` turns -0 into 0, as a JSON round trip does.
      return Number.isFinite(value) ? value + 0 : null;
    case 'bigint':
      return bigintToJson(value);
    case 'object':
      break;
    default:
      return null;
  }
  if (value instanceof Uint8Array) return bytesToJson(value);
  if (value instanceof Date) return dateToJson(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<unknown>, toJsonValue);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
}
