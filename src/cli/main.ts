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
  .option('--deterministic', "TensorFlow's deterministic mode: one thread, deterministic ops, no oneDNN (TensorFlow stages rerun under it)", false)
  .option('-j, --jobs', "most stages at once, within the machine's cores, memory and GPUs (default: its cores; 1: DVC runs them one by one)")
  .option('--executor', 'where stages run: local, or slurm (one sbatch job per stage; settings from repro.config.json)')
  .option('--json', 'print the result as JSON')
  .example('run demo')
  .example('run demo -S demo.resize-images.width=128 -n wider')
  .action(action(async () => (await import('./commands/run.js')).runCommand));

program
  .command('exec <experiment> <stage>', 'run one stage (what DVC calls; you rarely need it)')
  .action(action(async () => (await import('./commands/exec.js')).execCommand));

program
  .command('compile [experiment]', 'write params.yaml, fingerprints and resolved stages from experiments/, and dvc.yaml with the stages that have a result (plus the named experiments\', for running them with dvc)')
  .option('--force', 'overwrite a hand-edited params.yaml')
  .option('--backend', 'tensor backend to record in fingerprints')
  .example('compile')
  .example('compile demo    # then `dvc exp run` runs demo too')
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
  .command('share <run>', "push a run's git refs and DVC objects with its pin manifest, for `repro pull` elsewhere")
  .option('--to', 'share through a folder: <dir>/git (bare repository) and <dir>/dvc, registered as remotes `share`')
  .option('--git-remote', 'git remote to push to (default: origin)')
  .option('--dvc-remote', "DVC remote to push to (default: DVC's default remote)")
  .option('-f, --force', 'replace a different run of the same name on the remotes')
  .option('--all', "send every output of the run's dvc.lock, other experiments' results too (default: the run's experiments and what they read)", false)
  .option('--json', 'print the manifest and what was pushed as JSON')
  .example('share wider --to ../lab-share')
  .example('share wider')
  .action(action(async () => (await import('./commands/share.js')).shareCommand));

program
  .command('pull <run>', "fetch a shared run's refs and DVC objects and put its files and outputs in the workspace")
  .option('--from', 'pull from a folder made by `repro share --to <dir>`')
  .option('--git-remote', 'git remote to fetch from (default: origin)')
  .option('--dvc-remote', 'DVC remote to fetch from (default: the one the run was pushed to, else the default)')
  .option('-f, --force', 'overwrite uncommitted changes and a local run of the same name')
  .option('--json', 'print the manifest as JSON')
  .example('pull wider')
  .action(action(async () => (await import('./commands/pull.js')).pullCommand));

program
  .command('verify <run>', "check the workspace's outputs, cache, code and this machine against a shared run's pins; with --recompute, rerun its stages in a scratch checkout and judge each against its tolerance")
  .option('--backend', 'tensor backend this machine would use: auto, tensorflow-gpu, tensorflow, wasm, cpu')
  .option('--recompute', 'rerun the named stages (default: those of the experiments the run ran) from its pinned inputs and compare: identical, within tolerance or diverged', false)
  .option('--no-report', 'with --recompute: skip the HTML page under reports/verify-<run>/')
  .option('--json', 'print every check and mismatch as JSON')
  .example('verify wider')
  .example('verify wider --recompute')
  .example('verify wider --recompute demo_progressive-train')
  .action(action(async () => (await import('./commands/verify.js')).verifyCommand));

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
