/**
 * The worker pool on real worker threads running a TypeScript task module: results in item order and the
 * same on 1 thread as on several, work really spread over threads, a task's error named, an abort and a
 * close stop everything, and the thread count rule.
 */
import { threadId } from 'node:worker_threads';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mapOnThreads, ThreadPool, threadsFor } from '../../src/kit/worker-pool.js';

const pool = suite('worker pool');
const TASKS = new URL('../helpers/thread-tasks.ts', import.meta.url);
const items = Array.from({ length: 12 }, (_, i) => i);

pool('gives the same results in item order on 1 thread and on 3, spread over 3 worker threads', async () => {
  const context = { scale: 2, delayMs: 5 };
  const one = await mapOnThreads<typeof context, number, { value: number; thread: number }>(items, { module: TASKS, exportName: 'square', context, threads: 1 });
  const three = await mapOnThreads<typeof context, number, { value: number; thread: number }>(items, { module: TASKS, exportName: 'square', context, threads: 3 });
  assert.equal(one.map((r) => r.value), items.map((i) => 2 * i * i));
  assert.equal(three.map((r) => r.value), one.map((r) => r.value));
  assert.equal(new Set(one.map((r) => r.thread)), new Set([threadId]), 'one thread: this one');
  const used = new Set(three.map((r) => r.thread));
  assert.is(used.size, 3, `three worker threads answered: ${[...used].join(', ')}`);
  assert.not.ok(used.has(threadId));
});

pool('fails the map with the task error, named, on a worker and here', async () => {
  for (const threads of [1, 2]) {
    try {
      await mapOnThreads(items, { module: TASKS, exportName: 'failOnThree', context: {}, threads });
      assert.unreachable('should have failed');
    } catch (error) {
      assert.match((error as Error).message, /item 3 is not allowed/, `threads ${threads}`);
    }
  }
});

pool('names a module without the export before any item runs', async () => {
  try {
    await mapOnThreads(items, { module: TASKS, exportName: 'nothing', context: {}, threads: 2 });
    assert.unreachable('should have failed');
  } catch (error) {
    assert.match((error as Error).message, /thread-tasks\.ts expected to export a task function 'nothing', received undefined/);
  }
});

pool('an abort fails the map with its reason and stops the workers', async () => {
  const controller = new AbortController();
  const started = performance.now();
  const running = mapOnThreads(items, { module: TASKS, exportName: 'square', context: { scale: 1, delayMs: 200 }, threads: 2, inFlight: 1, signal: controller.signal });
  setTimeout(() => controller.abort(new Error('stopped by the test')), 50);
  try {
    await running;
    assert.unreachable('should have failed');
  } catch (error) {
    assert.match((error as Error).message, /stopped by the test/);
  }
  assert.ok(performance.now() - started < 1500, 'did not wait for the remaining items');
});

pool('ThreadPool answers items given over time, each with its own result; close fails what is left', async () => {
  const threads = await ThreadPool.start<{ scale: number; delayMs: number }, number, { value: number }>({ module: TASKS, exportName: 'square', context: { scale: 3, delayMs: 1 }, threads: 2 });
  try {
    assert.is((await threads.run(4)).value, 48);
    assert.equal((await Promise.all([threads.run(1), threads.run(2)])).map((r) => r.value), [3, 12]);
  } finally {
    await threads.close();
  }
  try {
    await threads.run(5);
    assert.unreachable('should have failed');
  } catch (error) {
    assert.match((error as Error).message, /closed/);
  }
});

pool('threadsFor: at most the cores, at least one, none idle for want of items', () => {
  assert.is(threadsFor(114, 2, 16), 2);
  assert.is(threadsFor(114, 16, 16), 7);
  assert.is(threadsFor(10, 8, 16), 1);
  assert.is(threadsFor(0, 8, 16), 1);
});

pool.run();
