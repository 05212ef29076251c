/**
 * `repro run -j N` before DVC: the targets' plan (stage-plan.ts) is run by `runPlan` on the local
 * executor or as Slurm jobs (`--executor slurm`, slurm/); finished stages are recorded with `dvc commit
 * --force <stages>` — DVC hashes their deps and outputs, caches them, saves their run-cache entries and
 * writes their dvc.lock entries exactly as `dvc repro` would after running them. Afterwards the caller's
 * `dvc exp run` finds every stage up to date and records the run (the experiment commit) as always. Why
 * this is safe: DVC's lock entry for a stage is a function of the files it names, not of how they were
 * made; a stage starts only after every stage it reads has finished; no two stages write the same path
 * (the compiler refuses that); and commits and run-cache restores go one at a time, in DVC's own order, so
 * dvc.lock is byte-identical to a sequential run. A failure or Ctrl-C becomes an error after the finished
 * stages are committed. Commits and restores go to one DVC helper process for the run (dvc-session.ts), so a
 * stage costs no extra DVC start.
 */
import { formatResources } from '../../dsl/resources.js';
import { ReproError } from '../../errors.js';
import { findFirstChange } from '../up-to-date.js';
import { openDvcSession, type DvcSession } from './dvc-session.js';
import type { Capacity } from './capacity.js';
import { localExecutor } from './local-executor.js';
import { ResourcePool, type Pool } from './resource-pool.js';
import { runPlan, type Executor, type PlanResult, type Verdict } from './run-plan.js';
import { planStages } from './stage-plan.js';
import { ClusterPool } from './slurm/cluster-pool.js';
import { readSlurmConfig } from './slurm/slurm-config.js';
import { probeCluster } from './slurm/cluster-probe.js';
import { slurmExecutor } from './slurm/slurm-executor.js';

export interface ParallelOptions {
  readonly targets: readonly string[];
  /** most stages at once */
  readonly jobs: number;
  readonly capacity: Capacity;
  /** every targeted stage runs, changed or not */
  readonly force?: boolean | undefined;
  /** what each stage's process gets (journal, backend) */
  readonly env: Readonly<Record<string, string>>;
  readonly onOutput?: ((chunk: string) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** `local` processes on this machine, or `slurm` jobs (settings from repro.config.json) @default 'local' */
  readonly executor?: 'local' | 'slurm' | undefined;
}

/** The executor, its pool and whether it queues stages ahead of their upstream (a cluster does). */
async function chooseExecutor(root: string, options: ParallelOptions): Promise<{ executor: Executor; pool: Pool; eager: boolean; close: () => Promise<void> }> {
  if (options.executor !== 'slurm') {
    return { executor: localExecutor({ root, env: options.env, onOutput: options.onOutput }), pool: new ResourcePool(options.capacity, options.jobs), eager: false, close: async () => {} };
  }
  const config = await readSlurmConfig(root);
  const offer = await probeCluster(config);
  const executor = slurmExecutor({ root, config, env: options.env, gpus: offer.gpus });
  return { executor, pool: new ClusterPool(offer, options.jobs), eager: true, close: () => executor.close() };
}

/** Runs the changed stages among `targets` in parallel and commits each; throws when one failed or the run was stopped. */
export async function runInParallel(root: string, options: ParallelOptions): Promise<PlanResult> {
  // NOTE: DVC takes the repository lock for a commit or a restore; the session answers one request at a time.
  const dvc = openDvcSession(root);
  try {
    return await runPlanned(root, options, dvc);
  } finally {
    await dvc.close();
  }
}

/** `runInParallel` on an open DVC session: plan, run, commit, then the error for a failure or an interrupt. */
async function runPlanned(root: string, options: ParallelOptions, dvc: DvcSession): Promise<PlanResult> {
  const plan = await planStages(root, options.targets, dvc);
  const { executor, pool, eager, close } = await chooseExecutor(root, options);
  const result = await runPlan({
    plan,
    pool,
    executor,
    eager,
    needsRun: async (stages) => {
      if (options.force) return stages.map((): Verdict => 'run');
      const changed = await Promise.all(stages.map(async (stage) => (await findFirstChange(root, [stage.name])) !== undefined));
      const restored = await dvc.restore(stages.filter((_, i) => changed[i]).map((s) => s.name));
      return stages.map((stage, i): Verdict => (!changed[i] ? 'up-to-date' : restored.has(stage.name) ? 'restored' : 'run'));
    },
    // NOTE: one call for the batch; dvc commit writes the lock entries in the order of its targets.
    commit: (stages) => dvc.commit(stages.map((s) => s.name)),
    signal: options.signal,
    onStart: (stage, grant) => options.onOutput?.(`[${stage.name}] ${eager ? 'submitted' : 'started'} (${formatResources(grant.resources)}${grant.gpus.length ? ` on GPU ${grant.gpus.join(',')}` : ''})\n`),
    onEnd: (stage, outcome) => options.onOutput?.(`[${stage.name}] ${outcome.ok ? 'finished' : `${outcome.blocked ? 'not run' : 'failed'} (${outcome.reason ?? 'error'})`}\n`),
  }).finally(close);
  const kept = result.ran.length === 0 ? 'no stage finished, dvc.lock unchanged' : `${result.ran.length} finished stage${result.ran.length === 1 ? '' : 's'} recorded in dvc.lock (${result.ran.join(', ')})`;
  if (result.interrupted) {
    throw new ReproError('INTERRUPTED', `run expected to finish, received an interrupt; ${kept}`, { hint: 'run the same `repro run` again: it reruns only what did not finish' });
  }
  const first = result.failed[0];
  if (first) {
    throw new ReproError('STAGE_FAILED', `stage '${first.stage}' failed (${first.outcome.reason ?? 'error'}); ${result.notRun.length} stage${result.notRun.length === 1 ? '' : 's'} did not start; ${kept}`, {
      issues: result.failed.map((f) => ({ code: 'STAGE_FAILED' as const, file: f.outcome.log || undefined, message: `${f.stage}: ${f.outcome.tail.split('\n').filter(Boolean).slice(-8).join('\n    ')}` })),
      hint: `read ${first.outcome.log || 'its log'}, fix the cause, then run the same \`repro run\` again: finished stages are kept`,
    });
  }
  return result;
}
