/**
 * Experiments whose `x.data` paths are not in the workspace yet (recorded by the compile in the pipeline
 * summary): `repro run` refuses an experiment named on the command line until its data is there, and
 * skips such experiments, saying so, when it runs every experiment. Kept apart from the compiler so the
 * no-op run path does not load it.
 */
import { ReproError } from '../../errors.js';
import type { PipelineSummary } from './compile-stamp.js';

/** The experiments among `names` that lack data, with their issues. */
export function experimentsMissingData(summary: PipelineSummary, names: readonly string[]) {
  return names.flatMap((name) => {
    const issues = summary.experiments[name]?.missingData ?? [];
    return issues.length > 0 ? [{ experiment: name, issues }] : [];
  });
}

/** The error `repro run` gives for experiments whose data is not here. */
export function missingDataError(summary: PipelineSummary, experiments: readonly string[]): ReproError | undefined {
  const lacking = experimentsMissingData(summary, experiments);
  if (lacking.length === 0) return undefined;
  const issues = lacking.flatMap((l) => l.issues);
  const names = lacking.map((l) => l.experiment);
  return new ReproError('DATA_MISSING', `experiment${names.length > 1 ? 's' : ''} ${names.map((n) => `'${n}'`).join(', ')} expected ${issues.length} data path${issues.length > 1 ? 's' : ''} that ${issues.length > 1 ? 'are' : 'is'} not here; nothing ran`, {
    issues,
    hint: 'add the data (`.venv/bin/dvc add <path>` or `.venv/bin/dvc pull`), or run only the experiments that have theirs, e.g. `repro run demo`',
  });
}
