/**
 * How many cores a stage's `run` may keep busy (`ctx.cpus`): what the scheduler granted when one did —
 * `repro run -j` sets `REPRO_CPUS` per stage, Slurm sets `SLURM_CPUS_PER_TASK` for `--cpus-per-task` — else
 * the stage's declared `resources.cpus` on this machine (`'all'`: its cores; a number: at most its cores).
 * Stages size their thread pools from it; their outputs never depend on it.
 */
import { availableParallelism } from 'node:os';
import type { Resources } from '../../dsl/resources.js';

/** The environment variable `repro run -j` names a stage's granted cores in. */
export const CPUS_ENV = 'REPRO_CPUS';

/** The cores granted to a stage declaring `declared`, from `env` (see the module comment). */
export function grantedCpus(declared: Resources['cpus'], env: NodeJS.ProcessEnv = process.env, machine = availableParallelism()): number {
  for (const name of [CPUS_ENV, 'SLURM_CPUS_PER_TASK']) {
    const value = Number(env[name]);
    if (Number.isInteger(value) && value >= 1) return value;
  }
  return declared === 'all' ? machine : Math.max(1, Math.min(declared, machine));
}
