/**
 * The local scheduler's bookkeeping: how many cores, GiB and which GPUs are free, and how many stages run.
 * A stage's request is first fitted to the machine (`fit`): `all` cores, or more cores or memory than the
 * machine has, becomes all of it (the stage then runs alone rather than never) — except that a stage granted
 * GPUs takes `all` as its GPUs' share of the cores (8 cores, 4 GPUs: 2 per GPU), so GAN stages run one per
 * GPU side by side — and GPUs where there are none become none (GAN stages run on the CPU backend). `take`
 * grants a fitted request when it fits now, with the GPU ids to put in `CUDA_VISIBLE_DEVICES`; `give`
 * returns it.
 */
import type { Resources } from '../../dsl/resources.js';
import type { Capacity } from './capacity.js';

export interface Grant {
  readonly resources: Resources;
  /** GPU device ids reserved for the stage */
  readonly gpus: readonly string[];
}

/** What the plan runner asks before starting a stage; a cluster's pool grants everything. */
export interface Pool {
  take(wanted: Resources): Grant | undefined;
  give(grant: Grant): void;
}

export class ResourcePool implements Pool {
  private cpus: number;
  private memoryGiB: number;
  private readonly freeGpus: string[];
  private running = 0;

  constructor(
    private readonly capacity: Capacity,
    private readonly jobs: number,
  ) {
    this.cpus = capacity.cpus;
    this.memoryGiB = capacity.memoryGiB;
    this.freeGpus = [...capacity.gpus];
  }

  /** `wanted` cut to what this machine has at all. */
  fit(wanted: Resources): Resources {
    const gpus = Math.min(wanted.gpus, this.capacity.gpus.length);
    // NOTE: a stage on a GPU does its arithmetic there; taking every core would keep the other GPUs idle.
    const all = gpus > 0 ? Math.max(1, Math.floor((this.capacity.cpus * gpus) / this.capacity.gpus.length)) : this.capacity.cpus;
    return {
      cpus: wanted.cpus === 'all' ? all : Math.min(wanted.cpus, this.capacity.cpus),
      memoryGiB: Math.min(wanted.memoryGiB, this.capacity.memoryGiB),
      gpus,
    };
  }

  /** A grant for `wanted` (fitted) when it fits beside what runs now; undefined otherwise. */
  take(wanted: Resources): Grant | undefined {
    const resources = this.fit(wanted) as Resources & { cpus: number };
    if (this.running >= this.jobs) return undefined;
    // NOTE: a stage always starts on an idle machine, so float rounding of GiB can never block it forever.
    const idle = this.running === 0;
    if (!idle && (resources.cpus > this.cpus || resources.memoryGiB > this.memoryGiB + 1e-9)) return undefined;
    if (resources.gpus > this.freeGpus.length) return undefined;
    this.cpus -= resources.cpus;
    this.memoryGiB -= resources.memoryGiB;
    this.running += 1;
    return { resources, gpus: this.freeGpus.splice(0, resources.gpus) };
  }

  give(grant: Grant): void {
    this.cpus += grant.resources.cpus as number;
    this.memoryGiB += grant.resources.memoryGiB;
    this.freeGpus.push(...grant.gpus);
    this.freeGpus.sort();
    this.running -= 1;
  }
}
