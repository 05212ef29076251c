/**
 * Matches a mask template's brightness and saturation to the light on the face it goes on. MaskTheFace
 * measures the whole image and uses mean V for S; here the reference is the face region (the landmarks'
 * bounding box) and S is matched to S, V to V — relative to well-lit skin, so that a black mask on a
 * bright face stays black while every mask on a dim, washed-out face gets dim and washed out too.
 */
import { matchBrightnessSaturation, meanHsvInBox, meanOpaqueSv } from './colour-match.js';
import type { Box, Landmarks68, RawImage } from './types.js';

/** Mean V and S of evenly lit skin in an ordinary photo (0..1): the lighting the templates assume. */
export const REFERENCE_SKIN = { v: 0.72, s: 0.33 } as const;

/** The template with V and S scaled by the face's lighting relative to REFERENCE_SKIN, by `strength`. */
export function applyColourMatch(template: RawImage, face: RawImage, landmarks: Landmarks68, strength: number): RawImage {
  if (strength <= 0) return template;
  const skin = meanHsvInBox(face, faceBox(landmarks, face));
  const mask = meanOpaqueSv(template);
  if (mask === null) return template;
  const target = {
    v: Math.min(1, (mask.v * skin.v) / REFERENCE_SKIN.v),
    s: Math.min(1, (mask.s * skin.s) / REFERENCE_SKIN.s),
  };
  return matchBrightnessSaturation(template, target, strength, mask);
}

/** The landmarks' bounding box, clamped to the image. */
export function faceBox(landmarks: Landmarks68, image: { width: number; height: number }): Box {
  const xs = landmarks.map(([x]) => x);
  const ys = landmarks.map(([, y]) => y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const x1 = Math.min(image.width, Math.ceil(Math.max(...xs)));
  const y1 = Math.min(image.height, Math.ceil(Math.max(...ys)));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}
