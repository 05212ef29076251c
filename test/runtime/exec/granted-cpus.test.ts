/** `ctx.cpus`: what the scheduler granted (repro run -j, Slurm) wins, else the declared cores capped by the machine. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { grantedCpus } from '../../../src/runtime/exec/granted-cpus.js';

const cpus = suite('grantedCpus');

cpus('a grant in REPRO_CPUS or SLURM_CPUS_PER_TASK wins over the declaration', () => {
  assert.is(grantedCpus('all', { REPRO_CPUS: '3' }, 16), 3);
  assert.is(grantedCpus(1, { SLURM_CPUS_PER_TASK: '8' }, 2), 8);
  assert.is(grantedCpus(4, { REPRO_CPUS: '2', SLURM_CPUS_PER_TASK: '8' }, 16), 2);
});

cpus('without a grant: all the cores for "all", the declared number capped by the machine', () => {
  assert.is(grantedCpus('all', {}, 6), 6);
  assert.is(grantedCpus(4, {}, 2), 2);
  assert.is(grantedCpus(4, {}, 16), 4);
});

cpus('ignores a grant that is not a whole number of cores', () => {
  assert.is(grantedCpus(2, { REPRO_CPUS: 'two' }, 8), 2);
  assert.is(grantedCpus(2, { REPRO_CPUS: '0' }, 8), 2);
  assert.is(grantedCpus(2, { REPRO_CPUS: '1.5' }, 8), 2);
});

cpus.run();
