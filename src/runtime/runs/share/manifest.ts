/**
 * The pin manifest of a shared run, and where it lives: `manifest.json` in a commit of its own, on the
 * git ref `refs/repro/share/<run>`, whose parent is the run's experiment commit (whose parent is the
 * baseline). Why a ref: the manifest pins the experiment commit by hash, so it cannot be inside that
 * commit (and rewriting DVC's experiment commit would break `dvc exp`); a git ref travels over the same
 * remote and the same fetch as the experiment, is content-addressed and immutable like the run itself,
 * and fetching it alone brings the experiment and baseline commits along; the DVC remote is the wrong
 * place, since objects there are found only through hashes that git holds. `repro share` pushes the ref
 * last, after the experiment ref and its DVC objects, so a collaborator who sees it can pull everything.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tolerance } from '../../../dsl/tolerance.js';
import { ReproError } from '../../../errors.js';
import { formatJson } from '../../../kit/canonical-json.js';
import { runGit } from '../../dvc.js';
import type { EnvironmentPin } from '../../environment/env-manifest.js';

export const SHARE_REF_PREFIX = 'refs/repro/share/';
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'repro-share/1';

/** One output of the run as its dvc.lock records it (or data a `.dvc` file tracks). */
export interface OutputPin {
  /** the DVC stage that wrote it, or the `.dvc` file that tracks it */
  stage: string;
  /** DVC's md5; a folder's ends in `.dir` */
  md5: string;
  size: number | null;
  /** files in a folder output */
  nfiles: number | null;
  /** false for `cache: false` outputs (metrics), which travel in git instead of the DVC remote */
  cached: boolean;
}

/** A git or DVC remote, by name and URL. */
export interface RemotePin {
  name: string;
  url: string;
}

export interface ShareManifest {
  format: typeof MANIFEST_FORMAT;
  /** the run's (the DVC experiment's) name */
  run: string;
  git: {
    /** the experiment commit: the run's dvc.yaml, params.yaml, dvc.lock, fingerprints and code */
    commit: string;
    /** the commit the run was based on */
    baseline: string;
    /** `refs/exps/…/<run>` */
    ref: string;
  };
  /** where the run was pushed; `repro pull` uses `dvc.url` when the clone has no DVC remote of its own */
  remotes: { git: RemotePin; dvc: RemotePin };
  /**
   * the outputs this share carries, by project-relative path: those of the run's experiments' stages and of
   * the stages and `.dvc`-tracked data they read (share-scope.ts) — or, shared with `--all` or before
   * `withheld` existed, every output in the run's dvc.lock and every path its `.dvc` files track
   */
  outputs: Record<string, OutputPin>;
  /**
   * outputs in the run's dvc.lock that this share leaves out (other experiments' results, still pinned by
   * the lock): not uploaded, not pulled, not verified; absent when none were left out
   */
  withheld?: Record<string, OutputPin>;
  /** md5 of each code fingerprint file the stages whose outputs it carries depended on (dvc.lock's deps), by path */
  fingerprints: Record<string, string>;
  /** every param named `seed`, by dotted params.yaml key */
  seeds: Record<string, string | number | boolean | null>;
  /** the environment that produced the run */
  environment: EnvironmentPin;
  /** where `environment` came from: the run's pin file, or `sharing machine` for runs made without one */
  environmentSource: string;
  /**
   * the experiments the run ran (`repro run <experiment>`), whose stages decide which pins matter; absent in
   * manifests shared before it was recorded (then every experiment in the lock counts)
   */
  experiments?: string[];
  /**
   * each stage's recompute tolerance as the run compiled it (`.repro/stages/<stage>.json`), so a collaborator's
   * `repro verify --recompute` is judged by the author's; absent in manifests shared before it was recorded
   */
  tolerances?: Record<string, Tolerance>;
}

/** `refs/repro/share/<run>` */
export function shareRef(run: string): string {
  return `${SHARE_REF_PREFIX}${run}`;
}

/** The DVC targets (stage names, `.dvc` files) whose objects the share carries: owners of its cached outputs. */
export function dvcTargets(manifest: ShareManifest): string[] {
  return [...new Set(Object.values(manifest.outputs).filter((o) => o.cached).map((o) => o.stage))].sort();
}

/** Stores `manifest` as a commit on top of the experiment commit and points the share ref at it. */
export async function writeManifestRef(root: string, manifest: ShareManifest): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'repro-share-'));
  try {
    const file = join(scratch, MANIFEST_FILE);
    await writeFile(file, formatJson(manifest));
    const blob = (await runGit(root, ['hash-object', '-w', '--', file])).stdout.trim();
    // NOTE: a scratch index, so the user's staging area is never touched.
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await runGit(root, ['update-index', '--add', '--cacheinfo', `100644,${blob},${MANIFEST_FILE}`], { env });
    const tree = (await runGit(root, ['write-tree'], { env })).stdout.trim();
    // The experiment commit's date makes sharing the same run twice give the same commit.
    const date = (await runGit(root, ['show', '-s', '--format=%cI', manifest.git.commit])).stdout.trim();
    const message = `repro share: run '${manifest.run}' (experiment ${manifest.git.commit.slice(0, 7)})`;
    const commit = (await runGit(root, ['commit-tree', tree, '-p', manifest.git.commit, '-m', message], { env: { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } })).stdout.trim();
    await runGit(root, ['update-ref', shareRef(manifest.run), commit]);
    return commit;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The manifest on the local share ref of `run`. */
export async function readManifest(root: string, run: string): Promise<ShareManifest> {
  const shown = await runGit(root, ['show', `${shareRef(run)}:${MANIFEST_FILE}`], { reject: false });
  if (shown.exitCode !== 0) {
    throw new ReproError('RUN_NOT_FOUND', `shared run '${run}' expected at git ref ${shareRef(run)}, received no such ref`, {
      hint: `run \`repro pull ${run}\` (or \`repro share ${run}\` on the machine that ran it)`,
    });
  }
  const manifest = JSON.parse(shown.stdout) as ShareManifest;
  if (manifest.format !== MANIFEST_FORMAT) {
    throw new ReproError('VERIFY_FAILED', `${shareRef(run)}:${MANIFEST_FILE} expected format '${MANIFEST_FORMAT}', received '${String(manifest.format)}'`, {
      hint: 'update repro (`npm install`) to the version that shared it',
    });
  }
  return manifest;
}
