/**
 * Matches a mask template's brightness and saturation to the face it goes on. MaskTheFace measures the
 * whole image and uses mean V for S; here the reference is the face region (the landmarks' bounding
 * box) and S is matched to S, V to V.
 */
import { matchBrightnessSaturation, meanHsvInBox } from './colour-match.js';
import type { Box, Landmarks68, RawImage } from './types.js';

/** The template with V and S moved toward the face region's means by `strength` (0 = unchanged). */
export function applyColourMatch(template: RawImage, face: RawImage, landmarks: Landmarks68, strength: number): RawImage {
  if (strength <= 0) return template;
  return matchBrightnessSaturation(template, meanHsvInBox(face, faceBox(landmarks, face)), strength);
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
