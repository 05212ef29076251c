/**
 * The Slurm test cluster (test/helpers/slurm-cluster.ts) end to end with the real commands: two
 * independent `sbatch` jobs and a third with `--dependency=afterok` on both all end COMPLETED in `sacct`
 * (exit code 0:0), the third starting after both ended and reading what they wrote; a running job that
 * `scancel` stops ends CANCELLED in `sacct`. Each test works in its own temp folder and cancels its jobs.
 * Without Slurm every test prints `skipped: <reason>` and passes; REPRO_SLURM_REQUIRED=1 makes that a
 * failure, REPRO_SLURM_DISABLE=1 forces the skip.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterOrSkip, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';

interface SacctRow {
  state: string;
  exitCode: string;
  start: string;
  end: string;
}

const ENDED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)\b/;
const WAIT_MS = 60_000;

const slurm = suite<{ cluster: SlurmCluster | { skip: string } }>('slurm test cluster');

slurm.before(async (context) => {
  context.cluster = await startSlurmCluster();
  const details = 'skip' in context.cluster ? context.cluster.skip.split('\n').slice(1) : [];
  if (details.length) console.warn(`slurm test cluster did not start:\n${details.join('\n')}`);
});
slurm.after(async ({ cluster }) => {
  if (cluster && !('skip' in cluster)) await cluster.stop();
});

/** `sbatch --parsable` from `work`, output in `work/<id>.out`; returns the job id. */
async function sbatch(cluster: SlurmCluster, work: string, args: string[]): Promise<string> {
  const result = await execa('sbatch', ['--parsable', `--chdir=${work}`, `--output=${join(work, '%j.out')}`, '--job-name=repro-test', ...args], {
    env: cluster.env,
    reject: false,
    stdin: 'ignore',
  });
  assert.is(result.exitCode, 0, `~> sbatch ${args.join(' ')} failed: ${result.stderr}`);
  const id = result.stdout.trim().split(';')[0]!;
  assert.match(id, /^\d+$/, `~> sbatch --parsable printed a job id, received '${result.stdout}'`);
  return id;
}

/** One row per job (allocations only, no .batch steps) from `sacct -j`; jobs slurmdbd has not heard of yet are absent. */
async function sacct(cluster: SlurmCluster, ids: string[]): Promise<Map<string, SacctRow>> {
  const result = await execa('sacct', ['-j', ids.join(','), '-X', '-n', '-P', '-o', 'JobID,State,ExitCode,Start,End'], {
    env: cluster.env,
    reject: false,
    stdin: 'ignore',
  });
  assert.is(result.exitCode, 0, `~> sacct failed: ${result.stderr}`);
  const rows = new Map<string, SacctRow>();
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    const [id = '', state = '', exitCode = '', start = '', end = ''] = line.split('|');
    rows.set(id, { state, exitCode, start, end });
  }
  return rows;
}

/** Polls sacct until every job's row satisfies `done`; fails with the rows, squeue and the jobs' output when it takes over a minute. */
async function waitFor(cluster: SlurmCluster, work: string, ids: string[], what: string, done: (row: SacctRow) => boolean): Promise<Map<string, SacctRow>> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const rows = await sacct(cluster, ids);
    if (ids.every((id) => rows.has(id) && done(rows.get(id)!))) return rows;
    if (Date.now() > deadline) assert.unreachable(`jobs ${ids.join(', ')} expected ${what} within ${WAIT_MS / 1000} s\n${await explain(cluster, work, rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function explain(cluster: SlurmCluster, work: string, rows: Map<string, SacctRow>): Promise<string> {
  const squeue = await execa('squeue', ['-o', '%i %T %r'], { env: cluster.env, reject: false, stdin: 'ignore' });
  const outputs = await Promise.all(
    (await readdir(work)).filter((f) => f.endsWith('.out')).map(async (f) => `${f}: ${(await readFile(join(work, f), 'utf8')).trim()}`),
  );
  return [`sacct: ${JSON.stringify(Object.fromEntries(rows))}`, `squeue:\n${squeue.stdout}${squeue.stderr}`, ...outputs].join('\n');
}

/** `scancel` whatever of `ids` is still queued or running (a test's cleanup; ended jobs are fine). */
async function cancel(cluster: SlurmCluster, ids: string[]): Promise<void> {
  if (ids.length) await execa('scancel', ids, { env: cluster.env, reject: false, stdin: 'ignore' });
}

slurm('two independent jobs and one afterok on both end COMPLETED in sacct; the third starts after both end', async ({ cluster: maybe }) => {
  const cluster = clusterOrSkip(maybe);
  if (!cluster) return;
  const work = await mkdtemp(join(tmpdir(), 'repro-slurm-jobs-'));
  const ids: string[] = [];
  try {
    ids.push(await sbatch(cluster, work, ['--wrap', `sleep 1; echo a > ${join(work, 'a')}`]));
    ids.push(await sbatch(cluster, work, ['--wrap', `sleep 1; echo b > ${join(work, 'b')}`]));
    const [first, second] = ids as [string, string];
    ids.push(await sbatch(cluster, work, [`--dependency=afterok:${first}:${second}`, '--wrap', `cat ${join(work, 'a')} ${join(work, 'b')} > ${join(work, 'c')}`]));
    const third = ids[2]!;

    const rows = await waitFor(cluster, work, ids, 'to end', (row) => ENDED.test(row.state));
    const why = await explain(cluster, work, rows);
    for (const id of ids) {
      assert.is(rows.get(id)!.state, 'COMPLETED', `~> job ${id} COMPLETED\n${why}`);
      assert.is(rows.get(id)!.exitCode, '0:0', `~> job ${id} exit code 0:0\n${why}`);
    }
    assert.is(await readFile(join(work, 'c'), 'utf8'), 'a\nb\n', '~> the third job read what the first two wrote');
    // NOTE: sacct's Start/End have whole seconds, so the third may start in the second the last one ended
    const seconds = (id: string, field: 'start' | 'end') => Date.parse(rows.get(id)![field]);
    for (const before of [first, second]) {
      assert.ok(Number.isFinite(seconds(before, 'end')) && Number.isFinite(seconds(third, 'start')), `~> Start and End are times\n${why}`);
      assert.ok(seconds(third, 'start') >= seconds(before, 'end'), `~> job ${third} started after job ${before} ended\n${why}`);
    }
  } finally {
    await cancel(cluster, ids);
    await rm(work, { recursive: true, force: true });
  }
});

slurm('a running job that scancel stops ends CANCELLED in sacct', async ({ cluster: maybe }) => {
  const cluster = clusterOrSkip(maybe);
  if (!cluster) return;
  const work = await mkdtemp(join(tmpdir(), 'repro-slurm-cancel-'));
  const ids: string[] = [];
  try {
    ids.push(await sbatch(cluster, work, ['--wrap', 'sleep 300']));
    const id = ids[0]!;
    await waitFor(cluster, work, ids, 'RUNNING in sacct', (row) => row.state === 'RUNNING');
    const scancel = await execa('scancel', [id], { env: cluster.env, reject: false, stdin: 'ignore' });
    assert.is(scancel.exitCode, 0, `~> scancel ${id}: ${scancel.stderr}`);
    const rows = await waitFor(cluster, work, ids, 'to end', (row) => ENDED.test(row.state));
    // sacct says 'CANCELLED by 0' (the uid that cancelled it)
    assert.match(rows.get(id)!.state, /^CANCELLED\b/, `~> job ${id} CANCELLED\n${await explain(cluster, work, rows)}`);
  } finally {
    await cancel(cluster, ids);
    await rm(work, { recursive: true, force: true });
  }
});

slurm.run();
