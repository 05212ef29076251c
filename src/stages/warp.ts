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
 * the outline in red. Faces are warped on `ctx.cpus` worker threads (vision/warp-face.ts, one face per
 * task, each seeded by its file name), so the outputs are the same bytes on any number of threads.
 */
import { writeFile } from 'node:fs/promises';
import { Defaulted, defineStage, dir, file, Seed, Type, type Static } from '../dsl/index.js';
import { encodeContactSheet, type RawImage } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { mapOnThreads, taskModule, threadsFor } from '../kit/worker-pool.js';
import { readKeptLandmarks } from '../vision/face-manifest.js';
import { DEFAULT_MAX_OUTSIDE_SHARE } from '../vision/mask-sanity.js';
import { MASK_KINDS } from '../vision/masks/templates.js';
import { TEXTURE_KINDS } from '../vision/masks/textures.js';
import { REFIT_SCALES, warpFace, type WarpFaceContext, type WarpFaceItem, type WarpFaceResult } from '../vision/warp-face.js';

export { REFIT_SCALES };

const MaskKind = Type.Union(MASK_KINDS.map((k) => Type.Literal(k)));

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
  // faces are warped on worker threads (`ctx.cpus` of them, at most one per FACES_PER_THREAD faces)
  resources: { cpus: 4 },
  async run({ params, inputs, outputs, seed, log, signal, cpus }) {
    const landmarksByFile = await readKeptLandmarks(inputs.manifest);
    const names = (await listImages(inputs.faces)).filter((n) => landmarksByFile.has(n));
    if (names.length === 0) throw new Error(`expected faces in '${inputs.faces}' listed as kept in the manifest, received none`);
    const { kinds, colours, textures, style, tiltThreshold, colourMatch, alphaThreshold, maxOutsideShare } = params;
    const context: WarpFaceContext = {
      settings: { kinds, colours, textures, style, tiltThreshold, colourMatch, alphaThreshold, maxOutsideShare },
      seed,
      facesDir: inputs.faces,
      maskedDir: outputs.masked,
      regionsDir: outputs.regions,
    };
    const items: WarpFaceItem[] = names.map((name, index) => ({ name, landmarks: landmarksByFile.get(name)!, sheetCell: index < params.fitSheetFaces }));
    const threads = threadsFor(items.length, cpus, FACES_PER_THREAD);
    const results = await mapOnThreads<WarpFaceContext, WarpFaceItem, WarpFaceResult>(items, { module: WARP_FACE_TASK, exportName: warpFace.name, context, threads, signal });
    const lines: string[] = [];
    const counts: Record<string, number> = {};
    const shares: number[] = []; // final outside share of every face written
    const cells: RawImage[] = []; // fit sheet, [height, width, 3] each
    let [sane, failed, over, refitted, rejected] = [0, 0, 0, 0, 0];
    for (const result of results) {
      lines.push(JSON.stringify(result.line));
      if (result.status === 'failed') {
        failed += 1;
        log.warn(`skipped '${result.name}': ${result.error}`);
        continue;
      }
      if (result.cell) cells.push(result.cell);
      if (result.tries > 1 || result.status === 'rejected') over += 1;
      if (result.status === 'rejected') {
        rejected += 1;
        log.warn(`rejected '${result.name}': ${Math.round(result.outsideShare * 1000) / 10} % of the mask lies outside the face outline after ${result.tries} tries (most allowed ${Math.round(maxOutsideShare * 1000) / 10} %)`);
        continue;
      }
      if (result.tries > 1) refitted += 1;
      shares.push(result.outsideShare);
      if (result.placementOk) sane += 1;
      counts[result.template] = (counts[result.template] ?? 0) + 1;
    }
    await writeFile(outputs.metadata, `${lines.join('\n')}\n`);
    const cell = Math.min(128, cells[0]?.width ?? 128);
    await writeFile(outputs.fitSheet, await encodeContactSheet(cells, { cell, columns: FIT_SHEET_COLUMNS }));
    const warped = names.length - failed - rejected;
    log.info(`warped ${warped} of ${names.length} faces (${refitted} refitted, ${rejected} rejected for a mask outside the face) on ${threads} thread${threads === 1 ? '' : 's'}; ${sane} pass the placement check`);
    // NOTE: the label travels with the numbers, so no report can pass the stand-in off as real masks.
    const domain = params.style === 'realistic' ? 'stand-in real masks (rendered, not photos)' : 'rule-based fake masks';
    const fit = { maxOutsideShare, median: quantile(shares, 0.5), p95: quantile(shares, 0.95), over, refitted, rejected };
    return { metrics: { warp: { domain, images: names.length, warped, failed, placementOk: sane, placementRate: Math.round((sane / Math.max(1, warped)) * 1e4) / 1e4, fit, ...counts } } };
  },
});

/** The per-face task the threads run (imported statically above too, so the code fingerprint covers it). */
const WARP_FACE_TASK = taskModule('../vision/warp-face', import.meta.url);

/** Fewest faces worth a thread of their own (a worker starts in about 0.3 s; a face takes about 40 ms). */
const FACES_PER_THREAD = 16;

/** The q-quantile of `values` by nearest rank, rounded to 4 decimals; null when there are none. */
function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  return Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! * 1e4) / 1e4;
}
