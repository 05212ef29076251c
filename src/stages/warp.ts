/**
 * `warp`: rule-based mask warping (MaskTheFace's geometry, the project's own templates). For each aligned
 * face: six anchors from its 68 landmarks, the left/right template when the head tilts beyond the
 * threshold, a mask kind, colour and texture drawn from a per-image seed, brightness and saturation
 * matched to the face region, a least-squares homography from the template's six anchors, and an
 * anti-aliased composite. Writes the masked face, the mask-region map (255 inside the mask) and one
 * metadata line per image, including a geometric sanity check. The check includes the fit (mask-fit.ts:
 * the share of the pixels the mask covers at least half that lie outside the face outline); a mask over
 * `maxOutsideShare` is refitted — the face anchors narrowed toward the mask's centre line, REFIT_SCALES,
 * and warped again — and rejected when even the narrowest try is over: no image, a metadata line with
 * the reason, a count in the metrics. The fit sheet shows the first faces with the mask's pixels outside
 * the outline in red.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Defaulted, defineStage, dir, file, Seed, Type, type RunParams, type Static } from '../dsl/index.js';
import { checkMaskPlacement, DEFAULT_MAX_OUTSIDE_SHARE } from '../vision/mask-sanity.js';
import { paintFitHeat } from '../vision/fit-heat.js';
import { FIT_COVERAGE } from '../vision/mask-fit.js';
import { narrowAnchors } from '../vision/mask-refit.js';
import { applyColourMatch, faceBox } from '../vision/mask-colour.js';
import { readKeptLandmarks } from '../vision/face-manifest.js';
import { chooseTemplateVariant, computeMaskAnchors, computeTilt } from '../vision/face-geometry.js';
import { fitHomography } from '../vision/homography.js';
import { encodeContactSheet, encodePng, readRgb, type RawImage } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { settleAll } from '../kit/settle.js';
import { MASK_KINDS } from '../vision/masks/templates.js';
import { TEXTURE_KINDS } from '../vision/masks/textures.js';
import { renderMask } from '../vision/mask-render.js';
import { createRng, deriveSeed, restoreRng } from '../kit/prng.js';
import type { Landmarks68, MaskAnchors } from '../vision/types.js';
import { warpOntoImage } from '../vision/warp-template.js';

const MaskKind = Type.Union(MASK_KINDS.map((k) => Type.Literal(k)));

/**
 * Lateral scales of the face anchors a refit tries, in order (1 = MaskTheFace's anchors): the first that
 * fits is kept, so a mask narrows no more than it must, and a face takes at most four warps.
 */
export const REFIT_SCALES = [1, 0.9, 0.8, 0.7] as const;

/** Cells on the fit sheet's rows. */
const FIT_SHEET_COLUMNS = 8;

export const params = Type.Object({
  seed: Type.Ref(Seed),
  kinds: Defaulted(Type.Array(MaskKind, { minItems: 1, uniqueItems: true, description: 'mask kinds drawn from, uniformly per image' }), [...MASK_KINDS]),
  colours: Type.Optional(Type.Array(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }), { minItems: 1, description: 'mask colours drawn from @default the built-in palette' })),
  textures: Type.Optional(Type.Array(Type.Union(TEXTURE_KINDS.map((k) => Type.Literal(k))), { minItems: 1, uniqueItems: true, description: 'texture kinds drawn from @default all, plain and non-woven more often' })),
  style: Defaulted(Type.Union([Type.Literal('plain'), Type.Literal('realistic')], { description: "'realistic' is the demo's stand-in for real masks: shading, folds, straps, soft edges" }), 'plain'),
  tiltThreshold: Defaulted(Type.Number({ minimum: 0, maximum: 90, description: 'degrees of tilt beyond which the left/right template is used' }), 13),
  colourMatch: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'how far brightness and saturation move toward the face region' }), 1),
  alphaThreshold: Defaulted(Type.Integer({ minimum: 1, maximum: 255, description: 'coverage (0..255) at or above which a pixel is in the region map; 1 = every pixel the mask touches, so the NMC loss never guards a pixel the warp changed' }), 1),
  maxOutsideShare: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'largest share of mask pixels outside the face outline (jaw 0..16 closed through the nose bridge); a mask over it is narrowed and warped again, and rejected if the narrowest try is still over; 1 turns the refit off' }), DEFAULT_MAX_OUTSIDE_SHARE),
  fitSheetFaces: Defaulted(Type.Integer({ minimum: 1, maximum: 1024, description: 'faces on the fit sheet (the first, in file order, rejected ones included)' }), 48),
});
export type Params = Static<typeof params>;
/** The params as `run` sees them: every `Defaulted` field present. */
type Settings = RunParams<typeof params>;

export const warp = defineStage({
  id: 'warp',
  description: 'rule-based mask warping from 68 landmarks (MaskTheFace geometry, own templates)',
  params,
  inputs: { faces: dir('aligned face crops'), manifest: file({ description: "filter's manifest.jsonl (crop landmarks)" }) },
  outputs: {
    masked: dir('masked faces, PNG'),
    regions: dir('mask-region maps, PNG, 255 inside the mask'),
    metadata: file({ fileName: 'metadata.jsonl', description: 'template, colour, texture, anchors, sanity, fit per image' }),
    fitSheet: file({ fileName: 'fit-sheet.png', description: 'contact sheet: mask pixels outside the face outline in red, the outline in yellow, a strip with the outside share' }),
  },
  metrics: ['warp'],
  async run({ params, inputs, outputs, seed, log, signal }) {
    const landmarksByFile = await readKeptLandmarks(inputs.manifest);
    const names = (await listImages(inputs.faces)).filter((n) => landmarksByFile.has(n));
    if (names.length === 0) throw new Error(`expected faces in '${inputs.faces}' listed as kept in the manifest, received none`);
    const lines: string[] = [];
    const counts: Record<string, number> = {};
    const shares: number[] = []; // final outside share of every face written
    const cells: RawImage[] = []; // fit sheet, [height, width, 3] each
    let [sane, failed, over, refitted, rejected] = [0, 0, 0, 0, 0];
    // The next face is read and its mask rendered (sharp, off the main thread) while this one is warped.
    const draw = (i: number) => drawMask(names[i]!, landmarksByFile.get(names[i]!)!, params, seed, inputs.faces).then((drawn) => ({ drawn }), (error: unknown) => ({ error }));
    let drawing = names.length > 0 ? draw(0) : undefined;
    const writes: Promise<void>[] = [];
    for (const [index, name] of names.entries()) {
      signal.throwIfAborted();
      const next = await drawing!;
      drawing = index + 1 < names.length ? draw(index + 1) : undefined;
      try {
        if ('error' in next) throw next.error;
        const landmarks = landmarksByFile.get(name)!;
        const { line, composite, region, coverage, tries } = fitOne(next.drawn, landmarks, params);
        const share = line.sanity.outsideShare;
        if (tries > 1 || !line.sanity.fitsFace) over += 1;
        if (index < params.fitSheetFaces) cells.push(paintFitHeat(composite, coverage, landmarks, { outsideShare: share, maxOutsideShare: params.maxOutsideShare, threshold: FIT_COVERAGE }));
        if (!line.sanity.fitsFace) {
          rejected += 1;
          log.warn(`rejected '${name}': ${Math.round(share * 1000) / 10} % of the mask lies outside the face outline after ${tries} tries (most allowed ${Math.round(params.maxOutsideShare * 1000) / 10} %)`);
          lines.push(JSON.stringify({ ...line, rejected: 'mask-outside-face' }));
          continue;
        }
        if (tries > 1) refitted += 1;
        writes.push(encodePng(composite).then((png) => writeFile(join(outputs.masked, name), png)));
        writes.push(encodePng(region).then((png) => writeFile(join(outputs.regions, name), png)));
        shares.push(share);
        if (line.sanity.ok) sane += 1;
        counts[`${line.kind}-${line.variant}`] = (counts[`${line.kind}-${line.variant}`] ?? 0) + 1;
        lines.push(JSON.stringify(line));
      } catch (error) {
        if (signal.aborted) throw error;
        // NOTE: one face the geometry cannot handle must not sink a data set; it is named and counted.
        failed += 1;
        log.warn(`skipped '${name}': ${(error as Error).message}`);
        lines.push(JSON.stringify({ source: name, error: (error as Error).message }));
      }
      if (writes.length >= MAX_PENDING_WRITES) await settleAll(writes);
    }
    await settleAll(writes);
    await writeFile(outputs.metadata, `${lines.join('\n')}\n`);
    const cell = Math.min(128, cells[0]?.width ?? 128);
    await writeFile(outputs.fitSheet, await encodeContactSheet(cells, { cell, columns: FIT_SHEET_COLUMNS }));
    const warped = names.length - failed - rejected;
    log.info(`warped ${warped} of ${names.length} faces (${refitted} refitted, ${rejected} rejected for a mask outside the face); ${sane} pass the placement check`);
    // NOTE: the label travels with the numbers, so no report can pass the stand-in off as real masks.
    const domain = params.style === 'realistic' ? 'stand-in real masks (rendered, not photos)' : 'rule-based fake masks';
    const fit = { maxOutsideShare: params.maxOutsideShare, median: quantile(shares, 0.5), p95: quantile(shares, 0.95), over, refitted, rejected };
    return { metrics: { warp: { domain, images: names.length, warped, failed, placementOk: sane, placementRate: Math.round((sane / Math.max(1, warped)) * 1e4) / 1e4, fit, ...counts } } };
  },
});

/** Crops being encoded and written at most at a time, before the loop waits for them. */
const MAX_PENDING_WRITES = 32;

/**
 * Warps one drawn face at lateral scales REFIT_SCALES until the mask fits the face outline; returns the
 * metadata line, the composite (RGB), region map and coverage (1 channel each) of the last try, and how
 * many tries it took. The photo, the drawn mask and its colour match are made once; a try only moves the anchors.
 */
function fitOne(drawn: Awaited<ReturnType<typeof drawMask>>, landmarks: Landmarks68, params: Settings) {
  const first = warpAt(drawn, landmarks, params, REFIT_SCALES[0]);
  let last = first;
  let tries = 1;
  // NOTE: maxOutsideShare 1 passes every mask, so the refit is off and the stage warps as MaskTheFace does.
  while (!last.line.sanity.fitsFace && tries < REFIT_SCALES.length) {
    last = warpAt(drawn, landmarks, params, REFIT_SCALES[tries]!);
    tries += 1;
  }
  const fit = { outsideShare: last.line.sanity.outsideShare, lateralScale: REFIT_SCALES[tries - 1]!, tries, ...(tries > 1 ? { firstOutsideShare: first.line.sanity.outsideShare } : {}) };
  return { line: { ...last.line, fit }, composite: last.composite, region: last.region, coverage: last.coverage, tries };
}

/** What every try on one face shares: the photo, its anchors and tilt, the drawn mask, and where the seeded generator stood after drawing it. */
async function drawMask(name: string, landmarks: Landmarks68, params: Settings, seed: number, facesDir: string) {
  const rng = createRng(deriveSeed(seed, name));
  const face = await readRgb(join(facesDir, name));
  const anchors = computeMaskAnchors(landmarks, face.width);
  const tilt = computeTilt(landmarks);
  const variant = chooseTemplateVariant(tilt, params.tiltThreshold);
  const kind = rng.pick(params.kinds);
  const mask = await renderMask(kind, variant, rng, { colours: params.colours, textures: params.textures, realistic: params.style === 'realistic' });
  const template = applyColourMatch(mask.image, face, landmarks, params.colourMatch);
  return { name, face, anchors, tilt, variant, kind, mask, template, rngState: rng.getState() };
}

/**
 * Warps the drawn mask with the face anchors narrowed to `scale` (mask-refit.ts); returns the metadata line,
 * the composite, the region map and the coverage. Every try continues the seeded generator from the same
 * place, so tries differ only in the anchors.
 */
function warpAt(drawn: Awaited<ReturnType<typeof drawMask>>, landmarks: Landmarks68, params: Settings, scale: number) {
  const { name, face, tilt, variant, kind, mask, template } = drawn;
  const rng = restoreRng(drawn.rngState);
  const anchors = narrowAnchors(drawn.anchors, scale);
  const order = ['a', 'b', 'c', 'f', 'e', 'd'] as const; // MaskTheFace's correspondence order
  const h = fitHomography(order.map((k) => mask.anchors[k]), order.map((k) => anchors[k]));
  const { composite, region, coverage, photoMatch } = warpOntoImage(face, template, h, { alphaThreshold: params.alphaThreshold, photoMatch: { mode: 'measure', faceBox: faceBox(landmarks, face), rng } });
  const sanity = checkMaskPlacement(region, landmarks, { maxOutsideShare: params.maxOutsideShare, coverage });
  return { line: { source: name, kind, variant, tilt: Math.round(tilt * 100) / 100, style: mask.style, ...(mask.note === undefined ? {} : { styleNote: mask.note }), photoMatch, anchors: roundAnchors(anchors), sanity }, composite, region, coverage };
}

/** The q-quantile of `values` by nearest rank, rounded to 4 decimals; null when there are none. */
function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  return Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! * 1e4) / 1e4;
}

function roundAnchors(anchors: MaskAnchors): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(anchors).map(([k, [x, y]]) => [k, [Math.round(x * 100) / 100, Math.round(y * 100) / 100]]));
}
