/**
 * `renderMask` draws per-kind styles and records them truthfully, checked on the rendered pixels: a
 * surgical mask's pixels are those of the same fabric and shading rendered plain, give or take the
 * non-woven grain (no print, no valve); a recorded style re-renders to the same bytes, and a recorded
 * valve is visible (dropping it changes the picture); the user's textures narrow the draw, with a note
 * when they fit nothing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, deriveSeed } from '../../src/kit/prng.js';
import { renderMask } from '../../src/vision/mask-render.js';
import { renderTemplate } from '../../src/vision/masks/render.js';
import { MASK_KINDS, TEMPLATE_VARIANTS } from '../../src/vision/masks/templates.js';
import type { RawImage } from '../../src/vision/types.js';

/**
 * Share of the pixels opaque in both that differ by more than `tolerance` levels in some channel. A
 * drawn mask against the same style rendered plain: the non-woven grain stays under 1 % at 30 levels
 * (it darkens by at most about a fifth); every print, and a valve, goes well over (floral, the sparsest
 * print, about 9 %).
 */
function shareUnlike(drawn: RawImage, plain: RawImage, tolerance = 30): number {
  let counted = 0;
  let unlike = 0;
  for (let o = 0; o < drawn.data.length; o += 4) {
    if (drawn.data[o + 3] !== 255 || plain.data[o + 3] !== 255) continue;
    counted += 1;
    if (Math.max(...[0, 1, 2].map((c) => Math.abs(drawn.data[o + c]! - plain.data[o + c]!))) > tolerance) unlike += 1;
  }
  return unlike / Math.max(1, counted);
}

const opaqueCount = (image: RawImage): number => image.data.filter((_, i) => i % 4 === 3 && image.data[i] === 255).length;

const render = suite('renderMask');

render('draws surgical masks plain: no print on the pixels, no valve', async () => {
  for (let i = 0; i < 12; i++) {
    const variant = TEMPLATE_VARIANTS[i % 3]!;
    const mask = await renderMask('surgical', variant, createRng(deriveSeed(3, 'surgical', i)), { scale: 0.25 });
    assert.ok(['plain', 'nonwoven'].includes(mask.style.texture.kind), `~> ${i}: texture ${mask.style.texture.kind}`);
    assert.is(mask.style.valve, false, `~> ${i}: no valve`);
    const plain = await renderTemplate('surgical', variant, { ...mask.style, texture: { kind: 'plain' }, valve: false }, 0.25);
    const share = shareUnlike(mask.image, plain.image);
    assert.ok(share < 0.02, `~> ${i} (${mask.style.colour}, ${variant}): ${(share * 100).toFixed(2)} % of pixels unlike the plain mask`);
  }
});

render('the pixel check tells a print or a valve from a plain mask', async () => {
  const style = { colour: '#9cc8e8', texture: { kind: 'plain' }, shade: 0.6, valve: false } as const;
  const plain = await renderTemplate('surgical', 'frontal', style, 0.25);
  const floral = await renderTemplate('surgical', 'frontal', { ...style, texture: { kind: 'floral', colour: '#e985a6', scale: 110 } }, 0.25);
  assert.ok(shareUnlike(floral.image, plain.image) > 0.05, `~> a sparse floral print: ${(shareUnlike(floral.image, plain.image) * 100).toFixed(1)} %`);
  const n95 = await renderTemplate('n95', 'frontal', style, 0.25);
  const valved = await renderTemplate('n95', 'frontal', { ...style, valve: true }, 0.25);
  assert.ok(shareUnlike(valved.image, n95.image) > 0.02, `~> a valve: ${(shareUnlike(valved.image, n95.image) * 100).toFixed(1)} %`);
});

render('records what it drew: the style re-renders to the same bytes, a recorded valve is visible', async () => {
  let valves = 0;
  const kinds = new Set<string>();
  for (let i = 0; i < 24; i++) {
    const kind = MASK_KINDS[i % 4]!;
    const variant = TEMPLATE_VARIANTS[i % 3]!;
    const mask = await renderMask(kind, variant, createRng(deriveSeed(11, 'record', i)), { scale: 0.25 });
    const again = await renderTemplate(kind, variant, mask.style, 0.25);
    assert.ok(Buffer.from(again.image.data).equals(Buffer.from(mask.image.data)), `~> ${i} ${kind}: same bytes from the recorded style`);
    if (kind === 'surgical' || kind === 'cloth') assert.is(mask.style.valve, false, `~> ${i} ${kind}: no valve`);
    if (kind === 'cloth') kinds.add(mask.style.texture.kind);
    if (mask.style.valve !== true) continue;
    valves += 1;
    const without = await renderTemplate(kind, variant, { ...mask.style, valve: false }, 0.25);
    let changed = 0;
    for (let p = 0; p < without.image.data.length; p += 4) if (without.image.data[p] !== mask.image.data[p] || without.image.data[p + 1] !== mask.image.data[p + 1]) changed++;
    assert.ok(changed > 0.005 * opaqueCount(mask.image), `~> ${i} ${kind}: the valve changes ${changed} pixels`);
  }
  assert.ok(valves >= 1, `~> some respirators have a valve (${valves})`);
  assert.ok([...kinds].some((k) => k !== 'weave'), `~> some cloth masks are printed (${[...kinds].join(', ')})`);
});

render("narrows to the user's textures, and notes when they do not fit the kind", async () => {
  const cloth = await renderMask('cloth', 'frontal', createRng(1), { textures: ['stripes', 'plain'], scale: 0.25 });
  assert.is(cloth.style.texture.kind, 'stripes');
  assert.is(cloth.note, undefined);
  const surgical = await renderMask('surgical', 'frontal', createRng(1), { textures: ['stripes'], scale: 0.25 });
  assert.ok(['plain', 'nonwoven'].includes(surgical.style.texture.kind), `~> own texture ${surgical.style.texture.kind}`);
  assert.match(surgical.note ?? '', /textures 'stripes' do not fit a surgical mask/);
});

render.run();
