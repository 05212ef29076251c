/**
 * A resumed training counts as a recompute: `progressive-train` on tiny data (ngf 4, 1 block, 24²) inside a
 * real project is killed outright (SIGKILL to `repro run`, DVC and the stage) after its first epoch, the
 * next `repro run` resumes from the checkpoint in its work folder, and `repro verify <run> --recompute`
 * — which trains the stage again from scratch in a scratch checkout — judges the resumed result against a
 * clean recompute on the same machine.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeTinyGanData } from '../helpers/tiny-gan-data.js';
import { ENV, makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

const EXPERIMENT = `import { defineExperiment } from '../src/dsl/index.js';
import { progressiveTrain } from '../src/stages/index.js';

export default defineExperiment('gan', (x) => {
  x.stage(progressiveTrain, {
    inputs: { domainA: x.data('data/a'), keepMaps: x.data('data/keep'), domainB: x.data('data/b'), manifestB: x.data('data/manifest-b.jsonl', 'file') },
    params: {
      seed: 3,
      network: { ngf: 4, blocks: 1, ndf: 4 },
      probe: 2,
      phases: [{ name: 'train', epochs: 3, batch: 2, loadSize: 28, cropSize: 24 }],
    },
  });
});
`;

const resume = suite<{ repo: TmpRepo }>('a resumed training, recomputed');

resume.before(async (context) => {
  const scratch = await mkdtemp(join(tmpdir(), 'repro-gan-data-'));
  try {
    await writeTinyGanData(join(scratch, 'data'), { size: 24, countA: 4, countB: 3 });
    const files: Record<string, Uint8Array | string> = { 'experiments/gan.ts': EXPERIMENT };
    for (const entry of await readdir(scratch, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files[relative(scratch, join(entry.parentPath, entry.name))] = await readFile(join(entry.parentPath, entry.name));
    }
    context.repo = await makeTmpRepo({ files, dvcAdd: ['data'] });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
resume.after(async ({ repo }) => {
  await repo.remove();
});

resume('killed after epoch 1, resumed, then recomputed from scratch: identical', async ({ repo }) => {
  const child = execa(process.execPath, [join(repo.root, 'bin', 'repro.mjs'), 'run', 'gan', '-n', 'resumed'], { cwd: repo.root, env: ENV, reject: false, detached: true, stdin: 'ignore' });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      // epoch 2's progress starts after epoch 1's checkpoint is saved
      if (/epoch 2\/3 \[/.test(log)) resolve();
    });
    child.then(() => reject(new Error(`the run ended before it could be killed:\n${log}`)), reject);
  });
  process.kill(-child.pid!, 'SIGKILL');
  await child;
  assert.ok((await readdir(join(repo.root, '.repro', 'work'))).length > 0, '~> the killed stage left its checkpoint');
  const rerun = await must(repo.repro('run', 'gan', '-n', 'resumed'));
  assert.match(rerun.stderr, /resumed from .*epoch-0001.*1 of 3 epochs done/, `${rerun.stdout}\n${rerun.stderr}`);
  const verified = await repo.repro('verify', 'resumed', '--recompute', 'gan_progressive-train', '--no-report');
  assert.is(verified.exitCode, 0, `${verified.stdout}\n${verified.stderr}`);
  assert.match(verified.stdout, /^identical +gan_progressive-train: (\d+) of \1 files identical/m, verified.stdout);
});

resume.run();
