/**
 * The project's Slurm settings, from the `slurm` section of `repro.config.json` at the project root (a
 * tracked file: the whole group submits alike): partition, time limit, account, QOS and any further
 * `sbatch` options. Every field is optional; a file that is not valid JSON or a field of the wrong type is
 * an error naming the file, the field, what was expected and what was found.
 */
import { join } from 'node:path';
import { ReproError } from '../../../errors.js';
import { readTextIfExists } from '../../../kit/fs-atomic.js';

export const CONFIG_FILE = 'repro.config.json';

export interface SlurmConfig {
  /** `--partition` */
  readonly partition?: string;
  /** `--time`, e.g. `02:00:00` */
  readonly time?: string;
  /** `--account` */
  readonly account?: string;
  /** `--qos` */
  readonly qos?: string;
  /** further `sbatch` options, as given */
  readonly extraArgs?: readonly string[];
}

const STRING_FIELDS = ['partition', 'time', 'account', 'qos'] as const;

/** The `slurm` section of the project's config; empty when the file or the section is absent. */
export async function readSlurmConfig(root: string): Promise<SlurmConfig> {
  const text = await readTextIfExists(join(root, CONFIG_FILE));
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ReproError('CONFIG_INVALID', `${CONFIG_FILE} expected JSON, received text that does not parse (${(error as Error).message})`, { hint: `fix ${CONFIG_FILE}, e.g. {"slurm": {"partition": "gpu", "time": "02:00:00"}}` });
  }
  const slurm = (parsed as { slurm?: unknown } | null)?.slurm;
  if (slurm === undefined) return {};
  const problems: string[] = [];
  if (typeof slurm !== 'object' || slurm === null || Array.isArray(slurm)) problems.push(`'slurm' expected an object, received ${JSON.stringify(slurm)}`);
  else {
    for (const [key, value] of Object.entries(slurm)) {
      if ((STRING_FIELDS as readonly string[]).includes(key)) {
        if (typeof value !== 'string' || value === '') problems.push(`'slurm.${key}' expected a non-empty string, received ${JSON.stringify(value)}`);
      } else if (key === 'extraArgs') {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) problems.push(`'slurm.extraArgs' expected a list of strings, received ${JSON.stringify(value)}`);
      } else problems.push(`'slurm.${key}' is not a setting; expected one of ${[...STRING_FIELDS, 'extraArgs'].join(', ')}`);
    }
  }
  if (problems.length > 0) {
    throw new ReproError('CONFIG_INVALID', `${CONFIG_FILE} expected valid Slurm settings, received ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
      issues: problems.map((message) => ({ code: 'CONFIG_INVALID' as const, file: CONFIG_FILE, message })),
      hint: `fix ${CONFIG_FILE}; README, "Running on a Slurm cluster", lists the settings`,
    });
  }
  return slurm as SlurmConfig;
}

/** `sbatch` options from the config. */
export function configArgs(config: SlurmConfig): string[] {
  return [
    ...(config.partition ? [`--partition=${config.partition}`] : []),
    ...(config.time ? [`--time=${config.time}`] : []),
    ...(config.account ? [`--account=${config.account}`] : []),
    ...(config.qos ? [`--qos=${config.qos}`] : []),
    ...(config.extraArgs ?? []),
  ];
}
