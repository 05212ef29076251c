/**
 * The pool for a cluster run: Slurm packs jobs into nodes itself, so every request is granted at once,
 * up to `jobs` stages in the queue together; GPUs are asked for only where the cluster has GPU gres, and a
 * GPU stage elsewhere runs on the CPU backend, as it does on a machine without GPUs.
 */
import type { Resources } from '../../../dsl/resources.js';
import type { Grant, Pool } from '../resource-pool.js';

export class ClusterPool implements Pool {
  private queued = 0;

  constructor(
    private readonly gpus: boolean,
    private readonly jobs: number,
  ) {}

  take(wanted: Resources): Grant | undefined {
    if (this.queued >= this.jobs) return undefined;
    this.queued += 1;
    return { resources: { ...wanted, gpus: this.gpus ? wanted.gpus : 0 }, gpus: [] };
  }

  give(): void {
    this.queued -= 1;
  }
}
