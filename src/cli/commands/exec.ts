/**
 * `repro exec <experiment> <stage>`: what each DVC stage's `cmd` calls. Wires SIGINT/SIGTERM to the
 * stage's abort signal and stage logs to stderr.
 */
import { execStage, JOURNAL_ENV } from '../../runtime/exec/exec-stage.js';
import { findProjectRoot } from '../../runtime/project.js';

export async function execCommand(experiment: string, stage: string): Promise<number> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    await execStage(findProjectRoot(), experiment, stage, {
      log: (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
      journal: process.env[JOURNAL_ENV],
    });
    return 0;
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}
