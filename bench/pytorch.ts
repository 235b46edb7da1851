// The engine against PyTorch on the same model and traces: a realistic small Qwen2 PRM (qwen2.5-math-prm: Qwen2
// backbone, hidden 256, 4 layers, the score MLP; transformers' own initialisation) saved as a Hugging Face
// checkpoint and exported with the project's exporter. Both score the same 220 generated traces, one forward pass
// per trace, in exactly the engine's length-bucketed, right-padded batches: the engine end to end
// (loadModelScorer: worker thread, tokenising, batching, reading scores), PyTorch eager as a forward over
// pre-tokenised batches only (python -m reward_lens_export.testing bench --batches). Best of three rounds each.
// Runs when the Python venv of scripts/installPythonDeps.sh exists; otherwise the section says why it is absent.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultModelsRoot } from '../scripts/genModels.js';
import { exporterHash, runPython } from '../scripts/pythonExporter.js';
import { defaultVenvPython } from '../src/cli/exportCommand.js';
import { buildEngine } from '../src/model/buildEngine.js';
import { inspectModelFolder } from '../src/model/checkModel.js';
import { loadModelScorer } from '../src/model/loadScorer.js';
import { generateTraces } from './scoring.js';

const ROOT = resolve(__dirname, '..');
const PRESET = 'qwen2.5-math-prm';
const SIZE = { hidden: 256, layers: 4, heads: 4, 'kv-heads': 2, intermediate: 1024 } as const;
const ROUNDS = 3;

const python = (py: string, args: readonly string[], what: string): string => runPython(py, args, what, ROOT);

/** The checkpoint and its export, built once into the models cache. */
function prepare(py: string): { base: string; checkpoint: string; dir: string } {
  const base = join(defaultModelsRoot(), `bench-qwen2-prm-pytorch-${exporterHash(ROOT)}`);
  const checkpoint = join(base, 'checkpoint');
  const dir = join(base, 'onnx');
  if (!existsSync(join(checkpoint, 'config.json'))) {
    const size = Object.entries(SIZE).flatMap(([k, v]) => [`--${k}`, String(v)]);
    python(py, ['-m', 'reward_lens_export.testing', 'make-checkpoint', '--preset', PRESET, '--init', 'realistic', ...size, '--out', checkpoint, '--tokenizers', join(ROOT, 'node_modules')], 'make-checkpoint');
  }
  if (!existsSync(join(dir, 'reward-lens.json'))) python(py, ['-m', 'reward_lens_export', checkpoint, dir, '--preset', PRESET, '--force'], 'export');
  return { base, checkpoint, dir };
}

/** `scoring.pytorch_tokens_per_s` and `scoring.engine_vs_pytorch` (≥ 1: the engine is at least as fast). */
export async function benchPytorch(): Promise<Record<string, number | string>> {
  const py = process.env['REWARD_LENS_PYTHON'] ?? defaultVenvPython();
  if (!existsSync(py)) return { pytorch: `skipped: no Python venv at ${py} (run scripts/installPythonDeps.sh)` };
  const { base, checkpoint, dir } = prepare(py);
  const traces = generateTraces(220);

  const { model } = inspectModelFolder(dir, PRESET);
  if (model === undefined) throw new Error('the exported bench model failed its check');
  const { engine } = buildEngine(model, { noCache: true });
  const batches = engine.batchesFor(engine.plan(traces).units).map((b) => b.members.map((u) => [...u.ids]));
  const batchesFile = join(base, 'batches.json');
  mkdirSync(base, { recursive: true });
  writeFileSync(batchesFile, JSON.stringify(batches));

  const scorer = await loadModelScorer({ dir, preset: PRESET, noCache: true });
  let engineSeconds = Number.POSITIVE_INFINITY;
  let tokens = 0;
  try {
    await scorer.score(generateTraces(60, 99));
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = process.hrtime.bigint();
      await scorer.score(traces);
      engineSeconds = Math.min(engineSeconds, Number(process.hrtime.bigint() - t0) / 1e9);
      tokens = scorer.lastStats()?.tokens ?? tokens;
    }
  } finally {
    await scorer.dispose();
  }
  const torch = JSON.parse(python(py, ['-m', 'reward_lens_export.testing', 'bench', '--model', checkpoint, '--preset', PRESET, '--batches', batchesFile, '--rounds', String(ROUNDS)], 'bench').trim().split('\n').pop() ?? '{}') as {
    tokens: number;
    seconds: number;
    tokens_per_s: number;
    threads: number;
  };
  if (torch.tokens !== tokens) throw new Error(`PyTorch scored ${torch.tokens} tokens, the engine ${tokens}: not the same work`);
  const engineRate = tokens / engineSeconds;
  const round = (x: number, d = 3): number => Number(x.toFixed(d));
  return {
    pytorch_tokens_per_s: round(torch.tokens_per_s, 0),
    engine_tokens_per_s_qwen2: round(engineRate, 0),
    engine_vs_pytorch: round(engineRate / torch.tokens_per_s),
    pytorch_threads: torch.threads,
    pytorch_model: `Qwen2 qwen2.5-math-prm, hidden ${SIZE.hidden}, ${SIZE.layers} layers, ffn ${SIZE.intermediate}; ${traces.length} traces, ${tokens} tokens`,
  };
}
