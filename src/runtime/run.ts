/**
 * `repro run [experiment...]`: compile, then hand the pipeline to DVC — `dvc exp run` (a named run that
 * lands in git refs + the DVC cache) by default, `dvc repro` when asked — restricted to the stages the
 * named experiments need. When up-to-date.ts proves that none of them would run, nothing is started and
 * nothing is created (no DVC experiment, no pin written). One run per repository at a time (run-lock.ts).
 * Which stages actually executed is read from a journal that each `repro exec` appends to, not guessed
 * from DVC's output.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReproError, type Issue } from '../errors.js';
import { fingerprintPath, JOURNAL_DIR, JOURNAL_ENV, PARAMS_FILE } from './compile/paths.js';
import { ensureCompiled } from './compile/ensure-compiled.js';
import { experimentsMissingData, missingDataError } from './compile/missing-data.js';
import { stagesOfExperiments, writePipelineFile } from './compile/pipeline-file.js';
import type { PipelineSummary } from './compile/compile-stamp.js';
import { resolvedStagePath } from './compile/resolved-stage.js';
import { runDvc, runGit, stageForCommit } from './dvc.js';
import { collectEnvironmentPin, type EnvironmentPin } from './environment/env-manifest.js';
import { writeEnvironmentPins } from './environment/environment-file.js';
import { readTextIfExists } from '../kit/fs-atomic.js';
import { writeRunRecord } from './runs/run-record.js';
import { acquireRunLock, busyRepositoryError, clearStaleDvcLocks } from './run-lock.js';
import { findFirstChange, type StageChange } from './up-to-date.js';
import { backendKindOf } from '../kit/tf-backend.js';
import { machineCapacity } from './schedule/capacity.js';
import { runInParallel } from './schedule/run-in-parallel.js';

export interface RunOptions {
  /** experiments to run @default every experiment */
  readonly experiments?: readonly string[] | undefined;
  /** run as a DVC experiment (`dvc exp run`) @default true */
  readonly experiment?: boolean;
  /** name of the DVC experiment (`dvc exp run -n`) */
  readonly name?: string | undefined;
  /** `key=value` overrides passed to `dvc exp run -S` */
  readonly set?: readonly string[] | undefined;
  /** rerun even unchanged stages (`--force`) */
  readonly force?: boolean | undefined;
  /** tensor backend override */
  readonly backend?: string | undefined;
  /** DVC's progress output as it arrives (and, with `jobs` > 1, each stage's lines prefixed with its name) */
  readonly onOutput?: ((chunk: string) => void) | undefined;
  /**
   * most stages at once; above 1 the changed stages run in parallel within the machine's cores, memory and
   * GPUs before DVC records the run (schedule/run-in-parallel.ts) @default 1: DVC runs them one by one
   */
  readonly jobs?: number | undefined;
  /** stops a parallel run (Ctrl-C): running stages get SIGINT, finished ones are kept */
  readonly signal?: AbortSignal | undefined;
  /** where stages run: this machine, or Slurm jobs (always through the parallel path) @default 'local' */
  readonly executor?: 'local' | 'slurm' | undefined;
}

export interface RunResult {
  readonly compiled: PipelineSummary;
  /** DVC stage names that were targeted */
  readonly targets: readonly string[];
  /** DVC stage names that actually executed, in order */
  readonly ran: readonly string[];
  /** null when DVC ran; otherwise nothing was started because no target had changed */
  readonly nothingToRun: boolean;
  /** the first change found that made DVC run (null when nothing ran or the check was skipped: --force, -S) */
  readonly firstChange: StageChange | null;
  /** experiments left out of an all-experiments run because their data is not here */
  readonly skipped: readonly { readonly experiment: string; readonly issues: readonly Issue[] }[];
  /** `dvc exp run` or `dvc repro` */
  readonly mode: 'exp' | 'repro';
  /** what can change results while inputs stay the same; also in `.repro/runs/run-*.json`; null when nothing ran */
  readonly environment: EnvironmentPin | null;
}

/** Compiles and runs. */
export async function runPipeline(root: string, options: RunOptions = {}): Promise<RunResult> {
  const asExperiment = options.experiment ?? true;
  if (!asExperiment && (options.set?.length || options.name)) {
    throw new ReproError('USAGE', '`-S` and `--name` expected with a DVC experiment run, received `--no-exp`', { hint: 'drop --no-exp, or drop -S/--name' });
  }
  if (options.executor === 'slurm' && options.set?.length) {
    throw new ReproError('USAGE', '`-S` expected without `--executor slurm`, received both', { hint: 'set the param in the experiment file instead, then `repro run --executor slurm`' });
  }
  const named = options.experiments?.length ? options.experiments : undefined;
  // NOTE: taken before compiling, which rewrites dvc.yaml and params.yaml under a running DVC otherwise.
  const release = await acquireRunLock(root, ['repro run', ...(named ?? [])].join(' '));
  try {
    await clearStaleDvcLocks(root);
    return await compileAndRun(root, options, named, asExperiment);
  } finally {
    await release();
  }
}

async function compileAndRun(root: string, options: RunOptions, named: readonly string[] | undefined, asExperiment: boolean): Promise<RunResult> {
  const compiled = await ensureCompiled(root, { backend: options.backend });
  const known = Object.keys(compiled.experiments);
  for (const name of named ?? []) {
    if (!known.includes(name)) {
      throw new ReproError('EXPERIMENT_NOT_FOUND', `experiment '${name}' expected in experiments/ (one of ${known.map((n) => `'${n}'`).join(', ') || 'none'}), received no such experiment`, {
        hint: `run \`repro run ${known[0] ?? '<name>'}\`, or create experiments/${name}.ts`,
      });
    }
  }
  // Named experiments must have their data; with none named, those without it are skipped and reported.
  const missing = named ? missingDataError(compiled, named) : undefined;
  if (missing) throw missing;
  const skipped = named ? [] : experimentsMissingData(compiled, known);
  const wanted = named ?? known.filter((name) => !skipped.some((s) => s.experiment === name));
  const targets = stagesOfExperiments(compiled, wanted);
  const mode = asExperiment ? 'exp' : 'repro';
  const { listed } = await writePipelineFile(root, compiled, targets);
  const checked = !options.force && !options.set?.length;
  const firstChange = checked ? await findFirstChange(root, targets) : undefined;
  if (checked && !firstChange) {
    return { compiled, targets, ran: [], nothingToRun: true, firstChange: null, skipped, mode, environment: null };
  }
  if (asExperiment) await requireCommit(root);
  const ran = await runDvcPipeline(root, { ...options, asExperiment, compiled, wanted, targets, listed, mode });
  return { compiled, targets, ran: ran.stages, nothingToRun: false, firstChange: firstChange ?? null, skipped, mode, environment: ran.environment };
}

/**
 * Writes the pins, stages them and the resolved stages and fingerprints of every stage dvc.yaml lists
 * (what `repro exec` reads and what dvc.lock's deps name: without them a clone that pulled the run cannot
 * run those stages with plain `dvc repro`, nor check their code), runs
 * `dvc exp run` / `dvc repro` on `targets` and records which stages executed.
 */
async function runDvcPipeline(
  root: string,
  run: RunOptions & { asExperiment: boolean; compiled: PipelineSummary; wanted: readonly string[]; targets: readonly string[]; listed: readonly string[]; mode: 'exp' | 'repro' },
): Promise<{ stages: string[]; environment: EnvironmentPin }> {
  const journal = join(root, JOURNAL_DIR, `run-${Date.now()}-${process.pid}.jsonl`);
  await mkdir(join(root, JOURNAL_DIR), { recursive: true });
  await writeFile(journal, '');
  const args = run.asExperiment
    ? ['exp', 'run', ...(run.name ? ['-n', run.name] : []), ...(run.set ?? []).flatMap((s) => ['-S', s])]
    : ['repro'];
  // -S rewrites params.yaml inside `dvc exp run`, so such a run stays sequential.
  const parallel = ((run.jobs ?? 1) > 1 || run.executor === 'slurm') && !run.set?.length;
  if (run.force && !parallel) args.push('--force');
  // Before DVC starts, so the experiment commit carries the pin (reports/<experiment>/environment.json, staged).
  await writeEnvironmentPins(root, run.wanted, await collectEnvironmentPin(root, run.compiled.backend));
  // NOTE: `dvc exp run` commits tracked changes and untracked deps of the stages it runs; the resolved stages
  // are neither, and the fingerprints of listed stages it does not run (other experiments' results in
  // dvc.lock) are not deps of this run — without them the run's commit pins code it does not hold.
  await stageForCommit(root, run.listed.flatMap((stage) => [resolvedStagePath(stage), fingerprintPath(stage)]).filter((path) => existsSync(join(root, path))));
  if (parallel) {
    await runInParallel(root, {
      targets: run.targets,
      jobs: run.jobs ?? 1,
      capacity: await machineCapacity(),
      force: run.force,
      env: { [JOURNAL_ENV]: journal, REPRO_BACKEND: backendKindOf(run.compiled.backend) },
      onOutput: run.onOutput,
      signal: run.signal,
      executor: run.executor,
    }).catch((error: unknown) => {
      throw busyRepositoryError(error) ?? error;
    });
  }
  // After a parallel run every stage is committed: `dvc exp run` finds them up to date and records the
  // experiment; `dvc repro` would only find them up to date, so it is not started.
  const dvc =
    parallel && !run.asExperiment
      ? { stdout: '', stderr: '', exitCode: 0 }
      : await runDvc(root, [...args, ...run.targets], {
          env: { [JOURNAL_ENV]: journal, REPRO_BACKEND: backendKindOf(run.compiled.backend) },
          onOutput: run.onOutput ? withoutExpectedWarnings(run.onOutput) : undefined,
        }).catch((error: unknown) => {
          throw busyRepositoryError(error) ?? error;
        });
  if (run.set?.length) await restampAfterOverrides(root, Object.values(run.compiled.experiments).map((e) => e.file).sort());
  const environment = await collectEnvironmentPin(root, run.compiled.backend);
  // The record (stage timings, experiment name, lock hash) is what `repro report` shows as timings.
  const lines = await writeRunRecord(root, journal, { mode: run.mode, targets: run.targets, dvcOutput: `${dvc.stdout}\n${dvc.stderr}`, environment });
  return { stages: lines.map((line) => line.stage), environment };
}

/**
 * DVC's progress minus "No file hash info found for '…'. It won't be created." — said of every output of a
 * stage that has not run yet, which is exactly the stages this run is about to create: nothing to act on.
 */
function withoutExpectedWarnings(forward: (chunk: string) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    const kept = lines.filter((line) => !/^WARNING: No file hash info found for '.*'\. It won't be created\.$/.test(line.trim()));
    if (kept.length > 0) forward(`${kept.join('\n')}\n`);
  };
}

/** `dvc exp run` records the run on top of HEAD, so there must be one. */
async function requireCommit(root: string): Promise<void> {
  const head = await runGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], { reject: false });
  if (head.exitCode !== 0) {
    throw new ReproError('USAGE', 'a DVC experiment run expected a git commit to build on, received a repository without one', {
      hint: 'run `git add -A && git commit -m "start"`, or `repro run --no-exp` to use `dvc repro`',
    });
  }
}

/**
 * `dvc exp run -S` rewrote params.yaml on purpose and the run recorded it; stamp the file as ours so the
 * next compile regenerates it from the experiment instead of reporting a hand edit.
 */
async function restampAfterOverrides(root: string, sources: readonly string[]): Promise<void> {
  const path = join(root, PARAMS_FILE);
  const text = await readTextIfExists(path);
  const { restampParams } = await import('./compile/render.js');
  if (text !== undefined) await writeFile(path, restampParams(text, sources));
}
