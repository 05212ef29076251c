/**
 * `image-grid`: a contact sheet of the images in a folder — the first N in sorted order, each fitted into
 * a square cell — as one PNG. Sample grids are how people look at what a stage produced, and what
 * `repro diff` compares between runs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeContactSheet } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { Defaulted, defineStage, dir, file, ImageSize, Type, type Static } from '../dsl/index.js';

export const params = Type.Object({
  cell: Type.Ref(ImageSize),
  columns: Type.Integer({ minimum: 1, maximum: 64, description: 'cells per row' }),
  limit: Defaulted(Type.Integer({ minimum: 1, maximum: 4096, description: 'most images shown' }), 64),
  gap: Defaulted(Type.Integer({ minimum: 0, maximum: 64, description: 'pixels between cells' }), 2),
});
export type Params = Static<typeof params>;

export const imageGrid = defineStage({
  id: 'image-grid',
  description: 'contact sheet of the first images of a folder',
  params,
  inputs: { images: dir('folder of images') },
  outputs: { grid: file({ fileName: 'grid.png', description: 'the contact sheet' }) },
  metrics: ['grid'],
  async run({ params, inputs, outputs, log }) {
    const names = await listImages(inputs.images);
    const shown = names.slice(0, params.limit);
    if (shown.length === 0) throw new Error(`expected at least one image in '${inputs.images}', received none`);
    const columns = Math.min(params.columns, shown.length);
    const rows = Math.ceil(shown.length / columns);
    const sheet = await encodeContactSheet(shown.map((name) => join(inputs.images, name)), { cell: params.cell, columns, gap: params.gap });
    await writeFile(outputs.grid, sheet);
    log.info(`grid of ${shown.length} images, ${columns}x${rows}`);
    return { metrics: { grid: { images: shown.length, columns, rows } } };
  },
});
