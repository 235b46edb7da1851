// Runs node's test runner over every file under a folder matching a suffix (Node 20's --test has no globs).
// Usage: node scripts/runTests.mjs <dir> <suffix> [extra node args...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const [dir = 'test/unit', suffix = '.test.ts', ...extra] = process.argv.slice(2);
const files = readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile() && d.name.endsWith(suffix))
  .map((d) => join(d.parentPath ?? d.path, d.name))
  .sort();
if (files.length === 0) {
  console.error(`No test files matching *${suffix} under ${dir}`);
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files];
const res = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(res.status ?? 1);
