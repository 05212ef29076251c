/**
 * The cheap way to a compiled pipeline for `repro run` and `repro status`: when the compile stamp shows
 * that nothing the last compile read or wrote has changed, its stored summary is the answer and no
 * experiment, schema library or TypeScript is loaded; otherwise the full compile runs (imported on
 * demand, so the no-op path never pays for it).
 */
import { readFreshSummary, type PipelineSummary } from './compile-stamp.js';
import type { CompileOptions } from './compile-project.js';
import { describeBackend, detectBackendKind } from '../../kit/tf-backend.js';

/**
 * The pipeline summary, compiling only when something the last compile depended on changed. dvc.yaml is
 * left to the caller (`writePipelineFile`), which knows the stages it is about to run.
 */
export async function ensureCompiled(root: string, options: Omit<CompileOptions, 'include' | 'writePipeline'> = {}): Promise<PipelineSummary> {
  if (!options.force) {
    const fresh = await readFreshSummary(root, describeBackend(detectBackendKind({ override: options.backend })));
    if (fresh) return fresh;
  }
  const { compileProject } = await import('./compile-project.js');
  return (await compileProject(root, { ...options, writePipeline: false })).summary;
}
