/**
 * What `repro diff` finds, as plain data: the two runs, their params and metrics diffed in DVC's shape, the
 * sample grids compared pixel by pixel, and both runs' curves. Produced by diff.ts, drawn by
 * report/diff-page.ts and printed by the CLI; kept apart so the page does not import the code that calls it.
 */
import type { Revision } from './revisions.js';
import type { ValueChange } from './value-diff.js';

/** One side of the comparison. */
export type RunSide = Revision;

/** Two runs' versions of one grid image. */
export interface GridComparison {
  /** the output path both runs wrote it at */
  readonly path: string;
  /** DVC stage that wrote it (in b) */
  readonly stage: string;
  /** same content hash in both runs */
  readonly identical: boolean;
  /** mean SSIM on luma, 1 = identical */
  readonly ssim: number;
  /** fraction of pixels whose largest channel difference exceeds `threshold` */
  readonly changedFraction: number;
  /** changed-pixel threshold, 0–255 */
  readonly threshold: number;
  readonly maxDelta: number;
  readonly meanDelta: number;
  readonly width: number;
  readonly height: number;
  /** b's size when it differed from a's */
  readonly resizedFrom: { readonly width: number; readonly height: number } | null;
  /** the a | b | heat image, relative to the report folder; null without a report */
  readonly image: string | null;
}

/** One plotted field of both runs. */
export interface CurvePair {
  /** `<experiment>.<stage>.<plot>` */
  readonly key: string;
  readonly title: string | null;
  readonly x: string;
  readonly field: string;
  readonly a: readonly (readonly [number, number])[] | null;
  readonly b: readonly (readonly [number, number])[] | null;
}

export interface DiffResult {
  readonly a: RunSide;
  readonly b: RunSide;
  /** `<experiment>.<stage>.<key>` → { old, new, diff } */
  readonly params: Readonly<Record<string, ValueChange>>;
  /** `<experiment>.<stage>.<metrics name>.<key>` → { old, new, diff } */
  readonly metrics: Readonly<Record<string, ValueChange>>;
  /** grids both runs produced, most changed first (lowest SSIM, then largest changed fraction) */
  readonly grids: readonly GridComparison[];
  /** grid paths only one run has */
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
  readonly curves: readonly CurvePair[];
  /** the report's index.html, project-relative; null when not written */
  readonly report: string | null;
}
