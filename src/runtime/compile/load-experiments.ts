/**
 * Loads experiment files: `experiments/<name>.ts`, each default-exporting `defineExperiment('<name>', ...)`.
 * Importing runs the builder, which only records plain data. A file that fails to import, exports
 * something else, or names itself differently from its file is reported with its path and line.
 */
import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Experiment } from '../../dsl/experiment.js';
import { ReproError, type Issue } from '../../errors.js';
import { EXPERIMENTS_DIR } from './paths.js';
import { ensureTypeScriptLoader } from './typescript-loader.js';

export interface LoadedExperiment {
  readonly experiment: Experiment;
  /** project-relative file, e.g. `experiments/demo.ts` */
  readonly file: string;
}

/** Names of the experiments in the project, from file names, sorted. */
export async function listExperimentNames(root: string): Promise<string[]> {
  const entries = await readdir(join(root, EXPERIMENTS_DIR)).catch(() => [] as string[]);
  return entries.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => basename(f, '.ts')).sort();
}

/** Loads the named experiments (all when `names` is undefined); every failure is reported together. */
export async function loadExperiments(root: string, names?: readonly string[]): Promise<LoadedExperiment[]> {
  const available = await listExperimentNames(root);
  const wanted = names ?? available;
  const unknown = wanted.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    throw new ReproError('EXPERIMENT_NOT_FOUND', `experiment '${unknown[0]}' expected as ${EXPERIMENTS_DIR}/${unknown[0]}.ts, received no such file (have: ${available.map((n) => `'${n}'`).join(', ') || 'none'})`, {
      hint: `run \`repro run ${available[0] ?? '<name>'}\`, or create ${EXPERIMENTS_DIR}/${unknown[0]}.ts`,
    });
  }
  await ensureTypeScriptLoader();
  const loaded: LoadedExperiment[] = [];
  const issues: Issue[] = [];
  for (const name of wanted) {
    const path = join(root, EXPERIMENTS_DIR, `${name}.ts`);
    const file = relative(root, path).split('\\').join('/');
    try {
      const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
      const experiment = module.default;
      if (!isExperiment(experiment)) {
        issues.push({ code: 'EXPERIMENT_LOAD_FAILED', file, message: `${file} expected to default-export defineExperiment(...), received ${typeof experiment}` });
      } else if (experiment.name !== name) {
        issues.push({ code: 'EXPERIMENT_LOAD_FAILED', file, line: experiment.site?.line, message: `${file} defines experiment '${experiment.name}', expected '${name}' (the file name)` });
      } else {
        loaded.push({ experiment, file });
      }
    } catch (error) {
      issues.push({ code: 'EXPERIMENT_LOAD_FAILED', file, ...lineOf(error, path), message: `${file} failed to load: ${firstLine(error)}` });
    }
  }
  if (issues.length > 0) {
    throw new ReproError('EXPERIMENT_LOAD_FAILED', `${issues.length} experiment file${issues.length > 1 ? 's' : ''} failed to load`, {
      issues,
      hint: `fix the file, then run \`repro compile\``,
    });
  }
  return loaded;
}

function isExperiment(value: unknown): value is Experiment {
  return typeof value === 'object' && value !== null && typeof (value as Experiment).name === 'string' && Array.isArray((value as Experiment).stages);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** The line in `path` an import error points at (esbuild's `file:line:col: ERROR` or a stack frame). */
function lineOf(error: unknown, path: string): { line?: number } {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+)`).exec(text);
  return match?.[1] ? { line: Number(match[1]) } : {};
}
