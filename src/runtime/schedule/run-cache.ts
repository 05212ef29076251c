/**
 * DVC's run cache for the parallel path. `dvc repro` does not run a changed stage whose deps and params
 * match an earlier run it saved: it checks that run's outputs out of the cache instead. `dvc commit`
 * already saves each finished stage to the run cache; this module does the restoring half, through DVC's
 * own `stage_cache.restore` (the CLI has no restore-only command), so a parallel run executes exactly the
 * stages a sequential one would. The lock entry is left to the ordered `dvc commit` that follows.
 */
import { runDvcPython } from '../dvc.js';

/**
 * For each stage named, as `Stage.run` does before running a command: remove its outputs, then restore
 * them from the run cache; prints `<stage>\trestored`, or `<stage>\tmiss` when it has no entry (the stage
 * then runs, and writes them anew). One Python start for all the stages that became ready together.
 */
const RESTORE = `
import sys
from dvc.repo import Repo
from dvc.repo.reproduce import collect_stages
from dvc.stage.cache import RunCacheNotFoundError
with Repo('.') as repo, repo.lock:
    for name in sys.argv[1:]:
        stage = collect_stages(repo, [name])[0]
        stage.remove_outs(ignore_remove=False, force=False)
        try:
            repo.stage_cache.restore(stage)
            print(name + '\\trestored')
        except RunCacheNotFoundError:
            print(name + '\\tmiss')
`;

/** Which of `stages` DVC restored from its run cache (those need not run). */
export async function restoreFromRunCache(root: string, stages: readonly string[]): Promise<Set<string>> {
  if (stages.length === 0) return new Set();
  const result = await runDvcPython(root, RESTORE, stages);
  return new Set(result.stdout.split('\n').map((line) => line.split('\t')).filter(([, verdict]) => verdict === 'restored').map(([name]) => name!));
}
