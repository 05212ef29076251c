#!/usr/bin/env node
// Optional: a second project-local Python environment `.venv-torch` with PyTorch at the exact pins of
// requirements-torch.txt, for the PyTorch baselines (bench/torch/, `npx tsx bench/train-step.ts`) and for
// regenerating the converter fixture (scripts/make-converter-fixture.py). Nothing in repro or its tests needs
// it, and `npm install` never runs it: torch from PyPI is ~7 GB installed on Linux x86-64 (it bundles the
// CUDA runtime). Idempotent: skipped when the stamp matches the requirements. `--dry-run` prints the commands.
// A failure names the step and the command to retry.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv-torch');
const requirements = join(root, 'requirements-torch.txt');
const stampFile = join(venv, '.repro-requirements.sha256');
const dryRun = process.argv.includes('--dry-run');
const log = (message) => process.stderr.write(`repro setup-torch: ${message}\n`);

function run(file, args, options = {}) {
  if (dryRun) {
    log(`would run: ${file} ${args.join(' ')}`);
    return '';
  }
  return execFileSync(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
}

function findPython() {
  for (const candidate of [process.env.REPRO_PYTHON, 'python3', 'python'].filter(Boolean)) {
    try {
      const version = execFileSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
      const [major, minor] = version.split('.').map(Number);
      if (major === 3 && minor >= 10) return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
if (existsSync(join(venv, 'bin', 'python')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === wanted) {
  log('.venv-torch is up to date');
  process.exit(0);
}
const python = findPython();
if (!python) {
  log('python env failed: expected python3 >= 3.10 on PATH (or REPRO_PYTHON), found none');
  log('retry with: install python3, then `node scripts/setup-torch.mjs`');
  process.exit(1);
}
try {
  if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
  log('installing torch and its pinned dependencies into .venv-torch (several GB, minutes)');
  run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', requirements], { stdio: ['ignore', 'inherit', 'pipe'] });
  if (!dryRun) writeFileSync(stampFile, `${wanted}\n`);
  const version = run(join(venv, 'bin', 'python'), ['-c', 'import torch; print(torch.__version__)']).trim();
  log(dryRun ? 'dry run: nothing installed' : `torch ${version} ready in .venv-torch (bench: \`npx tsx bench/train-step.ts\`)`);
} catch (error) {
  log(`python env failed: ${String(error.stderr || error.message).trim().split('\n').slice(-5).join('\n  ')}`);
  log('retry with: `rm -rf .venv-torch && node scripts/setup-torch.mjs`');
  process.exit(1);
}
