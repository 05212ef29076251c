/**
 * Runs a stage plan on an executor (local processes or Slurm jobs) as far in parallel as the resource
 * pool allows, while DVC stays the keeper of `dvc.lock`: a stage starts when all its upstream stages have
 * finished (or were found up to date) and `needsRun` says it changed; each finished stage is handed to
 * `commit` (`dvc commit`), one at a time and in the plan's order — DVC's own order — so the lock comes
 * out as a sequential `dvc repro` writes it. A failed stage blocks its downstream; after a failure or an
 * abort no new stage starts, running ones finish (an abort is passed on to them) and every stage that
 * finished is committed, whatever happens to the others: nothing finished is lost.
 */
import type { Grant, ResourcePool } from './resource-pool.js';
import type { PlannedStage } from './stage-plan.js';

/** How a stage ended on its executor. */
export interface StageOutcome {
  readonly ok: boolean;
  /** the last lines it printed (its log, or the Slurm job's output) */
  readonly tail: string;
  /** where its whole output is */
  readonly log: string;
  /** what ended it when not ok: `exit 1`, `CANCELLED`, … */
  readonly reason?: string;
}

export interface Executor {
  /** runs `stage` with `grant`; resolves when it has ended, never rejects for a failing stage */
  run(stage: PlannedStage, grant: Grant, signal: AbortSignal): Promise<StageOutcome>;
}

export interface PlanOptions {
  readonly plan: readonly PlannedStage[];
  readonly pool: ResourcePool;
  readonly executor: Executor;
  /** false when the stage is certainly up to date (it is then skipped) */
  readonly needsRun: (stage: PlannedStage) => Promise<boolean>;
  /** records a finished stage in dvc.lock; called one at a time */
  readonly commit: (stage: PlannedStage) => Promise<void>;
  /** Ctrl-C */
  readonly signal?: AbortSignal | undefined;
  readonly onStart?: ((stage: PlannedStage, grant: Grant) => void) | undefined;
  readonly onEnd?: ((stage: PlannedStage, outcome: StageOutcome) => void) | undefined;
}

export interface PlanResult {
  /** stages that ran and were committed, in the order they finished */
  readonly ran: readonly string[];
  readonly upToDate: readonly string[];
  readonly failed: readonly { readonly stage: string; readonly outcome: StageOutcome }[];
  /** stages that did not start: downstream of a failure, or left when the run stopped */
  readonly notRun: readonly string[];
  readonly interrupted: boolean;
}

type State = 'pending' | 'running' | 'ran' | 'up-to-date' | 'failed' | 'blocked';

/** Runs `plan`; see the file comment. */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  const { plan, pool, executor } = options;
  const state = new Map<string, State>(plan.map((s) => [s.name, 'pending']));
  const ran: string[] = [];
  const failed: { stage: string; outcome: StageOutcome }[] = [];
  const running = new Map<string, Promise<void>>();
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let committed = 0;
  let commits = Promise.resolve();
  const stopping = () => abort.signal.aborted || failed.length > 0;

  /** Commits finished stages from the front of the plan, as far as the plan is settled. */
  const commitSettled = (all: boolean) => {
    commits = commits.then(async () => {
      for (; committed < plan.length; committed += 1) {
        const stage = plan[committed]!;
        const now = state.get(stage.name)!;
        if (now === 'ran') await options.commit(stage);
        else if (!all && (now === 'pending' || now === 'running')) break;
      }
    });
    return commits;
  };

  const start = (stage: PlannedStage, grant: Grant) => {
    state.set(stage.name, 'running');
    options.onStart?.(stage, grant);
    const done = executor
      .run(stage, grant, abort.signal)
      .catch((error: unknown): StageOutcome => ({ ok: false, tail: error instanceof Error ? error.message : String(error), log: '', reason: 'executor error' }))
      .then(async (outcome) => {
        pool.give(grant);
        running.delete(stage.name);
        state.set(stage.name, outcome.ok ? 'ran' : 'failed');
        if (outcome.ok) ran.push(stage.name);
        else failed.push({ stage: stage.name, outcome });
        options.onEnd?.(stage, outcome);
        await commitSettled(false);
      });
    running.set(stage.name, done);
  };

  const pump = async () => {
    for (const stage of plan) {
      if (state.get(stage.name) !== 'pending') continue;
      const upstream = stage.upstream.map((name) => state.get(name));
      if (upstream.some((s) => s === 'failed' || s === 'blocked')) {
        state.set(stage.name, 'blocked');
        continue;
      }
      if (stopping()) continue;
      if (!upstream.every((s) => s === 'ran' || s === 'up-to-date')) continue;
      const grant = pool.take(stage.resources);
      if (!grant) continue;
      if (!(await options.needsRun(stage))) {
        pool.give(grant);
        state.set(stage.name, 'up-to-date');
        continue;
      }
      start(stage, grant);
    }
  };

  try {
    // One pass in plan (topological) order settles chains of up-to-date stages; an idle pool grants any
    // fitted request, so a pass that leaves nothing running leaves nothing that could start.
    for (;;) {
      await pump();
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    await Promise.allSettled(running.values());
    await commitSettled(true);
    options.signal?.removeEventListener('abort', onAbort);
  }
  return {
    ran,
    upToDate: plan.filter((s) => state.get(s.name) === 'up-to-date').map((s) => s.name),
    failed,
    notRun: plan.filter((s) => state.get(s.name) === 'pending' || state.get(s.name) === 'blocked').map((s) => s.name),
    interrupted: abort.signal.aborted,
  };
}
