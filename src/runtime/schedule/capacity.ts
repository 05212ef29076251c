/**
 * What this machine offers the local scheduler: its cores (`os.availableParallelism`), its memory, and its
 * GPUs — the devices `CUDA_VISIBLE_DEVICES` names when set, else those `nvidia-smi -L` lists, else none.
 * Each GPU is one slot; a stage that asks for one gets its device id in `CUDA_VISIBLE_DEVICES`.
 */
import { availableParallelism, totalmem } from 'node:os';
import { execa } from 'execa';

export interface Capacity {
  readonly cpus: number;
  readonly memoryGiB: number;
  /** device ids, as `CUDA_VISIBLE_DEVICES` takes them */
  readonly gpus: readonly string[];
}

/** This machine's capacity. */
export async function machineCapacity(): Promise<Capacity> {
  return { cpus: availableParallelism(), memoryGiB: totalmem() / 2 ** 30, gpus: await visibleGpus() };
}

async function visibleGpus(): Promise<string[]> {
  const visible = process.env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) return visible.split(',').map((id) => id.trim()).filter((id) => id !== '' && id !== '-1');
  const listed = await execa('nvidia-smi', ['-L'], { reject: false, timeout: 10_000 }).catch(() => undefined);
  if (!listed || listed.exitCode !== 0) return [];
  return listed.stdout.split('\n').filter((line) => /^GPU \d+:/.test(line)).map((line) => /^GPU (\d+):/.exec(line)![1]!);
}
