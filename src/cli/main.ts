/**
 * The `repro` program: declares the commands with sade and hands each to its file in `commands/`.
 * Data goes to stdout, logs to stderr; every failure goes through `reportError`, which picks the exit
 * code (0 ok, 1 known failure, 2 bug, 130 interrupted).
 */
import sade from 'sade';
import { reportError } from './report-error.js';

type Handler = (...args: never[]) => Promise<number | void>;

/**
 * Wraps a lazily imported command so its errors are reported and its code becomes the exit code.
 * NOTE: commands load on use, so `repro run` never pays for what only `repro dag` imports.
 */
function action<H extends Handler>(load: () => Promise<H>): (...args: Parameters<H>) => Promise<void> {
  return async (...args) => {
    const options = args[args.length - 1] as { verbose?: boolean } | undefined;
    try {
      const handler = await load();
      process.exitCode = (await handler(...args)) ?? 0;
    } catch (error) {
      process.exitCode = reportError(error, { verbose: options?.verbose === true });
    }
  };
}

export const program = sade('repro')
  .version('0.1.0')
  .option('--verbose', 'print the cause chain of errors', false);

program
  .command('run [experiment]', 'compile, then run the experiment(s) through DVC, rerunning only what changed')
  .option('--no-exp', 'use `dvc repro` instead of a named `dvc exp run`')
  .option('-n, --name', 'name of the DVC experiment run')
  .option('-S, --set', 'override a param for this run: <experiment>.<stage>.<key>=<value> (repeatable)')
  .option('-f, --force', 'rerun every targeted stage')
  .option('--backend', 'tensor backend: auto, tensorflow-gpu, tensorflow, wasm, cpu')
  .option('--json', 'print the result as JSON')
  .example('run demo')
  .example('run demo -S demo.resize-images.width=128 -n wider')
  .action(action(async () => (await import('./commands/run.js')).runCommand));

program
  .command('exec <experiment> <stage>', 'run one stage (what DVC calls; you rarely need it)')
  .action(action(async () => (await import('./commands/exec.js')).execCommand));

program
  .command('compile', 'write dvc.yaml, params.yaml and the code fingerprints from experiments/')
  .option('--force', 'overwrite a hand-edited params.yaml')
  .option('--backend', 'tensor backend to record in fingerprints')
  .action(action(async () => (await import('./commands/compile.js')).compileCommand));

program
  .command('status [experiment]', 'list stages that would run')
  .option('--why', 'say what changed for each stale stage')
  .option('--json', 'print the result as JSON')
  .action(action(async () => (await import('./commands/status.js')).statusCommand));

program
  .command('dag [experiment]', 'show the stage graph')
  .option('--json', 'print the graph as JSON')
  .action(action(async () => (await import('./commands/dag.js')).dagCommand));

program
  .command('schema', 'print the JSON Schema of params.yaml')
  .action(action(async () => (await import('./commands/schema.js')).schemaCommand));

program
  .command('runs', 'list every run (DVC experiments, commits that changed dvc.lock, the workspace) with the params and metrics that differ')
  .option('--json', 'print every run with all its params and metrics as JSON')
  .action(action(async () => (await import('./commands/runs.js')).runsCommand));

program
  .command('diff <a> <b>', 'compare two runs (experiment names, commits or `workspace`): params, metrics, curves and sample grids (SSIM), plus an HTML report')
  .option('--json', 'print the comparison as JSON')
  .option('--all', 'include unchanged params and metrics')
  .option('--no-report', 'skip the HTML report under reports/diff-<a>-<b>/')
  .example('diff base wide')
  .example('diff HEAD workspace --json')
  .action(action(async () => (await import('./commands/diff.js')).diffCommand));

program
  .command('report <run>', "write one run's HTML report (params, metrics, curves, grids, stage timings, environment) under reports/run-<run>/")
  .option('--json', 'print what the report shows as JSON')
  .example('report wide')
  .action(action(async () => (await import('./commands/report.js')).reportCommand));

program.parse(process.argv);
