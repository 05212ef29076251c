/**
 * `warp`: rule-based mask warping (MaskTheFace's geometry, the project's own templates). For each aligned
 * face: six anchors from its 68 landmarks, the left/right template when the head tilts beyond the
 * threshold, a mask kind, colour and texture drawn from a per-image seed, brightness and saturation
 * matched to the face region, a least-squares homography from the template's six anchors, and an
 * anti-aliased composite. Writes the masked face, the mask-region map (255 inside the mask) and one
 * metadata line per image, including a geometric sanity check.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Defaulted, defineStage, dir, file, Seed, Type, type RunParams, type Static } from '../dsl/index.js';
import { checkMaskPlacement } from '../vision/mask-sanity.js';
import { applyColourMatch, faceBox } from '../vision/mask-colour.js';
import { readKeptLandmarks } from '../vision/face-manifest.js';
import { chooseTemplateVariant, computeMaskAnchors, computeTilt } from '../vision/face-geometry.js';
import { fitHomography } from '../vision/homography.js';
import { encodePng, readRgb } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { MASK_KINDS } from '../vision/masks/templates.js';
import { TEXTURE_KINDS } from '../vision/masks/textures.js';
import { renderMask } from '../vision/mask-render.js';
import { createRng, deriveSeed } from '../kit/prng.js';
import type { Landmarks68, MaskAnchors } from '../vision/types.js';
import { warpOntoImage } from '../vision/warp-template.js';

const MaskKind = Type.Union(MASK_KINDS.map((k) => Type.Literal(k)));

export const params = Type.Object({
  seed: Type.Ref(Seed),
  kinds: Defaulted(Type.Array(MaskKind, { minItems: 1, uniqueItems: true, description: 'mask kinds drawn from, uniformly per image' }), [...MASK_KINDS]),
  colours: Type.Optional(Type.Array(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }), { minItems: 1, description: 'mask colours drawn from @default the built-in palette' })),
  textures: Type.Optional(Type.Array(Type.Union(TEXTURE_KINDS.map((k) => Type.Literal(k))), { minItems: 1, uniqueItems: true, description: 'texture kinds drawn from @default all, plain and non-woven more often' })),
  style: Defaulted(Type.Union([Type.Literal('plain'), Type.Literal('realistic')], { description: "'realistic' is the demo's stand-in for real masks: shading, folds, straps, soft edges" }), 'plain'),
  tiltThreshold: Defaulted(Type.Number({ minimum: 0, maximum: 90, description: 'degrees of tilt beyond which the left/right template is used' }), 13),
  colourMatch: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'how far brightness and saturation move toward the face region' }), 1),
  alphaThreshold: Defaulted(Type.Integer({ minimum: 1, maximum: 255, description: 'coverage (0..255) at or above which a pixel is in the region map; 1 = every pixel the mask touches, so the NMC loss never guards a pixel the warp changed' }), 1),
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
    metadata: file({ fileName: 'metadata.jsonl', description: 'template, colour, texture, anchors, sanity per image' }),
  },
  metrics: ['warp'],
  async run({ params, inputs, outputs, seed, log, signal }) {
    const landmarksByFile = await readKeptLandmarks(inputs.manifest);
    const names = (await listImages(inputs.faces)).filter((n) => landmarksByFile.has(n));
    if (names.length === 0) throw new Error(`expected faces in '${inputs.faces}' listed as kept in the manifest, received none`);
    const lines: string[] = [];
    const counts: Record<string, number> = {};
    let sane = 0;
    let failed = 0;
    for (const name of names) {
      signal.throwIfAborted();
      try {
        const line = await warpOne(name, landmarksByFile.get(name)!, params, seed, inputs.faces, outputs);
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
    }
    await writeFile(outputs.metadata, `${lines.join('\n')}\n`);
    const warped = names.length - failed;
    log.info(`warped ${warped} of ${names.length} faces; ${sane} pass the placement check`);
    // NOTE: the label travels with the numbers, so no report can pass the stand-in off as real masks.
    const domain = params.style === 'realistic' ? 'stand-in real masks (rendered, not photos)' : 'rule-based fake masks';
    return { metrics: { warp: { domain, images: names.length, warped, failed, placementOk: sane, placementRate: Math.round((sane / Math.max(1, warped)) * 1e4) / 1e4, ...counts } } };
  },
});

/** Warps one face and writes its masked image and region map; returns its metadata line. */
async function warpOne(name: string, landmarks: Landmarks68, params: Settings, seed: number, facesDir: string, outputs: { masked: string; regions: string }) {
  const rng = createRng(deriveSeed(seed, name));
  const face = await readRgb(join(facesDir, name));
  const anchors = computeMaskAnchors(landmarks, face.width);
  const tilt = computeTilt(landmarks);
  const variant = chooseTemplateVariant(tilt, params.tiltThreshold);
  const kind = rng.pick(params.kinds);
  const mask = await renderMask(kind, variant, rng, { colours: params.colours, textures: params.textures, realistic: params.style === 'realistic' });
  const template = applyColourMatch(mask.image, face, landmarks, params.colourMatch);
  const order = ['a', 'b', 'c', 'f', 'e', 'd'] as const; // MaskTheFace's correspondence order
  const h = fitHomography(order.map((k) => mask.anchors[k]), order.map((k) => anchors[k]));
  const { composite, region, photoMatch } = warpOntoImage(face, template, h, { alphaThreshold: params.alphaThreshold, photoMatch: { mode: 'measure', faceBox: faceBox(landmarks, face), rng } });
  await writeFile(join(outputs.masked, name), await encodePng(composite));
  await writeFile(join(outputs.regions, name), await encodePng(region));
  const sanity = checkMaskPlacement(region, landmarks);
  return { source: name, kind, variant, tilt: Math.round(tilt * 100) / 100, style: mask.style, ...(mask.note === undefined ? {} : { styleNote: mask.note }), photoMatch, anchors: roundAnchors(anchors), sanity };
}

function roundAnchors(anchors: MaskAnchors): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(anchors).map(([k, [x, y]]) => [k, [Math.round(x * 100) / 100, Math.round(y * 100) / 100]]));
}
