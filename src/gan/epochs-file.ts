/**
 * `epochs.json`, the index `progressive-train` writes next to the generators it keeps and `checkpoint-select`
 * reads to choose among them: the network size and one record per epoch (phase, learning rate, whether G_A
 * was kept as `epoch-NNNN/`, the noise it trained with, the mean losses and the probe scores). This module
 * is the format's only reader and writer.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Static } from '@sinclair/typebox';
import { formatJson } from '../kit/canonical-json.js';
import type { NetworkSize } from '../dsl/definitions.js';
import type { NoiseSpec } from './noise.js';

export const EPOCHS_FILE = 'epochs.json';

/** One epoch of epochs.json. */
export interface EpochRecord {
  epoch: number;
  phase: string;
  learningRate: number;
  /** G_A of this epoch is in the output as `epoch-NNNN/` */
  kept: boolean;
  /** the noise G_A trained with in this epoch (used again at inference) */
  noise: NoiseSpec | null;
  losses: Record<string, number | null>;
  quality: Record<string, number | null>;
}

/** What epochs.json holds. */
export interface EpochsFile {
  /** the size of the networks the kept generators have */
  network: Static<typeof NetworkSize>;
  epochs: EpochRecord[];
}

/**
 * Writes `dir/epochs.json` (2-space JSON, keys sorted, final newline). Sorted keys make it the same bytes
 * whether the records were made in this process or read back from a checkpoint on resume.
 */
export async function writeEpochsFile(dir: string, file: EpochsFile): Promise<void> {
  await writeFile(join(dir, EPOCHS_FILE), formatJson({ network: file.network, epochs: file.epochs }));
}

/** Reads `dir/epochs.json`, naming the file when it is missing or not the expected shape. */
export async function readEpochsFile(dir: string): Promise<EpochsFile> {
  const path = join(dir, EPOCHS_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`'${path}' expected progressive-train's epoch index, ${error.code === 'ENOENT' ? 'found nothing there' : `could not read it (${error.code ?? error.message})`}`, { cause: error });
  });
  const file = JSON.parse(text) as Partial<EpochsFile>;
  if (typeof file.network?.ngf !== 'number' || !Array.isArray(file.epochs)) {
    throw new Error(`'${path}' expected { network: { ngf, blocks, ndf }, epochs: [...] }, received keys ${Object.keys(file).join(', ') || 'none'}`);
  }
  return file as EpochsFile;
}

/** The noise a kept generator runs with at inference: as its epoch trained ('trained'), none ('off'), or a given spec. */
export function noiseAtInference(choice: 'trained' | 'off' | NoiseSpec, record: EpochRecord): NoiseSpec | undefined {
  if (choice === 'off') return undefined;
  if (choice === 'trained') return record.noise ?? undefined;
  return choice;
}
