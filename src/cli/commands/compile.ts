/**
 * `repro compile [experiment...]`: writes params.yaml, the fingerprints, the resolved stages and dvc.yaml
 * (the stages with a result, plus the named experiments' so plain `dvc repro`/`dvc exp run` can run
 * them); prints what changed on disk, how many stages wait for a first run, and which experiments lack data.
 */
import { compileProject } from '../../runtime/compile/compile-project.js';
import { findProjectRoot } from '../../runtime/project.js';

export async function compileCommand(experiment: string | undefined, flags: { _: string[]; force?: boolean; backend?: string }): Promise<number> {
  const include = [experiment, ...flags._].filter((e): e is string => typeof e === 'string' && e !== '');
  const result = await compileProject(findProjectRoot(), { force: flags.force === true, backend: flags.backend, include });
  const waiting = result.selection?.deferred.length ?? 0;
  const summary = `${result.graph.stages.length} stages from ${result.experiments.length} experiments${waiting ? ` (${waiting} left out of dvc.yaml until \`repro run\` runs them)` : ''}`;
  process.stdout.write(result.written.length ? `${summary}; wrote ${result.written.join(', ')}\n` : `${summary}; nothing changed\n`);
  for (const [name, { missingData }] of Object.entries(result.summary.experiments)) {
    for (const issue of missingData ?? []) process.stderr.write(`warning: experiment '${name}' cannot run yet: ${issue.file}:${issue.line ?? '?'} ${issue.message}\n`);
  }
  return 0;
}
