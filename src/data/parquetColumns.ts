import type { SchemaElement, SchemaTree } from 'hyparquet';

/** Longest type description kept per column in messages (a deep struct can run to pages). */
const TYPE_CHARS = 80;
/** Most columns named in a message. */
const MAX_COLUMNS = 12;

function leafType(e: SchemaElement): string {
  const logical = e.logical_type;
  if (logical?.type === 'INTEGER') return `${logical.isSigned ? 'int' : 'uint'}${logical.bitWidth}`;
  if (logical?.type === 'TIMESTAMP' || e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.type === 'INT96') return 'timestamp';
  if (logical?.type === 'STRING' || logical?.type === 'ENUM' || e.converted_type === 'UTF8' || e.converted_type === 'ENUM') return 'string';
  if (logical?.type === 'JSON' || e.converted_type === 'JSON') return 'json';
  if (logical?.type === 'DECIMAL' || e.converted_type === 'DECIMAL') return 'decimal';
  if (logical?.type === 'DATE' || e.converted_type === 'DATE') return 'date';
  if (logical !== undefined && logical.type !== 'MAP' && logical.type !== 'LIST') return logical.type.toLowerCase();
  switch (e.type) {
    case 'BOOLEAN':
      return 'bool';
    case 'INT32':
      return 'int32';
    case 'INT64':
      return 'int64';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'FIXED_LEN_BYTE_ARRAY':
      return `fixed_size_binary[${e.type_length ?? '?'}]`;
    default:
      return 'binary';
  }
}

function isAnnotated(node: SchemaTree, kind: 'LIST' | 'MAP'): boolean {
  return node.element.converted_type === kind || node.element.logical_type?.type === kind;
}

/** The type of a node ignoring its own repetition. */
function innerType(node: SchemaTree): string {
  const [repeated] = node.children;
  if (repeated !== undefined && isAnnotated(node, 'LIST') && node.children.length === 1) {
    // Standard 3-level list: LIST group → repeated group `list` → `element`; legacy 2-level lists repeat the element itself.
    const [element] = repeated.children;
    return `list<${element !== undefined && repeated.children.length === 1 ? describeParquetType(element) : innerType(repeated)}>`;
  }
  if (repeated !== undefined && isAnnotated(node, 'MAP') && repeated.children.length === 2) {
    const [key, value] = repeated.children;
    return `map<${key ? describeParquetType(key) : '?'}, ${value ? describeParquetType(value) : '?'}>`;
  }
  if (node.children.length > 0) return `struct<${node.children.map((c) => `${c.element.name}: ${describeParquetType(c)}`).join(', ')}>`;
  return leafType(node.element);
}

/**
 * A Parquet schema node's type in Arrow's words, as `datasets` and pyarrow users know them: `string`, `int64`,
 * `list<string>`, `list<struct<content: string, role: string>>`, `map<string, int64>`. A bare repeated field (a
 * legacy list) reads as `list<...>`.
 */
export function describeParquetType(node: SchemaTree): string {
  const inner = innerType(node);
  return node.element.repetition_type === 'REPEATED' ? `list<${inner}>` : inner;
}

function cut(text: string): string {
  return text.length <= TYPE_CHARS ? text : `${text.slice(0, TYPE_CHARS - 1)}…`;
}

/** The top-level columns with their types, for messages: `question: string, steps: list<string>` (long lists cut). */
export function describeColumns(schema: SchemaTree): string {
  const columns = schema.children.map((c) => `${c.element.name}: ${cut(describeParquetType(c))}`);
  const shown = columns.slice(0, MAX_COLUMNS).join(', ');
  return columns.length > MAX_COLUMNS ? `${shown}, and ${columns.length - MAX_COLUMNS} more` : shown || 'none';
}

/**
 * The message for a file in no known format. Worded as `parseDocument`'s for JSON text, with the columns and their
 * types in place of the keys, and the key mapping offered with the flag's syntax (paths are column names, dots reach
 * into structs).
 */
export function unknownFormatMessage(schema: SchemaTree): string {
  return (
    `Unrecognised record format (columns: ${describeColumns(schema)}). Expected one of the supported formats; for other files ` +
    'set "rewardLens.mapping" (or --map prompt=COL,steps=COL) to name the prompt and steps columns.'
  );
}
