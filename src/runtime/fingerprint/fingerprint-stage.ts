/**
 * Fingerprints one stage: the hashes of exactly the local code its definition can execute (see `walk-closure.ts`),
 * the locked versions of the npm packages that code imports and of their dependencies, the Node version, and the
 * tensor backend when a TensorFlow.js package is among them. DVC reruns the stage only when this changes, so a
 * comment, a type or an unrelated function never causes a rerun, and a change the stage can observe always does.
 */
import path from 'node:path';
import type { FingerprintOptions, FingerprintRequest, StageFingerprint } from './types.js';
import { walkClosure } from './walk-closure.js';
import { collectLockedPackages } from './lock-packages.js';
import { toRelativePath } from './read-analysis.js';

/** Fingerprints the stage defined by `req.exportName` in `req.file`; loads `opts.cache` on first use. */
export async function fingerprintStage(req: FingerprintRequest, opts: FingerprintOptions): Promise<StageFingerprint> {
  const root = path.resolve(opts.root);
  const file = path.resolve(root, req.file);
  await opts.cache.load();
  const closure = await walkClosure(file, req.exportName, root, opts.cache);
  const code: Record<string, string> = {};
  for (const key of [...closure.code.keys()].sort()) code[key] = closure.code.get(key)!;
  const packages = collectLockedPackages(closure.packages, opts.lockfile);
  const usesTensorflow = Object.keys(packages).some((name) => name.startsWith('@tensorflow/'));
  return {
    version: 1,
    entry: `${toRelativePath(root, file)}#${req.exportName}`,
    code,
    packages,
    node: opts.node,
    backend: usesTensorflow ? opts.backend : null,
  };
}
