/**
 * `filter`: face photos → aligned face crops. Detects faces (face-api's SSD, or its Tiny Face Detector) and 68
 * landmarks (models shipped in the npm package, on the selected TensorFlow backend, 16 photos per detector
 * pass while the next 16 are decoded; a photo where none is found is tried once more padded, for tight face
 * crops), keeps the faces that pass the configured rules — faces per photo, face size, yaw and roll from
 * landmarks, the share of the aligned crop outside the photo, sharpness (variance of the Laplacian),
 * exposure, the optional "mask present" rule, near-duplicates by perceptual hash — and aligns each kept face
 * (eyes to canonical positions; where the crop leaves the photo, a fill that invents no structure). Every
 * photo and face gets a manifest line saying what happened and why; rejects are shown on one contact sheet
 * per reason. Unreadable files are rejected, never fatal. The rules run on `ctx.cpus − 1` worker threads
 * while the detector runs on the next batch here; the duplicate rule and the outputs follow photo order, so
 * the outputs are the same bytes on any number of cores.
 */
import { writeFile } from 'node:fs/promises';
import { join, parse } from 'node:path';
import { Defaulted, defineStage, dir, file, ImageSize, TENSORFLOW, Type, type Static } from '../dsl/index.js';
import { DEFAULT_BORDER } from '../vision/affine-warp.js';
import { DEFAULT_DETECT_SIZE } from '../vision/ssd-detector.js';
import { judgeDuplicate, judgeFacesTask, MAX_OUTSIDE_SHARE, type FaceRuleParams, type FaceVerdict } from '../vision/face-rules.js';
import type { DetectedFace } from '../vision/faces.js';
import { writeManifest, type ManifestEntry } from '../vision/face-manifest.js';
import { cropRaw, encodeContactSheet, encodePng, readRgb } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { settleAll } from '../kit/settle.js';
import { taskModule, ThreadPool } from '../kit/worker-pool.js';
import type { RawImage } from '../vision/types.js';

/**
 * The Tiny Face Detector's largest input side for face photos. On 200 tight face crops (retry pad 1) the
 * largest side 224, 256, 320, 416 kept 114, 105, 103, 91 faces: a padded retry finds more at a small side.
 */
const TINY_DETECT_SIZE = 224;

export const params = Type.Object({
  size: Type.Ref(ImageSize),
  facesPerPhoto: Defaulted(Type.Union([Type.Literal('one'), Type.Literal('all')], { description: "'one': a photo must hold exactly one face; 'all': every qualifying face becomes a crop" }), 'one'),
  detector: Defaulted(
    Type.Union([Type.Literal('ssd'), Type.Literal('tiny')], {
      description: "'ssd': face-api's SSD MobileNet v1 (finds masked and small faces too); 'tiny': its Tiny Face Detector, about 4x faster, as good on unmasked face photos but misses many masked faces (README)",
    }),
    'ssd',
  ),
  minScore: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'face detector score threshold' }), 0.5),
  detectPad: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'pad the photo by this fraction per side (edge pixels) before detecting, for tight face crops' }), 0),
  detectSize: Defaulted(Type.Integer({ minimum: 128, maximum: 1024, multipleOf: 32, description: "SSD's input side, px: each photo is letterboxed and resized to it (face-api's SSD was trained at 512; smaller is faster)" }), DEFAULT_DETECT_SIZE),
  tinyDetectSize: Defaulted(
    Type.Integer({
      minimum: 160,
      maximum: 1024,
      multipleOf: 32,
      description: "the Tiny Face Detector's largest input side, px: a photo runs at its own longer side rounded up to a multiple of 32, from 160 up to this (416: faces filling under half of a larger photo)",
    }),
    TINY_DETECT_SIZE,
  ),
  detectRetryPad: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'when no face is found, detect once more with this pad (serves scenes and tight crops alike); equal to detectPad: no retry' }), 1),
  minFaceSize: Defaulted(Type.Integer({ minimum: 8, description: 'smallest face box side, px in the photo' }), 64),
  maxYaw: Defaulted(Type.Number({ minimum: 0, maximum: 90, description: 'largest |yaw| estimated from landmarks, degrees' }), 30),
  maxRoll: Defaulted(Type.Number({ minimum: 0, maximum: 90, description: 'largest |roll| (eye-line angle), degrees' }), 25),
  maxOutsideShare: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'largest share of the aligned crop outside the photo (filled by the border rule, not photographed); 1 keeps all' }), MAX_OUTSIDE_SHARE),
  minSharpness: Defaulted(Type.Number({ minimum: 0, description: 'smallest variance of the Laplacian of the face aligned at 64x64 gray (sharp faces: 500-9000; blurred: under 250)' }), 250),
  exposure: Defaulted(
    Type.Object({
      minMean: Defaulted(Type.Number({ minimum: 0, maximum: 255 }), 40),
      maxMean: Defaulted(Type.Number({ minimum: 0, maximum: 255 }), 220),
      maxClipped: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'largest fraction of pixels ≤ 5 or ≥ 250' }), 0.25),
    }),
    {}, // NOTE: ajv then fills each field of the empty object from its own default
  ),
  duplicateHamming: Defaulted(Type.Integer({ minimum: -1, maximum: 64, description: 'a crop within this pHash Hamming distance of a kept crop is a duplicate; -1 keeps duplicates' }), 6),
  mask: Defaulted(Type.Union([Type.Literal('ignore'), Type.Literal('require'), Type.Literal('reject')], { description: "'require': keep only faces whose nose and mouth are covered (real-mask domain); 'reject': keep only uncovered faces" }), 'ignore'),
  eyeY: Defaulted(Type.Number({ minimum: 0.1, maximum: 0.9, description: 'eye height in the crop, fraction of size' }), 0.4),
  eyeDistance: Defaulted(Type.Number({ minimum: 0.1, maximum: 0.9, description: 'distance between eye centres, fraction of size' }), 0.36),
  border: Defaulted(
    Type.Union([Type.Literal('blur'), Type.Literal('mean'), Type.Literal('edge'), Type.Literal('reflect'), Type.Literal('black')], {
      description: "fill where the crop leaves the photo: 'blur' edge pixels averaged wider the farther out, 'mean' the photo's mean colour, 'edge' the edge pixel, 'reflect' mirrored content (invents face parts in tight crops), 'black'",
    }),
    DEFAULT_BORDER,
  ),
  rejectSheetLimit: Defaulted(Type.Integer({ minimum: 0, maximum: 1024, description: 'most thumbnails per reject sheet' }), 48),
});
export type Params = Static<typeof params>;

export const filter = defineStage({
  id: 'filter',
  description: 'face photos → aligned face crops, with a manifest of what was kept and why the rest was not',
  params,
  inputs: { photos: dir('folder of photos') },
  outputs: {
    aligned: dir('aligned face crops, PNG'),
    manifest: file({ fileName: 'manifest.jsonl', description: 'one JSON line per photo or face' }),
    rejects: dir('one contact sheet per reject reason'),
  },
  // Detection runs on TensorFlow: other float kernels (deterministic mode vs oneDNN, bench/recompute.ts) moved
  // the manifest's scores by 1.25e-4 relative and no crop pixel by more than 8/255 (SSIM 1.0000). A face that
  // crosses a threshold is a missing or extra file, which diverges whatever the tolerance.
  tolerance: { relative: 1e-3, absolute: 1e-6, ssim: 0.999, changedPixels: 0.001 },
  resources: TENSORFLOW,
  metrics: ['counts'],
  // face-api is required by a computed name (its build matches the backend) and reads its model files from
  // its package folder, so the fingerprint is told about it; tfjs-core makes it record the backend.
  packages: ['@vladmandic/face-api', '@tensorflow/tfjs-core'],
  async run({ params, inputs, outputs, log, signal, tf, cpus }) {
    const { loadFaceModels, detectFacesBatch } = await import('../vision/faces.js');
    const models = await loadFaceModels({ tf, detector: params.detector });
    const entries: ManifestEntry[] = [];
    const rejects = new Map<string, RawImage[]>();
    const keptHashes: bigint[] = [];
    const writes: Promise<void>[] = []; // crops being encoded and written (sharp works off the main thread)
    const reject = (reason: string, thumb: RawImage | undefined): void => {
      const list = rejects.get(reason) ?? [];
      if (thumb && list.length < params.rejectSheetLimit) list.push(thumb);
      rejects.set(reason, list);
    };
    const names = await listImages(inputs.photos);
    const read = async (name: string): Promise<RawImage | undefined> => readRgb(join(inputs.photos, name)).catch(() => undefined);
    // The rules run on worker threads while this thread runs the detector on the next batch (TensorFlow
    // keeps its own pool busy); with one core they run here, each batch's before the next batch's detection.
    const judges = await ThreadPool.start<{ params: FaceRuleParams }, { photo: RawImage; faces: readonly DetectedFace[] }, FaceVerdict[]>({
      module: JUDGE_TASK,
      exportName: judgeFacesTask.name,
      context: { params },
      threads: Math.max(1, cpus - 1),
      inWorkers: cpus > 1,
      // NOTE: a whole batch in flight: this thread hands out the next item only between detector ops, and
      // with 2 at a time the judges sat idle through most of each pass (1.1 s of 6.5 s waited for them).
      inFlight: DETECT_BATCH,
      signal,
    });
    /**
     * Manifest lines, reject thumbnails and crop writes of one detected batch, in photo order. The crops of
     * the batch before, encoded and written during this batch's detector pass, are waited for first.
     */
    const settle = async (batch: JudgedBatch): Promise<void> => {
      await settleAll(writes);
      for (const [i, name] of batch.names.entries()) {
        const photo = batch.photos[i];
        if (photo === undefined) {
          entries.push({ source: name, face: null, status: 'rejected', reason: 'unreadable' });
          reject('unreadable', undefined);
          log.warn(`'${name}' is not a readable image; rejected`);
          continue;
        }
        const { faces, verdicts } = batch.judged[i]!;
        if (verdicts === undefined) {
          const reason = faces.length === 0 ? 'no-face' : 'several-faces';
          entries.push({ source: name, face: null, status: 'rejected', reason, scores: { faces: faces.length } });
          reject(reason, photo);
          continue;
        }
        const alone = await verdicts;
        for (const [index, face] of faces.entries()) {
          const verdict = judgeDuplicate(alone[index]!, params, keptHashes);
          const entry: ManifestEntry = { source: name, face: index, status: verdict.kept ? 'kept' : 'rejected', box: roundBox(face.box), scores: verdict.scores };
          if (verdict.aligned) entry.landmarks = verdict.aligned.landmarks.map(([x, y]) => [round2(x), round2(y)]);
          if (verdict.kept && verdict.aligned) {
            const output = `${parse(name).name}-${index}.png`;
            writes.push(encodePng(verdict.aligned.image).then((png) => writeFile(join(outputs.aligned, output), png)));
            keptHashes.push(verdict.hash!);
            entry.output = output;
          } else {
            entry.reason = verdict.reason!;
            reject(verdict.reason!, verdict.aligned?.image ?? cropRaw(photo, face.box));
          }
          entries.push(entry);
        }
      }
    };
    try {
      // Photos go through the detector DETECT_BATCH at a time; the next batch is decoded while this one
      // runs, and the faces of the one before are judged meanwhile.
      let decoding = Promise.all(names.slice(0, DETECT_BATCH).map(read));
      let previous: JudgedBatch | undefined;
      for (let start = 0; start < names.length; start += DETECT_BATCH) {
        signal.throwIfAborted();
        const batch = names.slice(start, start + DETECT_BATCH);
        const photos = await decoding;
        decoding = Promise.all(names.slice(start + DETECT_BATCH, start + 2 * DETECT_BATCH).map(read));
        const readable = photos.flatMap((photo) => (photo ? [photo] : []));
        const found = await detectFacesBatch(models, readable, {
          minScore: params.minScore,
          pad: params.detectPad,
          retryPad: params.detectRetryPad,
          inputSize: params.detectSize,
          tinyInputSize: params.tinyDetectSize,
        });
        let next = 0;
        const judged = photos.map((photo) => {
          if (photo === undefined) return undefined;
          const faces = found[next++]!;
          const judgeable = faces.length > 0 && (params.facesPerPhoto === 'all' || faces.length === 1);
          return { faces, verdicts: judgeable ? awaitedLater(judges.run({ photo, faces })) : undefined };
        });
        if (previous) await settle(previous);
        previous = { names: batch, photos, judged };
      }
      if (previous) await settle(previous);
      await settleAll(writes);
      await decoding;
    } finally {
      await judges.close();
      await Promise.allSettled(writes);
    }
    await writeManifest(outputs.manifest, entries);
    for (const [reason, thumbs] of rejects) {
      if (thumbs.length > 0) await writeFile(join(outputs.rejects, `${reason}.png`), await encodeContactSheet(thumbs, { cell: 96, columns: 8 }));
    }
    const counts = countByReason(entries, names.length);
    log.info(`kept ${counts.kept} faces from ${names.length} photos; rejected ${JSON.stringify(counts.rejected)}`);
    return { metrics: { counts } };
  },
});

/** How many photos go through the detector in one pass. */
const DETECT_BATCH = 16;

/** The rules' task for the worker threads (imported statically above too, so the code fingerprint covers it). */
const JUDGE_TASK = taskModule('../vision/face-rules', import.meta.url);

/** One detected batch: its photos (undefined: unreadable), and per readable photo its faces and, when the photo's face count qualifies, their verdicts to come. */
interface JudgedBatch {
  readonly names: readonly string[];
  readonly photos: readonly (RawImage | undefined)[];
  readonly judged: readonly ({ readonly faces: readonly DetectedFace[]; readonly verdicts: Promise<FaceVerdict[]> | undefined } | undefined)[];
}

/** `promise`, marked handled: it is awaited only after the next detector pass, and a rejection then still throws. */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function countByReason(entries: readonly ManifestEntry[], photos: number) {
  const rejected: Record<string, number> = {};
  for (const e of entries) if (e.status === 'rejected') rejected[e.reason ?? 'unknown'] = (rejected[e.reason ?? 'unknown'] ?? 0) + 1;
  return { photos, kept: entries.filter((e) => e.status === 'kept').length, rejected };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function roundBox(box: { x: number; y: number; width: number; height: number }) {
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}
