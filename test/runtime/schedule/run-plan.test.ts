/**
 * `runPlan` and `ResourcePool` with an in-memory executor whose stages end when the test says: commits
 * come in the plan's (DVC's) order whatever order stages finish in; no more stages run than cores,
 * memory, GPU slots and `jobs` allow, and GPU ids are handed out one per slot; a failure blocks its
 * downstream and starts nothing new while the running sibling finishes and is committed; an abort commits
 * what finished; a stage found up to date or restored from the run cache is not run, and a restored one is
 * committed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GAN, SMALL, type Resources } from '../../../src/dsl/resources.js';
import { ResourcePool, type Grant } from '../../../src/runtime/schedule/resource-pool.js';
import { runPlan, type Executor, type StageOutcome, type Verdict } from '../../../src/runtime/schedule/run-plan.js';
import type { PlannedStage } from '../../../src/runtime/schedule/stage-plan.js';

const stage = (name: string, upstream: string[] = [], resources: Resources = SMALL): PlannedStage => ({ name, cmd: name, upstream, resources });

/** An executor whose stages end when `finish(name, ok)` is called; records what ran at once. */
function controlledExecutor() {
  const waiting = new Map<string, (outcome: StageOutcome) => void>();
  const grants = new Map<string, Grant>();
  let running = 0;
  let most = 0;
  const started: string[] = [];
  const executor: Executor = {
    run(planned, grant, signal) {
      running += 1;
      most = Math.max(most, running);
      started.push(planned.name);
      grants.set(planned.name, grant);
      return new Promise<StageOutcome>((resolve) => {
        const end = (outcome: StageOutcome) => {
          running -= 1;
          waiting.delete(planned.name);
          resolve(outcome);
        };
        waiting.set(planned.name, end);
        signal.addEventListener('abort', () => end({ ok: false, tail: '', log: '', reason: 'interrupted' }), { once: true });
      });
    },
  };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  return {
    executor,
    started,
    grants,
    most: () => most,
    async finish(name: string, ok = true) {
      for (let i = 0; i < 200 && !waiting.has(name); i += 1) await tick();
      waiting.get(name)!({ ok, tail: ok ? '' : 'boom', log: `runs/logs/${name}.log`, ...(ok ? {} : { reason: 'exit 1' }) });
      await tick();
    },
  };
}

const runAll = async (stages: readonly PlannedStage[]): Promise<Verdict[]> => stages.map((): Verdict => 'run');

const CAPACITY = { cpus: 2, memoryGiB: 8, gpus: ['0', '1'] };
const plan = suite('runPlan');

plan('commits follow the plan order though the second stage finishes first', async () => {
  const control = controlledExecutor();
  const committed: string[] = [];
  const done = runPlan({ plan: [stage('a'), stage('b'), stage('join', ['a', 'b'])], pool: new ResourcePool(CAPACITY, 2), executor: control.executor, needsRun: runAll, commit: async (batch) => void committed.push(...batch.map((s) => s.name)) });
  await control.finish('b');
  assert.equal(committed, [], '~> b waits for a, which comes first in the plan');
  await control.finish('a');
  assert.equal(committed, ['a', 'b']);
  await control.finish('join');
  const result = await done;
  assert.equal(committed, ['a', 'b', 'join']);
  assert.equal(result.ran, ['b', 'a', 'join']);
  assert.is(control.most(), 2);
});

plan('cores, memory, GPU slots and jobs bound what runs at once; each GPU stage gets its own device', async () => {
  const gan: Resources = { cpus: 1, memoryGiB: 2, gpus: 1 };
  const control = controlledExecutor();
  const stages = [stage('g1', [], gan), stage('g2', [], gan), stage('g3', [], gan), stage('big', [], { cpus: 8, memoryGiB: 64, gpus: 0 })];
  const done = runPlan({ plan: stages, pool: new ResourcePool({ ...CAPACITY, cpus: 4 }, 4), executor: control.executor, needsRun: runAll, commit: async () => {} });
  await control.finish('g1');
  assert.equal(control.started.slice(0, 2), ['g1', 'g2'], '~> two GPU slots: the third GPU stage waits');
  assert.equal([control.grants.get('g1')!.gpus, control.grants.get('g2')!.gpus], [['0'], ['1']]);
  await control.finish('g2');
  await control.finish('g3');
  await control.finish('big');
  await done;
  assert.equal(control.grants.get('big')!.resources, { cpus: 4, memoryGiB: 8, gpus: 0 }, '~> a request above the machine is cut to the machine');
  const all = new ResourcePool({ ...CAPACITY, cpus: 4 }, 4);
  const whole = all.take({ cpus: 'all', memoryGiB: 1, gpus: 0 })!;
  assert.is(whole.resources.cpus, 4, "~> 'all' is every core");
  assert.is(all.take(SMALL), undefined, '~> nothing else fits beside it');
  all.give(whole);
  assert.ok(all.take(SMALL));
  const gpuMachine = new ResourcePool({ cpus: 8, memoryGiB: 64, gpus: ['0', '1', '2', '3'] }, 8);
  const gans = [0, 1, 2, 3].map(() => gpuMachine.take(GAN));
  assert.equal(gans.map((g) => [g?.resources.cpus, g?.gpus]), [[2, ['0']], [2, ['1']], [2, ['2']], [2, ['3']]], "~> a GAN stage's 'all' cores on a GPU: its GPU's share, so one runs per GPU");
  assert.is(gpuMachine.take(SMALL), undefined, '~> every core is granted');
  assert.is(new ResourcePool({ ...CAPACITY, gpus: [] }, 4).take(GAN)!.resources.cpus, 2, "~> without GPUs a GAN stage's 'all' is every core (the CPU backend)");
  assert.is(control.most(), 2);
  const one = controlledExecutor();
  const serial = runPlan({ plan: [stage('x'), stage('y')], pool: new ResourcePool(CAPACITY, 1), executor: one.executor, needsRun: runAll, commit: async () => {} });
  await one.finish('x');
  await one.finish('y');
  await serial;
  assert.is(one.most(), 1, '~> jobs = 1 runs one at a time');
});

plan('a failure blocks its downstream and starts nothing new; the running sibling finishes and is committed', async () => {
  const control = controlledExecutor();
  const committed: string[] = [];
  const stages = [stage('slow'), stage('flaky'), stage('join', ['slow', 'flaky']), stage('later', [], { cpus: 2, memoryGiB: 1, gpus: 0 })];
  const done = runPlan({ plan: stages, pool: new ResourcePool(CAPACITY, 2), executor: control.executor, needsRun: runAll, commit: async (batch) => void committed.push(...batch.map((s) => s.name)) });
  await control.finish('flaky', false);
  await control.finish('slow');
  const result = await done;
  assert.equal(committed, ['slow']);
  assert.equal(result.failed.map((f) => f.stage), ['flaky']);
  assert.equal(result.notRun, ['join', 'later']);
  assert.not.ok(control.started.includes('later'), '~> nothing new started after the failure');
});

plan('an abort stops running stages and commits what finished', async () => {
  const control = controlledExecutor();
  const committed: string[] = [];
  const abort = new AbortController();
  const done = runPlan({ plan: [stage('a'), stage('b')], pool: new ResourcePool(CAPACITY, 2), executor: control.executor, needsRun: runAll, commit: async (batch) => void committed.push(...batch.map((s) => s.name)), signal: abort.signal });
  await control.finish('a');
  abort.abort();
  const result = await done;
  assert.ok(result.interrupted);
  assert.equal(committed, ['a']);
});

plan('up-to-date stages are skipped and restored ones committed without running', async () => {
  const control = controlledExecutor();
  const committed: string[] = [];
  const verdicts: Record<string, Verdict> = { a: 'up-to-date', b: 'restored', c: 'run' };
  const done = runPlan({ plan: [stage('a'), stage('b', ['a']), stage('c', ['b'])], pool: new ResourcePool(CAPACITY, 2), executor: control.executor, needsRun: async (stages) => stages.map((s) => verdicts[s.name]!), commit: async (batch) => void committed.push(...batch.map((s) => s.name)) });
  await control.finish('c');
  const result = await done;
  assert.equal(control.started, ['c']);
  assert.equal(committed, ['b', 'c']);
  assert.equal([result.upToDate, result.restored, result.ran], [['a'], ['b'], ['c']]);
});

plan.run();
