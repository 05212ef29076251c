/**
 * `repro report <run>` end to end, looked at in headless Chromium: the gallery project's run is reported
 * from the DVC cache (out/ deleted first), the page opens from file:// with no console error and no
 * script, results lead (metrics, the newest sample grid and the curves sit above the params), the params
 * of `other` — an experiment of the project the run was not of — are folded away closed, every grid image
 * is decoded and visible once its fold is opened (naturalWidth > 0 once scrolled to: they load lazily),
 * the stage timings of this machine's run record are shown — "not recorded on this machine" once the
 * records are gone, when dvc.lock's change since the baseline still names the run's stages — and
 * the environment section shows the run's pin or "not recorded". A full-page screenshot is kept in a temp
 * folder and its path printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launchChromium } from '../helpers/chromium.js';
import { galleryFiles } from '../helpers/gallery-project.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

interface ReportJson {
  experiments: string[];
  stages: { name: string; role: string }[];
  stagesFrom: string;
  grids: { path: string }[];
  timings: { stages: { stage: string; seconds: number }[] } | null;
  environments: Record<string, unknown>;
}

/** An experiment of the project that the reported run is not of: its params are in params.yaml all the same. */
const OTHER_EXPERIMENT = `import { defineExperiment } from '../src/dsl/index.js';
import { resizeImages } from '../src/stages/index.js';

export default defineExperiment('other', (x) => {
  x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 3, height: 3 } });
});
`;

const report = suite<{ repo: TmpRepo }>('repro report');

report.before(async (context) => {
  context.repo = await makeTmpRepo({ files: { ...(await galleryFiles()), 'experiments/other.ts': OTHER_EXPERIMENT }, dvcAdd: ['data/raw'] });
  await must(context.repo.repro('run', 'gallery', '-S', 'gallery.resize-images.width=6', '-n', 'wide'));
  await rm(join(context.repo.root, 'out'), { recursive: true, force: true });
});
report.after(async ({ repo }) => repo.remove());

report('the report opens in Chromium with every grid visible, curves, timings and environment', async ({ repo }) => {
  const data = JSON.parse((await must(repo.repro('report', 'wide', '--json'))).stdout) as ReportJson;
  assert.is(data.grids.length, 5);
  assert.equal([data.experiments, data.stagesFrom], [['gallery'], 'record']);
  const roles = Object.fromEntries(data.stages.map((s) => [s.name, s.role]));
  assert.equal(roles, { 'gallery_resize-images': 'data', 'gallery_grid-raw': 'data', 'gallery_grid-small': 'data', 'gallery_fake-train': 'training' });
  assert.equal(data.timings?.stages.map((s) => s.stage).sort(), ['gallery_fake-train', 'gallery_grid-raw', 'gallery_grid-small', 'gallery_resize-images']);
  assert.ok(data.timings!.stages.every((s) => s.seconds > 0), '~> seconds recorded');
  const text = (await must(repo.repro('report', 'wide'))).stdout;
  assert.match(text, /^reports\/run-wide\/index\.html$/m);
  const { context, close } = await launchChromium();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(join(repo.root, 'reports/run-wide/index.html')).href);
    assert.is(await page.locator('script').count(), 0, '~> a static page');
    const sections = await page.locator('main > section').evaluateAll((els) => els.map((el) => el.id));
    assert.equal(sections, ['metrics', 'grids', 'curves', 'params', 'timings', 'environment'], '~> results first');
    const top = async (selector: string) => (await page.locator(selector).first().boundingBox())!.y;
    const paramsTop = await top('#params');
    for (const result of ['#metrics .card', '#grids img', '#curves svg']) assert.ok((await top(result)) < paramsTop, `~> ${result} above the params`);
    assert.match(await page.locator('#metrics').innerText(), /gallery\.fake-train\.train\s+final_loss\s+1\.5/);
    assert.match((await page.locator('#grids img').first().getAttribute('alt'))!, /samples\/epoch-0003\.png$/, '~> the newest epoch leads');
    const params = page.locator('#params');
    assert.ok(await params.getByText('gallery.resize-images.width').isVisible(), "~> the run's params are open");
    assert.is(await params.locator('details').count(), 1);
    assert.is(await params.locator('details').getAttribute('open'), null, '~> other experiments are folded closed');
    assert.match(await params.locator('details summary').innerText(), /^other: \d+ params of stages not in this run$/);
    assert.not.ok(await params.getByText('other.resize-images.width').isVisible(), "~> other's params hidden");
    await page.locator('details').evaluateAll((els) => els.forEach((el) => el.setAttribute('open', '')));
    assert.ok(await params.getByText('other.resize-images.width').isVisible(), '~> and one click away');
    const images = page.locator('img');
    assert.is(await images.count(), 5);
    for (const img of await images.all()) {
      await img.scrollIntoViewIfNeeded();
      await page.waitForFunction((el) => (el as unknown as { complete: boolean }).complete, await img.elementHandle());
      const width = await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth);
      assert.ok(width > 0, `~> ${await img.getAttribute('src')} decoded`);
      assert.ok(await img.isVisible());
      assert.is(await img.getAttribute('loading'), 'lazy');
    }
    assert.is(await page.locator('#curves svg polyline').count(), 2, '~> loss and accuracy drawn');
    assert.match(await page.locator('#timings').innerText(), /gallery_fake-train\s+[\d.]+ s/);
    const environment = await page.locator('#environment').innerText();
    assert.ok(/not recorded/.test(environment) || /node\s+v\d+/.test(environment), `~> environment: ${environment}`);
    // the screenshot shows the page as a reader first sees it: folds closed
    await page.locator('details').evaluateAll((els) => els.forEach((el) => el.removeAttribute('open')));
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const shots = await mkdtemp(join(tmpdir(), 'repro-report-screenshot-'));
    const shot = join(shots, 'run-wide.png');
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(`  screenshot: ${shot}\n`);
    assert.equal(errors, [], '~> no console errors');
  } finally {
    await close();
  }
});

report('without this machine\'s run records the timings say so', async ({ repo }) => {
  await rm(join(repo.root, '.repro/runs'), { recursive: true, force: true });
  const data = JSON.parse((await must(repo.repro('report', 'wide', '--json'))).stdout) as ReportJson;
  assert.is(data.timings, null);
  assert.equal([data.experiments, data.stagesFrom], [['gallery'], 'lock-change'], '~> from what dvc.lock changed since the baseline');
  assert.is(data.stages.length, 4);
  await must(repo.repro('report', 'wide'));
  assert.match(await repo.read('reports/run-wide/index.html'), /not recorded on this machine/);
});

report.run();
