/** `repro compile`: writes dvc.yaml, params.yaml and fingerprints; prints what changed on disk and which experiments lack data. */
import { compileProject } from '../../runtime/compile/compile-project.js';
import { findProjectRoot } from '../../runtime/project.js';

export async function compileCommand(flags: { force?: boolean; backend?: string }): Promise<number> {
  const result = await compileProject(findProjectRoot(), { force: flags.force === true, backend: flags.backend });
  const summary = `${result.graph.stages.length} stages from ${result.experiments.length} experiments`;
  process.stdout.write(result.written.length ? `${summary}; wrote ${result.written.join(', ')}\n` : `${summary}; nothing changed\n`);
  for (const [name, { missingData }] of Object.entries(result.summary.experiments)) {
    for (const issue of missingData ?? []) process.stderr.write(`warning: experiment '${name}' cannot run yet: ${issue.file}:${issue.line ?? '?'} ${issue.message}\n`);
  }
  return 0;
}
