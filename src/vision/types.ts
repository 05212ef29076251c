/**
 * The plain data the vision code passes around: points, 68-point landmarks (iBUG/dlib layout), images
 * as raw interleaved pixel buffers, and the six MaskTheFace anchors a..f. Types only, no runtime code.
 */

/** [x, y] in pixels, origin top-left, x right, y down. */
export type Point = readonly [x: number, y: number];

/** 68 points in the iBUG-68 layout: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, lips 48–67. */
export type Landmarks68 = readonly Point[];

/** Raw interleaved pixels (defined with the image codec in kit, where gan reads it too). */
export type { RawImage } from '../kit/image-io.js';

/** An axis-aligned box in pixels. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A detector's answer: a box in image pixels and its score in [0, 1]. */
export interface ScoredBox {
  readonly score: number;
  readonly box: Box;
}

/**
 * MaskTheFace's six anchors. On a face: b top centre (mid nose bridge), a/c upper cheeks, d/f lower
 * cheeks, e chin. On a template: the same six places on the mask drawing. Left/right are image left/right.
 */
export interface MaskAnchors {
  readonly a: Point;
  readonly b: Point;
  readonly c: Point;
  readonly d: Point;
  readonly e: Point;
  readonly f: Point;
}

/** Which template variant a head pose calls for (MaskTheFace: tilt beyond ±13°). */
export type TemplateVariant = 'frontal' | 'left' | 'right';
