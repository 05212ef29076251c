/**
 * The data a mask drawing is made of, before any colour: a body outline plus typed elements (bands,
 * facets, pleat folds, seams, straps, solid parts) and the six anchors a..f. Shape builders (surgical.ts,
 * n95.ts, kn95.ts, cloth.ts) write a `FrontalShape` in frontal coordinates (x = 0 on the face's centre
 * line, y down from the top, pixels); projection.ts turns it into a `ProjectedShape` on a canvas for one
 * variant; the plain and the realistic renderers both paint a `ProjectedShape`. Types only.
 */
import type { MaskAnchors, Point } from '../types.js';

/** How a line is painted: a seam (thin dark ridge), stitches (dashes), ultrasonic welds (dots), a nose wire (raised). */
export type LineStyle = 'seam' | 'stitch' | 'weld' | 'wire';

/** One drawable piece of a mask. Closed shapes list their outline once (no repeated first point). */
export type MaskElement =
  /** the fabric itself; exactly one per shape, everything else except straps is clipped to it */
  | { readonly role: 'body'; readonly points: readonly Point[] }
  /** a region drawn darker (tone < 0) or lighter (tone > 0), e.g. a hem or a side binding */
  | { readonly role: 'band'; readonly points: readonly Point[]; readonly tone: number }
  /** a flat panel whose normal is turned `yaw` radians from the viewer (negative = facing image left) */
  | { readonly role: 'facet'; readonly points: readonly Point[]; readonly yaw: number }
  /** a band of `width` pixels just inside the body outline (a rolled or welded edge) */
  | { readonly role: 'rim'; readonly width: number; readonly tone: number }
  /** a pleat fold running left to right: shadow below, highlight above */
  | { readonly role: 'fold'; readonly points: readonly Point[]; readonly depth: number }
  /** a thin line on the fabric */
  | { readonly role: 'line'; readonly points: readonly Point[]; readonly style: LineStyle }
  /** an ear loop or head strap, from its attachment point outward */
  | { readonly role: 'strap'; readonly points: readonly Point[]; readonly width: number }
  /** a solid part in its own colour (valve, nose clip, staple); `fill` null means the mask colour */
  | { readonly role: 'part'; readonly points: readonly Point[]; readonly fill: string | null; readonly tone: number }
  /** a raised cup: radial light centred at `centre` with radii `radii` */
  | { readonly role: 'dome'; readonly centre: Point; readonly radii: Point };

/** A mask as drawn from the front, in frontal coordinates. */
export interface FrontalShape {
  /** half the width of the body at its widest, pixels; sets the head cylinder the views wrap onto */
  readonly halfWidth: number;
  /** how far a point of the mask stands out from the face's cheek cylinder (pixels, toward the viewer) */
  readonly depth: (x: number, y: number) => number;
  readonly elements: readonly MaskElement[];
  /** anchors a..f in frontal coordinates (see MaskAnchors) */
  readonly anchors: MaskAnchors;
}

/** A mask drawn for one variant on a canvas of `width` × `height` pixels. */
export interface ProjectedShape {
  readonly width: number;
  readonly height: number;
  /** canvas x of the head cylinder's axis and its radius: the view angle at x is asin((x - axisX) / radius) */
  readonly axisX: number;
  readonly radius: number;
  /** head yaw of this variant, radians (0 frontal, < 0 left, > 0 right) */
  readonly yaw: number;
  readonly elements: readonly MaskElement[];
  readonly anchors: MaskAnchors;
}

/** The body outline of a shape. */
export function findBody(elements: readonly MaskElement[]): readonly Point[] {
  for (const element of elements) if (element.role === 'body') return element.points;
  throw new Error('mask shape: expected one element with role \'body\', received none');
}
