/**
 * The built-in stage library, listed explicitly (no globbing, no registration side effects). The
 * registry test checks that each file name, stage id and export name agree.
 */
import { checkpointSelect } from './checkpoint-select.js';
import { evaluate } from './evaluate.js';
import { filter } from './filter.js';
import { imageGrid } from './image-grid.js';
import { imageStats } from './image-stats.js';
import { nonmaskTensor } from './nonmask-tensor.js';
import { pretrainFromMultiFace } from './pretrain-from-multi-face.js';
import { progressiveTrain } from './progressive-train.js';
import { resizeImages } from './resize-images.js';
import { split } from './split.js';
import { warp } from './warp.js';

/** Every built-in stage, keyed by id. */
export const BUILT_IN_STAGES = {
  'checkpoint-select': checkpointSelect,
  evaluate,
  filter,
  'image-grid': imageGrid,
  'image-stats': imageStats,
  'nonmask-tensor': nonmaskTensor,
  'pretrain-from-multi-face': pretrainFromMultiFace,
  'progressive-train': progressiveTrain,
  'resize-images': resizeImages,
  split,
  warp,
} as const;

export { checkpointSelect, evaluate, filter, imageGrid, imageStats, nonmaskTensor, pretrainFromMultiFace, progressiveTrain, resizeImages, split, warp };
