/**
 * The `gallery` project used by the run-comparison tests: tiny stages that make sample grids, a plot and
 * metrics in a couple of seconds —
 *
 *   data/raw ──► resize-images (width W) ──► image-grid 'grid-small'   (grid.png changes with W)
 *          │                            └──► fake-train                 (samples/epoch-000N.png, losses plot)
 *          └───► image-grid 'grid-raw'                                  (grid.png never changes)
 *
 * `fake-train` (src/lab/fake-train.ts) stands in for progressive-train: one sample grid per epoch in a
 * `samples` folder output and a `losses` plot keyed by `epoch`, both depending on the resized images.
 */
import { makePngFiles } from './tiny-images.js';

export const FAKE_TRAIN_TS = `/** A stand-in for a training stage: per-epoch sample grids and a loss curve from the input images. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { defineStage, dir, Type } from '../dsl/index.js';

export const fakeTrain = defineStage({
  id: 'fake-train',
  params: Type.Object({ epochs: Type.Integer({ minimum: 1 }) }),
  inputs: { images: dir() },
  outputs: { samples: dir() },
  metrics: ['train'],
  plots: [{ name: 'losses', x: 'epoch', y: ['loss', 'accuracy'], title: 'losses per epoch' }],
  async run({ params, inputs, outputs }) {
    const names = (await readdir(inputs.images)).sort();
    const first = join(inputs.images, names[0] ?? '');
    const { width = 1 } = await sharp(first).metadata();
    const rows = [];
    for (let epoch = 1; epoch <= params.epochs; epoch += 1) {
      const name = 'epoch-' + String(epoch).padStart(4, '0') + '.png';
      await sharp(first).resize(16, 16, { fit: 'contain', background: '#000000', kernel: 'nearest' }).modulate({ brightness: 0.6 + 0.2 * epoch }).png().toFile(join(outputs.samples, name));
      rows.push({ epoch, loss: width / (epoch + 1), accuracy: 1 - 1 / (epoch + width) });
    }
    return { metrics: { train: { final_loss: rows[rows.length - 1]?.loss ?? 0 } }, plots: { losses: rows } };
  },
});
`;

/** The experiment; `width` is the param the tests change between runs. */
export function galleryExperiment(width = 4): string {
  return `import { defineExperiment } from '../src/dsl/index.js';
import { imageGrid, resizeImages } from '../src/stages/index.js';
import { fakeTrain } from '../src/lab/fake-train.js';

export default defineExperiment('gallery', (x) => {
  const raw = x.data('data/raw');
  const small = x.stage(resizeImages, { inputs: { images: raw }, params: { width: ${width}, height: 6 } });
  x.stage(imageGrid, { id: 'grid-small', inputs: { images: small.outputs.images }, params: { cell: 8, columns: 2 } });
  x.stage(imageGrid, { id: 'grid-raw', inputs: { images: raw }, params: { cell: 8, columns: 2 } });
  x.stage(fakeTrain, { inputs: { images: small.outputs.images }, params: { epochs: 3 } });
});
`;
}

/** Every file of the gallery project, images included. */
export async function galleryFiles(): Promise<Record<string, string | Uint8Array>> {
  return {
    'src/lab/fake-train.ts': FAKE_TRAIN_TS,
    'experiments/gallery.ts': galleryExperiment(),
    ...(await makePngFiles('data/raw', 4)),
  };
}
