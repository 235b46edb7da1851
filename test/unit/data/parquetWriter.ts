// Writes small Parquet tables with hyparquet-writer from JSON rows, with explicit Parquet types (real LIST and
// struct columns, INT64 as INT64), so a test can compare the Parquet source with the same rows as JSONL.
import { writeFileSync } from 'node:fs';
import { parquetWriteBuffer, type SchemaElement } from 'hyparquet-writer';

/** Column types the tests use, named as Arrow names them. */
export type ColumnKind = 'string' | 'int64' | 'bool' | 'double' | 'list<string>' | 'list<int64>' | 'list<struct<content, role>>';

const leaf = (name: string, type: 'BYTE_ARRAY' | 'INT64' | 'BOOLEAN' | 'DOUBLE'): SchemaElement =>
  type === 'BYTE_ARRAY' ? { name, type, converted_type: 'UTF8', repetition_type: 'OPTIONAL' } : { name, type, repetition_type: 'OPTIONAL' };

/** A standard 3-level LIST whose element is `element` (its first schema element is renamed `element`). */
const listOf = (name: string, element: readonly SchemaElement[]): SchemaElement[] => {
  const [head, ...rest] = element;
  if (head === undefined) throw new Error('empty list element');
  return [{ name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 }, { name: 'list', repetition_type: 'REPEATED', num_children: 1 }, { ...head, name: 'element' }, ...rest];
};

function columnSchema(name: string, kind: ColumnKind): SchemaElement[] {
  switch (kind) {
    case 'string':
      return [leaf(name, 'BYTE_ARRAY')];
    case 'int64':
      return [leaf(name, 'INT64')];
    case 'bool':
      return [leaf(name, 'BOOLEAN')];
    case 'double':
      return [leaf(name, 'DOUBLE')];
    case 'list<string>':
      return listOf(name, [leaf('element', 'BYTE_ARRAY')]);
    case 'list<int64>':
      return listOf(name, [leaf('element', 'INT64')]);
    case 'list<struct<content, role>>':
      return listOf(name, [{ name: 'element', repetition_type: 'OPTIONAL', num_children: 2 }, leaf('content', 'BYTE_ARRAY'), leaf('role', 'BYTE_ARRAY')]);
  }
}

/** JSON numbers as the BigInts an INT64 column takes. */
const toBigInt = (v: unknown): unknown => (typeof v === 'number' ? BigInt(v) : v);

function columnValues(kind: ColumnKind, values: readonly unknown[]): unknown[] {
  if (kind === 'int64') return values.map(toBigInt);
  if (kind === 'list<int64>') return values.map((v) => (Array.isArray(v) ? v.map(toBigInt) : v));
  return [...values];
}

/** Writes `rows` to a Parquet file with the given column types (in this order) and row groups of `rowGroupSize` rows. */
export function writeParquet(path: string, rows: readonly Record<string, unknown>[], columns: Readonly<Record<string, ColumnKind>>, rowGroupSize = 1000): void {
  const entries = Object.entries(columns);
  const buffer = parquetWriteBuffer({
    columnData: entries.map(([name, kind]) => ({ name, data: columnValues(kind, rows.map((r) => r[name] ?? null)) })),
    schema: [{ name: 'root', num_children: entries.length }, ...entries.flatMap(([name, kind]) => columnSchema(name, kind))],
    rowGroupSize,
  });
  writeFileSync(path, new Uint8Array(buffer));
}

/** The same rows as JSON Lines text. */
export function toJsonl(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
