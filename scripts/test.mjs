#!/usr/bin/env node
// `npm test`: runs every `test/**/*.test.ts` with uvu under the tsx loader, passes its output through,
// and ends with the one line CI reads, `N passed, N failed` (uvu prints Total/Passed/Skipped but not
// that). Extra arguments narrow the files: `npm test -- compile` runs files whose path matches 'compile'.
// dist/ is rebuilt first when it no longer matches the sources, so end-to-end tests start the CLI the
// way an installed project does.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { listSources } from '../bin/sources.mjs';

const built = (() => {
  try {
    return readFileSync('dist/.sources.json', 'utf8').trim() === JSON.stringify(listSources('.'));
  } catch {
    return false;
  }
})();
if (!built) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

const filter = process.argv[2] ?? '';
const pattern = `${filter ? `${filter.replace(/[.+?^${}()|[\]\\]/g, '\\$&')}.*` : ''}\\.test\\.ts$`;
const child = spawn(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', pattern], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, DVC_NO_ANALYTICS: '1' },
});
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});
child.on('close', (code, signal) => {
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const count = (label) => Number(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(plain)?.[1] ?? NaN);
  const total = count('Total');
  const passed = count('Passed');
  const skipped = count('Skipped') || 0;
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    process.stdout.write(`\n0 passed, 1 failed\n`);
    process.stderr.write(`uvu ended (${signal ?? `exit ${code}`}) without a summary: a test file failed to load\n`);
    process.exit(1);
  }
  const failed = total - passed - skipped;
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
