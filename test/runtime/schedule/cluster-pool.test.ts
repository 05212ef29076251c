/**
 * The cluster side of scheduling, without a cluster: what `sinfo -h -o '%c %G'` output says a cluster
 * offers (GPU gres, the fewest cores per GPU over the GPU nodes) and what the cluster pool then grants —
 * a GPU stage's `cpus: 'all'` becomes its GPUs' share of a node rather than a whole node, a CPU stage's
 * stays `all`, requests above the largest node are cut to it, and GPUs are dropped where the cluster has none. The real cluster runs are test/slurm/.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GAN, SMALL, TENSORFLOW } from '../../../src/dsl/resources.js';
import { readOffer } from '../../../src/runtime/schedule/slurm/cluster-probe.js';
import { ClusterPool } from '../../../src/runtime/schedule/slurm/cluster-pool.js';

const cluster = suite('cluster offer and pool');

cluster('sinfo lines: the largest node; GPU gres in every spelling, the leanest GPU node decides the share, CPU-only nodes do not', () => {
  assert.equal(readOffer('64 256000 gpu:a100:4(S:0-1)\n128 512000 gpu:8\n32 64000 (null)\n'), { maxCpus: 128, maxMemoryGiB: 500, gpus: true, cpusPerGpu: 16 });
  assert.equal(readOffer('48+ 192000+ gpu:v100:2,mps:200\n'), { maxCpus: 48, maxMemoryGiB: 187.5, gpus: true, cpusPerGpu: 24 });
  assert.equal(readOffer('2 24105 (null)\n'), { maxCpus: 2, maxMemoryGiB: 24105 / 1024, gpus: false, cpusPerGpu: undefined }, '~> the single-node test cluster: no GPUs');
  assert.equal(readOffer('8 64000 gpu:tesla:2,gpu:a10:2\n'), { maxCpus: 8, maxMemoryGiB: 62.5, gpus: true, cpusPerGpu: 2 }, '~> two GPU kinds on one node count together');
  assert.equal(readOffer(''), { maxCpus: undefined, maxMemoryGiB: undefined, gpus: false, cpusPerGpu: undefined });
});

cluster('the pool: a GPU stage\'s all cores become its share; CPU stages and clusters without GPUs keep what they asked', () => {
  const gpuCluster = new ClusterPool({ gpus: true, cpusPerGpu: 16 }, 10);
  assert.equal(gpuCluster.take(GAN)!.resources, { cpus: 16, memoryGiB: 8, gpus: 1 });
  assert.equal(gpuCluster.take({ ...GAN, gpus: 2 })!.resources.cpus, 32);
  assert.equal(gpuCluster.take(TENSORFLOW)!.resources.cpus, 'all', '~> a CPU TensorFlow stage still takes a whole node');
  assert.equal(gpuCluster.take({ ...GAN, cpus: 4 })!.resources.cpus, 4, '~> a number is kept as declared');
  const small = new ClusterPool({ maxCpus: 2, maxMemoryGiB: 6, gpus: false, cpusPerGpu: undefined }, 10);
  assert.equal(small.take({ cpus: 4, memoryGiB: 8, gpus: 0 })!.resources, { cpus: 2, memoryGiB: 6, gpus: 0 }, '~> above the largest node: cut to it, or the job would never start');
  const cpuCluster = new ClusterPool({ gpus: false, cpusPerGpu: undefined }, 1);
  assert.equal(cpuCluster.take(GAN)!.resources, { cpus: 'all', memoryGiB: 8, gpus: 0 }, '~> no GPU gres: the CPU backend on a whole node');
  assert.is(cpuCluster.take(SMALL), undefined, '~> one job in the queue at a time with -j 1');
});

cluster.run();
