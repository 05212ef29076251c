/**
 * `repro report <run> [--json]`: writes the run's HTML report and says where it is, with a one-line
 * count of what it shows; `--json` prints the report's data instead.
 */
import { findProjectRoot } from '../../runtime/project.js';
import { reportRun } from '../../runtime/runs/run-report.js';

export async function reportCommand(run: string, flags: { json?: boolean }): Promise<number> {
  const report = await reportRun(findProjectRoot(), run);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const timings = report.timings ? `stage timings of ${report.timings.stages.length} stage${report.timings.stages.length === 1 ? '' : 's'}` : 'timings not recorded on this machine';
  const pins = Object.keys(report.environments).length;
  process.stdout.write(
    `${report.report}\n  ${Object.keys(report.params).length} params, ${Object.keys(report.metrics).length} metrics, ${report.plots.length} plots, ${report.grids.length} grids; ${timings}; environment ${pins > 0 ? `pinned for ${pins} experiment${pins === 1 ? '' : 's'}` : 'not recorded'}\n`,
  );
  return 0;
}
