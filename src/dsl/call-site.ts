/**
 * Finds where in user code a DSL call was made, so validation issues can say `experiments/demo.ts:12`.
 * It reads the current stack (source-mapped by the TypeScript loader) and returns the first frame
 * outside `src/dsl`. No I/O: the stack is already in memory.
 */

export interface CallSite {
  /** absolute path of the calling file */
  file: string;
  /** 1-based line */
  line: number;
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/;
const DSL_DIR = /[\\/]src[\\/]dsl[\\/]/;

/** Returns the first stack frame outside the DSL, or undefined when the stack has none. */
export function captureCallSite(): CallSite | undefined {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const match = FRAME.exec(line.trim());
    if (!match?.[1] || !match[2]) continue;
    const file = match[1].startsWith('file://') ? decodeURIComponent(match[1].slice('file://'.length)) : match[1];
    if (DSL_DIR.test(file) || file.includes('node_modules')) continue;
    return { file, line: Number(match[2]) };
  }
  return undefined;
}
