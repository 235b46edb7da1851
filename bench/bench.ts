import { benchDashboard } from './dashboard.js';
import { benchDataset } from './dataset.js';
import { benchEditor } from './editor.js';
import { benchGeneration } from './generation.js';
import { benchRemote } from './remote.js';
import { benchParsing } from './parsing.js';
import { benchProbe } from './probe.js';
import { benchPytorch } from './pytorch.js';
import { benchScoring } from './scoring.js';

/**
 * `npm run bench --silent -- --json`: every figure is a ratio against a baseline measured in the same run.
 * `--parse-mb N` sets the generated file size (default 200); `--only=parsing,dataset` runs only those sections.
 * The `dataset` section's JSONL is REWARD_LENS_BENCH_DATASET_MB megabytes (default 1024).
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const mbArg = argv.indexOf('--parse-mb');
  const parseMb = mbArg >= 0 ? Number(argv[mbArg + 1]) : 200;
  const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
  const want = (k: string): boolean => only === undefined || only.includes(k);
  const result: Record<string, unknown> = {};
  if (want('parsing')) {
    if (!json) process.stderr.write(`parsing: generating ${parseMb} MB...\n`);
    result['parsing'] = benchParsing(parseMb);
  }
  if (want('scoring')) {
    if (!json) process.stderr.write('scoring: generating a model and traces...\n');
    result['scoring'] = { ...(await benchScoring()), ...(await benchPytorch()) };
  }
  if (want('editor')) result['editor'] = benchEditor();
  if (want('generation')) {
    if (!json) process.stderr.write('generation: generating a 4-layer causal LM...\n');
    result['generation'] = await benchGeneration();
  }
  if (want('remote')) {
    if (!json) process.stderr.write('remote: a loopback server with 50 ms latency...\n');
    result['remote'] = await benchRemote();
  }
  if (want('probe')) result['probe'] = await benchProbe();
  if (want('dashboard')) {
    if (!json) process.stderr.write('dashboard: generating 100k scored records...\n');
    result['dashboard'] = benchDashboard();
  }
  if (want('dataset')) {
    const datasetMb = Number(process.env['REWARD_LENS_BENCH_DATASET_MB'] ?? 1024);
    if (!json) process.stderr.write(`dataset: generating ${datasetMb} MB of JSONL and a Parquet file...\n`);
    result['dataset'] = await benchDataset(datasetMb, json ? undefined : (line) => process.stderr.write(`${line}\n`));
  }
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
}

void main();
