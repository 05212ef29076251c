/**
 * Writes one PNG contact sheet of every mask kind × variant in a few styles, plain templates and the
 * realistic stand-in, with the anchors a..f marked (red a/c, green b/e, blue d/f), to look at by eye.
 * A script, not a test: `node --import tsx test/vision/masks/write-contact-sheet.ts [out.png]`
 * (default /tmp/mask-sheet.png). Prints the mean render time per template.
 */
import sharp from 'sharp';
import { createRng } from '../../../src/kit/prng.js';
import { renderRealisticTemplate } from '../../../src/vision/masks/real-mask-renderer.js';
import { rasteriseTemplate, type RenderedTemplate } from '../../../src/vision/masks/render.js';
import { KINDS_WITH_VALVE, MASK_KINDS, TEMPLATE_VARIANTS, buildTemplateSvg } from '../../../src/vision/masks/templates.js';
import type { MaskStyle } from '../../../src/vision/masks/textures.js';

const CELL = 250;
/** One scale for every cell, so turned variants look as much narrower as they are. */
const FIT = 0.22;
const STYLES: readonly MaskStyle[] = [
  { colour: '#9cc8e8', texture: { kind: 'nonwoven', scale: 1.4 }, shade: 0.7 },
  { colour: '#f2f3f0', texture: { kind: 'plain' }, shade: 0.8, valve: true },
  { colour: '#27282c', texture: { kind: 'weave', scale: 4 }, shade: 0.7 },
  { colour: '#f0b7c6', texture: { kind: 'floral', colour: '#1f2b4f', scale: 80 }, shade: 0.6 },
  { colour: '#26365f', texture: { kind: 'dots', colour: '#ffffff', scale: 30 }, shade: 0.6 },
  { colour: '#8ccfb4', texture: { kind: 'check', colour: '#ffffff', scale: 22 }, shade: 0.6 },
];

async function drawCell(rendered: RenderedTemplate): Promise<Buffer> {
  const { image, anchors } = rendered;
  const fit = Math.min(FIT, (CELL - 6) / Math.max(image.width, image.height));
  const w = Math.round(image.width * fit);
  const h = Math.round(image.height * fit);
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }).resize(w, h).png().toBuffer();
  const left = Math.round((CELL - w) / 2);
  const top = Math.round((CELL - h) / 2);
  const colours = { a: 'red', c: 'red', b: 'lime', e: 'lime', d: 'blue', f: 'blue' } as const;
  const dots = Object.entries(anchors)
    .map(([k, [x, y]]) => `<circle cx="${left + x * fit}" cy="${top + y * fit}" r="3.5" fill="${colours[k as keyof typeof colours]}" stroke="black"/>`)
    .join('');
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${CELL}" height="${CELL}">${dots}</svg>`;
  return sharp({ create: { width: CELL, height: CELL, channels: 4, background: '#d8cbb8' } })
    .composite([{ input: png, left, top }, { input: Buffer.from(overlay), left: 0, top: 0 }])
    .png()
    .toBuffer();
}

async function writeContactSheet(out: string): Promise<void> {
  const cells: Buffer[] = [];
  let renders = 0;
  let millis = 0;
  const columns = MASK_KINDS.length * TEMPLATE_VARIANTS.length;
  for (const [row, style] of STYLES.entries()) {
    for (const realistic of [false, true]) {
      if (realistic && row % 2 === 1) continue;
      for (const kind of MASK_KINDS) {
        // The sheet shows every style on every kind; a valve only where the kind has one.
        const styled = { ...style, valve: style.valve === true && (KINDS_WITH_VALVE as readonly string[]).includes(kind) };
        for (const variant of TEMPLATE_VARIANTS) {
          const started = performance.now();
          const rendered = realistic
            ? await renderRealisticTemplate(kind, variant, styled, createRng(row * 100 + 7), 1)
            : await rasteriseTemplate(buildTemplateSvg(kind, variant, styled), 1);
          millis += performance.now() - started;
          renders++;
          cells.push(await drawCell(rendered));
        }
      }
    }
  }
  const rows = Math.ceil(cells.length / columns);
  await sharp({ create: { width: columns * CELL, height: rows * CELL, channels: 4, background: '#ffffff' } })
    .composite(cells.map((input, i) => ({ input, left: (i % columns) * CELL, top: Math.floor(i / columns) * CELL })))
    .png()
    .toFile(out);
  process.stdout.write(`wrote ${out}: ${rows} rows × ${columns} columns; ${(millis / renders).toFixed(1)} ms per template (scale 1, incl. SVG build)\n`);
}

await writeContactSheet(process.argv[2] ?? '/tmp/mask-sheet.png');
