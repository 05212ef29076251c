/**
 * DVC's run cache for the parallel path. `dvc repro` does not run a changed stage whose deps and params
 * match an earlier run it saved: it checks that run's outputs out of the cache instead. `dvc commit`
 * already saves each finished stage to the run cache; this module does the restoring half, through DVC's
 * own `stage_cache.restore` (the CLI has no restore-only command), so a parallel run executes exactly the
 * stages a sequential one would. The lock entry is left to the ordered `dvc commit` that follows.
 */
import { runDvcPython } from '../dvc.js';

/**
 * As `Stage.run` does before running a command: remove the outputs, then restore them from the run cache;
 * prints `restored`, or `miss` when it has no entry (the stage then runs, and writes them anew).
 */
const RESTORE = `
import sys
from dvc.repo import Repo
from dvc.repo.reproduce import collect_stages
from dvc.stage.cache import RunCacheNotFoundError
with Repo('.') as repo, repo.lock:
    stage = collect_stages(repo, [sys.argv[1]])[0]
    stage.remove_outs(ignore_remove=False, force=False)
    try:
        repo.stage_cache.restore(stage)
        print('restored')
    except RunCacheNotFoundError:
        print('miss')
`;

/** True when DVC restored `stage`'s outputs from its run cache (the stage need not run). */
export async function restoreFromRunCache(root: string, stage: string): Promise<boolean> {
  const result = await runDvcPython(root, RESTORE, [stage]);
  return result.stdout.trim().split('\n').pop() === 'restored';
}
