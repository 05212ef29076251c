/**
 * `repro share <run>`: maps flags to `shareRun` and prints what went where — the refs on the git remote,
 * the DVC objects uploaded, the manifest's contents in one line — and the collaborator's next commands
 * (JSON with `--json`). Warnings go to stderr.
 */
import { basename } from 'node:path';
import { findProjectRoot } from '../../runtime/project.js';
import { shareRun } from '../../runtime/runs/share/share-run.js';

interface ShareFlags {
  to?: string;
  'git-remote'?: string;
  'dvc-remote'?: string;
  force?: boolean;
  json?: boolean;
}

export async function shareCommand(run: string, flags: ShareFlags): Promise<number> {
  const root = findProjectRoot();
  const result = await shareRun(root, String(run), {
    dir: flags.to === undefined ? undefined : String(flags.to),
    gitRemote: flags['git-remote'],
    dvcRemote: flags['dvc-remote'],
    force: flags.force,
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
      `  sends ${sentBy(manifest.outputs)}`,
      `  pins ${outputs} output${outputs === 1 ? '' : 's'}, ${Object.keys(manifest.fingerprints).length} fingerprints, ${Object.keys(manifest.seeds).length} seeds, backend ${manifest.environment.backend}, node ${manifest.environment.node}, ${manifest.environment.os}`,
      `a collaborator runs: git clone ${git.url} ${folder} && cd ${folder} && npm install && npx repro pull ${manifest.run} && npx repro verify ${manifest.run}`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** What the share carries, per experiment: `demo 12 outputs, paper 3 outputs, data 1 (.dvc)`. */
function sentBy(outputs: Record<string, { stage: string }>): string {
  const counts = new Map<string, number>();
  for (const { stage } of Object.values(outputs)) {
    const group = stage.endsWith('.dvc') ? 'data (.dvc)' : stage.split('_')[0]!;
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([group, n]) => `${group}: ${n} output${n === 1 ? '' : 's'}`).join(', ');
}
