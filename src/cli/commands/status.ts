/**
 * `repro status [experiment] [--why] [--json]`: stale stages and, with --why, the reasons; while a run on
 * Slurm lasts, its queued and running jobs first (and as `job` on each stage in JSON).
 */
import { findProjectRoot } from '../../runtime/project.js';
import { queuedJobs } from '../../runtime/schedule/slurm/queued-jobs.js';
import { statusOfPipeline } from '../../runtime/status.js';

export async function statusCommand(experiment: string | undefined, flags: { why?: boolean; json?: boolean }): Promise<number> {
  const root = findProjectRoot();
  const stages = await statusOfPipeline(root, { experiments: experiment ? [experiment] : [] });
  const jobs = new Map((await queuedJobs(root)).map((job) => [job.stage, job]));
  if (flags.json) {
    const withJobs = stages.map((stage) => (jobs.has(stage.name) ? { ...stage, job: jobs.get(stage.name) } : stage));
    process.stdout.write(`${JSON.stringify(withJobs, null, 2)}\n`);
    return 0;
  }
  for (const job of jobs.values()) process.stdout.write(`slurm job ${job.id}  ${job.state}${job.reason ? ` (${job.reason})` : ''}  ${job.stage}\n`);
  const pending = stages.filter((s) => s.state !== 'up-to-date');
  if (pending.length === 0) process.stdout.write(`all ${stages.length} stages up to date\n`);
  for (const stage of pending) {
    const note = stage.state === 'upstream-stale' ? '  (if upstream outputs change)' : stage.state === 'waiting-for-data' ? '  (waiting for data)' : '';
    process.stdout.write(`${stage.name}${note}\n`);
    if (flags.why) for (const reason of stage.reasons) process.stdout.write(`  ${reason}\n`);
  }
  return 0;
}
