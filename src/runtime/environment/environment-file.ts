/**
 * Puts each run's environment pin into the run itself: before `repro run` hands the pipeline to DVC, it
 * writes the `EnvironmentPin` (deterministic, no timestamps) to reports/<experiment>/environment.json
 * for every targeted experiment and stages it with `git add`, so the DVC experiment commit carries the
 * pin its results were made under (`repro share` and `repro report` read it from there). An unchanged pin
 * leaves the file untouched; a path the project's .gitignore excludes, or a folder without git, is
 * written but not staged.
 */
import { join } from 'node:path';
import { formatJson } from '../../kit/canonical-json.js';
import { runGit } from '../dvc.js';
import type { EnvironmentPin } from './env-manifest.js';
import { writeIfChanged } from '../../kit/fs-atomic.js';

export const ENVIRONMENT_PIN_FILE = 'environment.json';

/** Matches a project-relative environment pin path, `reports/<experiment>/environment.json`. */
export const ENVIRONMENT_PIN_PATTERN = /^reports\/[a-z][a-z0-9-]*\/environment\.json$/;

/** `reports/demo/environment.json` */
export function environmentPinPath(experiment: string): string {
  return `reports/${experiment}/${ENVIRONMENT_PIN_FILE}`;
}

/** Writes `pin` for each experiment and stages the files; returns their paths. */
export async function writeEnvironmentPins(root: string, experiments: readonly string[], pin: EnvironmentPin): Promise<string[]> {
  const paths = [...new Set(experiments)].sort().map(environmentPinPath);
  for (const path of paths) await writeIfChanged(join(root, path), formatJson(pin));
  if (paths.length === 0) return paths;
  // check-ignore: exit 0 lists ignored paths, 1 means none are, 128 means no git here.
  const ignored = await runGit(root, ['check-ignore', '--', ...paths], { reject: false });
  if (ignored.exitCode > 1) return paths;
  const skip = new Set(ignored.stdout.split('\n').map((l) => l.trim()));
  const staged = paths.filter((p) => !skip.has(p));
  if (staged.length > 0) await runGit(root, ['add', '--', ...staged]);
  return paths;
}
