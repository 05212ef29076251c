/**
 * Runs planned stages as Slurm jobs. Each stage is one `sbatch` job — its dvc.yaml command wrapped, run in
 * the project folder (a file system the cluster's nodes share with the submitter), `--cpus-per-task`
 * (`--exclusive`, a whole node, for `all`; cluster-pool.ts turns a GPU stage's `all` into its GPUs' share and
 * cuts requests to the largest node), `--mem` and `--gres=gpu:N` from its resources (GPUs only where the
 * cluster has GPU gres; elsewhere it runs on the CPU backend, as locally), `--dependency=afterok:<jobs>` on
 * the upstream stages still queued or running, and the project's settings from repro.config.json. Its output goes to
 * `runs/logs/<stage>.log`. The executor polls `scontrol show job` until the job ends: COMPLETED is a
 * success; FAILED, CANCELLED (an `scancel`), TIMEOUT and the like fail the stage with the tail of its log;
 * a job whose dependency can never be met (an upstream failed) is cancelled and counts as blocked; a job
 * Slurm says can never start (`PartitionConfig`, `InvalidAccount` and the like) is cancelled and fails. An
 * abort cancels the job. Submitted jobs are listed in `runs/slurm-jobs.json` while the run lasts, which is
 * what `repro status` reads.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { LOG_DIR } from '../../compile/paths.js';
import { writeJson } from '../../../kit/fs-atomic.js';
import type { Grant } from '../resource-pool.js';
import type { Executor, StageOutcome } from '../run-plan.js';
import type { PlannedStage } from '../stage-plan.js';
import { configArgs, type SlurmConfig } from './slurm-config.js';

/** Jobs this run submitted, by stage, while it lasts. */
export const JOBS_FILE = 'runs/slurm-jobs.json';

const TAIL_LINES = 20;
const POLL_MS = 500;
const FINISHED_OK = new Set(['COMPLETED']);
/** Pending reasons that no waiting will change: the request does not fit the partition, account or QOS. */
const NEVER_STARTS = new Map([
  ['PartitionConfig', 'the partition has no node with the cores, memory or GPUs asked for'],
  ['BadConstraints', 'no node satisfies the constraints (repro.config.json extraArgs)'],
  ['PartitionNodeLimit', 'more nodes than the partition allows'],
  ['PartitionTimeLimit', 'a time limit above the partition\'s (repro.config.json time)'],
  ['InvalidAccount', 'the account is not valid (repro.config.json account)'],
  ['InvalidQOS', 'the QOS is not valid (repro.config.json qos)'],
]);
const STILL_GOING = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

export interface SlurmExecutorOptions {
  readonly root: string;
  readonly config: SlurmConfig;
  /** variables every job gets (the journal, the backend); sbatch exports the submitter's environment too */
  readonly env: Readonly<Record<string, string>>;
  /** whether the cluster has GPU gres to ask for */
  readonly gpus: boolean;
}

export interface SlurmExecutor extends Executor {
  /** job id by stage, of the jobs submitted so far */
  readonly jobs: ReadonlyMap<string, string>;
  /** removes the job list */
  close(): Promise<void>;
}

export function slurmExecutor(options: SlurmExecutorOptions): SlurmExecutor {
  const jobs = new Map<string, string>();
  // A stage is handed over right after its upstream ones, before their sbatch returned: wait for their ids.
  const submissions = new Map<string, Promise<string | undefined>>();
  const save = () => writeJson(join(options.root, JOBS_FILE), { jobs: Object.fromEntries(jobs) });
  return {
    jobs,
    async close() {
      await rm(join(options.root, JOBS_FILE), { force: true });
    },
    async run(stage, grant, signal, after): Promise<StageOutcome> {
      let submitted: (id: string | undefined) => void = () => {};
      submissions.set(stage.name, new Promise((resolve) => (submitted = resolve)));
      try {
        return await runJob(stage, grant, signal, after, submitted);
      } finally {
        submitted(undefined);
      }
    },
  };

  async function runJob(stage: PlannedStage, grant: Grant, signal: AbortSignal, after: readonly string[], submitted: (id: string | undefined) => void): Promise<StageOutcome> {
    const log = join(LOG_DIR, `${stage.name}.log`);
    await mkdir(join(options.root, LOG_DIR), { recursive: true });
    const { cpus, memoryGiB, gpus } = grant.resources;
    const upstream = await Promise.all(after.map((name) => submissions.get(name)));
    if (upstream.some((id) => id === undefined)) return { ok: false, blocked: true, tail: '', log, reason: 'a stage it reads was not submitted' };
    const dependency = upstream as string[];
    const args = [
      '--parsable',
      `--job-name=repro:${stage.name}`,
      `--chdir=${options.root}`,
      `--output=${join(options.root, log)}`,
      '--open-mode=truncate',
      ...(cpus === 'all' ? ['--exclusive'] : [`--cpus-per-task=${cpus}`]),
      `--mem=${Math.ceil(memoryGiB * 1024)}M`,
      ...(gpus > 0 && options.gpus ? [`--gres=gpu:${gpus}`] : []),
      ...(dependency.length > 0 ? [`--dependency=afterok:${dependency.join(':')}`, '--kill-on-invalid-dep=no'] : []),
      ...configArgs(options.config),
      `--wrap=${stage.cmd}`,
    ];
    const sbatch = await execa('sbatch', args, { cwd: options.root, env: options.env, reject: false });
    if (sbatch.exitCode !== 0) {
      return { ok: false, tail: String(sbatch.stderr).trim(), log, reason: `sbatch refused the job (exit ${sbatch.exitCode})` };
    }
    const id = String(sbatch.stdout).trim().split(';')[0]!;
    jobs.set(stage.name, id);
    submitted(id);
    await save();
    const cancel = () => void execa('scancel', [id], { reject: false });
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const job = await showJob(id);
        if (job.state === 'PENDING' && job.reason === 'DependencyNeverSatisfied') {
          await execa('scancel', [id], { reject: false });
          return { ok: false, blocked: true, tail: '', log, reason: `job ${id} cancelled: a stage it reads failed` };
        }
        if (job.state === 'PENDING' && NEVER_STARTS.has(job.reason)) {
          await execa('scancel', [id], { reject: false });
          return { ok: false, tail: '', log, reason: `job ${id} cancelled: Slurm says it can never start (${job.reason}: ${NEVER_STARTS.get(job.reason)})` };
        }
        if (!STILL_GOING.has(job.state)) {
          if (FINISHED_OK.has(job.state) && job.exitCode === '0:0') return { ok: true, tail: await tailOf(join(options.root, log)), log };
          return { ok: false, tail: await tailOf(join(options.root, log)), log, reason: `job ${id} ${job.state}${job.exitCode && job.exitCode !== '0:0' ? `, exit code ${job.exitCode}` : ''}` };
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }
}

/** State, pending reason and exit code of job `id` (`scontrol show job -o`; `sacct` once Slurm forgot it). */
async function showJob(id: string): Promise<{ state: string; reason: string; exitCode: string }> {
  const shown = await execa('scontrol', ['show', 'job', '-o', id], { reject: false });
  if (shown.exitCode === 0) {
    const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(String(shown.stdout))?.[1] ?? '';
    return { state: field('JobState'), reason: field('Reason'), exitCode: field('ExitCode') };
  }
  const sacct = await execa('sacct', ['-j', id, '-X', '-n', '-P', '-o', 'State,ExitCode'], { reject: false });
  const [state = 'UNKNOWN', exitCode = ''] = String(sacct.stdout).trim().split('\n')[0]?.split('|') ?? [];
  return { state: state.split(' ')[0]!, reason: '', exitCode };
}

async function tailOf(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).slice(-TAIL_LINES).join('\n');
}
