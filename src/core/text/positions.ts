/**
 * Offset ↔ line/column conversion over a file text. Lines split on `\n` (a preceding `\r` belongs to the
 * line ending, not the line). Units are in the names: `Line0`/`Char0` are 0-based, what editors use;
 * problem reports print 1-based numbers.
 */

/** 0-based line number. */
export type Line0 = number & { readonly __line0: never };
/** 0-based UTF-16 column. */
export type Char0 = number & { readonly __char0: never };

/** A 0-based position. */
export interface Position0 {
  readonly line: Line0;
  readonly character: Char0;
}

/** Precomputed line starts for a text; build once per document version. */
export class LineIndex {
  /** Offset of the first character of each line. */
  private readonly starts: Int32Array | number[];

  constructor(readonly text: string) {
    const starts: number[] = [0];
    let i = text.indexOf('\n');
    while (i !== -1) {
      starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset where 0-based `line` starts (clamped). */
  lineStart(line: number): number {
    const clamped = Math.max(0, Math.min(line, this.starts.length - 1));
    return this.starts[clamped] ?? 0;
  }

  /** The 0-based position of an offset (clamped into the text). */
  positionAt(offset: number): Position0 {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo as Line0, character: (o - (this.starts[lo] ?? 0)) as Char0 };
  }

  /** The offset of a 0-based position (clamped to the line's length). */
  offsetAt(line: number, character: number): number {
    const start = this.lineStart(line);
    const next = line + 1 < this.starts.length ? (this.starts[line + 1] ?? this.text.length) : this.text.length;
    return Math.min(start + Math.max(0, character), next);
  }
}
