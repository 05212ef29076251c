/**
 * The Slurm jobs a `repro run --executor slurm` has in the queue now: the run's job list
 * (runs/slurm-jobs.json) joined with `squeue`'s view of those jobs. A job squeue no longer lists has
 * ended; the run that submitted it records the outcome. What `repro status` shows.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { readTextIfExists } from '../../../kit/fs-atomic.js';
import { JOBS_FILE } from './slurm-executor.js';

export interface QueuedJob {
  readonly stage: string;
  readonly id: string;
  /** PENDING, RUNNING, … */
  readonly state: string;
  /** why a pending job waits (Dependency, Resources, Priority, …) */
  readonly reason: string;
}

/** The queued and running jobs of the project at `root`; empty without a run on Slurm or without squeue. */
export async function queuedJobs(root: string): Promise<QueuedJob[]> {
  const text = await readTextIfExists(join(root, JOBS_FILE));
  if (text === undefined) return [];
  const jobs = (JSON.parse(text) as { jobs?: Record<string, string> }).jobs ?? {};
  const byId = new Map(Object.entries(jobs).map(([stage, id]) => [id, stage]));
  if (byId.size === 0) return [];
  const listed = await execa('squeue', ['-h', '-j', [...byId.keys()].join(','), '-o', '%i|%T|%r'], { reject: false }).catch(() => undefined);
  if (!listed || listed.exitCode !== 0) return [];
  return String(listed.stdout)
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('|'))
    .filter(([id]) => byId.has(id!))
    .map(([id, state, reason]) => ({ stage: byId.get(id!)!, id: id!, state: state ?? '', reason: reason === 'None' ? '' : (reason ?? '') }));
}
