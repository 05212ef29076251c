/**
 * Training scalars as TensorBoard event files, through tfjs-node's native summary writer
 * (`tf.node.summaryFileWriter`), so `tensorboard --logdir` can follow a run live. It only exists on the
 * native backends ('tensorflow', 'tensorflow-gpu'); on wasm or cpu `openScalarLog` returns a log whose
 * calls do nothing and whose `active` is false with the reason, so training code never branches on the
 * backend. NOTE: tfjs-node caches one writer per logdir for the life of the process and offers no way to
 * close it; `close()` flushes and refuses further writes, and reopening the same dir appends to that writer.
 * Event files carry wall-clock times, so they belong in untracked run folders, never in tracked outputs.
 */
import { mkdirSync } from 'node:fs';
import type { Tf } from './tf-backend.js';

/** A scalar log: TensorBoard events when active, nothing otherwise. */
export interface ScalarLog {
  /** True when events are written (native backend). */
  readonly active: boolean;
  /** The log directory. */
  readonly dir: string;
  /** Why nothing is written; only when inactive. */
  readonly inactiveReason?: string;
  /** Records `value` under `tag` at `step` (a non-negative integer); NaN is allowed, so a diverging loss shows. */
  scalar(tag: string, value: number, step: number): void;
  /** Writes buffered events to disk now. */
  flush(): void;
  /** Flushes; later `scalar` calls throw. */
  close(): void;
}

/** Queue and flush settings of the native writer. */
export interface ScalarLogOptions {
  /** Events buffered before a write. @default 10 */
  readonly maxQueue?: number;
  /** Longest time events stay buffered, ms. @default 120000 */
  readonly flushMillis?: number;
}

/** Opens (creating `dir`) a TensorBoard scalar log, or an inactive one when the backend is not native. */
export function openScalarLog(tf: Tf, dir: string, options: ScalarLogOptions = {}): ScalarLog {
  const node = (tf as unknown as { node?: { summaryFileWriter?: unknown } }).node;
  const backend = tf.getBackend();
  let writer: NativeSummaryWriter | undefined;
  let inactiveReason: string | undefined;
  if (typeof node?.summaryFileWriter !== 'function') {
    inactiveReason = `tf.node.summaryFileWriter is absent (backend '${backend}' is not native TensorFlow)`;
  } else if (backend !== 'tensorflow') {
    inactiveReason = `the active backend is '${backend}', not 'tensorflow'`;
  } else {
    mkdirSync(dir, { recursive: true });
    writer = (node.summaryFileWriter as SummaryFileWriterFn)(dir, options.maxQueue ?? 10, options.flushMillis ?? 120_000);
  }
  let closed = false;
  const log: ScalarLog = {
    active: writer !== undefined,
    dir,
    scalar(tag, value, step) {
      if (closed) throw new Error(`scalar log '${dir}' expected to be open, received a write to '${tag}' after close()`);
      if (typeof tag !== 'string' || tag === '') throw new TypeError(`scalar log '${dir}': tag expected a non-empty string, received ${JSON.stringify(tag)}`);
      if (typeof value !== 'number') throw new TypeError(`scalar log '${dir}': '${tag}' expected a number, received ${typeof value}`);
      if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`scalar log '${dir}': '${tag}' step expected a non-negative integer, received ${step}`);
      writer?.scalar(tag, value, step);
    },
    flush() {
      writer?.flush();
    },
    close() {
      if (!closed) writer?.flush();
      closed = true;
    },
  };
  return inactiveReason === undefined ? log : { ...log, inactiveReason };
}

/** The part of tfjs-node's `SummaryFileWriter` used here. */
interface NativeSummaryWriter {
  scalar(name: string, value: number, step: number): void;
  flush(): void;
}

type SummaryFileWriterFn = (logdir: string, maxQueue: number, flushMillis: number) => NativeSummaryWriter;
