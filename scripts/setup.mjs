#!/usr/bin/env node
// `npm install`'s postinstall: everything repro needs beyond Node packages, installed by the project
// itself and idempotent. (1) A project-local Python environment `.venv` with dvc and its dependencies at
// the exact pins of requirements.txt (skipped when the stamp matches). (2) git and DVC initialised where
// missing. (3) The embedded demo data: face photos shipped inside @vladmandic/face-api, copied to
// data/demo/photos (tracked by data.dvc). Each step prints one line; a failure names the step and the
// command to retry.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = process.env.INIT_CWD && existsSync(join(process.env.INIT_CWD, 'experiments')) ? process.env.INIT_CWD : process.cwd();
const venv = join(root, '.venv');
const stampFile = join(venv, '.repro-requirements.sha256');
const log = (message) => process.stderr.write(`repro setup: ${message}\n`);

function run(file, args, options = {}) {
  return execFileSync(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
}

function fail(step, error, retry) {
  log(`${step} failed: ${String(error.stderr || error.message).trim().split('\n').slice(-5).join('\n  ')}`);
  log(`retry with: ${retry}`);
  process.exit(1);
}

function findPython() {
  for (const candidate of [process.env.REPRO_PYTHON, 'python3', 'python'].filter(Boolean)) {
    try {
      const version = run(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).trim();
      const [major, minor] = version.split('.').map(Number);
      if (major === 3 && minor >= 9) return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

function setupPython() {
  const requirements = readFileSync(join(root, 'requirements.txt'));
  const wanted = createHash('sha256').update(requirements).digest('hex');
  if (existsSync(join(venv, 'bin', 'dvc')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === wanted) {
    log('python env .venv is up to date');
    return;
  }
  const python = findPython();
  if (!python) fail('python env', new Error('expected python3 >= 3.9 on PATH (or REPRO_PYTHON), found none'), 'install python3, then `npm run postinstall`');
  try {
    if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
    log('installing dvc and its pinned dependencies into .venv (first time only, about a minute)');
    run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', join(root, 'requirements.txt')], { stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(stampFile, `${wanted}\n`);
    log(`dvc ${run(join(venv, 'bin', 'dvc'), ['--version'], { env: { ...process.env, DVC_NO_ANALYTICS: '1' } }).trim()} ready in .venv`);
  } catch (error) {
    fail('python env', error, '`rm -rf .venv && npm run postinstall`');
  }
}

function setupRepositories() {
  try {
    run('git', ['rev-parse', '--is-inside-work-tree']);
  } catch {
    run('git', ['init', '-q']);
    log('initialised a git repository');
  }
  if (!existsSync(join(root, '.dvc'))) {
    run(join(venv, 'bin', 'dvc'), ['init', '-q'], { env: { ...process.env, DVC_NO_ANALYTICS: '1' } });
    run(join(venv, 'bin', 'dvc'), ['config', 'core.analytics', 'false']);
    log('initialised DVC');
  }
}

function setupDemoData() {
  const target = join(root, 'data', 'demo', 'photos');
  const require = createRequire(join(root, 'package.json'));
  let source;
  try {
    source = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
  } catch (error) {
    fail('demo data', error, '`npm install` (the demo photos ship inside @vladmandic/face-api)');
  }
  const samples = readdirSync(source).filter((f) => /^sample\d+\.jpg$/.test(f)).sort();
  mkdirSync(target, { recursive: true });
  let copied = 0;
  for (const name of samples) {
    if (existsSync(join(target, name))) continue;
    copyFileSync(join(source, name), join(target, name));
    copied += 1;
  }
  log(copied ? `copied ${copied} demo photos to data/demo/photos` : 'demo photos in place');
}

setupPython();
setupRepositories();
setupDemoData();
