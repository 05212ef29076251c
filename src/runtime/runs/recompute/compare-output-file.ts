/**
 * Judges one recomputed output file against the run's bytes under a stage's tolerance. Same bytes are
 * `identical`. Otherwise by kind: images (`.png`, `.jpg`, `.jpeg`, `.webp`) by mean SSIM on luma and the
 * changed-pixel share, the measures of `repro diff`; JSON and JSONL by walking both values together — every
 * number pair by relative difference |a − b| / max(|a|, |b|) unless within `absolute`, and any other
 * difference (a key, a string, a length) is a divergence named by its path; `.bin` files as float32
 * tensors by max|a − b| / max|a|; anything else must be identical. Returns the verdict, the measures and
 * one line saying what broke the tolerance. Pure apart from decoding images.
 */
import { extname } from 'node:path';
import type { Tolerance } from '../../../dsl/tolerance.js';
import { compareImages } from '../../../vision/compare-images.js';

export type Verdict = 'identical' | 'within tolerance' | 'diverged';

/** How a file was compared. */
export type ComparedAs = 'bytes' | 'image' | 'numbers' | 'tensor';

export interface FileJudgement {
  readonly verdict: Verdict;
  readonly comparedAs: ComparedAs;
  /** the figures compared with the tolerance: ssim, changedPixels, relative, tensorRelative, maxAbsolute */
  readonly measures: Readonly<Record<string, number>>;
  /** what differs, in one line (empty for identical files) */
  readonly detail: string;
  /** images: the run's | the recompute's | a heat map of the difference, as PNG */
  readonly picture?: Buffer;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

/** Compares the run's bytes of `path` with the recomputed ones. */
export async function judgeFile(path: string, pinned: Buffer, recomputed: Buffer, tolerance: Tolerance): Promise<FileJudgement> {
  if (pinned.equals(recomputed)) return { verdict: 'identical', comparedAs: 'bytes', measures: {}, detail: '' };
  const extension = extname(path).toLowerCase();
  if (IMAGE_EXTENSIONS.has(extension)) return judgeImage(pinned, recomputed, tolerance);
  if (extension === '.json' || extension === '.jsonl') {
    const numbers = judgeNumbers(pinned.toString('utf8'), recomputed.toString('utf8'), extension === '.jsonl', tolerance);
    if (numbers) return numbers;
  }
  if (extension === '.bin' && pinned.length === recomputed.length && pinned.length % 4 === 0) return judgeTensor(pinned, recomputed, tolerance);
  return { verdict: 'diverged', comparedAs: 'bytes', measures: {}, detail: `bytes differ (${pinned.length} → ${recomputed.length} bytes) and this kind of file is compared exactly` };
}

async function judgeImage(pinned: Buffer, recomputed: Buffer, tolerance: Tolerance): Promise<FileJudgement> {
  const compared = await compareImages(pinned, recomputed);
  const measures = { ssim: round(compared.ssim), changedPixels: round(compared.changedFraction), maxDelta: compared.maxDelta };
  const broken: string[] = [];
  if (compared.resizedFrom) broken.push(`size ${compared.width}×${compared.height} → ${compared.resizedFrom.width}×${compared.resizedFrom.height}`);
  if (compared.ssim < tolerance.ssim) broken.push(`SSIM ${compared.ssim.toFixed(4)} < ${tolerance.ssim}`);
  if (compared.changedFraction > tolerance.changedPixels) broken.push(`${(compared.changedFraction * 100).toFixed(2)} % of pixels changed > ${(tolerance.changedPixels * 100).toFixed(2)} %`);
  const summary = `SSIM ${compared.ssim.toFixed(4)}, ${(compared.changedFraction * 100).toFixed(2)} % of pixels changed (largest channel step ${compared.maxDelta})`;
  return { verdict: broken.length > 0 ? 'diverged' : 'within tolerance', comparedAs: 'image', measures, detail: broken.length > 0 ? broken.join('; ') : summary, picture: compared.sideBySide };
}

/** Undefined when either side is not JSON (then the bytes decide). */
function judgeNumbers(pinnedText: string, recomputedText: string, lines: boolean, tolerance: Tolerance): FileJudgement | undefined {
  let a: unknown;
  let b: unknown;
  try {
    a = lines ? pinnedText.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown) : JSON.parse(pinnedText);
    b = lines ? recomputedText.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown) : JSON.parse(recomputedText);
  } catch {
    return undefined;
  }
  const walk: NumberWalk = { worst: 0, worstAt: '', worstPair: [0, 0], breaking: 0, breakingAt: '', breakingPair: [0, 0], mismatch: '' };
  compareValues(a, b, '', tolerance, walk);
  if (walk.mismatch) return { verdict: 'diverged', comparedAs: 'numbers', measures: {}, detail: walk.mismatch };
  const measures = { relative: round(walk.worst) };
  const at = (path: string, pair: [number, number]) => `${path || '(value)'}: ${pair[0]} → ${pair[1]}`;
  if (walk.breaking > tolerance.relative) {
    return { verdict: 'diverged', comparedAs: 'numbers', measures, detail: `relative difference ${walk.breaking.toExponential(2)} > ${tolerance.relative} at ${at(walk.breakingAt, walk.breakingPair)}` };
  }
  return { verdict: 'within tolerance', comparedAs: 'numbers', measures, detail: walk.worst > 0 ? `largest relative difference ${walk.worst.toExponential(2)} at ${at(walk.worstAt, walk.worstPair)}` : 'same numbers, other formatting' };
}

/** What a walk over two JSON values found: the largest relative difference, the largest beyond `absolute`, or a structural mismatch. */
interface NumberWalk {
  worst: number;
  worstAt: string;
  worstPair: [number, number];
  breaking: number;
  breakingAt: string;
  breakingPair: [number, number];
  mismatch: string;
}

function compareValues(a: unknown, b: unknown, at: string, tolerance: Tolerance, walk: NumberWalk): void {
  if (walk.mismatch) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b) || a === b) return;
    const relative = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    if (relative > walk.worst) Object.assign(walk, { worst: relative, worstAt: at, worstPair: [a, b] });
    if (Math.abs(a - b) > tolerance.absolute && relative > walk.breaking) Object.assign(walk, { breaking: relative, breakingAt: at, breakingPair: [a, b] });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) walk.mismatch = `${at || '(value)'}: ${a.length} items → ${b.length}`;
    else a.forEach((item, i) => compareValues(item, b[i], `${at}[${i}]`, tolerance, walk));
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const path = at ? `${at}.${key}` : key;
      if (!(key in a) || !(key in b)) {
        walk.mismatch = `${path}: ${key in a ? 'present' : 'absent'} → ${key in b ? 'present' : 'absent'}`;
        return;
      }
      compareValues(a[key], b[key], path, tolerance, walk);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) walk.mismatch = `${at || '(value)'}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`;
}

function judgeTensor(pinned: Buffer, recomputed: Buffer, tolerance: Tolerance): FileJudgement {
  const a = new Float32Array(pinned.buffer.slice(pinned.byteOffset, pinned.byteOffset + pinned.length));
  const b = new Float32Array(recomputed.buffer.slice(recomputed.byteOffset, recomputed.byteOffset + recomputed.length));
  let maxAbsolute = 0;
  let scale = 0;
  let nanMismatch = -1;
  for (let i = 0; i < a.length; i += 1) {
    const [x, y] = [a[i]!, b[i]!];
    if (Number.isNaN(x) !== Number.isNaN(y)) {
      nanMismatch = i;
      break;
    }
    if (Number.isNaN(x)) continue;
    maxAbsolute = Math.max(maxAbsolute, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(x));
  }
  if (nanMismatch >= 0) return { verdict: 'diverged', comparedAs: 'tensor', measures: {}, detail: `value ${nanMismatch} is NaN on one side only` };
  const relative = scale > 0 ? maxAbsolute / scale : maxAbsolute > 0 ? Number.POSITIVE_INFINITY : 0;
  const measures = { tensorRelative: round(relative), maxAbsolute: round(maxAbsolute) };
  const figures = `max|a − b| ${maxAbsolute.toExponential(2)} over max|a| ${scale.toExponential(2)} (relative ${relative.toExponential(2)}) in ${a.length} float32 values`;
  if (relative > tolerance.tensorRelative) return { verdict: 'diverged', comparedAs: 'tensor', measures, detail: `${figures} > ${tolerance.tensorRelative}` };
  return { verdict: 'within tolerance', comparedAs: 'tensor', measures, detail: figures };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}
