/**
 * Finds a run by name among the repository's DVC experiments. A run is a DVC experiment: the git ref
 * `refs/exps/<baseline[0:2]>/<baseline[2:]>/<name>` pointing at a commit whose parent is the baseline
 * commit it was run on. When one name exists on several baselines, the one based on HEAD wins (as in
 * DVC); otherwise the name is ambiguous and every candidate is named.
 */
import { ReproError } from '../../../errors.js';
import { runGit } from '../../dvc.js';

/** A run's git identity. */
export interface RunRef {
  /** the run's (the DVC experiment's) name */
  readonly name: string;
  /** `refs/exps/…/<name>` */
  readonly ref: string;
  /** the experiment commit */
  readonly commit: string;
  /** the commit the run was based on */
  readonly baseline: string;
}

const EXP_REF = /^refs\/exps\/([0-9a-f]{2})\/([0-9a-f]{38})\/([^/]+)$/;

/** Every run in the repository at `root`. */
export async function listRunRefs(root: string): Promise<RunRef[]> {
  const listed = await runGit(root, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/exps/']);
  const runs: RunRef[] = [];
  for (const line of listed.stdout.split('\n')) {
    const [commit, ref] = line.split(' ');
    const match = ref ? EXP_REF.exec(ref) : null;
    if (commit && ref && match) runs.push({ name: match[3]!, ref, commit, baseline: `${match[1]}${match[2]}` });
  }
  return runs;
}

/** The run called `name`. */
export async function resolveRun(root: string, name: string): Promise<RunRef> {
  const runs = await listRunRefs(root);
  const found = runs.filter((r) => r.name === name);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    const known = [...new Set(runs.map((r) => `'${r.name}'`))].sort();
    throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected among this repository's DVC experiments (${known.length ? `one of ${known.join(', ')}` : 'there are none'}), received no such run`, {
      hint: known.length ? `run \`dvc exp list --all-commits --name-only\`` : `run \`repro run -n ${name}\` first`,
    });
  }
  const head = (await runGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], { reject: false })).stdout.trim();
  const onHead = found.find((r) => r.baseline === head);
  if (onHead) return onHead;
  throw new ReproError('RUN_NOT_FOUND', `run '${name}' expected once, received ${found.length} runs of that name on different commits`, {
    issues: found.map((r) => ({ code: 'RUN_NOT_FOUND' as const, message: `${r.ref} (commit ${r.commit.slice(0, 7)})` })),
    hint: `check out the commit the run you mean is based on (\`git checkout <baseline>\`), then run the command again`,
  });
}
