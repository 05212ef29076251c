/**
 * What a cluster offers, asked once before a Slurm run: whether `sinfo` answers at all, the largest node
 * (most cores, most memory: a request above it could never start, so the pool cuts it there, as a local run
 * cuts a request to the machine), whether its nodes have GPU gres to ask for, and how many cores a GPU comes
 * with — the fewest cores per GPU over the GPU nodes (`sinfo`'s `%c` CPUs, `%m` MB and `%G` GRES columns:
 * `64 256000 gpu:a100:4(S:0-1)` → 16). A GPU stage that asks for `cpus: 'all'` gets that share per GPU
 * instead of a whole node, so a node's GPUs take one stage each.
 */
import { execa } from 'execa';
import { ReproError } from '../../../errors.js';
import type { SlurmConfig } from './slurm-config.js';

export interface ClusterOffer {
  /** cores of the node with the most; undefined when sinfo listed none */
  readonly maxCpus?: number | undefined;
  /** memory of the node with the most, GiB; undefined when sinfo listed none */
  readonly maxMemoryGiB?: number | undefined;
  /** whether the cluster has GPU gres to ask for */
  readonly gpus: boolean;
  /** cores per GPU on the leanest GPU node; undefined without GPU nodes */
  readonly cpusPerGpu: number | undefined;
}

/** Asks `sinfo` (in the configured partition); a cluster that does not answer is SLURM_UNAVAILABLE. */
export async function probeCluster(config: SlurmConfig): Promise<ClusterOffer> {
  const sinfo = await execa('sinfo', ['-h', '-o', '%c %m %G', ...(config.partition ? ['-p', config.partition] : [])], { reject: false }).catch(() => undefined);
  if (!sinfo || sinfo.exitCode !== 0) {
    throw new ReproError('SLURM_UNAVAILABLE', `a Slurm cluster expected to answer \`sinfo\`, received ${sinfo ? `exit ${sinfo.exitCode}: ${String(sinfo.stderr).trim()}` : 'no sinfo command'}`, {
      hint: 'run `repro run` on a login node of the cluster (with SLURM_CONF set if the cluster needs it), or drop `--executor slurm`',
    });
  }
  return readOffer(String(sinfo.stdout));
}

/** The offer in `sinfo -h -o '%c %m %G'` output: one node group per line — CPUs (`64` or `64+`), MB, GRES. */
export function readOffer(text: string): ClusterOffer {
  let cpusPerGpu: number | undefined;
  let maxCpus: number | undefined;
  let maxMemoryGiB: number | undefined;
  let gpus = false;
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\+?\s+(\d+)\+?\s+(.*)$/.exec(line);
    if (!match) continue;
    const cpus = Number(match[1]);
    maxCpus = Math.max(maxCpus ?? 0, cpus);
    maxMemoryGiB = Math.max(maxMemoryGiB ?? 0, Number(match[2]) / 1024);
    // gres entries: `gpu:4`, `gpu:a100:4`, `gpu:a100:4(S:0-1)`, several joined by commas, or `(null)`
    const count = [...match[3]!.matchAll(/(?:^|,)gpu(?::[^:,(]+)?:(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    if (count === 0) continue;
    gpus = true;
    const share = Math.max(1, Math.floor(cpus / count));
    cpusPerGpu = cpusPerGpu === undefined ? share : Math.min(cpusPerGpu, share);
  }
  return { maxCpus, maxMemoryGiB, gpus, cpusPerGpu };
}
