/**
 * DVC's hashes recomputed without DVC: a folder hashed by `listDirEntries` + `dirHash` gives exactly the
 * md5 `dvc add` records (nested folders, a non-ASCII name, an empty file), and `dirObjectBytes` writes
 * the `.dir` object DVC stores, byte for byte.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { dirHash, dirObjectBytes, listDirEntries, md5File } from '../../../../src/runtime/runs/share/dvc-hash.js';
import { DVC } from '../../../helpers/tmp-repo.js';

const hashes = suite('dvc-hash');

hashes('a folder and a file hash as dvc add records them', async () => {
  const root = await mkdtemp(join(tmpdir(), 'repro-dvc-hash-'));
  try {
    const dvc = (...args: string[]) => execa(DVC, args, { cwd: root, env: { DVC_NO_ANALYTICS: '1' } });
    await dvc('init', '--no-scm', '-q');
    await mkdir(join(root, 'data', 'b', 'c'), { recursive: true });
    await writeFile(join(root, 'data', 'z.txt'), 'last\n');
    await writeFile(join(root, 'data', 'b', 'c', 'deep.bin'), Buffer.from([0, 1, 2, 255]));
    await writeFile(join(root, 'data', 'b', 'empty'), '');
    await writeFile(join(root, 'data', 'café naïve.txt'), 'ünïcode\r\n');
    await writeFile(join(root, 'one.txt'), 'one\r\n');
    await dvc('add', '-q', 'data', 'one.txt');
    const recorded = async (file: string) => (parse(await readFile(join(root, file), 'utf8')) as { outs: { md5: string }[] }).outs[0]!.md5;
    const entries = await listDirEntries(join(root, 'data'));
    assert.equal(entries.map((e) => e.relpath), ['b/c/deep.bin', 'b/empty', 'café naïve.txt', 'z.txt']);
    const folderMd5 = await recorded('data.dvc');
    assert.is(dirHash(entries), folderMd5);
    const object = join(root, '.dvc', 'cache', 'files', 'md5', folderMd5.slice(0, 2), folderMd5.slice(2));
    assert.is(dirObjectBytes(entries), await readFile(object, 'utf8'), '~> the .dir object, byte for byte');
    assert.is(await md5File(join(root, 'one.txt')), await recorded('one.txt.dvc'), '~> raw bytes, CRLF kept');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

hashes.run();
