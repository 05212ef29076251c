/**
 * `repro run [experiment]`: maps flags to `runPipeline`, streams DVC's progress to stderr and prints
 * which stages ran, or "nothing to run" when no stage changed (stdout, or JSON with `--json`); experiments
 * skipped for missing data are named on stderr. `--deterministic` puts TensorFlow's deterministic switches
 * in the environment first (kit/deterministic-mode.ts): TensorFlow stages rerun under them. `-j N` (default:
 * the cores) runs changed stages in parallel, `--executor slurm` as Slurm jobs; Ctrl-C then stops them and
 * keeps what finished.
 */
import { availableParallelism } from 'node:os';
import { ReproError } from '../../errors.js';
import { enterDeterministicMode } from '../../kit/deterministic-mode.js';
import { findProjectRoot } from '../../runtime/project.js';
import { runPipeline } from '../../runtime/run.js';

interface RunFlags {
  _: string[];
  exp?: boolean;
  name?: string;
  set?: string | string[];
  force?: boolean;
  backend?: string;
  deterministic?: boolean;
  jobs?: number | string;
  executor?: string;
  json?: boolean;
}

export async function runCommand(experiment: string | undefined, flags: RunFlags): Promise<number> {
  const root = findProjectRoot();
  // Before anything describes the backend: the fingerprints, DVC's stages and the pin all see the switches.
  if (flags.deterministic) enterDeterministicMode();
  const executor = flags.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') {
    throw new ReproError('USAGE', `--executor expected 'local' or 'slurm', received '${String(executor)}'`, { hint: 'run `repro run --executor slurm` (settings in repro.config.json), or leave it out' });
  }
  // On a cluster Slurm packs the jobs; -j then only caps how many are queued at once.
  const jobs = flags.jobs === undefined ? (executor === 'slurm' ? Number.POSITIVE_INFINITY : availableParallelism()) : Number(flags.jobs);
  if (!(Number.isInteger(jobs) || jobs === Number.POSITIVE_INFINITY) || jobs < 1) {
    throw new ReproError('USAGE', `-j expected a whole number of stages ≥ 1, received '${String(flags.jobs)}'`, { hint: `run \`repro run -j ${availableParallelism()}\` (this machine's cores), or -j 1 for one stage at a time` });
  }
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  // Only a parallel run stops its own stages; one by one, DVC and the stage take the signal themselves.
  const parallel = (jobs > 1 || executor === 'slurm') && flags.set === undefined;
  // NOTE: `on`, not `once`: execa's exit hook (signal-exit) re-raises a signal nobody else listens to, and a
  // `once` listener is already gone when it looks.
  if (parallel) process.on('SIGINT', stop).on('SIGTERM', stop);
  try {
    return await runWith(root, experiment, flags, { jobs, executor, signal: controller.signal });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function runWith(root: string, experiment: string | undefined, flags: RunFlags, how: { jobs: number; executor: 'local' | 'slurm'; signal: AbortSignal }): Promise<number> {
  const experiments = [experiment, ...flags._].filter((e): e is string => typeof e === 'string' && e !== '');
  const set = flags.set === undefined ? [] : [flags.set].flat().map(String);
  const result = await runPipeline(root, {
    experiments,
    experiment: flags.exp !== false,
    name: flags.name,
    set,
    force: flags.force,
    backend: flags.backend,
    onOutput: (chunk) => process.stderr.write(chunk),
    ...how,
  });
  for (const { experiment: name, issues } of result.skipped) {
    process.stderr.write(`warning: skipped experiment '${name}': ${issues.map((i) => i.message.replace(/ \(try .*\)$/, '')).join('; ')} — add its data, then \`repro run ${name}\`\n`);
  }
  if (flags.json) {
    const skipped = result.skipped.map((s) => ({ experiment: s.experiment, missingData: s.issues.map((i) => i.message) }));
    const { mode, targets, ran, nothingToRun, firstChange, environment } = result;
    process.stdout.write(`${JSON.stringify({ mode, targets, ran, nothingToRun, firstChange, skipped, environment }, null, 2)}\n`);
  } else if (result.nothingToRun) {
    process.stdout.write(`nothing to run: ${result.targets.length} stage${result.targets.length === 1 ? '' : 's'} up to date\n`);
  } else {
    const skipped = result.targets.length - new Set(result.ran).size;
    process.stdout.write(`ran ${result.ran.length} stage${result.ran.length === 1 ? '' : 's'}${result.ran.length ? `: ${result.ran.join(', ')}` : ''}; ${skipped} unchanged\n`);
  }
  return 0;
}
