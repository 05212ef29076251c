/**
 * Finds the project a command works on: the nearest folder, from the working directory up, that has
 * both a package.json and an `experiments/` folder. Every other runtime path is relative to it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ReproError } from '../errors.js';
import { EXPERIMENTS_DIR } from './compile/paths.js';

/** Absolute path of the project root containing `start`. */
export function findProjectRoot(start: string = process.cwd()): string {
  let current = resolve(start);
  for (;;) {
    if (existsSync(join(current, 'package.json')) && existsSync(join(current, EXPERIMENTS_DIR))) return current;
    const parent = dirname(current);
    if (parent === current) {
      throw new ReproError('USAGE', `no repro project found at or above '${resolve(start)}': expected a folder with package.json and experiments/`, {
        hint: 'cd into your project, or create experiments/<name>.ts',
      });
    }
    current = parent;
  }
}
