/**
 * `resize-images`: every image in a folder resized to one size and written as PNG, so later stages see
 * a single resolution and format. A general-purpose stage built on sharp; files are processed in
 * sorted order and unreadable files are skipped and counted (named in the log), never fatal.
 */
import { join, parse } from 'node:path';
import sharp from 'sharp';
import { Defaulted, defineStage, dir, ImageSize, Type, type RunParams, type Static } from '../dsl/index.js';
import { PNG_OPTIONS } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';

export const params = Type.Object({
  width: Type.Ref(ImageSize),
  height: Type.Ref(ImageSize),
  fit: Defaulted(
    Type.Union([Type.Literal('cover'), Type.Literal('contain'), Type.Literal('fill')], { description: 'how the image fills the target box (sharp fit)' }),
    'cover',
  ),
  background: Defaulted(Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'fill colour for contain' }), '#000000'),
  grayscale: Defaulted(Type.Boolean({ description: 'drop colour' }), false),
});
export type Params = Static<typeof params>;
/** The params as `run` sees them: every `Defaulted` field present. */
type Settings = RunParams<typeof params>;

export const resizeImages = defineStage({
  id: 'resize-images',
  description: 'resize every image in a folder to one size (PNG out)',
  params,
  inputs: { images: dir('folder of images') },
  outputs: { images: dir('resized PNGs, same base names') },
  metrics: ['summary'],
  async run({ params, inputs, outputs, log, signal }) {
    const names = await listImages(inputs.images);
    assertDistinctOutputs(names);
    let written = 0;
    const unreadable: string[] = [];
    for (const name of names) {
      signal.throwIfAborted();
      try {
        await resizeOne(join(inputs.images, name), join(outputs.images, `${parse(name).name}.png`), params);
        written += 1;
      } catch {
        unreadable.push(name);
        log.warn(`skipped '${name}': not a readable image`);
      }
    }
    log.info(`resized ${written} of ${names.length} images to ${params.width}x${params.height}`);
    return {
      metrics: { summary: { images: names.length, written, unreadable: unreadable.length, width: params.width, height: params.height } },
    };
  },
});

async function resizeOne(source: string, target: string, params: Settings): Promise<void> {
  let image = sharp(source, { failOn: 'error' })
    .rotate()
    .resize(params.width, params.height, { fit: params.fit, background: params.background });
  if (params.grayscale) image = image.grayscale();
  // NOTE: no metadata is kept, so the PNG bytes depend only on pixels and sharp's version.
  await image.png(PNG_OPTIONS).toFile(target);
}

/** `a.jpg` and `a.png` would both become `a.png`; refuse rather than let one silently replace the other. */
function assertDistinctOutputs(names: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const output = `${parse(name).name}.png`;
    const other = seen.get(output);
    if (other) throw new Error(`expected one input per output name, received '${other}' and '${name}' both becoming '${output}'; rename one`);
    seen.set(output, name);
  }
}
