/**
 * The DVC helper of a parallel run, on real `dvc` in temp projects: it plans a target with its upstream
 * stage first; its commit writes the same dvc.lock as
 * `dvc commit --force` in a twin project; a stage whose deps match a committed run is restored from the run
 * cache (its output brought back) and one never run is not; a request for an unknown stage fails with
 * DVC's reason and the helper still answers the next one; a killed helper fails every later request by
 * name; after SIGINT it still commits (Ctrl-C must not
 * lose finished stages); `close` ends it.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openDvcSession } from '../../../src/runtime/schedule/dvc-session.js';
import { makeTmpRepo, type TmpRepo } from '../../helpers/tmp-repo.js';

/** Two stages, `make-a` (copies input.txt) and `make-b` (copies a); they have been run but not committed. */
const PIPELINE = `stages:
  make-a:
    cmd: cp input.txt a.txt
    deps: [input.txt]
    outs: [a.txt]
  make-b:
    cmd: cp a.txt b.txt
    deps: [a.txt]
    outs: [b.txt]
`;

async function ranProject(): Promise<TmpRepo> {
  const repo = await makeTmpRepo({ files: { 'dvc.yaml': PIPELINE, 'input.txt': 'one\n' } });
  await repo.write('a.txt', 'one\n');
  await repo.write('b.txt', 'one\n');
  return repo;
}

const sessionSuite = suite('openDvcSession');

sessionSuite('~> commit writes the dvc.lock `dvc commit --force` writes; restore brings a committed run back, not a new one', async () => {
  const [ours, theirs] = await Promise.all([ranProject(), ranProject()]);
  const dvc = openDvcSession(ours.root);
  try {
    assert.equal(await dvc.planRepro(['make-b']), ['make-a', 'make-b'], "~> the plan: DVC's order, upstream first");
    await dvc.commit(['make-a', 'make-b']);
    const cli = await theirs.dvc('commit', '--force', '--quiet', 'make-a', 'make-b');
    assert.is(cli.exitCode, 0, cli.stderr);
    assert.is(await ours.read('dvc.lock'), await theirs.read('dvc.lock'), '~> the same lock file');

    // the same input again: make-a's run is in the run cache
    await rm(join(ours.root, 'a.txt'));
    assert.equal([...(await dvc.restore(['make-a']))], ['make-a'], '~> restored');
    assert.is(await readFile(join(ours.root, 'a.txt'), 'utf8'), 'one\n', '~> its output is back');
    // a new input: no such run
    await writeFile(join(ours.root, 'input.txt'), 'two\n');
    assert.equal([...(await dvc.restore(['make-a']))], [], '~> a run never made is not restored');
  } finally {
    await dvc.close();
    await Promise.all([ours.remove(), theirs.remove()]);
  }
});

sessionSuite("~> an unknown stage fails with DVC's reason, and the helper answers the next request; a killed one fails each request", async () => {
  const repo = await ranProject();
  const dvc = openDvcSession(repo.root);
  try {
    try {
      await dvc.commit(['no-such-stage']);
      assert.unreachable('expected a failure');
    } catch (error) {
      assert.instance(error, Error);
      assert.match((error as Error).message, /dvc commit of no-such-stage failed: \w+/);
    }
    await dvc.commit(['make-a']);
    assert.match(await repo.read('dvc.lock'), /make-a:/, '~> committed after the failure');
    process.kill(dvc.pid!, 'SIGKILL');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await dvc.commit(['make-b']);
        assert.unreachable('expected a failure');
      } catch (error) {
        assert.match((error as Error).message, /dvc commit of make-b expected a reply from DVC, received none: its helper exited \(SIGKILL\)/, `~> attempt ${attempt + 1}: named, no crash`);
      }
    }
  } finally {
    await dvc.close();
    await repo.remove();
  }
});

sessionSuite('~> after SIGINT the helper still commits (Ctrl-C keeps finished stages); close ends it', async () => {
  const repo = await ranProject();
  const dvc = openDvcSession(repo.root);
  try {
    await dvc.commit(['make-a']); // starts the helper
    const pid = dvc.pid!;
    assert.ok(pid > 0, '~> the helper runs');
    process.kill(pid, 'SIGINT');
    await dvc.commit(['make-b']);
    const lock = await repo.read('dvc.lock');
    assert.ok(lock.includes('make-a:') && lock.includes('make-b:'), '~> both committed');
    await dvc.close();
    assert.throws(() => process.kill(pid, 0), '~> the helper has exited');
  } finally {
    await dvc.close();
    await repo.remove();
  }
});

sessionSuite.run();
