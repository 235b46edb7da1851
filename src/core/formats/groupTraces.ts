import type { Trace, TraceGroup } from '../dataset/types.js';

/**
 * Groups traces that share an identical prompt (best-of-N samples, RL groups), for the tree view and best-of-N
 * metrics. Every trace lands in exactly one group; groups are in the order their prompt is first seen and keep
 * their traces in input order. A prompt seen once makes a group of one.
 */
export function groupTracesByPrompt(traces: readonly Trace[]): TraceGroup[] {
  const byPrompt = new Map<string, Trace[]>();
  for (const trace of traces) {
    const group = byPrompt.get(trace.prompt);
    if (group) group.push(trace);
    else byPrompt.set(trace.prompt, [trace]);
  }
  return [...byPrompt].map(([prompt, members]): TraceGroup => ({ kind: 'group', prompt, traces: members }));
}
