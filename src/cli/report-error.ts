/**
 * Turns any exception into text on stderr and an exit code — the only place that does. A `ReproError`
 * prints its headline, one indented line per issue (`file:line  message`) and its hint, without a stack;
 * anything else is a bug: its stack is printed with a request for a report. Colour is added here only.
 */
import kleur from 'kleur';
import { formatLocation, ReproError } from '../errors.js';

export const EXIT = { ok: 0, failure: 1, bug: 2, interrupted: 130 } as const;

/** Prints `error` and returns the exit code to use. */
export function reportError(error: unknown, options: { verbose?: boolean } = {}): number {
  if (error instanceof ReproError) {
    process.stderr.write(`${kleur.red('error')} ${error.message}\n`);
    for (const issue of error.issues) {
      const where = formatLocation(issue);
      process.stderr.write(`  ${where ? `${kleur.cyan(where)}  ` : ''}${issue.message}\n`);
    }
    if (error.hint) process.stderr.write(`${kleur.dim('hint')} ${error.hint}\n`);
    if (options.verbose) printCauses(error.cause);
    return error.code === 'INTERRUPTED' ? EXIT.interrupted : EXIT.failure;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${kleur.red('internal error')} ${stack}\n`);
  process.stderr.write('this is a bug in repro: please report it with the command you ran and the output above\n');
  return EXIT.bug;
}

function printCauses(cause: unknown): void {
  let current = cause;
  while (current !== undefined && current !== null) {
    const text = current instanceof Error ? (current.stack ?? current.message) : String(current);
    process.stderr.write(`${kleur.dim('caused by')} ${text}\n`);
    current = current instanceof Error ? current.cause : undefined;
  }
}
