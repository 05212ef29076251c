/**
 * `repro status [experiment] [--why] [--json]`: stale stages and, with --why, the reasons. While a run
 * holds the repository it says so instead — compiling would rewrite dvc.yaml under it — and lists the
 * run's queued and running Slurm jobs.
 */
import { findProjectRoot } from '../../runtime/project.js';
import { runInProgress } from '../../runtime/run-lock.js';
import { queuedJobs } from '../../runtime/schedule/slurm/queued-jobs.js';
import { statusOfPipeline } from '../../runtime/status.js';

export async function statusCommand(experiment: string | undefined, flags: { why?: boolean; json?: boolean }): Promise<number> {
  const root = findProjectRoot();
  const running = await runInProgress(root);
  if (running) {
    const jobs = await queuedJobs(root);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ runInProgress: running, jobs }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`run in progress: \`${running.command}\` (pid ${running.pid}, since ${running.since}); stage status is known when it ends\n`);
    for (const job of jobs) process.stdout.write(`slurm job ${job.id}  ${job.state}${job.reason ? ` (${job.reason})` : ''}  ${job.stage}\n`);
    return 0;
  }
  const stages = await statusOfPipeline(root, { experiments: experiment ? [experiment] : [] });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(stages, null, 2)}\n`);
    return 0;
  }
  const pending = stages.filter((s) => s.state !== 'up-to-date');
  if (pending.length === 0) process.stdout.write(`all ${stages.length} stages up to date\n`);
  for (const stage of pending) {
    const note = stage.state === 'upstream-stale' ? '  (if upstream outputs change)' : stage.state === 'waiting-for-data' ? '  (waiting for data)' : '';
    process.stdout.write(`${stage.name}${note}\n`);
    if (flags.why) for (const reason of stage.reasons) process.stdout.write(`  ${reason}\n`);
  }
  return 0;
}
