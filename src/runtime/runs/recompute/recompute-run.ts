/**
 * `repro verify <run> --recompute [stage…]`: does the run reproduce here? In a scratch checkout of the
 * run's commit (scratch-worktree.ts; the workspace is never touched), the run's pinned files are restored
 * from the DVC cache — every object is checked first, so a missing one is a `CACHE_MISSING` error naming
 * the output and the fetch command — and each chosen stage (default: those of the experiments the run ran),
 * in graph order, is rerun by its own command from the run's pinned inputs: its outputs are set aside,
 * the stage runs, each file it wrote is judged against the run's (compare-output-file.ts) under the
 * stage's tolerance as the run recorded it (`.repro/stages/<stage>.json`), and the run's outputs are put
 * back, so the next stage again starts from exactly what the run had. A stage is `identical`, `within
 * tolerance` or `diverged` (the worst of its files; a missing, extra or failed output diverges); the
 * first diverged stage in graph order is named. Next to a divergence goes what differs between the
 * run's environment pin and this machine (versions, CPU, SIMD flags, thread settings). The result is also an
 * offline page, `reports/verify-<run>/index.html` (report/verify-page.ts), with the image comparisons.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { EXACT, resolveTolerance, type Tolerance } from '../../../dsl/tolerance.js';
import { ReproError } from '../../../errors.js';
import { describeBackend, detectBackendKind, switchesOf } from '../../../kit/tf-backend.js';
import { LOCK_FILE, PIPELINE_FILE } from '../../compile/paths.js';
import { readResolvedStage } from '../../compile/resolved-stage.js';
import { collectEnvironmentPin, compareMachineFacts, comparePins, type EnvironmentPin, type PinMismatch } from '../../environment/env-manifest.js';
import { environmentPinPath, parseEnvironmentPin } from '../../environment/environment-file.js';
import { resolveRevision, type Revision } from '../revisions.js';
import { findRunRecord, lockHash, readRunRecords } from '../run-record.js';
import { readManifest } from '../share/manifest.js';
import { openReportFolder } from '../report/folder.js';
import { imageFileName, verifyReportDir } from '../report/paths.js';
import { renderVerifyPage } from '../report/verify-page.js';
import { judgeFile, type ComparedAs, type Verdict } from './compare-output-file.js';
import { exists, readLock, restorePinnedFiles } from './restore-pinned-files.js';
import { openScratchWorktree } from '../scratch-worktree.js';

export type { Verdict } from './compare-output-file.js';

/** One file of a recomputed stage that is not byte-identical to the run's. */
export interface FileResult {
  readonly path: string;
  readonly verdict: Verdict;
  readonly comparedAs: ComparedAs | 'missing' | 'extra';
  readonly measures: Readonly<Record<string, number>>;
  readonly detail: string;
}

export interface StageResult {
  /** DVC stage name, e.g. `demo_warp` */
  readonly stage: string;
  readonly verdict: Verdict;
  readonly tolerance: Tolerance;
  /** files compared, and how many were byte-identical */
  readonly files: number;
  readonly identicalFiles: number;
  /** the files that were not identical (all of them, worst first) */
  readonly differing: readonly FileResult[];
  /** the stage's command failed: the tail of its log */
  readonly failure: string | null;
  readonly seconds: number;
}

export interface RecomputeResult {
  readonly run: string;
  readonly commit: string;
  readonly stages: readonly StageResult[];
  /** the first stage in graph order whose verdict is `diverged`; null when none */
  readonly firstDiverged: string | null;
  /** the run's environment pin against this machine's (versions, then machine facts) */
  readonly environment: readonly PinMismatch[];
  /** the experiment whose environment pin was compared (null when the run recorded none) */
  readonly environmentSource: string | null;
  /** the HTML page, project-relative; null with `report: false` */
  readonly report: string | null;
}

export interface RecomputeOptions {
  /** DVC stage names (`demo_warp`) or `<experiment>/<id>`; default: the stages of the experiments the run ran */
  readonly stages?: readonly string[] | undefined;
  /** extra environment for the stage commands (a test's switch; deterministic mode follows the run's fingerprints) */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** write `reports/verify-<run>/` (an HTML page and the image comparisons; self-ignoring, never part of a run) @default true */
  readonly report?: boolean | undefined;
  /** called as each stage starts and ends */
  readonly onStage?: ((event: { stage: string; index: number; of: number; result?: StageResult }) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

const SEVERITY: Record<Verdict, number> = { identical: 0, 'within tolerance': 1, diverged: 2 };

/** Recomputes stages of run `name` of the project at `root` and judges them. */
export async function recomputeRun(root: string, name: string, options: RecomputeOptions = {}): Promise<RecomputeResult> {
  const revision = await resolveRevision(root, name);
  if (revision.rev === null) {
    throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected to name a run with a commit (a DVC experiment or a git commit), received the workspace, which has none to recompute from`, {
      hint: 'run `repro runs` to list the runs, then `repro verify <run> --recompute`',
    });
  }
  const scratch = await openScratchWorktree(root, revision.rev);
  try {
    const dir = scratch.dir;
    const lock = await readLock(dir);
    const order = Object.keys(((parseYaml((await readFile(join(dir, PIPELINE_FILE), 'utf8').catch(() => '')) || '{}') ?? {}) as { stages?: object }).stages ?? {});
    const ran = order.filter((stage) => lock.stages?.[stage] !== undefined);
    if (ran.length === 0) {
      throw new ReproError('RUN_NOT_FOUND', `run '${revision.label}' expected stages with results in its ${LOCK_FILE} (commit ${revision.rev.slice(0, 7)}), received none`, {
        hint: 'run `repro runs` to list runs that have results',
      });
    }
    const chosen = await chooseStages(root, dir, ran, options.stages, revision);
    await restorePinnedFiles(root, dir, lock, chosen, revision);
    const results: StageResult[] = [];
    const pictures = new Map<string, Buffer>();
    for (const [index, stage] of chosen.entries()) {
      options.signal?.throwIfAborted();
      options.onStage?.({ stage, index, of: chosen.length });
      const result = await recomputeStage(dir, stage, options, pictures);
      results.push(result);
      options.onStage?.({ stage, index, of: chosen.length, result });
    }
    const { environment, environmentSource } = await environmentDifferences(root, dir, chosen);
    const result: RecomputeResult = {
      run: revision.label,
      commit: revision.rev,
      stages: results,
      firstDiverged: results.find((r) => r.verdict === 'diverged')?.stage ?? null,
      environment,
      environmentSource,
      report: options.report === false ? null : `${verifyReportDir(revision.label)}/index.html`,
    };
    if (options.report !== false) await writeReport(root, result, pictures);
    return result;
  } finally {
    await scratch.close();
  }
}

/** The failure `repro verify --recompute` exits 1 with, naming the first diverged stage and what broke. */
export function divergenceError(result: RecomputeResult): ReproError {
  const first = result.stages.find((s) => s.stage === result.firstDiverged)!;
  const broken = first.failure !== null ? [{ code: 'RECOMPUTE_DIVERGED' as const, message: `the stage failed: ${first.failure}` }] : first.differing.filter((f) => f.verdict === 'diverged').slice(0, 10).map((f) => ({ code: 'RECOMPUTE_DIVERGED' as const, file: f.path, message: f.detail }));
  const diverged = result.stages.filter((s) => s.verdict === 'diverged').length;
  const pins = result.environment.map((p) => `${p.pin} ${p.expected ?? 'none'} → ${p.found ?? 'none'}`);
  return new ReproError('RECOMPUTE_DIVERGED', `run '${result.run}' expected to reproduce within its tolerances, received ${diverged} diverged stage${diverged === 1 ? '' : 's'}, the first being '${first.stage}'`, {
    issues: broken,
    hint: pins.length > 0
      ? `this machine differs from the run's in: ${pins.join('; ')} — match those, or make runs that hold across machines with \`repro run --deterministic\``
      : `the environment pins match: the stage itself is not deterministic (an unseeded draw?); check it with \`repro verify ${result.run} --recompute ${first.stage}\` after fixing`,
  });
}

/**
 * The stages to recompute: the named ones (a DVC stage name, or `<experiment>/<id>`, aliases included), else
 * the stages of the experiments the run ran — as its share manifest or this machine's run record says —
 * else every stage in its lock (which also holds earlier runs of other experiments).
 */
async function chooseStages(root: string, dir: string, ran: readonly string[], wanted: readonly string[] | undefined, revision: Revision): Promise<string[]> {
  if (!wanted || wanted.length === 0) {
    const experiments = await experimentsOfRun(root, revision, dir);
    const own = ran.filter((s) => experiments === undefined || experiments.includes(s.split('_')[0]!));
    return own.length > 0 ? own : [...ran];
  }
  const picked = new Set<string>();
  for (const name of wanted) {
    const stage = ran.find((s) => s === name || s === name.replace('/', '_')) ?? (name.includes('/') ? await aliasOwner(dir, ran, name) : undefined);
    if (stage === undefined) {
      throw new ReproError('STAGE_NOT_FOUND', `stage '${name}' expected among the stages run '${revision.label}' computed (${ran.map((s) => `'${s}'`).join(', ')}), received no such stage`, {
        hint: `name a DVC stage as listed, or \`<experiment>/<id>\`; \`repro verify ${revision.label} --recompute\` alone recomputes them all`,
      });
    }
    picked.add(stage);
  }
  return ran.filter((s) => picked.has(s));
}

/** The experiments the run ran, from its share manifest or this machine's record of it; undefined when neither says. */
async function experimentsOfRun(root: string, revision: Revision, dir: string): Promise<string[] | undefined> {
  if (revision.experiment) {
    const manifest = await readManifest(root, revision.experiment).catch(() => undefined);
    if (manifest?.experiments) return manifest.experiments;
  }
  const lockText = await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => undefined);
  const record = findRunRecord(await readRunRecords(root), { rev: revision.rev, experimentName: revision.experiment, lock: lockHash(lockText) });
  return record?.targets.length ? [...new Set(record.targets.map((t) => t.split('_')[0]!))] : undefined;
}

async function aliasOwner(dir: string, ran: readonly string[], instance: string): Promise<string | undefined> {
  for (const stage of ran) if ((await readResolvedStage(dir, stage))?.aliases.includes(instance)) return stage;
  return undefined;
}

/** Sets the stage's outputs aside, reruns its command, judges what it wrote, and puts the run's outputs back. */
async function recomputeStage(dir: string, stage: string, options: RecomputeOptions, pictures: Map<string, Buffer>): Promise<StageResult> {
  const resolved = await readResolvedStage(dir, stage);
  if (!resolved) {
    throw new ReproError('STAGE_NOT_FOUND', `stage '${stage}' expected its compiled form at .repro/stages/${stage}.json in the run's commit, received none`, {
      hint: 'the run predates recorded stages; rerun it with `repro run` to make one that can be recomputed',
    });
  }
  const tolerance = resolveTolerance(EXACT, resolved.tolerance);
  const paths = [...Object.values(resolved.outputs), ...Object.values(resolved.metrics), ...Object.values(resolved.plots)].sort();
  const pinnedRoot = join(dir, '..', 'pinned', stage);
  for (const path of paths) {
    if (!(await exists(join(dir, path)))) continue;
    await mkdir(join(pinnedRoot, path, '..'), { recursive: true });
    await rename(join(dir, path), join(pinnedRoot, path));
  }
  const started = performance.now();
  const ran = await execa('sh', ['-c', resolved.cmd], {
    cwd: dir, env: { ...(await recordedSwitches(dir, resolved.fingerprintFile)), ...options.env }, reject: false, all: true, stdin: 'ignore', ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const failure = ran.exitCode === 0 ? null : `\`${resolved.cmd}\` exited ${ran.exitCode ?? ran.signal}: ${String(ran.all ?? '').trim().split('\n').slice(-5).join(' | ')}`;
  const judged: FileResult[] = [];
  let files = 0;
  for (const path of paths) {
    const pinnedFiles = await listFiles(join(pinnedRoot, path));
    const recomputedFiles = await listFiles(join(dir, path));
    for (const rel of [...new Set([...pinnedFiles, ...recomputedFiles])].sort()) {
      files += 1;
      const shown = rel ? `${path}/${rel}` : path;
      if (!recomputedFiles.includes(rel)) judged.push({ path: shown, verdict: 'diverged', comparedAs: 'missing', measures: {}, detail: 'the run has this file; the recompute wrote none' });
      else if (!pinnedFiles.includes(rel)) judged.push({ path: shown, verdict: 'diverged', comparedAs: 'extra', measures: {}, detail: 'the recompute wrote this file; the run has none' });
      else {
        const { picture, ...judgement } = await judgeFile(shown, await readFile(join(pinnedRoot, path, rel)), await readFile(join(dir, path, rel)), tolerance);
        if (picture) pictures.set(shown, picture);
        judged.push({ path: shown, ...judgement });
      }
    }
  }
  for (const path of paths) {
    await rm(join(dir, path), { recursive: true, force: true });
    if (await exists(join(pinnedRoot, path))) await rename(join(pinnedRoot, path), join(dir, path));
  }
  const differing = judged.filter((f) => f.verdict !== 'identical').sort((a, b) => SEVERITY[b.verdict] - SEVERITY[a.verdict] || a.path.localeCompare(b.path));
  const worst = failure !== null ? 'diverged' : differing.reduce<Verdict>((w, f) => (SEVERITY[f.verdict] > SEVERITY[w] ? f.verdict : w), 'identical');
  return { stage, verdict: worst, tolerance, files, identicalFiles: files - differing.length, differing, failure, seconds: Math.round(seconds * 10) / 10 };
}

/**
 * The TensorFlow switches the stage's fingerprint records it ran under (oneDNN, and deterministic mode's when
 * the run was made with `repro run --deterministic`): the recompute runs under the run's settings, which
 * `repro exec` checks against the fingerprint.
 */
async function recordedSwitches(dir: string, fingerprintFile: string): Promise<Record<string, string>> {
  const recorded = (JSON.parse(await readFile(join(dir, fingerprintFile), 'utf8').catch(() => '{}')) as { backend?: string | null }).backend;
  return recorded ? switchesOf(recorded) : {};
}

/** `reports/verify-<run>/`: the page and one picture per image that was not byte-identical. */
async function writeReport(root: string, result: RecomputeResult, pictures: ReadonlyMap<string, Buffer>): Promise<void> {
  const folder = await openReportFolder(root, verifyReportDir(result.run));
  const images = new Map<string, string>();
  for (const [path, picture] of pictures) {
    images.set(path, imageFileName(path));
    await folder.write(imageFileName(path), picture);
  }
  await folder.write('index.html', renderVerifyPage(result, images));
}

/** Files under `path` relative to it (`''` for a file itself); none when it does not exist. */
async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [''];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(path, join(e.parentPath, e.name)).split('\\').join('/')).sort();
}

/** The run's environment pin (of the first chosen stage's experiment that recorded one) against this machine's. */
async function environmentDifferences(root: string, dir: string, stages: readonly string[]): Promise<{ environment: PinMismatch[]; environmentSource: string | null }> {
  const experiments = [...new Set(stages.map((s) => s.split('_')[0]!))];
  let pin: EnvironmentPin | undefined;
  let source: string | null = null;
  for (const experiment of experiments) {
    pin = parseEnvironmentPin(await readFile(join(dir, environmentPinPath(experiment)), 'utf8').catch(() => undefined));
    if (pin) {
      source = experiment;
      break;
    }
  }
  if (!pin) return { environment: [], environmentSource: null };
  const here = await collectEnvironmentPin(root, describeBackend(detectBackendKind()));
  return { environment: [...comparePins(pin, here), ...compareMachineFacts(pin.machine, here.machine)], environmentSource: source };
}
