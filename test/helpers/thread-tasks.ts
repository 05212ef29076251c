/**
 * Task functions for the worker-pool tests: each answers with what it computed and the thread it ran on.
 */
import { threadId } from 'node:worker_threads';

/** `item²·scale`, after `delayMs`, with the thread that computed it. */
export async function square(context: { scale: number; delayMs: number }, item: number): Promise<{ value: number; thread: number }> {
  await new Promise((resolve) => setTimeout(resolve, context.delayMs));
  return { value: item * item * context.scale, thread: threadId };
}

/** Throws for item 3, answers the others. */
export async function failOnThree(_context: unknown, item: number): Promise<number> {
  if (item === 3) throw new Error(`item ${item} is not allowed`);
  return item;
}
