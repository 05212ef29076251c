/**
 * The embedded demo: face photos that ship inside the `@vladmandic/face-api` npm package (copied to
 * data/demo/photos by `npm install`, tracked by data.dvc) resized to one size, then a contact sheet and
 * per-channel statistics computed with TensorFlow.js.
 * Run it with `npx repro run demo`. The paper's face stages join this experiment as they land.
 */
import { defineExperiment } from '../src/dsl/index.js';
import { imageGrid, imageStats, resizeImages } from '../src/stages/index.js';

export default defineExperiment('demo', (x) => {
  const photos = x.data('data/demo/photos');
  const small = x.stage(resizeImages, { inputs: { images: photos }, params: { width: 128, height: 128, fit: 'cover' } });
  x.stage(imageGrid, { inputs: { images: small.outputs.images }, params: { cell: 128, columns: 3 } });
  x.stage(imageStats, { inputs: { images: small.outputs.images }, params: { size: 128 } });
});
