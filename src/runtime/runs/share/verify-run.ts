/**
 * `repro verify <run>`: checks, without recomputing any stage, that this workspace holds exactly the run
 * its share manifest pins (for a local run never shared: what its own commit pins) — every output file and
 * the cache objects behind it (check-outputs.ts), the code fingerprints, the tracked files of the run's
 * commit (check-sources.ts), the seeds in params.yaml — and that this machine matches the environment pins
 * that can change its results (backend, TensorFlow, CUDA, tfjs, Node, npm, OS, dvc, lockfile, packages; the
 * backend and a package only when the run's own stages load them). Returns every mismatch;
 * `verificationError` turns them into one error whose issues name each file or pin with the expected and
 * the found value, and whose hint is the next step.
 */
import { join } from 'node:path';
import { ReproError, type Issue } from '../../../errors.js';
import { FINGERPRINT_DIR, PARAMS_FILE } from '../../compile/paths.js';
import { dvcCacheDir } from '../dvc-cache.js';
import { collectEnvironmentPin, comparePins, PIN_FIELDS, type PinMismatch } from '../../environment/env-manifest.js';
import { ENVIRONMENT_PIN_PATTERN } from '../../environment/environment-file.js';
import { readTextIfExists } from '../../../kit/fs-atomic.js';
import { describeBackend, detectBackendKind } from '../../../kit/tf-backend.js';
import { checkOutputs, EXTRA_FILE, type OutputMismatch } from './check-outputs.js';
import { changedSinceCommit } from './check-sources.js';
import { md5File } from './dvc-hash.js';
import { runGit } from '../../dvc.js';
import { findExperimentRef } from '../revisions.js';
import { buildManifest } from './build-manifest.js';
import { readManifest, shareRef, type ShareManifest } from './manifest.js';
import { collectSeeds } from './seeds.js';

export interface VerifyOptions {
  /** the tensor backend this machine would use (flag); else REPRO_BACKEND, else what is installed */
  readonly backend?: string | undefined;
}

/** One thing that is not as the manifest pins it. */
export type Mismatch =
  | OutputMismatch
  | { readonly kind: 'fingerprint' | 'source'; readonly path: string; readonly expected: string; readonly found: string }
  | { readonly kind: 'seed'; readonly key: string; readonly expected: string; readonly found: string }
  | ({ readonly kind: 'pin' } & PinMismatch);

export interface VerifyResult {
  readonly run: string;
  readonly commit: string;
  /** how much was compared */
  readonly checked: { outputs: number; files: number; cacheObjects: number; fingerprints: number; sourceCommit: string; seeds: number; pins: number };
  readonly mismatches: readonly Mismatch[];
}

/**
 * Verifies run `name` in the project at `root` against its share manifest — or, for a run of this machine
 * that was never shared, against the manifest its own commit gives (its dvc.lock, fingerprints and pins).
 */
export async function verifyRun(root: string, name: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const manifest = await manifestOf(root, name);
  const outputs = await checkOutputs(root, await dvcCacheDir(root), manifest.outputs);
  const mismatches: Mismatch[] = [...outputs.mismatches];
  for (const [path, md5] of Object.entries(manifest.fingerprints)) {
    const found = await md5File(join(root, path)).catch(() => 'missing');
    if (found !== md5) mismatches.push({ kind: 'fingerprint', path, expected: md5, found });
  }
  mismatches.push(...(await sourceMismatches(root, manifest)));
  const seeds = collectSeeds(await readTextIfExists(join(root, PARAMS_FILE)));
  for (const key of [...new Set([...Object.keys(manifest.seeds), ...Object.keys(seeds)])].sort()) {
    const [expected, found] = [manifest.seeds[key], seeds[key]];
    if (expected !== found) mismatches.push({ kind: 'seed', key, expected: show(expected), found: show(found) });
  }
  const here = await collectEnvironmentPin(root, describeBackend(detectBackendKind({ override: options.backend })));
  const loads = await whatStagesLoad(root, manifest);
  const pins = comparePins(manifest.environment, here).filter((p) => pinMatters(p.pin, loads));
  mismatches.push(...pins.map((p) => ({ kind: 'pin' as const, ...p })));
  return {
    run: name,
    commit: manifest.git.commit,
    checked: {
      outputs: Object.keys(manifest.outputs).length,
      files: outputs.files,
      cacheObjects: outputs.cacheObjects,
      fingerprints: Object.keys(manifest.fingerprints).length,
      sourceCommit: manifest.git.commit,
      seeds: Object.keys(manifest.seeds).length,
      pins: PIN_FIELDS.length + new Set([...Object.keys(manifest.environment.packages), ...Object.keys(here.packages)]).size,
    },
    mismatches,
  };
}

/** The shared run's manifest; for a local run never shared, the one its experiment commit gives. */
async function manifestOf(root: string, name: string): Promise<ShareManifest> {
  if ((await runGit(root, ['rev-parse', '--verify', '--quiet', shareRef(name)], { reject: false })).exitCode === 0) return readManifest(root, name);
  const local = await findExperimentRef(root, name);
  if (!local) return readManifest(root, name);
  return buildManifest(root, local, { git: { name: 'local', url: '.' }, dvc: { name: 'local', url: await dvcCacheDir(root) } });
}

/** What the run's own experiments' stages load, by their fingerprints: a tensor backend, and which packages. */
async function whatStagesLoad(root: string, manifest: ShareManifest): Promise<{ backend: boolean; packages: Set<string> }> {
  const own = manifest.experiments ? new Set(manifest.experiments) : undefined;
  const loads = { backend: false, packages: new Set<string>() };
  for (const path of Object.keys(manifest.fingerprints)) {
    const stage = path.slice(FINGERPRINT_DIR.length + 1).replace(/\.json$/, '');
    if (own && !own.has(stage.split('_')[0]!)) continue;
    const text = await readTextIfExists(join(root, path));
    if (text === undefined) return { backend: true, packages: new Set(['*']) }; // unknown: every pin matters
    const fingerprint = JSON.parse(text) as { backend?: string | null; packages?: Record<string, unknown> };
    if (fingerprint.backend) loads.backend = true;
    for (const name of Object.keys(fingerprint.packages ?? {})) loads.packages.add(name);
  }
  return loads;
}

/**
 * Whether a pin can change the run's results: the backend and TensorFlow versions only when a stage runs
 * TensorFlow.js, a package only when a stage loads it (sharp's libvips goes with sharp); the rest always.
 */
function pinMatters(pin: string, loads: { backend: boolean; packages: Set<string> }): boolean {
  if (loads.packages.has('*')) return true;
  if (pin === 'backend' || pin === 'tensorflow' || pin === 'cuda' || pin === 'tfjs') return loads.backend;
  if (!pin.startsWith('packages.')) return true;
  const name = pin.slice('packages.'.length);
  if (name.startsWith('@img/sharp-')) return loads.packages.has('sharp');
  if (name.startsWith('@tensorflow/')) return loads.backend || loads.packages.has(name);
  return loads.packages.has(name);
}

/** The failure to throw for a result with mismatches. */
export function verificationError(result: VerifyResult): ReproError {
  const issues = result.mismatches.map(describeMismatch);
  const kinds = new Set(result.mismatches.map((m) => m.kind));
  const hints: string[] = [];
  if (kinds.has('cache')) hints.push(`delete the damaged cache objects named above, then \`repro pull ${result.run} --force\``);
  if (kinds.has('output')) hints.push('`.venv/bin/dvc checkout --force` restores outputs from an intact cache');
  if (kinds.has('source') || kinds.has('fingerprint') || kinds.has('seed')) hints.push(`\`repro pull ${result.run} --force\` applies the shared run again`);
  if (kinds.has('pin')) hints.push('results computed here may differ: match the pins named above (`REPRO_BACKEND=<kind>`, `npm ci`, the pinned Node), then `repro verify ' + result.run + '`');
  const n = result.mismatches.length;
  return new ReproError('VERIFY_FAILED', `run '${result.run}' expected to match its share manifest (commit ${result.commit.slice(0, 7)}), received ${n} mismatch${n === 1 ? '' : 'es'}`, {
    issues,
    hint: hints.join('; '),
  });
}

function describeMismatch(m: Mismatch): Issue {
  switch (m.kind) {
    case 'output':
      if (m.expected === EXTRA_FILE) return { code: 'VERIFY_FAILED', file: m.path, message: `expected no such file in the run, found one with md5 '${m.found}'` };
      return { code: 'VERIFY_FAILED', file: m.path, message: `expected md5 '${m.expected}', found ${quoteFound(m.found)}` };
    case 'cache':
      return { code: 'VERIFY_FAILED', file: m.path, message: `cache object ${m.object ?? ''} expected md5 '${m.expected}', found ${quoteFound(m.found)}` };
    case 'fingerprint':
      return { code: 'VERIFY_FAILED', file: m.path, message: `code fingerprint expected md5 '${m.expected}', found ${quoteFound(m.found)}` };
    case 'source':
      return { code: 'VERIFY_FAILED', file: m.path, message: `expected as in commit ${m.expected.slice(0, 7)}, found ${m.found}` };
    case 'seed':
      return { code: 'VERIFY_FAILED', message: `seed '${m.key}' expected ${m.expected}, found ${m.found}` };
    case 'pin':
      return { code: 'PIN_MISMATCH', message: `pin '${m.pin}' expected ${show(m.expected)}, found ${show(m.found)}` };
  }
}

/** Workspace files that differ from the run's commit, leaving out what other checks report. */
async function sourceMismatches(root: string, manifest: ShareManifest): Promise<Mismatch[]> {
  const outputs = Object.keys(manifest.outputs);
  const covered = (path: string) =>
    path.startsWith(`${FINGERPRINT_DIR}/`) || ENVIRONMENT_PIN_PATTERN.test(path) || outputs.some((o) => path === o || path.startsWith(`${o}/`));
  return (await changedSinceCommit(root, manifest.git.commit))
    .filter((c) => !covered(c.path))
    .map((c) => ({ kind: 'source' as const, path: c.path, expected: manifest.git.commit, found: c.change }));
}

function show(value: unknown): string {
  return value === undefined ? 'none' : value === null ? 'null' : typeof value === 'string' ? `'${value}'` : String(value);
}

function quoteFound(found: string): string {
  return found === 'missing' ? 'no file' : `'${found}'`;
}
