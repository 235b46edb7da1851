import * as vscode from 'vscode';
import type { Step, StepLabel } from '../core/dataset/types.js';
import { compareLine, formatStepHover, modelDisplayName, type CompareHoverInput } from '../core/hover/formatStepHover.js';
import { SPARKLINE_COLORS } from '../core/hover/sparkline.js';
import { aggregateAll } from '../core/scoring/aggregate.js';
import { confidenceLine, stepConfidenceHover } from '../core/confidence/formatConfidence.js';
import type { Settings } from './config.js';
import type { DocumentIndex } from './documentIndex.js';
import type { ScoreService } from './scoreService.js';

/** Commands a hover may run; anything else in the markdown stays inert. */
export const HOVER_COMMANDS = ['rewardLens.scoreTrace', 'rewardLens.openTraceTree', 'rewardLens.copyStep', 'rewardLens.showJudgeReasoning', 'rewardLens.editAndRescore'] as const;

function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** Hover on a scored step: its score, the trace's aggregates, model/device, critique, label agreement, and actions. */
export class StepHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly index: DocumentIndex,
    private readonly scores: ScoreService,
    private settings: () => Settings,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const doc = this.index.get(document);
    if (!doc || !doc.isDataset) return undefined;
    const slot = doc.records.stepAt(document.offsetAt(position));
    if (!slot) return undefined;
    const record = doc.records.record(slot.recordIndex);
    if (!record) return undefined;
    const steps: readonly Step[] = record.kind === 'trace' ? record.steps : (record.responses[slot.responseIndex]?.steps ?? []);
    const step = steps.find((s) => s.index === slot.stepIndex);
    const stored = this.scores.lookup(doc.uri, record);
    const result = stored?.results[slot.responseIndex];
    const sc = result?.steps[slot.stepIndex];
    const s = this.settings();
    const uri = doc.uri.toString();
    const links = [
      { title: stored ? 'Rescore' : 'Score', uri: commandUri('rewardLens.scoreTrace', [{ uri, recordIndex: slot.recordIndex, force: true }]) },
      { title: 'Open Trace Tree', uri: commandUri('rewardLens.openTraceTree', [{ uri, recordIndex: slot.recordIndex }]) },
      { title: 'Copy Step', uri: commandUri('rewardLens.copyStep', [{ uri, recordIndex: slot.recordIndex, responseIndex: slot.responseIndex, stepIndex: slot.stepIndex }]) },
      { title: 'Edit and Rescore…', uri: commandUri('rewardLens.editAndRescore', [{ uri, recordIndex: slot.recordIndex, responseIndex: slot.responseIndex, stepIndex: slot.stepIndex }]) },
    ];
    if (result?.judge !== undefined) {
      links.push({ title: 'Show Judge Reasoning', uri: commandUri('rewardLens.showJudgeReasoning', [{ uri, recordIndex: slot.recordIndex, responseIndex: slot.responseIndex, stepIndex: slot.stepIndex }]) });
    }
    const md = new vscode.MarkdownString(undefined, false);
    md.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
    md.supportHtml = false;
    const range = step?.range ? new vscode.Range(document.positionAt(step.range.start), document.positionAt(step.range.end)) : undefined;
    // While comparing ("Compare With…"): this step under the current model (A) and the compared run (B).
    const compared = this.scores.comparison(doc.uri);
    const other = compared?.scores.lookup(record);
    const compare: CompareHoverInput | undefined = compared && {
      a: { name: this.scores.status.model, score: sc?.score ?? undefined, stale: stored?.stale ?? false },
      b: { name: compared.name, score: other?.results[slot.responseIndex]?.steps[slot.stepIndex]?.score ?? undefined, stale: other?.stale ?? false },
    };
    // The record's own token log-probabilities, when it carries them: a second score row, beside the reward model's.
    const confidence = record.kind === 'trace' ? stepConfidenceHover(record, slot.stepIndex, result?.steps.map((x) => x.score)) : undefined;
    if (!sc || !result) {
      md.appendMarkdown(`**Reward Lens** · step ${slot.stepIndex + 1} of ${steps.length}: not scored yet\n\n`);
      if (confidence) md.appendMarkdown(`${confidenceLine(confidence)}\n\n`);
      if (compare) md.appendMarkdown(`${compareLine(compare, s.threshold)}\n\n`);
      md.appendMarkdown(`Dataset label: ${labelText(step?.label ?? 'unknown')}\n\n`);
      md.appendMarkdown(links.map((l) => `[${l.title}](${l.uri})`).join(' · '));
      return new vscode.Hover(md, range);
    }
    md.appendMarkdown(
      formatStepHover({
        stepNumber: slot.stepIndex + 1,
        stepCount: steps.length,
        // A sidecar stores an unscorable step's NaN as null.
        score: typeof sc.score === 'number' ? sc.score : Number.NaN,
        ...(sc.critique !== undefined ? { critique: sc.critique } : {}),
        stale: stored?.stale ?? false,
        threshold: s.threshold,
        aggregates: aggregateAll(result.steps.map((x) => x.score)),
        aggregation: s.aggregation,
        // A judge names the model that wrote the verdict (the server's model id, or the local export).
        model: result.judge !== undefined && !result.judge.model.startsWith('onnx:') ? `${result.judge.name} judge · ${result.judge.model}` : modelDisplayName(this.scores.modelId),
        device: result.device,
        ...(Array.isArray(sc.checks) ? { checks: sc.checks } : {}),
        ...(sc.verdict !== undefined ? { verdict: sc.verdict } : {}),
        ...(sc.source !== undefined ? { source: sc.source } : {}),
        ...(result.judge !== undefined ? { judge: { name: result.judge.name, truncated: result.judge.truncated } } : {}),
        label: step?.label ?? 'unknown',
        links,
        ...(compare ? { compare } : {}),
        ...(confidence ? { confidence } : {}),
        // A data-URI image sees no theme variables: the palette follows the theme's kind.
        curve: { scores: result.steps.map((x) => x.score), colors: SPARKLINE_COLORS[curvePalette(vscode.window.activeColorTheme.kind)] },
      }),
    );
    return new vscode.Hover(md, range);
  }
}

function curvePalette(kind: vscode.ColorThemeKind): 'dark' | 'light' {
  return kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
}

function labelText(label: StepLabel): string {
  return label === 'unknown' ? 'none' : label;
}
