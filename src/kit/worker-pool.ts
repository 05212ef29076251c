/**
 * Per-item work spread over worker threads, for stages whose time goes into plain JavaScript on pixels
 * (warp's blur and noise estimates, filter's alignment). A task is a module's exported function
 * `(context, item) => Promise<result>`: the context goes to each thread once, items are handed out one at a
 * time to whichever thread is free (a few in flight per thread, so its reads and encodes overlap its
 * compute), and results come back in item order whatever the thread count — a task that depends only on
 * its context and item gives byte-identical results on 1 thread or 16. With one thread the task runs in
 * this thread, no worker started. Task modules may be TypeScript: each worker registers the tsx loader
 * before importing one (workers do not inherit the loader of the thread that starts them). A task that
 * throws fails the whole map with its error; an abort or a worker that dies stops every thread. Stages
 * still import their task module statically, so the code fingerprint sees the code the threads run.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** The function a task module exports: the same context for every item of one map. */
export type TaskFunction<C, I, O> = (context: C, item: I) => Promise<O>;

export interface ThreadPoolOptions<C> {
  /** the task module (`import.meta.url`-relative URL, .ts or .js) */
  readonly module: URL;
  /** the name of its exported `TaskFunction` */
  readonly exportName: string;
  /** what every item's call receives; structured-cloned to each thread */
  readonly context: C;
  /** threads to use (at most one per item); 1 runs in this thread unless `inWorkers` */
  readonly threads: number;
  /** run on worker threads even when `threads` is 1, keeping this thread free for other work @default false */
  readonly inWorkers?: boolean;
  /** items in flight per thread @default 2 */
  readonly inFlight?: number;
  readonly signal?: AbortSignal;
}


/** What a worker posts back for one item. */
type Reply = { readonly index: number; readonly value: unknown } | { readonly index: number; readonly error: { message: string; stack?: string } } | { readonly fatal: { message: string; stack?: string } };

/**
 * The URL of the task module `stem` (a path without extension, relative to `from`, the caller's
 * `import.meta.url`), with the caller's own extension: `.ts` when it runs from its TypeScript source.
 */
export function taskModule(stem: string, from: string): URL {
  return new URL(`${stem}.${from.endsWith('.ts') ? 'ts' : 'js'}`, from);
}

/** The threads worth starting for `items` items when `cpus` cores are granted: ≥ `perThread` items each. */
export function threadsFor(items: number, cpus: number, perThread: number): number {
  return Math.max(1, Math.min(cpus, Math.floor(items / Math.max(1, perThread))));
}

/** Runs the task on every item over `threads` threads; resolves to the results in item order. */
export async function mapOnThreads<C, I, O>(items: readonly I[], options: ThreadPoolOptions<C>): Promise<O[]> {
  if (items.length === 0) return [];
  const pool = await ThreadPool.start<C, I, O>({ ...options, threads: Math.min(options.threads, items.length) });
  try {
    return await Promise.all(items.map((item) => pool.run(item)));
  } finally {
    await pool.close();
  }
}

/** A queued item and what to tell its caller. */
interface Job<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Threads that run one task on items as they are given (`run`), for work that arrives over time (filter
 * judges a batch of faces while the detector runs on the next). Items start in the order given, at most
 * `inFlight` per thread; each `run` resolves to its own result or rejects with its own error. A worker that
 * dies, or the signal, fails every item not yet answered and every later `run`.
 */
export class ThreadPool<C, I, O> {
  private readonly queue: Job<I, O>[] = [];
  private readonly lanes: Lane<I, O>[] = [];
  private failed = false;
  private failure: unknown;

  private constructor(
    private readonly options: ThreadPoolOptions<C>,
    private readonly inFlight: number,
  ) {}

  /** Starts `options.threads` workers (none for 1 without `inWorkers`: the task then runs in this thread). */
  static async start<C, I, O>(options: ThreadPoolOptions<C>): Promise<ThreadPool<C, I, O>> {
    const threads = Math.max(1, Math.floor(options.threads));
    const pool = new ThreadPool<C, I, O>(options, Math.max(1, options.inFlight ?? 2));
    if (threads === 1 && !options.inWorkers) pool.lanes.push(await pool.localLane());
    else for (let t = 0; t < threads; t += 1) pool.lanes.push(pool.startWorker());
    options.signal?.addEventListener('abort', pool.onAbort, { once: true });
    if (options.signal?.aborted) pool.onAbort();
    return pool;
  }

  private readonly onAbort = (): void => this.fail(this.options.signal?.reason ?? new Error('aborted'));

  /** The task's result for `item`. */
  run(item: I): Promise<O> {
    if (this.failed) return Promise.reject(this.failure);
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Stops the workers; items still queued or running are failed. */
  async close(): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.fail(new Error('the thread pool was closed'));
    await Promise.all(this.lanes.map((lane) => lane.worker?.terminate()));
  }

  private pump(): void {
    for (const lane of this.lanes) {
      while (lane.busy < this.inFlight && this.queue.length > 0) {
        lane.busy += 1;
        lane.send(this.queue.shift()!);
      }
    }
  }

  private done(lane: Lane<I, O>): void {
    lane.busy -= 1;
    this.pump();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = error;
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const lane of this.lanes) {
      for (const job of lane.pending.values()) job.reject(error);
      lane.pending.clear();
      void lane.worker?.terminate();
    }
  }

  /** The lane of a one-thread pool: the task called here, its answers kept like a worker's. */
  private async localLane(): Promise<Lane<I, O>> {
    const task = await importTask<C, I, O>(this.options.module, this.options.exportName);
    const pending = new Map<number, Job<I, O>>();
    let next = 0;
    const lane: Lane<I, O> = {
      busy: 0,
      pending,
      send: (job) => {
        const id = next++;
        pending.set(id, job);
        const answer = (settle: (job: Job<I, O>) => void) => {
          if (!pending.delete(id)) return; // failed meanwhile
          settle(job);
          this.done(lane);
        };
        Promise.resolve()
          .then(() => task(this.options.context, job.item))
          .then((value) => answer((j) => j.resolve(value)), (error: unknown) => answer((j) => j.reject(error)));
      },
    };
    return lane;
  }

  private startWorker(): Lane<I, O> {
    const { module, exportName, context } = this.options;
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { pool: import.meta.url, tsxApi: tsxApiFor(module), module: module.href, exportName, context } });
    const pending = new Map<number, Job<I, O>>();
    let next = 0;
    const lane: Lane<I, O> = {
      busy: 0,
      worker,
      pending,
      send: (job) => {
        const id = next++;
        pending.set(id, job);
        worker.postMessage({ index: id, item: job.item });
      },
    };
    worker.on('message', (reply: Reply) => {
      if ('fatal' in reply) return this.fail(rebuildError(reply.fatal, `worker thread of ${module.pathname}`));
      const job = pending.get(reply.index);
      if (!job) return;
      pending.delete(reply.index);
      if ('error' in reply) job.reject(rebuildError(reply.error, `worker thread of ${module.pathname}`));
      else job.resolve(reply.value as O);
      this.done(lane);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (!this.failed) this.fail(new Error(`a worker thread of ${module.pathname} exited (code ${code}) with ${pending.size} items unanswered`));
    });
    return lane;
  }
}

/** One thread's share: how many items it holds, and how an item reaches it. */
interface Lane<I, O> {
  busy: number;
  readonly send: (job: Job<I, O>) => void;
  readonly pending: Map<number, Job<I, O>>;
  readonly worker?: Worker;
}

/**
 * What a worker runs first (CommonJS, evaluated): register the TypeScript loader when the task module is
 * TypeScript, then hand over to `serveThread` of this very module.
 */
const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await (await import(workerData.pool)).serveThread();
})().catch((error) => parentPort.postMessage({ fatal: { message: String(error && error.message || error), stack: error && error.stack } }));
`;

/** tsx's registration API, for workers that must import TypeScript; none for JavaScript tasks. */
function tsxApiFor(module: URL): string | undefined {
  return /\.[cm]?tsx?$/.test(module.pathname) || import.meta.url.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;
}

/** The worker side: import the task, then answer every item posted until terminated. */
export async function serveThread(): Promise<void> {
  if (isMainThread || !parentPort) throw new Error('serveThread runs inside a worker thread started by mapOnThreads');
  const port = parentPort;
  const { module, exportName, context } = workerData as { module: string; exportName: string; context: unknown };
  const task = await importTask<unknown, unknown, unknown>(new URL(module), exportName);
  port.on('message', ({ index, item }: { index: number; item: unknown }) => {
    task(context, item).then(
      (value) => port.postMessage({ index, value }),
      (error: unknown) => port.postMessage({ index, error: { message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined } }),
    );
  });
}

async function importTask<C, I, O>(module: URL, exportName: string): Promise<TaskFunction<C, I, O>> {
  const task = ((await import(module.href)) as Record<string, unknown>)[exportName];
  if (typeof task !== 'function') throw new Error(`${module.pathname} expected to export a task function '${exportName}', received ${typeof task}`);
  return task as TaskFunction<C, I, O>;
}

function rebuildError(error: { message: string; stack?: string }, where: string): Error {
  const rebuilt = new Error(error.message);
  rebuilt.stack = error.stack ?? `${error.message}\n    at ${where}`;
  return rebuilt;
}
