#!/usr/bin/env node
// Debian's Slurm for the tests that run jobs on a real single-node cluster (test/helpers/slurm-cluster.ts
// starts a private one per test file): slurm-wlm (slurmctld, slurmd and the client commands), munge, and
// for `sacct` the accounting daemon slurmdbd with the MariaDB server and client binaries it stores into
// (mariadb-server-core, mariadb-client-core: the bare binaries, no system service is set up or started).
// All present: nothing to do. Missing, as root with apt-get: installed from Debian's packages. Otherwise:
// says how to get them. Never throws and never fails an install, since only those tests need them:
// `ensureSlurm()` returns whether the tools are there. REPRO_SKIP_SLURM=1 skips the step. Run directly
// (`node scripts/setup-slurm.mjs`) it does the same and exits 0 either way.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the test cluster runs: its daemons, the commands tests call, and mariadb-install-db's helper. */
const TOOLS = ['sbatch', 'squeue', 'sinfo', 'sacct', 'scancel', 'sacctmgr', 'slurmctld', 'slurmd', 'slurmdbd', 'munged', 'mariadbd', 'mariadb-install-db', 'my_print_defaults'];
const PACKAGES = ['slurm-wlm', 'munge', 'slurmdbd', 'mariadb-server-core', 'mariadb-client-core'];
const HOW = `install them with \`apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}\` (as root; Debian/Ubuntu)`;

const defaultLog = (message) => process.stderr.write(`repro setup: ${message}\n`);

/** The tools found on PATH or in the sbin folders (a user's PATH often lacks /usr/sbin, where the daemons live). */
function missingTools() {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return TOOLS.filter((tool) => !dirs.some((dir) => existsSync(join(dir, tool))));
}

function aptInstall() {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' };
  execFileSync('/usr/bin/apt-get', ['update', '-qq'], options);
  execFileSync('/usr/bin/apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], options);
}

function versions() {
  const version = (file, args) => {
    try {
      return execFileSync(file, args, { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      return `${file} (version unknown)`;
    }
  };
  // NOTE: `sbatch --version` fails without a slurm.conf; the daemons' -V does not need one
  return [version('/usr/sbin/slurmd', ['-V']), version('/usr/sbin/munged', ['-V']), version('/usr/sbin/mariadbd', ['--version'])].join(', ');
}

/**
 * Makes sure the Slurm test cluster's tools are installed; returns true when they are. `log` gets one line
 * per outcome (default: stderr, prefixed like scripts/setup.mjs).
 */
export function ensureSlurm({ log = defaultLog } = {}) {
  try {
    const missing = missingTools();
    if (missing.length === 0) {
      log('slurm for the cluster tests: installed');
      return true;
    }
    const needs = `test/slurm needs ${missing.join(', ')}`;
    if (process.env.REPRO_SKIP_SLURM === '1') {
      log(`slurm skipped (REPRO_SKIP_SLURM=1); ${needs}: ${HOW}`);
      return false;
    }
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot || !existsSync('/usr/bin/apt-get')) {
      log(`${needs}; ${HOW}, or run \`node scripts/setup-slurm.mjs\` as root`);
      return false;
    }
    log(`installing Debian's slurm for the cluster tests: apt-get install ${PACKAGES.join(' ')} (first time only, under a minute)`);
    aptInstall();
    const still = missingTools();
    if (still.length) {
      log(`slurm install finished but ${still.join(', ')} still missing; ${HOW}`);
      return false;
    }
    log(`slurm ready: ${versions()}`);
    return true;
  } catch (error) {
    log(`slurm install failed: ${String(error.stderr || error.message).trim().split('\n').slice(-3).join(' / ')}`);
    log(`test/slurm needs them: ${HOW}`);
    return false;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) ensureSlurm();
