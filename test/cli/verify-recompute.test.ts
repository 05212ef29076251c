/**
 * `repro verify <run> --recompute` end to end, through the real CLI, git and dvc in a temp project of
 * four stages: `resize-images` (a data stage: exact), `weigh` (writes a metric, a float32 tensor file and
 * an image; declares float tolerances, and adds the perturbation named by REPRO_TEST_PERTURB, an
 * environment variable only this test stage reads, so a float kernel that takes another path can be
 * imitated), and `draw` (an unseeded Math.random(): never reproduces). Checked: a data stage recomputed
 * is `identical`; the perturbed stage is `within tolerance` with its figures; the unseeded one is
 * `diverged`, named as the first, exit 1; the workspace is byte-identical before and after; a missing
 * cache object is `CACHE_MISSING` with the fetch command; a bad tolerance in an experiment is a
 * compile error naming the field; the tolerance is recorded with the run.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkExperiment, checkFiles } from '../helpers/recompute-project.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

const recompute = suite<{ repo: TmpRepo }>('repro verify --recompute');

recompute.before(async (context) => {
  context.repo = await makeTmpRepo({
    files: await checkFiles(),
    dvcAdd: ['data/raw'],
  });
  await must(context.repo.repro('run', 'check', '-n', 'first'));
});
recompute.after(async ({ repo }) => {
  await repo.remove();
});

recompute('the tolerance each stage declares is recorded with the run', async ({ repo }) => {
  const weigh = JSON.parse(await repo.read('.repro/stages/check_weigh.json')) as { tolerance: Record<string, number> };
  const resize = JSON.parse(await repo.read('.repro/stages/check_resize-images.json')) as { tolerance: Record<string, number> };
  assert.is(weigh.tolerance.relative, 0.05);
  assert.is(resize.tolerance.relative, 0, '~> a data stage is exact');
  assert.is(resize.tolerance.ssim, 1);
});

recompute('plain verify of a local run: no share needed; another backend is a mismatch because a stage runs TensorFlow', async ({ repo }) => {
  const verified = await must(repo.repro('verify', 'first'));
  assert.match(verified.stdout, /^verified run 'first'/);
  const cpu = await withEnv(repo, { REPRO_BACKEND: 'cpu' }, () => repo.repro('verify', 'first'));
  assert.is(cpu.exitCode, 1);
  assert.match(cpu.stderr, /pin 'backend' expected 'tensorflow \([^']*\)', found 'cpu[^']*'/);
  assert.match(cpu.stderr, /REPRO_BACKEND=<kind>/);
});

recompute('a data stage recomputed from the pinned inputs is identical; the workspace is not touched', async ({ repo }) => {
  const before = await snapshot(repo.root);
  const result = await must(repo.repro('verify', 'first', '--recompute', 'check_resize-images', '--no-report'));
  assert.match(result.stdout, /^identical +check_resize-images: 4 of 4 files identical/m);
  assert.match(result.stdout, /run 'first' \(commit [0-9a-f]{7}\) reproduces: 1 stage recomputed from its pinned inputs, 1 identical, 0 within tolerance; nothing in the run was touched/);
  assert.equal(await snapshot(repo.root), before, '~> every workspace file has the same bytes');
  assert.is((await must(repo.git('worktree', 'list'))).stdout.trim().split('\n').length, 1, '~> no scratch worktree left');
});

recompute('a tiny float perturbation stays within tolerance, with the figures', async ({ repo }) => {
  const result = await repo.repro('verify', 'first', '--recompute', 'check/weigh', '--json');
  assert.is(result.exitCode, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { stages: { stage: string; verdict: string; differing: { path: string; comparedAs: string; measures: Record<string, number> }[] }[] };
  assert.is(json.stages[0]!.verdict, 'identical', '~> unperturbed, the same machine gives the same bytes');
  const env = await withEnv(repo, { REPRO_TEST_PERTURB: '1e-5' }, () => repo.repro('verify', 'first', '--recompute', 'check/weigh'));
  assert.is(env.exitCode, 0, env.stderr);
  assert.match(env.stdout, /^within tolerance +check_weigh: 0 of 3 files identical/m);
  assert.match(env.stdout, /out\/check\/weigh\/weights\.bin: max\|a − b\| \d\.\d+e-\d+ over max\|a\| .* float32 values/);
  assert.match(env.stdout, /reports\/check\/weigh\/weight\.json: largest relative difference \d\.\d+e-\d+ at mean/);
  assert.match(env.stdout, /out\/check\/weigh\/picture\.png: SSIM/);
  assert.match(env.stdout, /^report: reports\/verify-first\/index\.html$/m);
  const page = await repo.read('reports/verify-first/index.html');
  assert.match(page, /check_weigh/);
  assert.match(page, /<img loading="lazy" src="images\/check--weigh--picture\.png"/);
  assert.ok(await repo.exists('reports/verify-first/images/check--weigh--picture.png'), '~> the run | recompute | difference picture');
  assert.is((await must(repo.git('status', '--porcelain', 'reports/verify-first'))).stdout, '', '~> the report folder ignores itself');
});

recompute('an unseeded stage diverges: named first, exit 1; a perturbation beyond tolerance names the numbers', async ({ repo }) => {
  const all = await repo.repro('verify', 'first', '--recompute');
  assert.is(all.exitCode, 1);
  assert.match(all.stdout, /^identical +check_resize-images/m);
  assert.match(all.stdout, /^identical +check_weigh/m);
  assert.match(all.stdout, /^identical +check_tf-mean/m);
  assert.match(all.stdout, /^diverged +check_draw: 0 of 1 files identical/m);
  assert.match(all.stderr, /run 'first' expected to reproduce within its tolerances, received 1 diverged stage, the first being 'check_draw'/);
  assert.match(all.stderr, /out\/check\/draw\/number\.txt {2}bytes differ .* compared exactly/);
  const far = await withEnv(repo, { REPRO_TEST_PERTURB: '0.1' }, () => repo.repro('verify', 'first', '--recompute', 'check_weigh'));
  assert.is(far.exitCode, 1);
  assert.match(far.stderr, /the first being 'check_weigh'/);
  assert.match(far.stderr, /weights\.bin {2}max\|a − b\| 1\.00e-1 .* > 0\.05/);
});

recompute('a stage that is not in the run, and a missing cache object, are named with the next command', async ({ repo }) => {
  const unknown = await repo.repro('verify', 'first', '--recompute', 'check_nope');
  assert.is(unknown.exitCode, 1);
  assert.match(unknown.stderr, /stage 'check_nope' expected among the stages run 'first' computed \('check_resize-images', 'check_draw', 'check_tf-mean', 'check_weigh'\)/);
  const lock = await repo.read('dvc.lock');
  const md5 = /path: out\/check\/resize-images\/images\n\s+hash: md5\n\s+md5: ([0-9a-f]+\.dir)/.exec(lock)?.[1];
  assert.ok(md5, '~> the lock names the folder object');
  const listing = JSON.parse(await readFile(join(repo.root, '.dvc/cache/files/md5', md5!.slice(0, 2), md5!.slice(2)), 'utf8')) as { md5: string }[];
  const object = join(repo.root, '.dvc/cache/files/md5', listing[0]!.md5.slice(0, 2), listing[0]!.md5.slice(2));
  const saved = await readFile(object);
  await rm(object, { force: true });
  try {
    const missing = await repo.repro('verify', 'first', '--recompute', 'check_weigh');
    assert.is(missing.exitCode, 1);
    assert.match(missing.stderr, /error run 'first' expected 1 more object in the DVC cache to recompute from/);
    assert.match(missing.stderr, /output 'out\/check\/resize-images\/images\/.*' of run 'first' expected in the DVC cache/);
    assert.match(missing.stderr, /repro pull first/);
  } finally {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(object, saved);
  }
});

recompute('a bad tolerance in an experiment is a compile error naming the field and the range', async ({ repo }) => {
  await repo.write('experiments/check.ts', checkExperiment(", tolerance: { ssim: 2, speed: 1 } as never"));
  try {
    const compiled = await repo.repro('compile');
    assert.is(compiled.exitCode, 1);
    assert.match(compiled.stderr, /stage 'check\/weigh': tolerance 'ssim' expected a number in \[-1, 1\], received 2/);
    assert.match(compiled.stderr, /tolerance 'speed' is not a tolerance/);
  } finally {
    await repo.write('experiments/check.ts', checkExperiment());
  }
});

recompute('repro run --deterministic reruns only the TensorFlow stage, records the switches, and its recompute runs under them', async ({ repo }) => {
  const run = await must(repo.repro('run', 'check', '--deterministic', '-n', 'det', '--json'));
  assert.equal((JSON.parse(run.stdout) as { ran: string[] }).ran, ['check_tf-mean'], '~> stages without TensorFlow keep their results');
  const fingerprint = JSON.parse(await repo.read('.repro/fp/check_tf-mean.json')) as { backend: string };
  assert.match(fingerprint.backend, /^tensorflow \(.*, deterministic ops, 1 intra-op thread, 1 inter-op thread\)$/);
  assert.not.match(fingerprint.backend, /oneDNN/);
  const pin = JSON.parse(await repo.read('reports/check/environment.json')) as { machine: Record<string, string | number> };
  assert.is(pin.machine.deterministicOps, '1');
  assert.is(pin.machine.intraOpThreads, '1');
  assert.is(pin.machine.oneDnn, '0');
  assert.match(String(pin.machine.simd), /\S/);
  const verified = await must(repo.repro('verify', 'det', '--recompute', 'check_tf-mean'));
  assert.match(verified.stdout, /^identical +check_tf-mean: 1 of 1 files identical/m);
  await must(repo.repro('run', 'check', '-n', 'plain'));
  const plain = JSON.parse(await repo.read('.repro/fp/check_tf-mean.json')) as { backend: string };
  assert.not.match(plain.backend, /deterministic/, '~> without the switches the fingerprint is the first run\'s again (DVC restores that result from its run cache)');
});

/** sha1 of every file outside .git, by project-relative path. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = relative(root, join(entry.parentPath, entry.name));
    if (!entry.isFile() || path.startsWith('.git/') || path.startsWith('node_modules') || path.startsWith('.dvc/tmp')) continue;
    out[path] = createHash('sha1').update(await readFile(join(root, path))).digest('hex');
  }
  return out;
}

/** Runs `work` with extra variables in this process's environment, which the repo's commands inherit. */
async function withEnv<T>(_repo: TmpRepo, env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

recompute.run();
