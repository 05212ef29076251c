/**
 * Runs a stage plan on an executor (local processes or Slurm jobs) as far in parallel as the resource
 * pool allows, while DVC stays the keeper of `dvc.lock`: a stage starts when all its upstream stages have
 * finished (or were found up to date) and `needsRun` says it changed; each finished stage is handed to
 * `commit` (`dvc commit`), one at a time and in the plan's order — DVC's own order — so the lock comes
 * out as a sequential `dvc repro` writes it. A failed stage blocks its downstream; after a failure or an
 * abort no new stage starts, running ones finish (an abort is passed on to them) and every stage that
 * finished is committed, whatever happens to the others: nothing finished is lost. With `eager` (a
 * cluster queue), a stage is handed over while stages it reads still run, and its executor holds it
 * until they succeed.
 */
import type { Grant, Pool } from './resource-pool.js';
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
  /** it never ran because a stage it reads failed (a queued job whose dependency cannot be met) */
  readonly blocked?: boolean;
}

export interface Executor {
  /**
   * runs `stage` with `grant`; resolves when it has ended, never rejects for a failing stage. `after`: the
   * upstream stages still running (only with `eager`), which the executor must wait for itself
   */
  run(stage: PlannedStage, grant: Grant, signal: AbortSignal, after: readonly string[]): Promise<StageOutcome>;
}

export interface PlanOptions {
  readonly plan: readonly PlannedStage[];
  readonly pool: Pool;
  readonly executor: Executor;
  /**
   * for each stage, in order: `up-to-date`: skip it; `restored`: its outputs came from DVC's run cache
   * (commit it, do not run it); `run`: it changed. Asked once for all stages that became ready together
   */
  readonly needsRun: (stages: readonly PlannedStage[]) => Promise<readonly Verdict[]>;
  /** records finished stages in dvc.lock, in the order given; called one batch at a time */
  readonly commit: (stages: readonly PlannedStage[]) => Promise<void>;
  /** Ctrl-C */
  readonly signal?: AbortSignal | undefined;
  /**
   * start a stage while stages it reads still run (a queue such as Slurm's holds it with a dependency);
   * such a stage counts as changed, as it would once they finish with new outputs
   */
  readonly eager?: boolean | undefined;
  readonly onStart?: ((stage: PlannedStage, grant: Grant) => void) | undefined;
  readonly onEnd?: ((stage: PlannedStage, outcome: StageOutcome) => void) | undefined;
}

export interface PlanResult {
  /** stages that ran and were committed, in the order they finished */
  readonly ran: readonly string[];
  readonly upToDate: readonly string[];
  /** stages whose outputs DVC restored from its run cache, committed without running */
  readonly restored: readonly string[];
  readonly failed: readonly { readonly stage: string; readonly outcome: StageOutcome }[];
  /** stages that did not start: downstream of a failure, or left when the run stopped */
  readonly notRun: readonly string[];
  readonly interrupted: boolean;
}

export type Verdict = 'run' | 'up-to-date' | 'restored';

type State = 'pending' | 'asking' | 'running' | 'ran' | 'restored' | 'up-to-date' | 'failed' | 'blocked';

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

  /** Commits finished stages from the front of the plan, as far as the plan is settled: one batch a call. */
  const commitSettled = (all: boolean) => {
    commits = commits.then(async () => {
      const batch: PlannedStage[] = [];
      for (; committed < plan.length; committed += 1) {
        const stage = plan[committed]!;
        const now = state.get(stage.name)!;
        if (now === 'ran' || now === 'restored') batch.push(stage);
        else if (!all && (now === 'pending' || now === 'asking' || now === 'running')) break;
      }
      if (batch.length > 0) await options.commit(batch);
    });
    return commits;
  };

  const start = (stage: PlannedStage, grant: Grant, after: string[]) => {
    state.set(stage.name, 'running');
    options.onStart?.(stage, grant);
    const done = executor
      .run(stage, grant, abort.signal, after)
      .catch((error: unknown): StageOutcome => ({ ok: false, tail: error instanceof Error ? error.message : String(error), log: '', reason: 'executor error' }))
      .then(async (outcome) => {
        pool.give(grant);
        running.delete(stage.name);
        state.set(stage.name, outcome.ok ? 'ran' : outcome.blocked ? 'blocked' : 'failed');
        if (outcome.ok) ran.push(stage.name);
        else if (!outcome.blocked) failed.push({ stage: stage.name, outcome });
        options.onEnd?.(stage, outcome);
        await commitSettled(false);
      });
    running.set(stage.name, done);
  };

  /** Starts what can start now; true when some stage changed state (more may be ready then). */
  const pump = async (): Promise<boolean> => {
    let changed = false;
    const ready: { stage: PlannedStage; grant: Grant; after: string[] }[] = [];
    for (const stage of plan) {
      if (state.get(stage.name) !== 'pending') continue;
      const upstream = stage.upstream.map((name) => state.get(name));
      if (upstream.some((s) => s === 'failed' || s === 'blocked')) {
        state.set(stage.name, 'blocked');
        changed = true;
        continue;
      }
      if (stopping()) continue;
      if (!upstream.every((s) => s === 'ran' || s === 'restored' || s === 'up-to-date' || (options.eager && s === 'running'))) continue;
      const grant = pool.take(stage.resources);
      if (!grant) continue;
      state.set(stage.name, 'asking');
      ready.push({ stage, grant, after: stage.upstream.filter((name) => state.get(name) === 'running') });
    }
    const asked = ready.filter((r) => r.after.length === 0);
    const verdicts = asked.length > 0 ? await options.needsRun(asked.map((r) => r.stage)) : [];
    for (const { stage, grant, after } of ready) {
      changed = true;
      const verdict = after.length === 0 ? verdicts[asked.findIndex((r) => r.stage === stage)]! : 'run';
      if (verdict === 'run' && !stopping()) {
        start(stage, grant, after);
        continue;
      }
      pool.give(grant);
      state.set(stage.name, verdict === 'run' ? 'pending' : verdict);
    }
    if (verdicts.some((v) => v === 'restored')) await commitSettled(false);
    return changed;
  };

  try {
    // Passes repeat while they change something (a stage found up to date readies the next); an idle pool
    // grants any fitted request, so passes that leave nothing running leave nothing that could start.
    for (;;) {
      while (await pump()) {
        /* until nothing more changes */
      }
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
    restored: plan.filter((s) => state.get(s.name) === 'restored').map((s) => s.name),
    failed,
    notRun: plan.filter((s) => state.get(s.name) === 'pending' || state.get(s.name) === 'blocked').map((s) => s.name),
    interrupted: abort.signal.aborted,
  };
}
