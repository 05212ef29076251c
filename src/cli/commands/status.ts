/** `repro status [experiment] [--why] [--json]`: stale stages and, with --why, the reasons. */
import { findProjectRoot } from '../../runtime/project.js';
import { statusOfPipeline } from '../../runtime/status.js';

export async function statusCommand(experiment: string | undefined, flags: { why?: boolean; json?: boolean }): Promise<number> {
  const stages = await statusOfPipeline(findProjectRoot(), { experiments: experiment ? [experiment] : [] });
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
