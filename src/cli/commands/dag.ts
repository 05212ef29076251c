/** `repro dag [experiment] [--json]`: each stage with the resources it asks for and what it reads and writes, in run order. */
import { formatResources } from '../../dsl/resources.js';
import { compileProject } from '../../runtime/compile/compile-project.js';
import { findProjectRoot } from '../../runtime/project.js';

export async function dagCommand(experiment: string | undefined, flags: { json?: boolean }): Promise<number> {
  const { graph } = await compileProject(findProjectRoot());
  const wanted = experiment ? new Set(graph.experiments.get(experiment) ?? []) : undefined;
  const stages = graph.stages.filter((s) => !wanted || wanted.has(s.name));
  if (flags.json) {
    const plain = stages.map((s) => ({ name: s.name, stage: s.stage.id, aliases: s.aliases, inputs: s.inputs, outputs: s.outputs, upstream: s.upstream, resources: s.resources }));
    process.stdout.write(`${JSON.stringify(plain, null, 2)}\n`);
    return 0;
  }
  for (const stage of stages) {
    const alias = stage.aliases.length ? ` (also ${stage.aliases.join(', ')})` : '';
    process.stdout.write(`${stage.name}  [${stage.stage.id}]${alias}  (${formatResources(stage.resources)})\n`);
    for (const [name, path] of Object.entries(stage.inputs)) process.stdout.write(`  ← ${name}: ${path}\n`);
    for (const [name, path] of Object.entries(stage.outputs)) process.stdout.write(`  → ${name}: ${path}\n`);
  }
  return 0;
}
