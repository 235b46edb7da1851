import type { CliIo, Flags } from './commands.js';
import { UsageError } from './commands.js';
import { apiKeyOf } from './scorers.js';

const USAGE = 'usage: reward-lens models check DIR [--preset NAME] | models check --endpoint URL --preset NAME [--api-key-env VAR] | models presets | models judges';

/** `reward-lens models check DIR|--endpoint URL`, `models presets` and `models judges`. */
export async function modelsCommand(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const [sub, dir, ...rest] = args;
  if (sub === 'presets') {
    const { PRESETS } = await import('../model/presets.js');
    for (const p of PRESETS) io.out(`${p.name.padEnd(20)} ${p.description}\n`);
    return 0;
  }
  if (sub === 'judges') {
    const { JUDGES } = await import('../core/judges/judgeRegistry.js');
    for (const j of JUDGES) io.out(`${j.name.padEnd(20)} ${j.description}\n`);
    return 0;
  }
  const endpoint = typeof flags['endpoint'] === 'string' ? flags['endpoint'] : undefined;
  if (sub === 'check' && endpoint !== undefined && dir === undefined) return checkServer(endpoint, flags, io);
  if (sub !== 'check' || dir === undefined || rest.length > 0) throw new UsageError(USAGE);
  const { checkModelFolder } = await import('../model/checkModel.js');
  const preset = typeof flags['preset'] === 'string' ? flags['preset'] : undefined;
  const report = await checkModelFolder(dir, preset);
  if (flags['json'] === true) {
    io.out(`${JSON.stringify(report)}\n`);
  } else {
    for (const f of report.findings) {
      const where = f.field ? `${f.file} (${f.field})` : f.file;
      io.out(`${f.level.padEnd(7)} ${where}: ${f.message}${f.fix ? `\n        fix: ${f.fix}` : ''}\n`);
    }
    io.out(report.ok ? `ok: ${dir} is a valid ${report.contract ?? 'reward model'} folder\n` : `${dir} has problems (see above)\n`);
  }
  return report.ok ? 0 : 1;
}

/** `models check --endpoint URL --preset NAME`: reachable, which engine, the model listed, the step tag token. */
async function checkServer(endpoint: string, flags: Flags, io: CliIo): Promise<number> {
  const preset = typeof flags['preset'] === 'string' ? flags['preset'] : undefined;
  if (preset === undefined) throw new UsageError('models check --endpoint needs --preset NAME (see `reward-lens models presets`).');
  const { checkEndpoint } = await import('../remote/servingScorer.js');
  const model = typeof flags['server-model'] === 'string' ? flags['server-model'] : typeof flags['judge-model'] === 'string' ? flags['judge-model'] : undefined;
  const tag = typeof flags['step-tag-id'] === 'string' ? Number(flags['step-tag-id']) : undefined;
  if (tag !== undefined && (!Number.isInteger(tag) || tag < 0)) throw new UsageError(`--step-tag-id must be a token id (got "${String(flags['step-tag-id'])}").`);
  const apiKey = apiKeyOf(flags);
  const report = await checkEndpoint({ endpoint, preset, ...(model !== undefined ? { model } : {}), ...(apiKey !== undefined ? { apiKey } : {}), ...(tag !== undefined ? { stepTagId: tag } : {}) });
  if (flags['json'] === true) {
    io.out(`${JSON.stringify(report)}\n`);
  } else {
    for (const f of report.findings) io.out(`${f.level.padEnd(7)} ${f.message}\n`);
    io.out(report.ok ? `ok: ${endpoint} serves ${report.model} (${report.server}) for ${preset}\n` : `${endpoint} cannot serve ${preset} (see above)\n`);
  }
  return report.ok ? 0 : 1;
}
