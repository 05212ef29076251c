/**
 * Fingerprints stages: the hashes of exactly the local code a stage definition can execute (see
 * `walk-closure.ts`), the locked versions of the npm packages that code imports and of their dependencies, the
 * Node version, and the tensor backend when a TensorFlow.js package is among them. DVC reruns a stage only when
 * this changes, so a comment, a type or an unrelated function never causes a rerun, and a change the stage can
 * observe always does. `fingerprintStages` takes several stages at one point in time and shares file lookups
 * between them, which is what a compile of a whole experiment wants.
 */
import path from 'node:path';
import type { FingerprintOptions, FingerprintRequest, StageFingerprint } from './types.js';
import { walkClosure } from './walk-closure.js';
import { collectLockedPackages } from './lock-packages.js';
import { ModuleGraph } from './module-graph.js';

/** Fingerprints the stage defined by `req.exportName` in `req.file`; loads `opts.cache` on first use. */
export async function fingerprintStage(req: FingerprintRequest, opts: FingerprintOptions): Promise<StageFingerprint> {
  const [fingerprint] = await fingerprintStages([req], opts);
  return fingerprint!;
}

/**
 * Fingerprints several stages, in order, sharing one view of the files (stats, resolutions, `export *` indexes)
 * between them; the same result as one `fingerprintStage` per request, only faster. Files must not change during
 * the call.
 */
export async function fingerprintStages(reqs: readonly FingerprintRequest[], opts: FingerprintOptions): Promise<StageFingerprint[]> {
  const root = path.resolve(opts.root);
  await opts.cache.load();
  const graph = new ModuleGraph(root, opts.cache);
  const fingerprints: StageFingerprint[] = [];
  for (const req of reqs) {
    const file = path.resolve(root, req.file);
    const closure = await walkClosure(file, req.exportName, graph);
    const code: Record<string, string> = {};
    for (const key of [...closure.code.keys()].sort()) code[key] = closure.code.get(key)!;
    const packages = collectLockedPackages([...closure.packages, ...(req.packages ?? [])], opts.lockfile);
    const usesTensorflow = Object.keys(packages).some((name) => name.startsWith('@tensorflow/'));
    fingerprints.push({
      version: 1,
      entry: `${graph.relativize(file)}#${req.exportName}`,
      code,
      packages,
      node: opts.node,
      backend: usesTensorflow ? opts.backend : null,
    });
  }
  return fingerprints;
}
