/**
 * Server-sent events as the OpenAI-compatible servers stream them: `data:` lines grouped into events by a
 * blank line, several `data:` lines of one event joined by `\n`, `:` comment lines (keep-alives) skipped,
 * other fields (`event:`, `id:`, `retry:`) ignored. Line ends may be `\n`, `\r\n` or `\r`, and a chunk may
 * end anywhere, even between `\r` and `\n`. Pure: text in, event payloads out.
 */

/** Incremental SSE parser: {@link feed} text as it arrives and get back each finished event's data. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private hasData = false;
  /** The previous chunk ended in `\r`: a `\n` starting the next chunk belongs to that line end. */
  private pendingCr = false;

  /** Adds decoded text; returns the data of every event completed by it, in order. */
  feed(chunk: string): string[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const events: string[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/u.exec(this.buffer);
      if (m === null) break;
      // A lone `\r` at the very end may be the first half of `\r\n`: take the line, skip a following `\n`.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) this.pendingCr = true;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /**
   * Whether text of an unfinished event is buffered. At the end of a stream such an event is not dispatched
   * (the SSE rule), so a stream that stops inside one was cut off.
   */
  get partial(): boolean {
    return this.hasData || this.buffer.length > 0;
  }

  private line(line: string): string | undefined {
    if (line === '') {
      if (!this.hasData) return undefined;
      const event = this.data.join('\n');
      this.data = [];
      this.hasData = false;
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return undefined;
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.data.push(value);
    this.hasData = true;
    return undefined;
  }
}
