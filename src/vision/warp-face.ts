/**
 * One face through `warp`, as a task for worker threads (kit/worker-pool.ts): read the aligned face, draw
 * its mask from the face's own seeded generator (kind, colour, texture), match brightness and saturation
 * to the face region, fit a homography from the template's six anchors to the face's, composite with
 * blur and noise matched to the face, check the placement and the fit (the share of the mask outside the
 * face outline), and refit — the face anchors narrowed to REFIT_SCALES in turn — while the mask is over
 * `maxOutsideShare`. A mask that fits is written (composite and region map, PNG); the metadata line, the
 * fit and, for the first faces, the fit-sheet cell come back to the stage. Everything depends on the
 * settings, the seed and the face alone, so any thread gives the same bytes. A face the geometry cannot
 * handle comes back as failed with the reason, never as a thrown error.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng, readRgb, type RawImage } from '../kit/image-io.js';
import { createRng, deriveSeed, restoreRng } from '../kit/prng.js';
import { chooseTemplateVariant, computeMaskAnchors, computeTilt } from './face-geometry.js';
import { paintFitHeat } from './fit-heat.js';
import { fitHomography } from './homography.js';
import { applyColourMatch, faceBox } from './mask-colour.js';
import { FIT_COVERAGE } from './mask-fit.js';
import { narrowAnchors } from './mask-refit.js';
import { renderMask } from './mask-render.js';
import { checkMaskPlacement } from './mask-sanity.js';
import type { MaskKind } from './masks/templates.js';
import type { TextureSpec } from './masks/textures.js';
import type { Landmarks68, MaskAnchors } from './types.js';
import { warpOntoImage } from './warp-template.js';

/**
 * Lateral scales of the face anchors a refit tries, in order (1 = MaskTheFace's anchors): the first that
 * fits is kept, so a mask narrows no more than it must, and a face takes at most four warps.
 */
export const REFIT_SCALES = [1, 0.9, 0.8, 0.7] as const;

/** What every face of one `warp` run shares: its params, seed and folders. */
export interface WarpFaceContext {
  readonly settings: {
    readonly kinds: readonly MaskKind[];
    readonly colours?: readonly string[] | undefined;
    readonly textures?: readonly TextureSpec['kind'][] | undefined;
    readonly style: 'plain' | 'realistic';
    readonly tiltThreshold: number;
    readonly colourMatch: number;
    readonly alphaThreshold: number;
    readonly maxOutsideShare: number;
  };
  readonly seed: number;
  /** aligned faces to read */
  readonly facesDir: string;
  /** where the masked faces and the region maps go */
  readonly maskedDir: string;
  readonly regionsDir: string;
}

/** One face: its file name, its landmarks in the crop, and whether it gets a fit-sheet cell. */
export interface WarpFaceItem {
  readonly name: string;
  readonly landmarks: Landmarks68;
  readonly sheetCell: boolean;
}

/** What became of one face. */
export type WarpFaceResult =
  | {
      /** 'warped': written; 'rejected': over `maxOutsideShare` after every refit, nothing written */
      readonly status: 'warped' | 'rejected';
      readonly name: string;
      /** the metadata line (with `rejected` for a rejected face) */
      readonly line: Record<string, unknown>;
      /** the mask's share outside the face outline, last try */
      readonly outsideShare: number;
      readonly tries: number;
      readonly placementOk: boolean;
      /** `<kind>-<variant>`, for the metrics' counts */
      readonly template: string;
      /** the fit-sheet cell (RGB), when asked for */
      readonly cell?: RawImage;
    }
  | { readonly status: 'failed'; readonly name: string; readonly line: Record<string, unknown>; readonly error: string };

/** The task `warp` runs on its threads: one face, written when it fits. */
export async function warpFace(context: WarpFaceContext, item: WarpFaceItem): Promise<WarpFaceResult> {
  const { name, landmarks } = item;
  let fitted;
  try {
    fitted = fitOne(await drawMask(name, landmarks, context), landmarks, context.settings);
  } catch (error) {
    // NOTE: one face the geometry cannot handle (or an unreadable crop) must not sink a data set; it is
    // named and counted. Failing to write an output is not this: that fails the stage.
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'failed', name, line: { source: name, error: message }, error: message };
  }
  const { line, composite, region, coverage, tries } = fitted;
  const { sanity } = line;
  const cell = item.sheetCell ? paintFitHeat(composite, coverage, landmarks, { outsideShare: sanity.outsideShare, maxOutsideShare: context.settings.maxOutsideShare, threshold: FIT_COVERAGE }) : undefined;
  const common = { name, outsideShare: sanity.outsideShare, tries, placementOk: sanity.ok, template: `${line.kind}-${line.variant}`, ...(cell ? { cell } : {}) };
  if (!sanity.fitsFace) return { status: 'rejected', line: { ...line, rejected: 'mask-outside-face' }, ...common };
  const [masked, regionPng] = await Promise.all([encodePng(composite), encodePng(region, { flat: true })]);
  await Promise.all([writeFile(join(context.maskedDir, name), masked), writeFile(join(context.regionsDir, name), regionPng)]);
  return { status: 'warped', line, ...common };
}

/**
 * Warps one drawn face at lateral scales REFIT_SCALES until the mask fits the face outline; returns the
 * metadata line, the composite (RGB), region map and coverage (1 channel each) of the last try, and how
 * many tries it took. The photo, the drawn mask and its colour match are made once; a try only moves the anchors.
 */
function fitOne(drawn: DrawnMask, landmarks: Landmarks68, settings: WarpFaceContext['settings']) {
  const first = warpAt(drawn, landmarks, settings, REFIT_SCALES[0]);
  let last = first;
  let tries = 1;
  // NOTE: maxOutsideShare 1 passes every mask, so the refit is off and the stage warps as MaskTheFace does.
  while (!last.line.sanity.fitsFace && tries < REFIT_SCALES.length) {
    last = warpAt(drawn, landmarks, settings, REFIT_SCALES[tries]!);
    tries += 1;
  }
  const fit = { outsideShare: last.line.sanity.outsideShare, lateralScale: REFIT_SCALES[tries - 1]!, tries, ...(tries > 1 ? { firstOutsideShare: first.line.sanity.outsideShare } : {}) };
  return { line: { ...last.line, fit }, composite: last.composite, region: last.region, coverage: last.coverage, tries };
}

type DrawnMask = Awaited<ReturnType<typeof drawMask>>;

/** What every try on one face shares: the photo, its anchors and tilt, the drawn mask, and where the seeded generator stood after drawing it. */
async function drawMask(name: string, landmarks: Landmarks68, context: WarpFaceContext) {
  const { settings } = context;
  const rng = createRng(deriveSeed(context.seed, name));
  const face = await readRgb(join(context.facesDir, name));
  const anchors = computeMaskAnchors(landmarks, face.width);
  const tilt = computeTilt(landmarks);
  const variant = chooseTemplateVariant(tilt, settings.tiltThreshold);
  const kind = rng.pick(settings.kinds);
  const mask = await renderMask(kind, variant, rng, { colours: settings.colours, textures: settings.textures, realistic: settings.style === 'realistic' });
  const template = applyColourMatch(mask.image, face, landmarks, settings.colourMatch);
  return { name, face, anchors, tilt, variant, kind, mask, template, rngState: rng.getState() };
}

/**
 * Warps the drawn mask with the face anchors narrowed to `scale` (mask-refit.ts); returns the metadata line,
 * the composite, the region map and the coverage. Every try continues the seeded generator from the same
 * place, so tries differ only in the anchors.
 */
function warpAt(drawn: DrawnMask, landmarks: Landmarks68, settings: WarpFaceContext['settings'], scale: number) {
  const { name, face, tilt, variant, kind, mask, template } = drawn;
  const rng = restoreRng(drawn.rngState);
  const anchors = narrowAnchors(drawn.anchors, scale);
  const order = ['a', 'b', 'c', 'f', 'e', 'd'] as const; // MaskTheFace's correspondence order
  const h = fitHomography(order.map((k) => mask.anchors[k]), order.map((k) => anchors[k]));
  const { composite, region, coverage, photoMatch } = warpOntoImage(face, template, h, { alphaThreshold: settings.alphaThreshold, photoMatch: { mode: 'measure', faceBox: faceBox(landmarks, face), rng } });
  const sanity = checkMaskPlacement(region, landmarks, { maxOutsideShare: settings.maxOutsideShare, coverage });
  return { line: { source: name, kind, variant, tilt: Math.round(tilt * 100) / 100, style: mask.style, ...(mask.note === undefined ? {} : { styleNote: mask.note }), photoMatch, anchors: roundAnchors(anchors), sanity }, composite, region, coverage };
}

function roundAnchors(anchors: MaskAnchors): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(anchors).map(([k, [x, y]]) => [k, [Math.round(x * 100) / 100, Math.round(y * 100) / 100]]));
}
