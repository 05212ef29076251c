/**
 * One `repro run` per repository at a time. The lock is `.repro/tmp/run.lock`, created exclusively and
 * holding who took it (pid, command, start time); a second run is refused with that information instead
 * of DVC's raw "'…/data' is busy" text. A lock whose process is gone (killed, machine restarted) is stale
 * and taken over, and so are DVC's lock entries left by a killed run (`clearStaleDvcLocks`). DVC's own
 * lock, held by a live `dvc` command someone started by hand, is reported the same way by
 * `busyRepositoryError`.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReproError } from '../errors.js';
import { writeFileAtomic } from '../kit/fs-atomic.js';

const LOCK_FILE = '.repro/tmp/run.lock';

export interface Holder {
  readonly pid: number;
  readonly command: string;
  /** ISO time the run started */
  readonly since: string;
}

/** Takes the run lock for `command`; returns the function that releases it. */
export async function acquireRunLock(root: string, command: string): Promise<() => Promise<void>> {
  const path = join(root, LOCK_FILE);
  await mkdir(join(root, '.repro/tmp'), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() } satisfies Holder));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // NOTE: a lock just created may not hold its JSON yet; look twice before calling it stale.
      const holder = (await readHolder(path)) ?? (await sleep(200).then(() => readHolder(path)));
      if (holder && isAlive(holder.pid)) throw heldError(holder);
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  throw new ReproError('RUN_IN_PROGRESS', `the run lock '${LOCK_FILE}' expected to be free, received one that reappeared while taking it`, { hint: 'run `repro run` again' });
}

/** Who holds the run lock now, when its process is alive; undefined when no run is in progress. */
export async function runInProgress(root: string): Promise<Holder | undefined> {
  const holder = await readHolder(join(root, LOCK_FILE));
  return holder && isAlive(holder.pid) ? holder : undefined;
}

/**
 * Removes the entries of DVC's read/write lock (`.dvc/tmp/rwlock`) whose process is gone — a run killed
 * outright (SIGKILL, the OOM killer, a reboot) leaves them, and DVC then refuses every later command with
 * "is busy" until someone deletes the file by hand. Entries of live processes (a `dvc` command run by
 * hand) stay. Call it holding the run lock, so no DVC of ours is between reading and writing the file.
 * Returns the commands whose stale entries were removed.
 */
export async function clearStaleDvcLocks(root: string): Promise<string[]> {
  const path = join(root, '.dvc', 'tmp', 'rwlock');
  let lock: { write?: Record<string, DvcLockInfo>; read?: Record<string, DvcLockInfo[]> };
  try {
    lock = JSON.parse(await readFile(path, 'utf8')) as typeof lock;
  } catch {
    return []; // none, or unreadable: DVC reports that itself
  }
  const removed = new Set<string>();
  const write = Object.fromEntries(Object.entries(lock.write ?? {}).filter(([, info]) => isAlive(info.pid) || !removed.add(info.cmd)));
  const read = Object.fromEntries(
    Object.entries(lock.read ?? {})
      .map(([key, infos]) => [key, infos.filter((info) => isAlive(info.pid) || !removed.add(info.cmd))] as const)
      .filter(([, infos]) => infos.length > 0),
  );
  if (removed.size === 0) return [];
  await writeFileAtomic(path, JSON.stringify({ write, read }));
  return [...removed];
}

interface DvcLockInfo {
  readonly pid: number;
  readonly cmd: string;
}

/** The error for a DVC failure that says the repository is locked by another DVC process; else undefined. */
export function busyRepositoryError(error: unknown): ReproError | undefined {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => /is busy, it is being blocked by|Unable to acquire lock/i.test(l));
  if (!line) return undefined;
  return new ReproError('RUN_IN_PROGRESS', `the repository expected to be free, received it locked by another DVC process: ${line.trim().replace(/^ERROR:\s*/, '')}`, {
    hint: 'wait for that dvc command to finish (`ps -p <PID>` shows it), then run `repro run` again',
    cause: error,
  });
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs; a zombie (killed, not yet reaped by its new parent) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // `<pid> (<comm>) <state> …`: the state follows the last ')' (comm may hold spaces and parentheses)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is all there is
  }
}

function heldError(holder: Holder): ReproError {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(holder.since)) / 60_000));
  return new ReproError('RUN_IN_PROGRESS', `the repository expected to be free, received \`${holder.command}\` running in it (pid ${holder.pid}, since ${holder.since}, ${minutes} min ago)`, {
    hint: `wait for it to finish, or stop it with \`kill ${holder.pid}\` (it stops cleanly and a rerun resumes), then run your command again`,
  });
}
