/**
 * `repro share` → `repro pull` → `repro verify` end to end on the lab project, with real git, real dvc,
 * two clones in temp folders and remotes in a third: a local folder (a bare git repository + a DVC
 * folder remote, `share --to`), and S3 — moto's server on a free localhost port, a DVC s3:// remote with
 * its endpointurl and fake credentials. The collaborator's clone gets identical bytes without any stage
 * running, `repro run` there afterwards runs nothing, and verify names a tampered output file, a
 * tampered cache object and another tensor backend.
 */
import { readdir, readFile, writeFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labFiles } from '../helpers/lab-project.js';
import { cloneTmpRepo, type CloneRepo } from '../helpers/clone-repo.js';
import { startMotoServer } from '../helpers/moto-server.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

interface Manifest {
  git: { commit: string; ref: string };
  outputs: Record<string, { stage: string; md5: string; cached: boolean }>;
  fingerprints: Record<string, string>;
  environment: { backend: string; node: string; os: string; npm: string | null };
  environmentSource: string;
  experiments?: string[];
  tolerances?: Record<string, Record<string, number>>;
}

/** Same data as lab, other params: a second experiment whose run's lock also holds lab's results. */
const SECOND = `import { defineExperiment } from '../src/dsl/index.js';
import { resizeImages } from '../src/stages/index.js';

export default defineExperiment('second', (x) => {
  x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 6, height: 6 } });
});
`;

const share = suite<{ origin: TmpRepo; folder: string; clone: CloneRepo }>('repro share / pull / verify');

share.before(async (context) => {
  context.origin = await makeTmpRepo({ files: await labFiles(), dvcAdd: ['data/raw'] });
  await must(context.origin.repro('run', 'lab', '-n', 'first'));
  context.folder = await mkdtemp(join(tmpdir(), 'repro-share-'));
});
share.after(async ({ origin, folder, clone }) => {
  await origin.remove();
  await clone?.remove();
  await rm(folder, { recursive: true, force: true });
});

share('share without a configured remote names what is missing and how to set one up', async ({ origin }) => {
  const result = await origin.repro('share', 'first');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /git remote 'origin' expected, received no git remotes/);
  assert.match(result.stderr, /repro share first --to <folder>/);
  const unknown = await origin.repro('share', 'nope', '--to', '/nonexistent');
  assert.match(unknown.stderr, /run 'nope' expected among this repository's DVC experiments \(one of 'first'\)/);
});

share('a local run that was never shared verifies against its own commit', async ({ origin }) => {
  const verified = await must(origin.repro('verify', 'first'));
  assert.match(verified.stdout, /^verified run 'first' \(commit [0-9a-f]{7}\): 6 outputs/);
  await must(origin.git('rev-parse', '--verify', 'HEAD'));
  assert.is((await origin.git('rev-parse', '--verify', '--quiet', 'refs/repro/share/first')).exitCode, 1, '~> and nothing was shared by verifying');
});

share('the run carries its environment pin: reports/lab/environment.json is in the experiment commit', async ({ origin }) => {
  const pin = JSON.parse((await must(origin.git('show', 'refs/exps/*/*/first:reports/lab/environment.json'.replace('refs/exps/*/*/first', await expRef(origin, 'first'))))).stdout) as Record<string, unknown>;
  assert.equal(Object.keys(pin).sort(), ['backend', 'cuda', 'dvc', 'lockfile', 'machine', 'node', 'npm', 'os', 'packages', 'tensorflow', 'tfjs']);
  assert.is(pin.node, process.version);
  assert.not.match(JSON.stringify(pin), /\d{4}-\d\d-\d\dT/, '~> no timestamps');
});

share('share --to a folder, pull into a fresh clone, verify: identical bytes, no stage ran', async (context) => {
  const { origin, folder } = context;
  const shared = await must(origin.repro('share', 'first', '--to', folder));
  assert.match(shared.stdout, /^shared run 'first' \(commit [0-9a-f]{7}, based on [0-9a-f]{7}\)$/m);
  assert.match(shared.stdout, /refs\/repro\/share\/first/);
  assert.match(shared.stdout, /dvc {2}10 objects uploaded/);
  const next = /^a collaborator runs: git clone (\S+) (\S+) && cd \2 && npm install && npx repro pull first && npx repro verify first$/m.exec(shared.stdout);
  assert.ok(next, shared.stdout);
  const into = await mkdtemp(join(tmpdir(), 'repro-clone-'));
  try {
    await execa('git', ['clone', '-q', next![1]!, next![2]!], { cwd: into });
    assert.ok(existsSync(join(into, next![2]!, 'experiments', 'lab.ts')), '~> the printed clone makes the named folder with the project in it');
  } finally {
    await rm(into, { recursive: true, force: true });
  }
  context.clone = await cloneTmpRepo(join(folder, 'git'));
  const clone = context.clone;
  const pulled = await must(clone.repro('pull', 'first'));
  assert.match(pulled.stdout, /pulled run 'first' \(commit [0-9a-f]{7}\)/);
  assert.not.ok(existsSync(join(clone.root, '.repro', 'runs')), '~> no run journal: no stage ran');
  const verified = await must(clone.repro('verify', 'first'));
  assert.match(verified.stdout, /^verified run 'first' \(commit [0-9a-f]{7}\): 6 outputs \(10 files, 10 cache objects\), 3 fingerprints/);
  for (const path of [...(await listFiles(origin.root, 'out')), ...(await listFiles(origin.root, 'data/raw'))]) {
    assert.ok((await readFile(join(origin.root, path))).equals(await readFile(join(clone.root, path))), `~> ${path} has the same bytes`);
  }
  const manifest = await readManifest(clone);
  assert.is(manifest.environmentSource, 'reports/lab/environment.json');
  assert.is(manifest.environment.node, process.version);
  assert.ok(manifest.environment.npm, '~> npm pinned');
  assert.is(Object.keys(manifest.fingerprints).length, 3);
  assert.equal(manifest.experiments, ['lab']);
  assert.equal(manifest.tolerances?.['lab_resize-images'], { relative: 0, absolute: 0, ssim: 1, changedPixels: 0, tensorRelative: 0 }, '~> the author\'s tolerances travel with the run');
});

share('repro run in the clone right after pull runs no stage, and the run still verifies', async ({ clone }) => {
  const ran = JSON.parse((await must(clone.repro('run', 'lab', '--json'))).stdout) as { ran: string[] };
  assert.equal(ran.ran, []);
  await must(clone.repro('verify', 'first'));
});

share('a tampered output file fails verify, naming the file, the expected and the found hash', async ({ clone }) => {
  const path = 'out/lab/resize-images/images/img-1.png';
  const original = await readFile(join(clone.root, path));
  await writeFile(join(clone.root, path), Buffer.concat([original, Buffer.from('x')]));
  try {
    const result = await clone.repro('verify', 'first');
    assert.is(result.exitCode, 1);
    assert.match(result.stderr, /run 'first' expected to match its share manifest \(commit [0-9a-f]{7}\), received 1 mismatch\n/);
    assert.match(result.stderr, /out\/lab\/resize-images\/images\/img-1\.png {2}expected md5 '[0-9a-f]{32}', found '[0-9a-f]{32}'/);
    assert.match(result.stderr, /dvc checkout --force/);
  } finally {
    await writeFile(join(clone.root, path), original);
  }
});

share('a tampered cache object fails verify, naming the output it backs and the object', async ({ clone }) => {
  const manifest = await readManifest(clone);
  const pin = manifest.outputs['out/lab/count-files/list.txt']!;
  const object = join(clone.root, '.dvc', 'cache', 'files', 'md5', pin.md5.slice(0, 2), pin.md5.slice(2));
  const original = await readFile(object);
  await chmod(object, 0o644);
  await writeFile(object, 'tampered\n');
  try {
    const result = await clone.repro('verify', 'first');
    assert.is(result.exitCode, 1);
    assert.match(result.stderr, new RegExp(`out/lab/count-files/list\\.txt {2}cache object \\.dvc/cache/files/md5/${pin.md5.slice(0, 2)}/${pin.md5.slice(2)} expected md5 '${pin.md5}', found '[0-9a-f]{32}'`));
    assert.not.match(result.stderr, /list\.txt {2}expected md5/, '~> the workspace copy is intact');
  } finally {
    await writeFile(object, original);
  }
});

share('another tensor backend is no mismatch for a run whose stages run no TensorFlow (test/cli/verify-recompute has one that does)', async ({ clone }) => {
  const pinned = (await readManifest(clone)).environment.backend;
  const other = pinned.startsWith('cpu') ? 'wasm' : 'cpu';
  const result = await clone.reproWith({ REPRO_BACKEND: other }, 'verify', 'first', '--json');
  assert.is(result.exitCode, 0, result.stdout);
  assert.equal((JSON.parse(result.stdout) as { mismatches: unknown[] }).mismatches, [], '~> lab resizes and lists images: the backend cannot change its results');
});

share('pull refuses uncommitted changes it would overwrite, and a folder that holds no share', async ({ clone }) => {
  const original = await clone.read('src/lab/util.ts');
  await clone.write('src/lab/util.ts', `${original}// local edit\n`);
  try {
    const dirty = await clone.repro('pull', 'first');
    assert.is(dirty.exitCode, 1);
    assert.match(dirty.stderr, /a workspace without uncommitted changes expected before applying run 'first', received 1 changed file/);
    assert.match(dirty.stderr, /src\/lab\/util\.ts {2}changed/);
    assert.match(dirty.stderr, /repro pull first --force/);
  } finally {
    await clone.write('src/lab/util.ts', original);
  }
  const nowhere = await clone.repro('pull', 'first', '--from', join(clone.root, 'no-such-folder'));
  assert.is(nowhere.exitCode, 1);
  assert.match(nowhere.stderr, /a shared folder expected at '.*no-such-folder' \(with git\/ and dvc\/ inside\), received no such folder/);
});

share('the same share → pull → verify over S3 (moto on localhost)', async ({ origin }) => {
  const s3 = await startMotoServer();
  const remotes = await mkdtemp(join(tmpdir(), 'repro-s3-git-'));
  let clone: CloneRepo | undefined;
  try {
    await s3.createBucket('repro-share');
    const configure = async (repo: TmpRepo, level: string[]) => {
      await must(repo.dvc('remote', 'add', ...level, '-d', 'team', 's3://repro-share/cache'));
      await must(repo.dvc('remote', 'modify', ...level, 'team', 'endpointurl', s3.endpoint));
      await must(repo.dvc('remote', 'modify', '--local', 'team', 'access_key_id', 'testing'));
      await must(repo.dvc('remote', 'modify', '--local', 'team', 'secret_access_key', 'testing'));
    };
    await must(origin.git('init', '-q', '--bare', '--initial-branch=main', join(remotes, 'team.git')));
    await must(origin.git('remote', 'add', 'origin', join(remotes, 'team.git')));
    await configure(origin, ['--local']);
    // No flags: the git remote `origin` and DVC's default remote, as configured.
    const shared = await must(origin.repro('share', 'first'));
    assert.match(shared.stdout, /→ 'origin' \(.*team\.git\)/);
    assert.match(shared.stdout, /→ 'team' \(s3:\/\/repro-share\/cache\)/);
    const keys = await s3.listKeys('repro-share');
    assert.is(keys.length, 10, '~> the run\'s 10 DVC objects are in the bucket');
    assert.ok(keys.every((k) => k.startsWith('cache/files/md5/')));
    clone = await cloneTmpRepo(join(remotes, 'team.git'));
    await configure(clone, ['--local']);
    await must(clone.repro('pull', 'first'));
    await must(clone.repro('verify', 'first'));
    const path = 'out/lab/summarize/summary.json';
    assert.is(await clone.read(path), await origin.read(path));
  } finally {
    await clone?.remove();
    await s3.stop();
    await rm(remotes, { recursive: true, force: true });
  }
});

share('a run of one experiment sends only its outputs and what they read; --all sends the lock; the clone pulls and verifies it', async ({ origin }) => {
  await origin.write('experiments/second.ts', SECOND);
  await must(origin.git('add', 'experiments/second.ts'));
  await must(origin.git('commit', '-q', '-m', 'second experiment'));
  await must(origin.repro('run', 'second', '-n', 'two'));
  const folders = [await mkdtemp(join(tmpdir(), 'repro-share-two-')), await mkdtemp(join(tmpdir(), 'repro-share-all-'))];
  let clone: CloneRepo | undefined;
  try {
    const shared = await must(origin.repro('share', 'two', '--to', folders[0]!));
    assert.match(shared.stdout, /^ {2}sends data \(\.dvc\): 1 output, second: 2 outputs$/m);
    assert.match(shared.stdout, /^ {2}withheld lab: 5 outputs \(not read by this run's experiments; `repro share two --all` sends them\)$/m);
    const manifest = JSON.parse((await must(origin.git('show', 'refs/repro/share/two:manifest.json'))).stdout) as Manifest & { withheld?: Record<string, unknown> };
    assert.ok(Object.entries(manifest.outputs).every(([path, o]) => path === 'data/raw' || o.stage === 'second_resize-images'), '~> the data it read and its own stage\'s outputs');
    assert.ok(manifest.withheld?.['out/lab/summarize/summary.json'], '~> lab\'s results stay pinned as withheld');
    const sentObjects = (await listFiles(folders[0]!, 'dvc')).length;
    const all = await must(origin.repro('share', 'two', '--to', folders[1]!, '--all'));
    assert.not.match(all.stdout, /withheld/);
    const allObjects = (await listFiles(folders[1]!, 'dvc')).length;
    assert.ok(sentObjects < allObjects, `~> ${sentObjects} objects sent for the run's experiment, ${allObjects} with --all`);
    assert.match(shared.stdout, new RegExp(`dvc {2}${sentObjects} objects uploaded`));

    clone = await cloneTmpRepo(join(folders[0]!, 'git'));
    const pulled = await clone.repro('pull', 'two');
    assert.is(pulled.exitCode, 0, pulled.stderr);
    assert.match(pulled.stdout, /^not shared: lab: 5 outputs \(other experiments' results in the run's dvc\.lock; not in this workspace\)$/m);
    assert.not.match(pulled.stdout + pulled.stderr, /ERROR|WARNING/, '~> no raw DVC text');
    const verified = await clone.repro('verify', 'two');
    assert.is(verified.exitCode, 0, verified.stderr);
    for (const path of await listFiles(origin.root, 'out/second')) assert.is(await clone.read(path), await origin.read(path), `~> ${path}`);
    assert.not.ok(existsSync(join(clone.root, 'out/lab/count-files/list.txt')), '~> the withheld outputs in the DVC cache were not pulled');
    assert.ok(await clone.exists('.repro/fp/lab_summarize.json'), "~> the run's commit holds the code of every stage its dvc.lock pins, run or not");
    const status = await must(clone.dvc('status', 'second_resize-images'));
    assert.match(status.stdout, /up to date/, '~> plain DVC agrees the pulled stage is up to date');
  } finally {
    await clone?.remove();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  }
});

share.run();

async function expRef(repo: TmpRepo, name: string): Promise<string> {
  const refs = (await must(repo.git('for-each-ref', '--format=%(refname)', 'refs/exps/'))).stdout.split('\n');
  return refs.find((r) => r.endsWith(`/${name}`))!;
}

async function readManifest(repo: CloneRepo): Promise<Manifest> {
  return JSON.parse((await must(repo.git('show', 'refs/repro/share/first:manifest.json'))).stdout) as Manifest;
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await listFiles(root, path)));
    else found.push(path);
  }
  return found.sort();
}
