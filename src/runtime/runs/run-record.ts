/**
 * The local record of a `repro run`: the journal each `repro exec` appends a line to
 * (`{"stage", "seconds"}`) and the record `.repro/runs/run-*.json` written when the run ends (which stages
 * ran, how long each took, the DVC experiment it became, a hash of the `dvc.lock` it left). Records are
 * untracked logs of this machine, so a run made elsewhere has none; `findRunRecord` ties a record to a run
 * by its DVC experiment commit, its name, or the `dvc.lock` it produced.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOURNAL_DIR, LOCK_FILE } from '../compile/paths.js';
import { runGit } from '../dvc.js';
import type { EnvironmentPin } from '../environment/env-manifest.js';
import { readTextIfExists, writeJson } from '../../kit/fs-atomic.js';

/** One line of the journal: a stage that finished, and its wall time. */
export interface JournalLine {
  readonly stage: string;
  /** wall-clock seconds of `repro exec` for this stage; absent in journals written before timings */
  readonly seconds?: number;
}

/** What `.repro/runs/run-*.json` holds. Fields added later are optional, so old records still read. */
export interface RunRecord {
  readonly finishedAt: string;
  readonly mode: 'exp' | 'repro';
  readonly targets: readonly string[];
  readonly ran: readonly string[];
  /** the stages that ran with their wall time, in order */
  readonly stages?: readonly JournalLine[];
  /** the DVC experiment name `dvc exp run` reported */
  readonly experimentName?: string | null;
  /** its commit (the experiment ref), when it could be resolved */
  readonly experimentRev?: string | null;
  /** sha256 of the dvc.lock the run left in the workspace */
  readonly lock?: string | null;
  readonly environment?: EnvironmentPin;
}

/** The record file next to a journal file. */
export function recordPathOf(journal: string): string {
  return journal.replace(/\.jsonl$/, '.json');
}

/** Parses a journal's lines; a torn last line (a killed stage) is skipped. */
export function parseJournal(text: string): JournalLine[] {
  const lines: JournalLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as JournalLine;
      if (typeof parsed.stage === 'string') lines.push(parsed);
    } catch {
      // a half-written line of an interrupted stage
    }
  }
  return lines;
}

/** The experiment name in `dvc exp run`'s closing lines ("Ran experiment(s): name"). */
export function experimentNameFromOutput(output: string): string | null {
  return /^Ran experiment\(s\): *([^\s,]+)/m.exec(output)?.[1] ?? null;
}

/** sha256 of a dvc.lock's text; how a run's record is matched to the lock a revision holds. */
export function lockHash(lockText: string | undefined): string | null {
  return lockText === undefined ? null : createHash('sha256').update(lockText).digest('hex');
}

/** What `repro run` knows when DVC has finished. */
export interface FinishedRun {
  readonly mode: 'exp' | 'repro';
  readonly targets: readonly string[];
  /** DVC's stdout, where `dvc exp run` names the experiment */
  readonly dvcOutput: string;
  readonly environment: EnvironmentPin;
}

/**
 * Reads the journal and writes the run record next to it; returns the journal's lines (the stages that
 * ran, in order). NOTE: records are untracked logs; a timestamp belongs here, never in tracked outputs.
 */
export async function writeRunRecord(root: string, journal: string, run: FinishedRun): Promise<JournalLine[]> {
  const stages = parseJournal(await readFile(journal, 'utf8'));
  const experimentName = run.mode === 'exp' ? experimentNameFromOutput(run.dvcOutput) : null;
  const record: RunRecord = {
    finishedAt: new Date().toISOString(),
    mode: run.mode,
    targets: run.targets,
    ran: stages.map((s) => s.stage),
    stages,
    experimentName,
    experimentRev: experimentName ? await experimentRevOf(root, experimentName) : null,
    lock: lockHash(await readTextIfExists(join(root, LOCK_FILE))),
    environment: run.environment,
  };
  await writeJson(recordPathOf(journal), record);
  return stages;
}

/** The commit of experiment `name` built on HEAD (`refs/exps/<ab>/<cdef…>/<name>`), or null. */
async function experimentRevOf(root: string, name: string): Promise<string | null> {
  const head = (await runGit(root, ['rev-parse', 'HEAD'], { reject: false })).stdout.trim();
  if (!/^[0-9a-f]{40}$/.test(head)) return null;
  const ref = await runGit(root, ['rev-parse', '--verify', '--quiet', `refs/exps/${head.slice(0, 2)}/${head.slice(2)}/${name}`], { reject: false });
  return ref.exitCode === 0 ? ref.stdout.trim() : null;
}

/** Every run record of the project, newest first; unreadable files are skipped. */
export async function readRunRecords(root: string): Promise<RunRecord[]> {
  const dir = join(root, JOURNAL_DIR);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^run-.*\.json$/.test(n));
  const records: RunRecord[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as RunRecord);
    } catch {
      // a record being written, or not ours
    }
  }
  return records.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
}

/** What identifies a run when looking for its record. */
export interface RunIdentity {
  /** the commit of the run (an experiment ref's commit or a branch commit); null for the workspace */
  readonly rev: string | null;
  /** its DVC experiment name, when it is one */
  readonly experimentName?: string | null;
  /** sha256 of the run's dvc.lock */
  readonly lock: string | null;
}

/**
 * The newest record of this run that timed some stage: same experiment commit, else same experiment name
 * (with the same lock when both are known), else the same dvc.lock. Undefined when this machine has none.
 */
export function findRunRecord(records: readonly RunRecord[], run: RunIdentity): RunRecord | undefined {
  const timed = records.filter((r) => (r.stages ?? []).some((s) => typeof s.seconds === 'number'));
  return (
    (run.rev ? timed.find((r) => r.experimentRev === run.rev) : undefined) ??
    (run.experimentName ? timed.find((r) => r.experimentName === run.experimentName && (!run.lock || !r.lock || r.lock === run.lock)) : undefined) ??
    (run.lock ? timed.find((r) => r.lock === run.lock) : undefined)
  );
}
