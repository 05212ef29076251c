/**
 * The `filter` stage's rules for one detected face, cheapest first: face size, head pose (yaw, roll)
 * from landmarks, the share of the aligned crop that lies outside the photo (filled, not photographed),
 * then on the aligned crop sharpness (variance of the Laplacian), exposure, the optional
 * mask-present rule, and near-duplicates against the crops already kept (perceptual hash). Returns the
 * verdict with every score it computed, so the manifest can say why. All rules but the last depend on the
 * face alone (`judgeFaceAlone`, which `filter` runs on worker threads while the detector works); the
 * duplicate rule runs after, in photo order.
 */
import { DEFAULT_BORDER, type BorderMode } from './affine-warp.js';
import { alignFace, type AlignedFace } from './align.js';
import { estimateRollDeg, estimateYawDeg } from './face-geometry.js';
import type { DetectedFace } from './faces.js';
import { estimateLowerFaceCovered } from './mask-rule.js';
import { exposureStats, hammingDistance, laplacianVariance, perceptualHash, toGray } from './quality.js';
import type { RawImage } from './types.js';

/** Side of the crop sharpness is measured on, px. */
export const SHARPNESS_SIZE = 64;

/** Default largest share of a crop outside the photo (see the README's face stages for the figures). */
export const MAX_OUTSIDE_SHARE = 0.3;

/** The params the rules read (the filter stage's params, defaults applied). */
export interface FaceRuleParams {
  size: number;
  minFaceSize?: number | undefined;
  maxYaw?: number | undefined;
  maxRoll?: number | undefined;
  /** largest share of the crop outside the photo, 0..1 */
  maxOutsideShare?: number | undefined;
  /** smallest variance of the Laplacian of the face aligned at SHARPNESS_SIZE² */
  minSharpness?: number | undefined;
  exposure?: { minMean: number; maxMean: number; maxClipped: number } | undefined;
  duplicateHamming?: number | undefined;
  mask?: 'ignore' | 'require' | 'reject' | undefined;
  eyeY?: number | undefined;
  eyeDistance?: number | undefined;
  border?: BorderMode | undefined;
}

export interface FaceVerdict {
  kept: boolean;
  /** why it was rejected: too-small, landmarks, pose, outside-photo, blurry, exposure, mask-missing, mask-present, duplicate */
  reason?: string;
  aligned?: AlignedFace;
  hash?: bigint;
  scores: Record<string, number | boolean>;
}

/** Applies every rule to `face` of `photo`; `keptHashes` are the pHashes of crops kept so far. */
export function judgeFace(photo: RawImage, face: DetectedFace, params: FaceRuleParams, keptHashes: readonly bigint[]): FaceVerdict {
  return judgeDuplicate(judgeFaceAlone(photo, face, params), params, keptHashes);
}

/**
 * Every rule but the near-duplicate one, which alone depends on the crops kept before: a function of the
 * photo, the face and the params, so faces can be judged on any thread in any order.
 */
export function judgeFaceAlone(photo: RawImage, face: DetectedFace, params: FaceRuleParams): FaceVerdict {
  const side = Math.min(face.box.width, face.box.height);
  const scores: Record<string, number | boolean> = { detection: round(face.score), faceSize: Math.round(side) };
  let yaw: number;
  let roll: number;
  try {
    yaw = estimateYawDeg(face.landmarks);
    roll = estimateRollDeg(face.landmarks);
  } catch {
    // e.g. the jaw's ends in the wrong order: the landmark net did not find a usable face
    return { kept: false, reason: 'landmarks', scores };
  }
  scores.yaw = round(yaw);
  scores.roll = round(roll);
  if (side < (params.minFaceSize ?? 64)) return { kept: false, reason: 'too-small', scores };
  if (Math.abs(yaw) > (params.maxYaw ?? 30) || Math.abs(roll) > (params.maxRoll ?? 25)) return { kept: false, reason: 'pose', scores };
  const aligned = alignFace(photo, face.landmarks, {
    size: params.size,
    eyeY: params.eyeY ?? 0.4,
    eyeDistance: params.eyeDistance ?? 0.36,
    border: params.border ?? DEFAULT_BORDER,
  });
  scores.outsideShare = Math.round(aligned.outsideShare * 10_000) / 10_000;
  if (aligned.outsideShare > (params.maxOutsideShare ?? MAX_OUTSIDE_SHARE)) return { kept: false, reason: 'outside-photo', aligned, scores };
  // NOTE: sharpness is measured on a small re-alignment, so an upscaled low-resolution face is not called
  // blurry for being upscaled; a blurred one stays blurred at any scale.
  const analysis = alignFace(photo, face.landmarks, { size: SHARPNESS_SIZE, eyeY: params.eyeY ?? 0.4, eyeDistance: params.eyeDistance ?? 0.36, border: 'edge' });
  const sharpness = laplacianVariance(toGray(analysis.image));
  const exposure = exposureStats(aligned.image);
  scores.sharpness = round(sharpness);
  scores.exposureMean = round(exposure.mean);
  scores.clipped = round(exposure.clippedDark + exposure.clippedBright);
  if (sharpness < (params.minSharpness ?? 250)) return { kept: false, reason: 'blurry', aligned, scores };
  const limits = params.exposure ?? { minMean: 40, maxMean: 220, maxClipped: 0.25 };
  if (exposure.mean < limits.minMean || exposure.mean > limits.maxMean || exposure.clippedDark + exposure.clippedBright > limits.maxClipped) {
    return { kept: false, reason: 'exposure', aligned, scores };
  }
  if ((params.mask ?? 'ignore') !== 'ignore') {
    const covered = estimateLowerFaceCovered(aligned.image, aligned.landmarks);
    scores.maskScore = round(covered.score);
    scores.masked = covered.covered;
    if (params.mask === 'require' && !covered.covered) return { kept: false, reason: 'mask-missing', aligned, scores };
    if (params.mask === 'reject' && covered.covered) return { kept: false, reason: 'mask-present', aligned, scores };
  }
  return { kept: true, aligned, hash: perceptualHash(aligned.image), scores };
}

/** The near-duplicate rule on a verdict of `judgeFaceAlone`: kept faces within the Hamming limit of a kept crop become duplicates. */
export function judgeDuplicate(verdict: FaceVerdict, params: FaceRuleParams, keptHashes: readonly bigint[]): FaceVerdict {
  const limit = params.duplicateHamming ?? 6;
  if (!verdict.kept || verdict.hash === undefined || limit < 0) return verdict;
  const nearest = keptHashes.reduce((best, other) => Math.min(best, hammingDistance(verdict.hash!, other)), 64);
  const scores = { ...verdict.scores, nearestHamming: nearest };
  return nearest <= limit ? { ...verdict, kept: false, reason: 'duplicate', scores } : { ...verdict, scores };
}

/** The task `filter` runs on its threads: every rule but the duplicate one, for each face of one photo (the photo is sent once). */
export async function judgeFacesTask(context: { params: FaceRuleParams }, item: { photo: RawImage; faces: readonly DetectedFace[] }): Promise<FaceVerdict[]> {
  return item.faces.map((face) => judgeFaceAlone(item.photo, face, context.params));
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
