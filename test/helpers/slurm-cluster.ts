/**
 * A real single-node Slurm cluster for tests, private to one temp folder: its own munged (a fresh key, its
 * own socket), its own MariaDB (a fresh data folder on a free localhost port) behind its own slurmdbd, so
 * plain `sacct` lists jobs with State, ExitCode, Start and End, and its own slurmctld and slurmd on free
 * ports, with this machine's CPUs as one node in partition `debug`. Nothing outside the folder is read or
 * written (no /etc/slurm, /etc/munge, /run/munge, /var/lib/mysql), so a second cluster or a stale daemon
 * never clashes. Child processes reach it through `env` (SLURM_CONF; slurm.conf names the munge socket).
 * Missing tools, not being root, a daemon that won't start or REPRO_SLURM_DISABLE=1 give `{ skip }` with
 * the reason (and the daemons' log tails), never a throw. `scripts/setup-slurm.mjs` installs the tools.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

export interface SlurmCluster {
  /** what child processes need to reach this cluster: `execa('sbatch', args, { env: cluster.env })` */
  readonly env: Record<string, string>;
  /** path of the generated slurm.conf */
  readonly conf: string;
  /** the temp folder holding config, key, sockets, state, logs and the database */
  readonly dir: string;
  readonly partition: 'debug';
  /** cancels leftover jobs, stops every daemon, removes `dir` */
  stop(): Promise<void>;
}

/**
 * The cluster, or undefined once it printed `skipped: <reason>` for the calling test; with
 * REPRO_SLURM_REQUIRED=1 a skip throws instead.
 */
export function clusterOrSkip(cluster: SlurmCluster | { skip: string }): SlurmCluster | undefined {
  if (!('skip' in cluster)) return cluster;
  const reason = cluster.skip.split('\n')[0]!;
  if (process.env.REPRO_SLURM_REQUIRED === '1') throw new Error(`REPRO_SLURM_REQUIRED=1, but ${reason}`);
  console.warn(`skipped: ${reason}`);
  return undefined;
}

export const SLURM_INSTALL_HINT =
  'run `node scripts/setup-slurm.mjs` as root, or `apt-get install -y --no-install-recommends slurm-wlm munge slurmdbd mariadb-server-core mariadb-client-core` (Debian/Ubuntu)';

const CLIENTS = ['sbatch', 'squeue', 'sinfo', 'sacct', 'scancel', 'sacctmgr'] as const;
const DAEMONS = ['munged', 'mariadb-install-db', 'mariadbd', 'slurmdbd', 'slurmctld', 'slurmd'] as const;
const CLUSTER_NAME = 'repro';
const START_TIMEOUT_MS = 30_000;
/** MariaDB sized for a test: small files (about 20 MB), no fsync, no performance schema. */
const MARIADB_OPTIONS = [
  '--innodb-log-file-size=4M',
  '--innodb-data-file-path=ibdata1:4M:autoextend',
  '--innodb-autoextend-increment=1',
  '--innodb-flush-log-at-trx-commit=0',
  '--innodb-doublewrite=0',
  '--innodb-flush-method=nosync',
  '--skip-performance-schema',
  '--skip-name-resolve',
];

class Skip extends Error {}

/** `file args` in the foreground, stdout and stderr appended to `out`, never rejecting. */
function spawnLogged(file: string, args: string[], env: Record<string, string>, out: string) {
  const target = { file: out, append: true };
  return execa(file, args, { env, stdin: 'ignore', stdout: target, stderr: target, reject: false });
}

interface Daemon {
  name: string;
  child: ReturnType<typeof spawnLogged>;
  /** its log file, where its stdout and stderr lack it (mariadbd; the others copy theirs to stderr in the foreground) */
  log?: string;
  /** its stdout and stderr */
  out: string;
}

/** Starts munged, MariaDB, slurmdbd, slurmctld and slurmd in a new temp folder and waits for the node to be idle. */
export async function startSlurmCluster(): Promise<SlurmCluster | { skip: string }> {
  if (process.env.REPRO_SLURM_DISABLE === '1') return { skip: 'REPRO_SLURM_DISABLE=1 is set' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { skip: `Slurm test cluster: needs root (its daemons run as SlurmUser=root and launch the jobs), this process runs as uid ${process.getuid()}` };
  }
  const paths = findTools();
  if (typeof paths === 'string') return { skip: paths };

  const dir = await mkdtemp(join(tmpdir(), 'repro-slurm-'));
  // NOTE: munged refuses a socket in a folder that others cannot traverse, and mkdtemp makes it 0700
  await chmod(dir, 0o755);
  const daemons: Daemon[] = [];
  const onExit = () => {
    for (const daemon of daemons) daemon.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    await stopCluster(dir, daemons);
  };
  try {
    const started = Date.now();
    const conf = await startDaemons(dir, paths, daemons);
    const env = { SLURM_CONF: conf };
    if (process.env.REPRO_SLURM_VERBOSE === '1') console.warn(`slurm test cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dir}`);
    return { env, conf, dir, partition: 'debug', stop };
  } catch (error) {
    const reason = error instanceof Skip ? error.message : `starting the test cluster failed: ${error instanceof Error ? error.stack : String(error)}`;
    await stop().catch(() => undefined);
    return { skip: reason };
  }
}

/** Absolute paths of every tool, or why not: the clients on PATH, the daemons on PATH or in the sbin folders. */
function findTools(): Record<string, string> | string {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const sbinDirs = [...pathDirs, '/usr/sbin', '/usr/local/sbin', '/sbin'];
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const [names, dirs] of [[CLIENTS, pathDirs], [DAEMONS, sbinDirs]] as const) {
    for (const name of names) {
      const dir = dirs.find((d) => existsSync(join(d, name)));
      if (dir) found[name] = join(dir, name);
      else missing.push(name);
    }
  }
  return missing.length ? `Slurm test cluster: ${missing.join(', ')} not found on PATH; ${SLURM_INSTALL_HINT}` : found;
}

async function startDaemons(dir: string, paths: Record<string, string>, daemons: Daemon[]): Promise<string> {
  const file = (name: string) => join(dir, name);
  await Promise.all(['state', 'spool', 'mysql-tmp'].map((d) => mkdir(file(d))));
  const [ctldPort, slurmdPort, dbdPort, mysqlPort] = await freePorts(4);
  const host = await shortHostname();
  const node = await nodeHardware(paths.slurmd!);
  const munge = file('munge.socket');
  const conf = file('slurm.conf');
  const env = { SLURM_CONF: conf };

  // NOTE: munged refuses a key readable by others; 128 random bytes is what `mungekey` writes.
  await writeFile(file('munge.key'), randomBytes(128), { mode: 0o400 });
  await writeFile(conf, slurmConf({ dir, host, node, munge, ctldPort: ctldPort!, slurmdPort: slurmdPort!, dbdPort: dbdPort! }));
  // NOTE: slurmdbd reads slurmdbd.conf next to $SLURM_CONF and refuses one readable by others.
  await writeFile(file('slurmdbd.conf'), slurmdbdConf({ dir, munge, dbdPort: dbdPort!, mysqlPort: mysqlPort! }), { mode: 0o600 });
  await writeFile(file('mysql-init.sql'), "CREATE USER 'slurm'@'127.0.0.1';\nGRANT ALL ON *.* TO 'slurm'@'127.0.0.1';\n");

  const spawnDaemon = (name: string, args: string[], log?: string) => {
    const out = file(`${name}.out`);
    daemons.push({ name, child: spawnLogged(paths[name]!, args, env, out), out, ...(log ? { log } : {}) });
  };

  spawnDaemon('munged', ['--foreground', `--socket=${munge}`, `--key-file=${file('munge.key')}`, `--pid-file=${file('munged.pid')}`,
    `--log-file=${file('munged.log')}`, `--seed-file=${file('munged.seed')}`, '--num-threads=4']);
  const install = await execa(paths['mariadb-install-db']!, ['--no-defaults', `--datadir=${file('mysql')}`, '--auth-root-authentication-method=normal',
    '--skip-test-db', '--user=root', ...MARIADB_OPTIONS], { reject: false, all: true, stdin: 'ignore', timeout: START_TIMEOUT_MS });
  if (install.exitCode !== 0) throw new Skip(`mariadb-install-db failed (${install.exitCode ?? install.signal}):\n${tail(install.all ?? '', 15)}`);
  spawnDaemon('mariadbd', ['--no-defaults', `--datadir=${file('mysql')}`, `--socket=${file('mysql.socket')}`, `--port=${mysqlPort}`, '--bind-address=127.0.0.1',
    `--pid-file=${file('mariadbd.pid')}`, `--log-error=${file('mariadbd.log')}`, `--tmpdir=${file('mysql-tmp')}`, '--user=root',
    `--init-file=${file('mysql-init.sql')}`, '--innodb-buffer-pool-size=128M', '--innodb-lock-wait-timeout=900', ...MARIADB_OPTIONS], file('mariadbd.log'));
  await waitFor('munged to create its socket', async () => existsSync(munge), dir, daemons);
  await waitFor(`MariaDB to listen on 127.0.0.1:${mysqlPort}`, () => canConnect(mysqlPort!), dir, daemons);

  spawnDaemon('slurmdbd', ['-D']);
  await waitFor(`slurmdbd to listen on 127.0.0.1:${dbdPort}`, () => canConnect(dbdPort!), dir, daemons);

  // -c -i: a cold start, whatever the (empty) state folder holds
  spawnDaemon('slurmctld', ['-D', '-c', '-i', '-f', conf]);
  spawnDaemon('slurmd', ['-D', '-N', host, '-f', conf]);
  await waitFor(`node '${host}' to be idle in sinfo`, async () => {
    const sinfo = await execa(paths.sinfo!, ['-h', '-N', '-n', host, '-o', '%T'], { env, reject: false, stdin: 'ignore', timeout: 10_000 });
    return sinfo.exitCode === 0 && sinfo.stdout.trim() === 'idle';
  }, dir, daemons);
  return conf;
}

interface NodeHardware {
  /** `CPUs=… Boards=… SocketsPerBoard=… CoresPerSocket=… ThreadsPerCore=…` */
  topology: string;
  realMemory: number;
}

/**
 * The node line slurmd itself would register (`slurmd -C`), so slurmctld never drains the node for "Low
 * socket*core count"; os.cpus() when that fails. RealMemory 90% of the real memory ("Low RealMemory" otherwise).
 */
async function nodeHardware(slurmd: string): Promise<NodeHardware> {
  const memory = Math.floor(totalmem() / 2 ** 20);
  const probe = await execa(slurmd, ['-C'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  const fields = Object.fromEntries([...probe.stdout.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  const keys = ['CPUs', 'Boards', 'SocketsPerBoard', 'CoresPerSocket', 'ThreadsPerCore'];
  const topology = keys.every((k) => /^\d+$/.test(fields[k] ?? '')) ? keys.map((k) => `${k}=${fields[k]}`).join(' ') : `CPUs=${cpus().length}`;
  const realMemory = Math.floor(Math.min(memory, Number(fields.RealMemory) || memory) * 0.9);
  return { topology, realMemory };
}

function slurmConf(o: { dir: string; host: string; node: NodeHardware; munge: string; ctldPort: number; slurmdPort: number; dbdPort: number }): string {
  const file = (name: string) => join(o.dir, name);
  return `# generated by test/helpers/slurm-cluster.ts for one test run; everything lives in ${o.dir}
ClusterName=${CLUSTER_NAME}
SlurmctldHost=${o.host}(127.0.0.1)
SlurmctldPort=${o.ctldPort}
SlurmdPort=${o.slurmdPort}
SlurmUser=root
SlurmdUser=root
# every daemon and command talks to this cluster's own munged
AuthType=auth/munge
AuthInfo=socket=${o.munge}
CredType=cred/munge
StateSaveLocation=${file('state')}
SlurmdSpoolDir=${file('spool')}
SlurmctldPidFile=${file('slurmctld.pid')}
SlurmdPidFile=${file('slurmd.pid')}
SlurmctldLogFile=${file('slurmctld.log')}
SlurmdLogFile=${file('slurmd.log')}
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups in a container
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
KillWait=5
# schedule a submitted batch job at once (the default batches them up for 3 s)
SchedulerParameters=batch_sched_delay=0
# several jobs share the node: each gets cores and DefMemPerCPU, not the whole node
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
# accounting for sacct through this cluster's slurmdbd; AccountingStoragePass names the munge socket for it
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=${o.dbdPort}
AccountingStoragePass=${o.munge}
# also a plain-text record of finished jobs (\`sacct -c\` reads it, no database involved)
JobCompType=jobcomp/filetxt
JobCompLoc=${file('jobcomp.log')}
NodeName=${o.host} NodeAddr=127.0.0.1 NodeHostname=${o.host} ${o.node.topology} RealMemory=${o.node.realMemory} State=UNKNOWN
PartitionName=debug Nodes=${o.host} Default=YES MaxTime=INFINITE State=UP
`;
}

function slurmdbdConf(o: { dir: string; munge: string; dbdPort: number; mysqlPort: number }): string {
  return `# generated by test/helpers/slurm-cluster.ts
AuthType=auth/munge
AuthInfo=socket=${o.munge}
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=${o.dbdPort}
SlurmUser=root
PidFile=${join(o.dir, 'slurmdbd.pid')}
LogFile=${join(o.dir, 'slurmdbd.log')}
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=${o.mysqlPort}
StorageUser=slurm
StorageLoc=slurm_acct_db
`;
}

/** Polls `check` every 200 ms; a daemon that exits or the timeout ends it with a Skip holding the log tails. */
async function waitFor(what: string, check: () => Promise<boolean>, dir: string, daemons: Daemon[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const dead = daemons.find((d) => d.child.exitCode !== null || d.child.signalCode !== null);
    if (dead) throw new Skip(`Slurm test cluster: ${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}) while waiting for ${what}\n${logTails(daemons)}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Skip(`Slurm test cluster: timed out after ${START_TIMEOUT_MS / 1000} s waiting for ${what} (in ${dir})\n${logTails(daemons)}`);
    await sleep(200);
  }
}

function logTails(daemons: Daemon[]): string {
  return daemons
    .map((d) => {
      const read = (path: string | undefined) => (path && existsSync(path) ? readFileSync(path, 'utf8').trim() : '');
      const text = [read(d.log), read(d.out)].filter(Boolean).join('\n');
      return `--- ${d.name}${text ? `\n${tail(text, 10)}` : ' (no output)'}`;
    })
    .join('\n');
}

async function stopCluster(dir: string, daemons: Daemon[]): Promise<void> {
  const running = (name: string) => daemons.find((d) => d.name === name && d.child.exitCode === null && d.child.signalCode === null);
  if (running('slurmctld') && running('slurmd')) {
    const env = { SLURM_CONF: join(dir, 'slurm.conf') };
    await execa('scancel', ['--partition=debug'], { env, reject: false, stdin: 'ignore', timeout: 10_000 });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const squeue = await execa('squeue', ['-h', '-o', '%i'], { env, reject: false, stdin: 'ignore', timeout: 10_000 });
      if (squeue.exitCode !== 0 || squeue.stdout.trim() === '') break;
      await sleep(200);
    }
  }
  // controller and node first, then accounting, then the database, then munge
  for (const name of ['slurmctld', 'slurmd', 'slurmdbd', 'mariadbd', 'munged']) {
    const daemon = running(name);
    if (daemon) await terminate(daemon.child);
  }
  killHolders(dir);
  await rm(dir, { recursive: true, force: true });
}

/** SIGTERM, then SIGKILL after 10 s (slurmd that lost its controller can take minutes to obey SIGTERM). */
async function terminate(child: Daemon['child']): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await child;
  clearTimeout(timer);
}

/** SIGKILLs anything still running with its cwd or an open file inside `dir` (a job's slurmstepd that outlived slurmd). */
function killHolders(dir: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const links = [`/proc/${pid}/cwd`, ...readdirSync(`/proc/${pid}/fd`).map((fd) => `/proc/${pid}/fd/${fd}`)];
      if (links.some((link) => safeReadlink(link).startsWith(`${dir}/`))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, or not ours to inspect
    }
  }
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

async function shortHostname(): Promise<string> {
  const result = await execa('hostname', ['-s'], { reject: false, stdin: 'ignore' });
  return (result.exitCode === 0 && result.stdout.trim()) || hostname().split('.')[0]!;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `count` distinct free localhost TCP ports (held open together so they differ). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
