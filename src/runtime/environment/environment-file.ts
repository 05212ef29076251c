/**
 * Puts each run's environment pin into the run itself, and reads it back: before `repro run` hands the
 * pipeline to DVC, it writes the `EnvironmentPin` (deterministic, no timestamps) to
 * reports/<experiment>/environment.json for every targeted experiment and stages it with `git add`, so the
 * DVC experiment commit carries the pin its results were made under (`repro share` and `repro report`
 * read it from there). An unchanged pin leaves the file untouched; a path the project's .gitignore
 * excludes, or a folder without git, is written but not staged. Runs recorded before npm, tfjs,
 * TensorFlow and CUDA were pinned hold only the core fields; `parseEnvironmentPin` completes those.
 */
import { join } from 'node:path';
import { formatJson } from '../../kit/canonical-json.js';
import { stageForCommit } from '../dvc.js';
import { completePin, type CorePin, type EnvironmentPin, type MachineFacts, type MachineVersions } from './env-manifest.js';
import { writeIfChanged } from '../../kit/fs-atomic.js';

export const ENVIRONMENT_PIN_FILE = 'environment.json';

/** Matches a project-relative environment pin path, `reports/<experiment>/environment.json`. */
export const ENVIRONMENT_PIN_PATTERN = /^reports\/[a-z][a-z0-9-]*\/environment\.json$/;

/** What a reader that cannot ask the run's machine puts for npm and CUDA when the run did not record them. */
const NOT_RECORDED: MachineVersions = { npm: null, cuda: null };

/** `reports/demo/environment.json` */
export function environmentPinPath(experiment: string): string {
  return `reports/${experiment}/${ENVIRONMENT_PIN_FILE}`;
}

/** Writes `pin` for each experiment and stages the files; returns their paths. */
export async function writeEnvironmentPins(root: string, experiments: readonly string[], pin: EnvironmentPin): Promise<string[]> {
  const paths = [...new Set(experiments)].sort().map(environmentPinPath);
  for (const path of paths) await writeIfChanged(join(root, path), formatJson(pin));
  await stageForCommit(root, paths);
  return paths;
}

/**
 * The pin in an environment.json's text; undefined when there is none or it is not a pin. A pin in the
 * first shape (core fields only) is completed: tfjs and TensorFlow from its packages and backend, npm and
 * CUDA from `machine` (null by default: not recorded).
 */
export function parseEnvironmentPin(text: string | undefined, machine: MachineVersions = NOT_RECORDED): EnvironmentPin | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!isCorePin(raw)) return undefined;
  const pin = completePin({ ...raw, dvc: raw.dvc ?? null, lockfile: raw.lockfile ?? null }, machine);
  for (const key of ['npm', 'tfjs', 'tensorflow', 'cuda'] as const) {
    const value = raw[key];
    if (key in raw && (value === null || typeof value === 'string')) pin[key] = value;
  }
  if (isMachineFacts(raw.machine)) pin.machine = raw.machine;
  return pin;
}

function isCorePin(raw: unknown): raw is CorePin & Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null) return false;
  const pin = raw as Record<string, unknown>;
  const optionalString = (value: unknown) => value === null || value === undefined || typeof value === 'string';
  return typeof pin.node === 'string' && typeof pin.os === 'string' && typeof pin.backend === 'string'
    && typeof pin.packages === 'object' && pin.packages !== null && optionalString(pin.dvc) && optionalString(pin.lockfile);
}

function isMachineFacts(raw: unknown): raw is MachineFacts {
  if (typeof raw !== 'object' || raw === null) return false;
  const facts = raw as Record<string, unknown>;
  return typeof facts.cpu === 'string' && typeof facts.simd === 'string' && typeof facts.cores === 'number'
    && typeof facts.intraOpThreads === 'string' && typeof facts.interOpThreads === 'string' && typeof facts.deterministicOps === 'string'
    && typeof facts.oneDnn === 'string';
}
