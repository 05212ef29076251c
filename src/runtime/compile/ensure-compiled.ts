/**
 * The cheap way to a compiled pipeline for `repro run` and `repro status`: when the compile stamp shows
 * that nothing the last compile read or wrote has changed, its stored summary is the answer and no
 * experiment, schema library or TypeScript is loaded; otherwise the full compile runs (imported on
 * demand, so the no-op path never pays for it). Either way dvc.yaml is rewritten for the experiments
 * about to run (pipeline-file.ts).
 */
import { readFreshSummary, type PipelineSummary } from './compile-stamp.js';
import type { CompileOptions } from './compile-project.js';
import { describeBackend, detectBackendKind } from '../../kit/tf-backend.js';
import { stagesOfExperiments, writePipelineFile, type PipelineSelection } from './pipeline-file.js';

/** The pipeline summary, compiling only when something the last compile depended on changed. */
export async function ensureCompiled(root: string, options: CompileOptions = {}): Promise<{ summary: PipelineSummary; selection: PipelineSelection }> {
  if (!options.force) {
    const fresh = await readFreshSummary(root, describeBackend(detectBackendKind({ override: options.backend })));
    if (fresh) return { summary: fresh, selection: await writePipelineFile(root, fresh, stagesOfExperiments(fresh, options.include ?? [])) };
  }
  const { compileProject } = await import('./compile-project.js');
  const { summary, selection } = await compileProject(root, options);
  return { summary, selection };
}
