/**
 * The pool for a cluster run: Slurm packs jobs into nodes itself, so every request is granted at once,
 * up to `jobs` stages in the queue together; GPUs are asked for only where the cluster has GPU gres, and a
 * GPU stage elsewhere runs on the CPU backend, as it does on a machine without GPUs. A GPU stage's
 * `cpus: 'all'` becomes its GPUs' share of a node's cores (as on a local machine with GPUs); without GPUs
 * it stays `all` (a whole node). More cores or memory than the largest node has are cut to that node (the
 * job would otherwise wait forever, as Slurm's `PartitionConfig`).
 */
import type { Resources } from '../../../dsl/resources.js';
import type { Grant, Pool } from '../resource-pool.js';
import type { ClusterOffer } from './cluster-probe.js';

export class ClusterPool implements Pool {
  private queued = 0;

  constructor(
    private readonly offer: ClusterOffer,
    private readonly jobs: number,
  ) {}

  take(wanted: Resources): Grant | undefined {
    if (this.queued >= this.jobs) return undefined;
    this.queued += 1;
    const gpus = this.offer.gpus ? wanted.gpus : 0;
    const { maxCpus = Number.POSITIVE_INFINITY, maxMemoryGiB = Number.POSITIVE_INFINITY } = this.offer;
    const asked = wanted.cpus === 'all' && gpus > 0 && this.offer.cpusPerGpu !== undefined ? this.offer.cpusPerGpu * gpus : wanted.cpus;
    const cpus = asked === 'all' ? asked : Math.min(asked, maxCpus);
    return { resources: { cpus, memoryGiB: Math.min(wanted.memoryGiB, maxMemoryGiB), gpus }, gpus: [] };
  }

  give(): void {
    this.queued -= 1;
  }
}
