/**
 * `repro runs` and `repro diff` end to end on the gallery project (real git, real dvc): two DVC experiment
 * runs that differ in one param are listed with that param; their diff shows the param and metric deltas
 * in DVC's shape, ranks the changed grids first (SSIM < 1) and the unchanged grid last (SSIM 1, change 0)
 * — read from the DVC cache, with neither run checked out (the workspace's out/ is deleted) — and writes
 * an offline HTML report whose images exist. A missing cache object is named with the command that fetches
 * it, and the report folder never ends up in a later run.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { galleryFiles } from '../helpers/gallery-project.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

interface RunsJson {
  runs: { name: string; kind: string; rev: string | null; baseline: string | null; params: Record<string, unknown> }[];
  keyParams: string[];
}
interface DiffJson {
  params: Record<string, { old: unknown; new: unknown; diff?: number }>;
  metrics: Record<string, { old: unknown; new: unknown; diff?: number }>;
  grids: { path: string; ssim: number; changedFraction: number; identical: boolean; image: string }[];
  report: string;
}

const GRID_SMALL = 'out/gallery/grid-small/grid.png';
const GRID_RAW = 'out/gallery/grid-raw/grid.png';

/** The md5 dvc.lock records for `path` at `rev`. */
async function lockedMd5(repo: TmpRepo, rev: string, path: string): Promise<string> {
  const lock = parse((await must(repo.git('show', `${rev}:dvc.lock`))).stdout) as { stages: Record<string, { outs?: { path: string; md5: string }[] }> };
  const out = Object.values(lock.stages).flatMap((s) => s.outs ?? []).find((o) => o.path === path);
  if (!out) throw new Error(`${path} not in dvc.lock at ${rev}`);
  return out.md5;
}

const compare = suite<{ repo: TmpRepo; runs: RunsJson }>('repro runs / repro diff');

compare.before(async (context) => {
  context.repo = await makeTmpRepo({ files: await galleryFiles(), dvcAdd: ['data/raw'] });
  await must(context.repo.repro('run', 'gallery', '-n', 'base'));
  await must(context.repo.repro('run', 'gallery', '-S', 'gallery.resize-images.width=6', '-n', 'wide'));
});
compare.after(async ({ repo }) => repo.remove());

compare('runs lists both experiment runs with the param that differs', async (context) => {
  const { repo } = context;
  context.runs = JSON.parse((await must(repo.repro('runs', '--json'))).stdout) as RunsJson;
  const head = (await must(repo.git('rev-parse', 'HEAD'))).stdout.trim();
  const byName = Object.fromEntries(context.runs.runs.map((r) => [r.name, r]));
  assert.is(byName.base?.kind, 'experiment');
  assert.is(byName.wide?.baseline, head, '~> built on HEAD');
  assert.is(byName.base?.params['gallery.resize-images.width'], 4);
  assert.is(byName.wide?.params['gallery.resize-images.width'], 6);
  assert.ok(context.runs.keyParams.includes('gallery.resize-images.width'), '~> the differing param is a key param');
  assert.not.ok(context.runs.keyParams.includes('gallery.grid-raw.cell'), '~> equal params are not');
  const text = (await must(repo.repro('runs'))).stdout;
  assert.match(text, /^run\s+kind\s+commit\s+baseline\s+created\s+gallery\.resize-images\.width/m);
  assert.match(text, /^base\s+experiment\s+[0-9a-f]{7}\s+[0-9a-f]{7}\s+\S+ \S+\s+4\b/m);
  assert.match(text, /^wide\s+experiment\s+[0-9a-f]{7}\s+[0-9a-f]{7}\s+\S+ \S+\s+6\b/m);
});

compare('diff reads both runs from the DVC cache: param and metric deltas, changed grids ranked first', async ({ repo, runs }) => {
  const rev = (name: string) => runs.runs.find((r) => r.name === name)!.rev!;
  // After `dvc exp run`, the workspace holds run b; run a is not checked out…
  const onDisk = createHash('md5').update(await readFile(join(repo.root, GRID_SMALL))).digest('hex');
  assert.is(onDisk, await lockedMd5(repo, rev('wide'), GRID_SMALL), '~> the workspace has wide');
  assert.is.not(onDisk, await lockedMd5(repo, rev('base'), GRID_SMALL), "~> and not base's grid");
  // …and with out/ gone the workspace holds neither: everything comes from the cache.
  await rm(join(repo.root, 'out'), { recursive: true, force: true });
  const diff = JSON.parse((await must(repo.repro('diff', 'base', 'wide', '--json'))).stdout) as DiffJson;
  assert.not.ok(existsSync(join(repo.root, 'out')), '~> nothing was checked out');
  assert.equal(diff.params['gallery.resize-images.width'], { old: 4, new: 6, diff: 2 });
  assert.equal(diff.metrics['gallery.resize-images.summary.width'], { old: 4, new: 6, diff: 2 });
  assert.equal(diff.metrics['gallery.fake-train.train.final_loss'], { old: 1, new: 1.5, diff: 0.5 });
  assert.is(diff.grids.length, 5, '~> grid-small, grid-raw and three epoch samples');
  const first = diff.grids[0]!;
  assert.ok(first.ssim < 1 && first.changedFraction > 0 && !first.identical, `~> most changed first: ${JSON.stringify(first)}`);
  const raw = diff.grids.find((g) => g.path === GRID_RAW)!;
  assert.equal([raw.ssim, raw.changedFraction, raw.identical], [1, 0, true], '~> the unchanged grid');
  assert.is(diff.grids.indexOf(raw), diff.grids.length - 1, '~> ranked last');
  assert.ok(diff.grids.filter((g) => g.path !== GRID_RAW).every((g) => g.ssim < 1), '~> every grid fed by the resized images changed');
  // DVC's own comparison agrees on the params, key for key.
  const dvc = JSON.parse((await must(repo.dvc('exp', 'diff', 'base', 'wide', '--json'))).stdout) as { params: Record<string, Record<string, unknown>> };
  assert.equal(diff.params, dvc.params['params.yaml'], '~> same as `dvc exp diff`');
});

compare('the HTML report opens offline and references images that exist', async ({ repo }) => {
  const html = await repo.read('reports/diff-base-wide/index.html');
  const sources = [...html.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]!);
  assert.is(sources.length, 5);
  for (const src of sources) assert.ok(existsSync(join(repo.root, 'reports/diff-base-wide', src)), `~> ${src} exists`);
  assert.is([...html.matchAll(/loading="lazy"/g)].length, 5, '~> images load lazily');
  assert.match(html, /<svg[^>]*aria-label="loss"/, '~> the loss curves are drawn');
  assert.match(html, /gallery\.resize-images\.width/);
  const urls = [...html.matchAll(/(?:https?:)?\/\/[^\s"'<>)]+/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg');
  assert.equal(urls, [], '~> nothing to fetch');
  assert.not.match(html, /<script|<link/);
});

compare('diff against the workspace prints the changes and where the report is', async ({ repo }) => {
  const text = (await must(repo.repro('diff', 'base', 'workspace'))).stdout;
  assert.match(text, /^a {2}base {2}\(experiment [0-9a-f]{7}, baseline [0-9a-f]{7}\)$/m);
  assert.match(text, /^b {2}workspace {2}\(workspace\)$/m);
  assert.match(text, /^ {2}gallery\.resize-images\.width +4 → 6 +\(\+2\)$/m);
  assert.match(text, /^ {2}1\. +out\/gallery\/\S+ +SSIM 0\.\d+ +changed \d+\.\d\d %/m);
  assert.match(text, /^ {2}5\. +out\/gallery\/grid-raw\/grid\.png +SSIM 1 +changed 0\.00 % +identical$/m);
  assert.match(text, /^report: reports\/diff-base-workspace\/index\.html$/m);
});

compare('a grid missing from the cache is named with the command that fetches it', async ({ repo, runs }) => {
  const md5 = await lockedMd5(repo, runs.runs.find((r) => r.name === 'base')!.rev!, GRID_SMALL);
  const object = join(repo.root, '.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2));
  await rename(object, `${object}.away`);
  try {
    const result = await repo.repro('diff', 'base', 'wide');
    assert.is(result.exitCode, 1);
    assert.match(result.stderr, /output 'out\/gallery\/grid-small\/grid\.png' of run 'base' expected in the DVC cache at '\S+' \(md5 [0-9a-f]{32}\), received no such object/);
    assert.match(result.stderr, /^hint run `repro pull base` \(or `\.venv\/bin\/dvc exp pull <remote> base`\)/m);
  } finally {
    await rename(`${object}.away`, object);
  }
});

compare('an unknown run is refused with the command that lists runs', async ({ repo }) => {
  const result = await repo.repro('diff', 'base', 'nope');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /run 'nope' expected to be a DVC experiment name, a git commit or ref, or 'workspace', received none of these/);
  assert.match(result.stderr, /^hint run `repro runs`/m);
});

compare('report folders never end up in a later run', async ({ repo }) => {
  assert.ok(await repo.exists('reports/diff-base-wide/index.html'));
  await must(repo.repro('run', 'gallery', '-S', 'gallery.resize-images.width=5', '-n', 'third'));
  const files = (await must(repo.git('show', '--name-only', '--format=', 'refs/exps/' + (await experimentRef(repo, 'third'))))).stdout;
  assert.match(files, /^dvc\.lock$/m, '~> the run commit has its lock');
  assert.not.match(files, /^reports\/diff-/m, '~> and no report');
});

async function experimentRef(repo: TmpRepo, name: string): Promise<string> {
  const refs = (await must(repo.git('for-each-ref', '--format=%(refname)', 'refs/exps/'))).stdout.split('\n');
  const ref = refs.find((r) => r.endsWith(`/${name}`));
  if (!ref) throw new Error(`no experiment ref for ${name}`);
  return ref.replace(/^refs\/exps\//, '');
}

compare.run();
