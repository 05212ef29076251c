/**
 * Code fingerprints for stages: for one stage, the hashes of exactly the code it can execute (reached
 * declarations across files and re-exports, import-time statements, locked npm packages, Node version, tensor
 * backend), so DVC reruns it only when that code changed. This is the module's public face; a per-file analysis
 * cache keeps warm runs parser-free. Typical use:
 *
 *   const cache = openFileAnalysisCache(join(root, '.repro/cache/fingerprint-files.json'));
 *   for (const s of stages) write(serializeFingerprint(await fingerprintStage(s, { root, lockfile, backend, node, cache })));
 *   await cache.save();
 */
export type {
  FileAnalysis,
  FileAnalysisCache,
  FingerprintOptions,
  FingerprintRequest,
  LockedPackage,
  LockfileV3,
  StageFingerprint,
} from './types.js';
export { fingerprintStage, fingerprintStages } from './fingerprint-stage.js';
export { explainFingerprintChange } from './explain-change.js';
export { serializeFingerprint } from './serialize-fingerprint.js';
export { openFileAnalysisCache } from './analysis-cache.js';
