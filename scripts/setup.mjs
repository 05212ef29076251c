#!/usr/bin/env node
// `npm install`'s postinstall: everything repro needs beyond Node packages, installed by the project
// itself and idempotent. (1) A project-local Python environment `.venv` with dvc and dvc-s3 at the exact
// pins of requirements.txt, and a test-only one `.venv-test` with moto's S3 server at the pins of
// requirements-test.txt (each skipped when its stamp matches; REPRO_SKIP_TEST_ENV=1 skips the second).
// (2) git and DVC initialised where missing. (3) The embedded demo data: face photos shipped inside
// @vladmandic/face-api, copied to data/demo/photos (tracked by data.dvc). (4) Debian's chromium for the
// report test, installed with apt-get when missing and running as root (otherwise it says how to get it).
// (5) Debian's Slurm, munge, slurmdbd and MariaDB's binaries for the tests that run a single-node cluster
// (scripts/setup-slurm.mjs: the same rule; REPRO_SKIP_SLURM=1 skips it). Each step prints one line; a
// failure names the step and the command to retry.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureSlurm } from './setup-slurm.mjs';

const root = process.env.INIT_CWD && existsSync(join(process.env.INIT_CWD, 'experiments')) ? process.env.INIT_CWD : process.cwd();
const venv = join(root, '.venv');
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

/**
 * Creates `dir` and installs `requirementsFile` into it at its exact pins, unless the stamp says it is done.
 * `probe` is the executable that must exist afterwards; `describe` returns the line printed when ready.
 */
function setupPython({ dir, requirementsFile, probe, what, describe }) {
  const stampFile = join(dir, '.repro-requirements.sha256');
  const requirements = readFileSync(join(root, requirementsFile));
  const wanted = createHash('sha256').update(requirements).digest('hex');
  const name = dir.slice(root.length + 1);
  if (existsSync(join(dir, 'bin', probe)) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === wanted) {
    log(`python env ${name} is up to date`);
    return;
  }
  const python = findPython();
  if (!python) fail(`python env ${name}`, new Error('expected python3 >= 3.9 on PATH (or REPRO_PYTHON), found none'), 'install python3, then `npm run postinstall`');
  try {
    if (!existsSync(join(dir, 'bin', 'python'))) run(python, ['-m', 'venv', dir]);
    log(`installing ${what} into ${name} (first time only, about a minute)`);
    run(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', join(root, requirementsFile)], { stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(stampFile, `${wanted}\n`);
    log(describe());
  } catch (error) {
    fail(`python env ${name}`, error, `\`rm -rf ${name} && npm run postinstall\``);
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
  // Put the copied photos into the DVC cache as data.dvc records them, so plain `dvc checkout`, `dvc status`
  // and `repro share` work on a fresh clone before any run (DVC refuses to overwrite uncached files).
  if (copied > 0 && existsSync(join(root, 'data.dvc'))) {
    run(join(venv, 'bin', 'dvc'), ['commit', '-f', '-q', 'data.dvc'], { env: { ...process.env, DVC_NO_ANALYTICS: '1' } });
    log('cached the demo photos in .dvc/cache (dvc commit data.dvc)');
  }
}


/**
 * Debian's chromium, which the report test drives headless with playwright-core (a browser download of
 * playwright's own is not possible here). Present: nothing to do. Missing, as root with apt-get: installed
 * from Debian's packages. Otherwise: says how to get it. Never fails the install, since only that test
 * needs it; REPRO_CHROMIUM points elsewhere, REPRO_SKIP_CHROMIUM=1 skips the step.
 */
function setupChromium() {
  const path = process.env.REPRO_CHROMIUM || '/usr/bin/chromium';
  const how = 'install it with `apt-get install -y chromium` (as root; Debian/Ubuntu), or set REPRO_CHROMIUM to a Chromium/Chrome binary';
  if (existsSync(path)) {
    log(`chromium for the report test: ${path}`);
    return;
  }
  if (process.env.REPRO_SKIP_CHROMIUM === '1') {
    log(`chromium skipped (REPRO_SKIP_CHROMIUM=1); test/cli/report.test.ts needs it: ${how}`);
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    log(`chromium not found at ${path}; test/cli/report.test.ts needs it: ${how}`);
    return;
  }
  log('installing Debian chromium for the report test: apt-get update && apt-get install -y chromium (first time only, a minute or two)');
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    run('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    log(`chromium ready: ${run('/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).trim()} at /usr/bin/chromium`);
  } catch (error) {
    log(`chromium install failed: ${String(error.stderr || error.message).trim().split('\n').slice(-3).join(' / ')}`);
    log(`test/cli/report.test.ts needs it: ${how}`);
  }
}

setupPython({
  dir: venv,
  requirementsFile: 'requirements.txt',
  probe: 'dvc',
  what: 'dvc and its pinned dependencies',
  describe: () => `dvc ${run(join(venv, 'bin', 'dvc'), ['--version'], { env: { ...process.env, DVC_NO_ANALYTICS: '1' } }).trim()} ready in .venv`,
});
// NOTE: its own environment, because moto pins a newer botocore than dvc-s3's aiobotocore allows.
if (process.env.REPRO_SKIP_TEST_ENV !== '1') {
  setupPython({
    dir: join(root, '.venv-test'),
    requirementsFile: 'requirements-test.txt',
    probe: 'moto_server',
    what: "moto's S3 server for the sharing tests",
    describe: () => 'moto_server ready in .venv-test (tests only)',
  });
}
setupRepositories();
setupDemoData();
setupChromium();
ensureSlurm({ log });
