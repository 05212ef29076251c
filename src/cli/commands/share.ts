/**
 * `repro share <run>`: maps flags to `shareRun` and prints what went where — the refs on the git remote,
 * the DVC objects uploaded, what the share carries and what it withheld per experiment, the manifest's
 * contents in one line — and the collaborator's next commands (JSON with `--json`). Warnings go to stderr.
 */
import { basename } from 'node:path';
import { findProjectRoot } from '../../runtime/project.js';
import { shareRun } from '../../runtime/runs/share/share-run.js';
import { outputsByExperiment } from '../outputs-by-experiment.js';

interface ShareFlags {
  to?: string;
  'git-remote'?: string;
  'dvc-remote'?: string;
  force?: boolean;
  all?: boolean;
  json?: boolean;
}

export async function shareCommand(run: string, flags: ShareFlags): Promise<number> {
  const root = findProjectRoot();
  const result = await shareRun(root, String(run), {
    dir: flags.to === undefined ? undefined : String(flags.to),
    gitRemote: flags['git-remote'],
    dvcRemote: flags['dvc-remote'],
    force: flags.force,
    all: flags.all === true,
  });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { manifest, git, dvc } = result;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ shareCommit: result.shareCommit, pushedRefs: result.pushedRefs, uploaded: result.uploaded, manifest }, null, 2)}\n`);
    return 0;
  }
  const outputs = Object.keys(manifest.outputs).length;
  // the clone needs a folder name of its own: `git clone …/git` would make `./git`
  const folder = basename(root);
  process.stdout.write(
    [
      `shared run '${manifest.run}' (commit ${manifest.git.commit.slice(0, 7)}, based on ${manifest.git.baseline.slice(0, 7)})`,
      `  git  ${result.pushedRefs.join(', ')} → '${git.name}' (${git.url})`,
      `  dvc  ${result.uploaded} object${result.uploaded === 1 ? '' : 's'} uploaded → '${dvc.name}' (${dvc.url})`,
      `  sends ${outputsByExperiment(manifest.outputs)}`,
      ...(manifest.withheld ? [`  withheld ${outputsByExperiment(manifest.withheld)} (not read by this run's experiments; \`repro share ${manifest.run} --all\` sends them)`] : []),
      `  pins ${outputs} output${outputs === 1 ? '' : 's'}, ${Object.keys(manifest.fingerprints).length} fingerprints, ${Object.keys(manifest.seeds).length} seeds, backend ${manifest.environment.backend}, node ${manifest.environment.node}, ${manifest.environment.os}`,
      `a collaborator runs: git clone ${git.url} ${folder} && cd ${folder} && npm install && npx repro pull ${manifest.run} && npx repro verify ${manifest.run}`,
      '',
    ].join('\n'),
  );
  return 0;
}
