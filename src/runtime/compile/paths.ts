/**
 * The names and paths the compiler owns, in one place: DVC stage names, params keys, output folders,
 * report files, fingerprint files and the byte-stable `cmd`. Everything is project-relative with POSIX
 * separators, so compiled files hold no absolute paths.
 */

export const PIPELINE_FILE = 'dvc.yaml';
export const PARAMS_FILE = 'params.yaml';
export const LOCK_FILE = 'dvc.lock';
export const EXPERIMENTS_DIR = 'experiments';
export const FINGERPRINT_DIR = '.repro/fp';
/** one JSON file per compiled DVC stage (resolved paths, params key, stage module), read by `repro exec` */
export const STAGES_DIR = '.repro/stages';
export const CACHE_DIR = '.repro/cache';
export const JOURNAL_DIR = '.repro/runs';
/** resumable work of unfinished stage runs (checkpoints), one folder per stage and configuration */
export const WORK_DIR = '.repro/work';
/** untracked logs stages write for people (TensorBoard event files), one folder per stage */
export const LOG_DIR = 'runs/logs';
/** Environment variable naming the file `repro exec` appends `{"stage": name}` to after each success. */
export const JOURNAL_ENV = 'REPRO_JOURNAL';

/** `demo_resize-images`: `_` is safe because ids never contain it. */
export function dvcStageName(experiment: string, id: string): string {
  return `${experiment}_${id}`;
}

/** `demo.resize-images`: where the instance's params live in params.yaml. */
export function paramsKey(experiment: string, id: string): string {
  return `${experiment}.${id}`;
}

/** `out/demo/resize-images/images` (a folder) or `out/demo/stats/summary.json` (a file). */
export function outputPath(experiment: string, id: string, output: string, fileName?: string): string {
  return `out/${experiment}/${id}/${fileName ?? output}`;
}

/** `reports/demo/stats/summary.json` */
export function metricsPath(experiment: string, id: string, name: string): string {
  return `reports/${experiment}/${id}/${name}.json`;
}

/** `reports/demo/train/plots/loss.json` */
export function plotPath(experiment: string, id: string, name: string): string {
  return `reports/${experiment}/${id}/plots/${name}.json`;
}

/** `.repro/fp/demo_resize-images.json` */
export function fingerprintPath(stageName: string): string {
  return `${FINGERPRINT_DIR}/${stageName}.json`;
}

/** The command DVC runs for a stage; byte-stable, relative, no timestamps. */
export function stageCommand(experiment: string, id: string): string {
  return `node bin/repro.mjs exec ${experiment} ${id}`;
}
