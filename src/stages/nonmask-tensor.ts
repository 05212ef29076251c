/**
 * `nonmask-tensor`: from warp's mask-region maps, the weight maps the non-mask-change (NMC) loss uses —
 * where the generator may not change pixels. `binary`: 1 outside the mask, 0 inside, optionally after
 * growing the mask by a margin; `distance`: 0 inside, rising with distance from the mask edge (shape set
 * by params: the paper's first open question). All maps are packed into one float32 file plus an index,
 * loadable straight into a tensor: `tf.tensor3d(new Float32Array(bytes), index.shape)`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Defaulted, defineStage, dir, file, Type, type Static } from '../dsl/index.js';
import { readGray, encodeContactSheet } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { binaryKeepMap, dilateRegion, distanceWeightedKeepMap } from '../vision/region-maps.js';
import type { RawImage } from '../vision/types.js';

export const params = Type.Object({
  mode: Defaulted(Type.Union([Type.Literal('binary'), Type.Literal('distance')], { description: 'binary keep map, or weight rising with distance from the mask' }), 'binary'),
  dilate: Defaulted(Type.Integer({ minimum: 0, maximum: 64, description: 'grow the mask by this many pixels first' }), 0),
  rampPx: Defaulted(Type.Number({ exclusiveMinimum: 0, description: 'distance mode: pixels over which the weight rises to 1' }), 8),
  power: Defaulted(Type.Number({ exclusiveMinimum: 0, description: 'distance mode: (d / rampPx)^power' }), 1),
  floor: Defaulted(Type.Number({ minimum: 0, maximum: 1, description: 'distance mode: weight right at the mask edge' }), 0),
  previewCount: Defaulted(Type.Integer({ minimum: 1, maximum: 256, description: 'maps shown on the preview sheet' }), 16),
});
export type Params = Static<typeof params>;

/** index.json: how to read maps.bin. */
export interface NonMaskIndex {
  dtype: 'float32';
  /** [N, H, W], little-endian, row-major */
  shape: [number, number, number];
  /** region map file name of each of the N maps, in order */
  names: string[];
  mode: 'binary' | 'distance';
}

export const nonmaskTensor = defineStage({
  id: 'nonmask-tensor',
  description: 'non-mask weight maps for the NMC loss, packed into one float32 tensor file',
  params,
  inputs: { regions: dir('mask-region maps (PNG, 255 inside the mask)') },
  outputs: { maps: dir('maps.bin + index.json'), preview: file({ fileName: 'preview.png', description: 'the first maps as images' }) },
  metrics: ['maps'],
  async run({ params, inputs, outputs, signal }) {
    const names = await listImages(inputs.regions);
    if (names.length === 0) throw new Error(`expected region maps in '${inputs.regions}', received none`);
    let shape: [number, number] | undefined;
    const maps: Float32Array[] = [];
    for (const name of names) {
      signal.throwIfAborted();
      const region = await readGray(join(inputs.regions, name));
      if (shape && (region.width !== shape[1] || region.height !== shape[0])) {
        throw new Error(`expected every region map to be ${shape[1]}x${shape[0]}, received ${region.width}x${region.height} for '${name}'`);
      }
      shape = [region.height, region.width];
      const grown = params.dilate > 0 ? dilateRegion(region, params.dilate) : region;
      maps.push(
        params.mode === 'distance'
          ? distanceWeightedKeepMap(grown, { rampPx: params.rampPx, power: params.power, floor: params.floor })
          : binaryKeepMap(grown),
      );
    }
    const [height, width] = shape!;
    const packed = new Float32Array(maps.length * height * width); // [N, H, W]
    maps.forEach((map, i) => packed.set(map, i * height * width));
    await writeFile(join(outputs.maps, 'maps.bin'), Buffer.from(packed.buffer)); // NOTE: little-endian on every platform Node runs on
    const index: NonMaskIndex = { dtype: 'float32', shape: [maps.length, height, width], names, mode: params.mode };
    await writeFile(join(outputs.maps, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    const previews: RawImage[] = maps.slice(0, params.previewCount).map((map) => ({
      width,
      height,
      channels: 1,
      data: Uint8Array.from(map, (v) => Math.round(v * 255)),
    }));
    await writeFile(outputs.preview, await encodeContactSheet(previews, { cell: Math.min(128, width), columns: 8 }));
    const keptFraction = packed.reduce((sum, v) => sum + v, 0) / packed.length;
    return { metrics: { maps: { count: maps.length, height, width, meanWeight: Math.round(keptFraction * 1e6) / 1e6 } } };
  },
});
