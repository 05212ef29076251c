/**
 * `repro run -j N` before DVC: the targets' plan (stage-plan.ts) is run by `runPlan` on the local
 * executor (or another, e.g. Slurm), each finished stage recorded with `dvc commit -f <stage>` — DVC
 * hashes its deps and outputs, caches them and writes its dvc.lock entry exactly as `dvc repro` would
 * after running it. Afterwards the caller's `dvc exp run` / `dvc repro` finds every stage up to date and
 * records the run (the experiment commit) as always. Why this is safe: DVC's lock entry for a stage is a
 * function of the files it names, not of how they were made; a stage starts only after every stage it
 * reads has finished; no two stages write the same path (the compiler refuses that); and the commits run
 * one at a time in DVC's own order, so dvc.lock is byte-identical to a sequential run. A failure or
 * Ctrl-C becomes an error after the finished stages are committed.
 */
import { ReproError } from '../../errors.js';
import { runDvc } from '../dvc.js';
import { findFirstChange } from '../up-to-date.js';
import type { Capacity } from './capacity.js';
import { localExecutor } from './local-executor.js';
import { ResourcePool } from './resource-pool.js';
import { runPlan, type Executor, type PlanResult } from './run-plan.js';
import { planStages } from './stage-plan.js';

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
  /** defaults to local processes */
  readonly executor?: Executor | undefined;
}

/** Runs the changed stages among `targets` in parallel and commits each; throws when one failed or the run was stopped. */
export async function runInParallel(root: string, options: ParallelOptions): Promise<PlanResult> {
  const plan = await planStages(root, options.targets);
  const executor = options.executor ?? localExecutor({ root, env: options.env, onOutput: options.onOutput });
  const result = await runPlan({
    plan,
    pool: new ResourcePool(options.capacity, options.jobs),
    executor,
    needsRun: async (stage) => options.force === true || (await findFirstChange(root, [stage.name])) !== undefined,
    commit: async (stage) => {
      await runDvc(root, ['commit', '--force', '--quiet', stage.name]);
    },
    signal: options.signal,
    onStart: (stage, grant) => options.onOutput?.(`[${stage.name}] started (${grant.resources.cpus} cpu, ${grant.resources.memoryGiB} GiB${grant.gpus.length ? `, GPU ${grant.gpus.join(',')}` : ''})\n`),
    onEnd: (stage, outcome) => options.onOutput?.(`[${stage.name}] ${outcome.ok ? 'finished' : `failed (${outcome.reason ?? 'error'})`}\n`),
  });
  const kept = result.ran.length === 0 ? 'no stage finished' : `${result.ran.length} finished stage${result.ran.length === 1 ? '' : 's'} recorded in dvc.lock (${result.ran.join(', ')})`;
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
