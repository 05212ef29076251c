/**
 * `repro run --executor slurm` on the real single-node Slurm cluster of test/helpers/slurm-cluster.ts,
 * through the real CLI, dvc and git: the lab project's two independent stages and the stage that joins
 * them go through Slurm as three jobs (`sacct` lists them COMPLETED; the joining job started after both
 * others ended) and the result — dvc.lock, outputs, metrics — equals a local `-j 1` run byte for byte.
 * A job cancelled with `scancel` while it runs fails the run, naming the job and its state; `repro
 * status` listed it while it ran; what finished is kept, the job waiting on it is cancelled, and the next
 * run completes only what did not finish. A stage asking for more cores than any node has is cut to the
 * largest node; a job Slurm can never start (pending as `PartitionConfig`) is cancelled and fails the run,
 * named. Without Slurm every test prints `skipped: <reason>` and passes
 * (REPRO_SLURM_REQUIRED=1 makes that a failure).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { branchyFiles } from '../helpers/branchy-project.js';
import { labFiles } from '../helpers/lab-project.js';
import { clusterOrSkip, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';
import { ENV, makeTmpRepo, must, type CommandOutput, type TmpRepo } from '../helpers/tmp-repo.js';

interface Context {
  cluster: SlurmCluster | { skip: string };
  local: TmpRepo;
  remote: TmpRepo;
}

const slurm = suite<Context>('repro run --executor slurm');

slurm.before(async (context) => {
  context.cluster = await startSlurmCluster();
  const files = await labFiles();
  context.local = await makeTmpRepo({ files, dvcAdd: ['data/raw'] });
  context.remote = await makeTmpRepo({ files, dvcAdd: ['data/raw'] });
});
slurm.after(async ({ cluster, local, remote }) => {
  if (cluster && !('skip' in cluster)) await cluster.stop();
  await local?.remove();
  await remote?.remove();
});

/** The CLI in `repo` with the cluster's environment. */
function reproOn(cluster: SlurmCluster, repo: TmpRepo, ...args: string[]) {
  return execa(process.execPath, [join(repo.root, 'bin', 'repro.mjs'), ...args], { cwd: repo.root, env: { ...ENV, ...cluster.env }, reject: false, stdin: 'ignore' });
}

async function settled(run: ReturnType<typeof reproOn>): Promise<CommandOutput> {
  const result = await run;
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

interface Accounted {
  name: string;
  state: string;
  start: number;
  end: number;
}

/** `sacct` rows of the jobs with these names, once every one has ended (slurmdbd hears of them late). */
async function accounted(cluster: SlurmCluster, names: readonly string[]): Promise<Accounted[]> {
  for (let tries = 0; tries < 60; tries += 1) {
    const listed = await execa('sacct', ['-n', '-P', '-X', '-S', 'now-1hours', `--name=${names.join(',')}`, '-o', 'JobName,State,Start,End'], { env: cluster.env, reject: false });
    const rows = String(listed.stdout).split('\n').filter(Boolean).map((line) => line.split('|')).map(([name, state, start, end]) => ({ name: name!, state: state!.split(' ')[0]!, start: Date.parse(start!), end: Date.parse(end!) }));
    if (names.every((name) => rows.some((row) => row.name === name && !Number.isNaN(row.end)))) return rows;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.unreachable(`sacct never listed every one of ${names.join(', ')} as ended`);
  return [];
}

slurm('three jobs through Slurm, dependencies held, the same dvc.lock and outputs as a local run', async ({ cluster, local, remote }) => {
  const on = clusterOrSkip(cluster);
  if (!on) return;
  await must(local.repro('run', 'lab', '--no-exp', '-j', '1'));
  const result = await settled(reproOn(on, remote, 'run', 'lab', '--no-exp', '--executor', 'slurm', '--json'));
  assert.is(result.exitCode, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as { ran: string[] }).ran.sort(), ['lab_count-files', 'lab_resize-images', 'lab_summarize']);
  assert.match(result.stderr, /^\[lab_summarize\] submitted \(1 cpu, 2 GiB\)$/m);
  const rows = await accounted(on, ['repro:lab_resize-images', 'repro:lab_count-files', 'repro:lab_summarize']);
  const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
  for (const row of rows) assert.is(row.state, 'COMPLETED', `~> ${row.name}`);
  const joined = byName['repro:lab_summarize']!;
  assert.ok(joined.start >= byName['repro:lab_resize-images']!.end && joined.start >= byName['repro:lab_count-files']!.end, '~> the joining job started after both others ended');
  assert.is(await remote.read('dvc.lock'), await local.read('dvc.lock'), '~> dvc.lock is byte-identical to a local run');
  for (const path of ['out/lab/summarize/summary.json', 'out/lab/count-files/list.txt', 'reports/lab/summarize/counts.json']) assert.is(await remote.read(path), await local.read(path), `~> ${path}`);
  assert.match((await must(remote.dvc('status'))).stdout, /Data and pipelines are up to date/);
  assert.not.ok(existsSync(join(remote.root, 'runs', 'slurm-jobs.json')), '~> the job list is gone with the run');
  assert.ok(existsSync(join(remote.root, 'runs', 'logs', 'lab_summarize.log')), "~> each job's output is the stage's log");
});

slurm('scancel fails the run naming the job; status listed it; the rerun completes only what did not finish', async ({ cluster, remote }) => {
  const on = clusterOrSkip(cluster);
  if (!on) return;
  for (const [path, text] of Object.entries(branchyFiles({ slowMs: 8000, fail: false }))) await remote.write(path, text);
  await must(remote.git('add', '-A'));
  await must(remote.git('commit', '-q', '-m', 'branchy'));
  const run = reproOn(on, remote, 'run', 'branchy', '--no-exp', '--executor', 'slurm');
  let id: string | undefined;
  let status = '';
  for (let tries = 0; tries < 120 && !id; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = (await settled(reproOn(on, remote, 'status'))).stdout;
    id = /^slurm job (\d+) {2}RUNNING {2}branchy_slow$/m.exec(status)?.[1];
  }
  if (!id) {
    const ended = await settled(run);
    assert.unreachable(`repro status never listed the running job: ${status}\nthe run: exit ${ended.exitCode}\n${ended.stderr.split('\n').slice(-15).join('\n')}`);
  }
  await execa('scancel', [id!], { env: on.env });
  const failed = await settled(run);
  assert.is(failed.exitCode, 1);
  assert.match(failed.stderr, new RegExp(`error stage 'branchy_slow' failed \\(job ${id} CANCELLED`));
  assert.match(failed.stderr, /1 finished stage recorded in dvc\.lock \(branchy_flaky\)/);
  assert.match(failed.stderr, /\[branchy_join\] not run \(job \d+ cancelled: a stage it reads failed\)/, failed.stderr);
  const lock = await remote.read('dvc.lock');
  assert.match(lock, /branchy_flaky:/);
  assert.not.match(lock, /branchy_slow:|branchy_join:/);
  const rerun = await settled(reproOn(on, remote, 'run', 'branchy', '--no-exp', '--executor', 'slurm', '--json'));
  assert.is(rerun.exitCode, 0, rerun.stderr);
  assert.equal((JSON.parse(rerun.stdout) as { ran: string[] }).ran.sort(), ['branchy_join', 'branchy_slow']);
  assert.is(await remote.read('out/branchy/join/both.txt'), 'slow\nflaky\n');
});

slurm('a request above the largest node is cut to it; a job Slurm can never start fails the run instead of waiting', async ({ cluster, local }) => {
  const on = clusterOrSkip(cluster);
  if (!on) return;
  const original = await local.read('experiments/lab.ts');
  try {
    await local.write('experiments/lab.ts', original.replace("params: { prefix: '> ' } }", "params: { prefix: '>> ' }, resources: { cpus: 512 } }"));
    const cut = await settled(reproOn(on, local, 'run', 'lab', '--no-exp', '--executor', 'slurm'));
    assert.is(cut.exitCode, 0, cut.stderr);
    const nodeCpus = Number((await execa('sinfo', ['-h', '-o', '%c'], { env: on.env })).stdout.trim().replace('+', ''));
    assert.match(cut.stderr, new RegExp(`^\\[lab_count-files\\] submitted \\(${nodeCpus} cpus?, 2 GiB\\)$`, 'm'), '~> 512 cores asked, the node\'s cores granted');

    // A job asking more cores than the node behind repro's back (extraArgs come last) pends as PartitionConfig.
    await local.write('experiments/lab.ts', original.replace("params: { prefix: '> ' } }", "params: { prefix: '>>> ' } }"));
    await local.write('repro.config.json', JSON.stringify({ slurm: { extraArgs: ['--cpus-per-task=512'] } }));
    const never = await settled(reproOn(on, local, 'run', 'lab', '--no-exp', '--executor', 'slurm'));
    assert.is(never.exitCode, 1);
    assert.match(never.stderr, /job \d+ cancelled: Slurm says it can never start \(PartitionConfig: the partition has no node with the cores, memory or GPUs asked for\)/);
    assert.is((await execa('squeue', ['-h', '-o', '%i'], { env: on.env })).stdout.trim(), '', '~> nothing left in the queue');
  } finally {
    await local.write('experiments/lab.ts', original);
    await execa('rm', ['-f', join(local.root, 'repro.config.json')]);
  }
});

slurm.run();
