/**
 * `repro pull <run>`: maps flags to `pullRun` and prints which run is now in the workspace and the next
 * command (`repro verify <run>`); JSON with `--json`.
 */
import { findProjectRoot } from '../../runtime/project.js';
import { pullRun } from '../../runtime/runs/share/pull-run.js';
import { outputsByExperiment } from '../outputs-by-experiment.js';

interface PullFlags {
  from?: string;
  'git-remote'?: string;
  'dvc-remote'?: string;
  force?: boolean;
  json?: boolean;
}

export async function pullCommand(run: string, flags: PullFlags): Promise<number> {
  const root = findProjectRoot();
  const result = await pullRun(root, String(run), {
    dir: flags.from === undefined ? undefined : String(flags.from),
    gitRemote: flags['git-remote'],
    dvcRemote: flags['dvc-remote'],
    force: flags.force,
  });
  const { manifest, git, dvc } = result;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ git, dvc, manifest }, null, 2)}\n`);
    return 0;
  }
  const outputs = Object.keys(manifest.outputs).length;
  process.stdout.write(
    `pulled run '${manifest.run}' (commit ${manifest.git.commit.slice(0, 7)}) from '${git.name}' and DVC remote '${dvc.name}': ${outputs} output${outputs === 1 ? '' : 's'} in the workspace, no stage run\n` +
      (manifest.withheld ? `not shared: ${outputsByExperiment(manifest.withheld)} (other experiments' results in the run's dvc.lock; not in this workspace)\n` : '') +
      `next: repro verify ${manifest.run}\n`,
  );
  return 0;
}
