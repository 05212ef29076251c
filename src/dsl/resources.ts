/**
 * What a stage needs to run: CPU cores, memory and GPUs. A stage definition declares its own (`resources`
 * in `defineStage`), an experiment may override any field per stage instance (`x.stage(s, { ...,
 * resources })`), and the compile records the result in `.repro/stages/<stage>.json`, where `repro run -j`
 * packs stages into the machine and `--executor slurm` maps them to `sbatch` options. An experiment's
 * override is not a dependency: changing it reruns nothing (a stage definition's own `resources`, like the
 * rest of its code, is hashed into its fingerprint) — except a TensorFlow stage's `cpus`: fewer than the
 * machine's cores size TensorFlow's thread pools, which decide how sums are split, so the count is part of
 * the backend its fingerprint records. `gpus` is a request: where no GPU exists a GPU stage
 * runs on the CPU backend (as the GAN stages always could). `cpus: 'all'` (the TensorFlow stages' default)
 * leaves TensorFlow a pool thread per core, as it would take by itself; packing two such stages onto the
 * same cores makes both slower than one after the other (measured, README). Plain data only;
 * scheduling lives in src/runtime/schedule/.
 */

export interface Resources {
  /** CPU cores the stage keeps busy (a TensorFlow stage's thread pools are sized to them); `all`: every core of the machine */
  readonly cpus: number | 'all';
  /** peak resident memory, GiB */
  readonly memoryGiB: number;
  /** GPUs it asks for (one per TensorFlow process; 0 for image stages) */
  readonly gpus: number;
}

/** Image and data stages: one core (one Node process), 2 GiB. */
export const SMALL: Resources = Object.freeze({ cpus: 1, memoryGiB: 2, gpus: 0 });

/** Stages that run TensorFlow on the CPU for detection (filter): its thread pools on every core, 4 GiB. */
export const TENSORFLOW: Resources = Object.freeze({ cpus: 'all', memoryGiB: 4, gpus: 0 });

/** Stages that train or run the translator: TensorFlow on every core (or one GPU), 8 GiB. */
export const GAN: Resources = Object.freeze({ cpus: 'all', memoryGiB: 8, gpus: 1 });

/** The fields a stage or an experiment may set; the rest come from the level below. */
export type ResourcesOverride = Partial<Resources>;

/** Applies `overrides` in order over `base`. */
export function resolveResources(base: Resources, ...overrides: readonly (ResourcesOverride | undefined)[]): Resources {
  return Object.assign({}, base, ...overrides.filter((o) => o !== undefined)) as Resources;
}

/** What each field accepts: whole cores and GPUs, memory in GiB above zero. */
const FIELDS: Readonly<Record<keyof Resources, { readonly min: number; readonly integer: boolean }>> = {
  cpus: { min: 1, integer: true },
  memoryGiB: { min: Number.MIN_VALUE, integer: false },
  gpus: { min: 0, integer: true },
};

/** What is wrong with an override, one message per field: unknown names and values out of range. */
export function checkResources(override: unknown): string[] {
  if (override === undefined) return [];
  const names = Object.keys(FIELDS).join(', ');
  if (typeof override !== 'object' || override === null || Array.isArray(override)) return [`resources expected an object with some of ${names}, received ${JSON.stringify(override)}`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(override)) {
    const field = FIELDS[key as keyof Resources];
    if (!field) problems.push(`resources '${key}' is not a resource; expected one of ${names}`);
    else if (key === 'cpus' && value === 'all') continue;
    else if (typeof value !== 'number' || !Number.isFinite(value) || value < field.min || (field.integer && !Number.isInteger(value))) {
      problems.push(`resources '${key}' expected ${key === 'cpus' ? "a whole number ≥ 1 or 'all'" : field.integer ? `a whole number ≥ ${field.min}` : 'a number of GiB above 0'}, received ${JSON.stringify(value)}`);
    }
  }
  return problems;
}

/** `2 cpus, 8 GiB, 1 gpu`, `all cpus, 4 GiB` */
export function formatResources(resources: Resources): string {
  return `${resources.cpus} cpu${resources.cpus === 1 ? '' : 's'}, ${resources.memoryGiB} GiB${resources.gpus > 0 ? `, ${resources.gpus} gpu${resources.gpus === 1 ? '' : 's'}` : ''}`;
}
