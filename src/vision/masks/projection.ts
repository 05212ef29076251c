/**
 * Turns a frontal mask drawing into the view for one template variant. The lower face is modelled as a
 * vertical cylinder: the body's half width sits at WRAP_ANGLE around it, and a turned head rotates the
 * cylinder by TURN_YAW (orthographic view, y unchanged). A point's extra depth (a cup, a duck-bill ridge)
 * puts it on a cylinder that much wider, so a raised middle swings further sideways. Points that rotate
 * behind the silhouette are pinned to it in filled outlines and cut out of straps (and, a little before
 * the silhouette, out of lines and folds, which would only be smudges at such a grazing angle), so the far
 * side of a turned mask ends at the cheek contour, where MaskTheFace's far-side anchors (a/d or c/f, jaw
 * intersections) lie too.
 * 'left' follows MaskTheFace's `_left` templates (face tilt angle > +13°): the nose anchor b moves toward
 * image left and the image-left half is foreshortened; 'right' is its mirror image.
 */
import type { MaskAnchors, Point, TemplateVariant } from '../types.js';
import { boundsOf, densifyPolyline, translatePolyline } from './geometry.js';
import type { FrontalShape, MaskElement, ProjectedShape } from './shape.js';

/** Where the body's half width sits around the head cylinder, radians. */
export const WRAP_ANGLE = (58 * Math.PI) / 180;
/** How far a turned variant's head is rotated, radians. */
export const TURN_YAW = (42 * Math.PI) / 180;
/** Empty pixels around the drawing on the canvas. */
export const CANVAS_MARGIN = 10;
/** Lines and folds are dropped where the surface turns further than this from the viewer, radians. */
const LINE_LIMIT = (80 * Math.PI) / 180;
/** Longest segment before projection, pixels: keeps projected straight lines curved where they should be. */
const DENSIFY_STEP = 6;

/** Maps frontal points (x from the centre line) into one variant's view, x still relative to the axis. */
export interface Projector {
  readonly yaw: number;
  readonly radius: number;
  /** the viewed point; a point behind the silhouette is pinned to it */
  project(point: Point, depth: number): Point;
  /** whether the surface at the point turns less than `limit` radians from the viewer (π/2: not behind the silhouette) */
  isVisible(point: Point, limit?: number): boolean;
}

/** The yaw for a variant: 0 for frontal, −TURN_YAW for 'left', +TURN_YAW for 'right'. */
export function yawOf(variant: TemplateVariant): number {
  return variant === 'frontal' ? 0 : variant === 'left' ? -TURN_YAW : TURN_YAW;
}

/** A projector for a body of `halfWidth` pixels in `variant`'s view. */
export function createProjector(variant: TemplateVariant, halfWidth: number): Projector {
  const yaw = yawOf(variant);
  const radius = halfWidth / Math.sin(WRAP_ANGLE);
  const frontalAngle = (x: number): number => Math.asin(Math.max(-1, Math.min(1, x / radius)));
  const angleOf = (x: number): number => frontalAngle(x) + yaw;
  return {
    yaw,
    radius,
    project: ([x, y], depth) => {
      const angle = Math.max(-Math.PI / 2, Math.min(Math.PI / 2, angleOf(x)));
      // A raised point sits on a cylinder `depth` wider; only its move away from the frontal view counts,
      // so the frontal drawing stays exactly as drawn.
      return [radius * Math.sin(angle) + depth * (Math.sin(angle) - Math.sin(frontalAngle(x))), y];
    },
    isVisible: ([x], limit = Math.PI / 2) => Math.abs(angleOf(x)) <= limit,
  };
}

/** `shape` drawn for `variant` on its own canvas: every element projected, then moved inside a margin. */
export function projectShape(shape: FrontalShape, variant: TemplateVariant): ProjectedShape {
  const projector = createProjector(variant, shape.halfWidth);
  const at = (p: Point): Point => projector.project(p, shape.depth(p[0], p[1]));
  const filled = (points: readonly Point[]): Point[] => densifyPolyline(points, DENSIFY_STEP, true).map(at);
  const elements: MaskElement[] = [];
  for (const element of shape.elements) {
    switch (element.role) {
      case 'body':
      case 'band':
      case 'facet':
      case 'part':
        elements.push({ ...element, points: filled(element.points) });
        break;
      case 'fold':
      case 'line':
      case 'strap': {
        const limit = element.role === 'strap' ? Math.PI / 2 : LINE_LIMIT;
        for (const run of splitVisible(densifyPolyline(element.points, DENSIFY_STEP, false), projector, limit)) {
          elements.push({ ...element, points: run.map(at) });
        }
        break;
      }
      case 'dome': {
        const [cx, cy] = element.centre;
        const left = at([cx - element.radii[0], cy]);
        const right = at([cx + element.radii[0], cy]);
        elements.push({ ...element, centre: at(element.centre), radii: [(right[0] - left[0]) / 2, element.radii[1]] });
        break;
      }
      case 'rim':
        elements.push(element);
        break;
    }
  }
  const anchors = mapAnchors(shape.anchors, at);
  const outlines = elements.flatMap((e) => ('points' in e ? [e.points] : []));
  const box = boundsOf([...outlines, Object.values(anchors)]);
  const dx = CANVAS_MARGIN - box.minX;
  const dy = CANVAS_MARGIN - box.minY;
  const moved = elements.map((e): MaskElement => {
    if (e.role === 'dome') return { ...e, centre: [e.centre[0] + dx, e.centre[1] + dy] };
    if ('points' in e) return { ...e, points: translatePolyline(e.points, dx, dy) };
    return e;
  });
  return {
    width: Math.ceil(box.maxX - box.minX + 2 * CANVAS_MARGIN),
    height: Math.ceil(box.maxY - box.minY + 2 * CANVAS_MARGIN),
    axisX: dx,
    radius: projector.radius,
    yaw: projector.yaw,
    elements: moved,
    anchors: mapAnchors(anchors, ([x, y]) => [x + dx, y + dy]),
  };
}

/** The anchors with `f` applied to each. */
export function mapAnchors(anchors: MaskAnchors, f: (p: Point) => Point): MaskAnchors {
  return { a: f(anchors.a), b: f(anchors.b), c: f(anchors.c), d: f(anchors.d), e: f(anchors.e), f: f(anchors.f) };
}

/** The runs (of two or more points) of an open polyline that turn less than `limit` from the viewer. */
function splitVisible(points: readonly Point[], projector: Projector, limit: number): Point[][] {
  const runs: Point[][] = [];
  let run: Point[] = [];
  for (const p of points) {
    if (projector.isVisible(p, limit)) run.push(p);
    else {
      if (run.length >= 2) runs.push(run);
      run = [];
    }
  }
  if (run.length >= 2) runs.push(run);
  return runs;
}
