/**
 * The resumable work folder's key: the same params, fingerprint and inputs find the folder an unfinished
 * run left (resumed), while a changed input file or param gives a new folder and discards the old one.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareWorkDir } from '../../../src/runtime/exec/work-dir.js';

const work = suite<{ root: string }>('prepareWorkDir');

work.before(async (context) => {
  context.root = await mkdtemp(join(tmpdir(), 'repro-work-key-'));
  await mkdir(join(context.root, 'data'), { recursive: true });
  await writeFile(join(context.root, 'data', 'a.txt'), 'one');
  await writeFile(join(context.root, 'fp.json'), '{}');
});
work.after(async ({ root }) => rm(root, { recursive: true, force: true }));

work('~> same configuration resumes; a changed input or param moves the key and discards the old folder', async ({ root }) => {
  const request = { root, stageName: 'x_train', params: { lr: 1 }, fingerprintFile: 'fp.json', inputs: { images: 'data' } };
  const first = await prepareWorkDir(request);
  assert.is(first.resumed, false);
  await writeFile(join(first.path, 'checkpoint'), 'state');
  const again = await prepareWorkDir(request);
  assert.equal([again.path, again.resumed], [first.path, true]);

  await writeFile(join(root, 'data', 'a.txt'), 'two');
  await utimes(join(root, 'data', 'a.txt'), new Date(0), new Date(1_000_000));
  const changed = await prepareWorkDir(request);
  assert.is.not(changed.path, first.path, '~> an input rewrite gives a new key');
  assert.is(changed.resumed, false);
  assert.equal(changed.discarded.length, 1, '~> the old folder is discarded');

  const otherParams = await prepareWorkDir({ ...request, params: { lr: 2 } });
  assert.is.not(otherParams.path, changed.path, '~> a param change gives a new key');
});

work.run();
