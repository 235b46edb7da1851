import type { CliIo, Flags } from './commands.js';
import { UsageError } from './commands.js';

/** `reward-lens models check DIR [--preset NAME]` and `reward-lens models presets`. */
export async function modelsCommand(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const [sub, dir, ...rest] = args;
  if (sub === 'presets') {
    const { PRESETS } = await import('../model/presets.js');
    for (const p of PRESETS) io.out(`${p.name.padEnd(20)} ${p.description}\n`);
    return 0;
  }
  if (sub !== 'check' || dir === undefined || rest.length > 0) throw new UsageError('usage: reward-lens models check DIR [--preset NAME] | reward-lens models presets');
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
