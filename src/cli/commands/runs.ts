/**
 * `repro runs [--json]`: every run (DVC experiments, commits of the branch that changed dvc.lock, the
 * workspace) as a table with the params and metrics that differ between runs; `--json` gives every run
 * with all its params and metrics.
 */
import { findProjectRoot } from '../../runtime/project.js';
import { listRuns } from '../../runtime/runs/list-runs.js';
import { cellOf, formatTextTable } from '../text-table.js';

/** Param and metrics columns shown in the terminal; the rest are in --json. */
const MAX_PARAM_COLUMNS = 8;
const MAX_METRIC_COLUMNS = 6;

export async function runsCommand(flags: { json?: boolean }): Promise<number> {
  const list = await listRuns(findProjectRoot());
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.runs.length === 0) {
    process.stdout.write('no runs yet: run `repro run <experiment>` to make one\n');
    return 0;
  }
  const params = list.keyParams.slice(0, MAX_PARAM_COLUMNS);
  const metrics = list.keyMetrics.slice(0, MAX_METRIC_COLUMNS);
  const headers = ['run', 'kind', 'commit', 'baseline', 'created', ...params, ...metrics];
  const rows = list.runs.map((r) => [
    r.name,
    r.kind,
    r.rev ? r.rev.slice(0, 7) : '-',
    r.baseline ? r.baseline.slice(0, 7) : '-',
    r.created ? r.created.slice(0, 16).replace('T', ' ') : '-',
    ...params.map((k) => cellOf(r.params[k])),
    ...metrics.map((k) => cellOf(r.metrics[k])),
  ]);
  process.stdout.write(`${formatTextTable(headers, rows).join('\n')}\n`);
  const hidden = (shown: number, all: number) => (all > shown ? ` (${all - shown} not shown; see --json)` : '');
  const notes = [
    list.keyParams.length === 0 ? 'every run has the same params' : `${list.keyParams.length} param${list.keyParams.length === 1 ? ' differs' : 's differ'} between runs${hidden(params.length, list.keyParams.length)}`,
    list.keyMetrics.length === 0 ? 'no metric differs' : `${list.keyMetrics.length} metric${list.keyMetrics.length === 1 ? ' differs' : 's differ'}${hidden(metrics.length, list.keyMetrics.length)}`,
  ];
  process.stderr.write(`${notes.join('; ')}; compare two with \`repro diff <a> <b>\`\n`);
  return 0;
}
