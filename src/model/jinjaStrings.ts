// Python's str.strip / lstrip / rstrip for @huggingface/jinja templates. Its string methods ignore their
// argument (0.5.11–0.5.13: `x.lstrip('\n')` trims every leading space too), while chat templates rely on it:
// Qwen3's writes the final assistant turn as `content.lstrip('\n')`, so a response that starts with a space
// (" blue.") rendered without it and tokenised differently from transformers' apply_chat_template. This
// gives the three methods Python's meaning (strip exactly the given characters; whitespace without one).
import { Environment } from '@huggingface/jinja';

interface RuntimeValue {
  readonly type: string;
  readonly value: unknown;
}
type Builtins = Map<string, unknown>;
type StringValueClass = (new (value: string) => RuntimeValue) & { prototype: { builtins: Builtins } };
type FunctionValueClass = new (fn: (args: readonly RuntimeValue[]) => RuntimeValue) => unknown;

const PATCHED = Symbol('reward-lens python strip');

/** Strips the characters of `chars` (Python semantics), or whitespace when `chars` is undefined. */
export function pythonStrip(text: string, chars: string | undefined, side: 'both' | 'left' | 'right'): string {
  if (chars === undefined) return side === 'both' ? text.trim() : side === 'left' ? text.trimStart() : text.trimEnd();
  const set = new Set(chars);
  let start = 0;
  let end = text.length;
  if (side !== 'right') while (start < end && set.has(text[start] ?? '')) start++;
  if (side !== 'left') while (end > start && set.has(text[end - 1] ?? '')) end--;
  return text.slice(start, end);
}

let done = false;

/** Installs the Python string methods into @huggingface/jinja's string values (once per process). */
export function usePythonStringMethods(): void {
  if (done) return;
  done = true;
  const env = new Environment();
  env.set('s', '');
  const probe = env.lookupVariable('s') as RuntimeValue;
  const StringValue = probe.constructor as StringValueClass;
  const descriptor = Object.getOwnPropertyDescriptor(StringValue.prototype, 'builtins');
  const original = descriptor?.get;
  const strip = (probe as unknown as { builtins: Builtins }).builtins.get('strip');
  if (original === undefined || strip === undefined) throw new Error('@huggingface/jinja changed: cannot install Python string methods');
  const FunctionValue = (strip as object).constructor as FunctionValueClass;
  Object.defineProperty(StringValue.prototype, 'builtins', {
    configurable: true,
    get(this: RuntimeValue & { [PATCHED]?: true }) {
      const map = original.call(this) as Builtins & { [PATCHED]?: true };
      if (map[PATCHED] === true) return map;
      const text = String(this.value);
      const method = (side: 'both' | 'left' | 'right'): unknown =>
        new FunctionValue((args) => {
          const arg = args[0];
          const chars = arg !== undefined && arg.type === 'StringValue' ? String(arg.value) : undefined;
          return new StringValue(pythonStrip(text, chars, side));
        });
      map.set('strip', method('both'));
      map.set('lstrip', method('left'));
      map.set('rstrip', method('right'));
      map[PATCHED] = true;
      return map;
    },
  });
}
