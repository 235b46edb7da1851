import { runCli } from './cli.js';
import type { CliIo } from './commands.js';

const io: CliIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: process.stderr.isTTY === true,
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`reward-lens: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
