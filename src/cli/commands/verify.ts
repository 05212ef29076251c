/**
 * `repro verify <run>`: maps flags to `verifyRun`; prints a one-line summary when everything matches, or
 * fails with one issue per mismatch (exit 1). With `--json` it prints the whole result either way and
 * exits 1 on a mismatch.
 * `repro verify <run> --recompute [stage…]`: maps to `recomputeRun`; prints one line per
 * stage as it finishes (verdict, files, seconds, the worst files with their figures), then the verdict and,
 * next to a divergence, what differs between the run's environment and this machine; exits 1 when a stage
 * diverged. `--json` prints the whole result.
 */
import { findProjectRoot } from '../../runtime/project.js';
import { divergenceError, recomputeRun, type RecomputeResult, type StageResult } from '../../runtime/runs/recompute/recompute-run.js';
import { verificationError, verifyRun } from '../../runtime/runs/share/verify-run.js';

interface VerifyFlags {
  backend?: string;
  json?: boolean;
  recompute?: boolean;
  report?: boolean;
  _?: string[];
}

export async function verifyCommand(run: string, flags: VerifyFlags): Promise<number> {
  const root = findProjectRoot();
  if (flags.recompute) return recomputeCommand(root, String(run), flags);
  const result = await verifyRun(root, String(run), { backend: flags.backend });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.mismatches.length === 0 ? 0 : 1;
  }
  if (result.mismatches.length > 0) throw verificationError(result);
  const c = result.checked;
  process.stdout.write(
    `verified run '${result.run}' (commit ${result.commit.slice(0, 7)}): ${c.outputs} outputs (${c.files} files, ${c.cacheObjects} cache objects), ` +
      `${c.fingerprints} fingerprints, tracked files, ${c.seeds} seeds and ${c.pins} environment pins match; nothing was recomputed\n`,
  );
  return 0;
}

async function recomputeCommand(root: string, run: string, flags: VerifyFlags): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  try {
    const result = await recomputeRun(root, run, {
      stages: (flags._ ?? []).map(String),
      report: flags.report !== false,
      signal: controller.signal,
      onStage: ({ stage, index, of, result: done }) => {
        if (flags.json) return;
        if (!done) process.stderr.write(`recomputing ${stage} (${index + 1}/${of}) in a scratch checkout ...\n`);
        else process.stdout.write(`${describeStage(done).join('\n')}\n`);
      },
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return result.firstDiverged === null ? 0 : 1;
    }
    if (result.report) process.stdout.write(`report: ${result.report}\n`);
    if (result.firstDiverged !== null) throw divergenceError(result);
    process.stdout.write(`${summary(result)}\n`);
    return 0;
  } finally {
    process.off('SIGINT', stop);
  }
}

function describeStage(stage: StageResult): string[] {
  const lines = [`${stage.verdict.padEnd(16)} ${stage.stage}: ${stage.identicalFiles} of ${stage.files} files identical (${stage.seconds} s)`];
  if (stage.failure) lines.push(`  failed: ${stage.failure}`);
  for (const file of stage.differing.slice(0, 5)) lines.push(`  ${file.verdict === 'diverged' ? 'diverged' : 'within  '}  ${file.path}: ${file.detail}`);
  if (stage.differing.length > 5) lines.push(`  … ${stage.differing.length - 5} more (--json lists every file)`);
  return lines;
}

function summary(result: RecomputeResult): string {
  const counts = (['identical', 'within tolerance'] as const).map((v) => `${result.stages.filter((s) => s.verdict === v).length} ${v}`);
  const pins = result.environment.length > 0 ? `; this machine differs from the run's in ${result.environment.map((p) => p.pin).join(', ')}` : '';
  return `run '${result.run}' (commit ${result.commit.slice(0, 7)}) reproduces: ${result.stages.length} stage${result.stages.length === 1 ? '' : 's'} recomputed from its pinned inputs, ${counts.join(', ')}${pins}; nothing in the run was touched`;
}
