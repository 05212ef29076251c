/**
 * `repro verify <run>`: maps flags to `verifyRun`; prints a one-line summary when everything matches, or
 * fails with one issue per mismatch (exit 1). With `--json` it prints the whole result either way and
 * exits 1 on a mismatch.
 */
import { findProjectRoot } from '../../runtime/project.js';
import { verificationError, verifyRun } from '../../runtime/runs/share/verify-run.js';

interface VerifyFlags {
  backend?: string;
  json?: boolean;
}

export async function verifyCommand(run: string, flags: VerifyFlags): Promise<number> {
  const root = findProjectRoot();
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
