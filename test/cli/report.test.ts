/**
 * `repro report <run>` end to end, looked at in headless Chromium: the gallery project's run is reported
 * from the DVC cache (out/ deleted first), the page opens from file:// with no console error, every grid
 * image is decoded and visible (naturalWidth > 0 once scrolled to: they load lazily), curves are drawn, the
 * stage timings of this machine's run record are shown — "not recorded on this machine" once the records
 * are gone — and the environment section shows the run's pin or "not recorded". A full-page screenshot is
 * kept in a temp folder and its path printed.
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
  grids: { path: string }[];
  timings: { stages: { stage: string; seconds: number }[] } | null;
  environments: Record<string, unknown>;
}

const report = suite<{ repo: TmpRepo }>('repro report');

report.before(async (context) => {
  context.repo = await makeTmpRepo({ files: await galleryFiles(), dvcAdd: ['data/raw'] });
  await must(context.repo.repro('run', 'gallery', '-S', 'gallery.resize-images.width=6', '-n', 'wide'));
  await rm(join(context.repo.root, 'out'), { recursive: true, force: true });
});
report.after(async ({ repo }) => repo.remove());

report('the report opens in Chromium with every grid visible, curves, timings and environment', async ({ repo }) => {
  const data = JSON.parse((await must(repo.repro('report', 'wide', '--json'))).stdout) as ReportJson;
  assert.is(data.grids.length, 5);
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
  await must(repo.repro('report', 'wide'));
  assert.match(await repo.read('reports/run-wide/index.html'), /not recorded on this machine/);
});

report.run();
