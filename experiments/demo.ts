/**
 * The embedded demo: step 1 of the paper on face photos that ship inside the `@vladmandic/face-api` npm
 * package (copied to data/demo/photos by `npm install`, tracked by data.dvc). `filter` finds and aligns
 * every face of the group photos; `warp` puts rule-based masks on them (domain A, the fake masks);
 * `nonmask-tensor` makes the NMC loss's keep maps. No package ships real masked photos, so the "real
 * mask" domain here is a STAND-IN the project renders itself (`style: 'realistic'`: shading, folds,
 * straps, soft edges) — not real data. Contact sheets show both; `image-stats` gives input statistics.
 */
import { defineExperiment } from '../src/dsl/index.js';
import { filter, imageGrid, imageStats, nonmaskTensor, warp } from '../src/stages/index.js';

export default defineExperiment('demo', (x) => {
  const photos = x.data('data/demo/photos');
  const faces = x.stage(filter, { inputs: { photos }, params: { size: 128, facesPerPhoto: 'all', minFaceSize: 40 } });
  const crops = { faces: faces.outputs.aligned, manifest: faces.outputs.manifest };
  const fake = x.stage(warp, { inputs: crops, params: { seed: 1 } });
  x.stage(nonmaskTensor, { inputs: { regions: fake.outputs.regions }, params: { dilate: 2 } });
  const standIn = x.stage(warp, { id: 'warp-real-stand-in', inputs: crops, params: { seed: 2, style: 'realistic' } });
  x.stage(imageGrid, { id: 'grid-faces', inputs: { images: faces.outputs.aligned }, params: { cell: 128, columns: 6 } });
  x.stage(imageGrid, { id: 'grid-fake-masks', inputs: { images: fake.outputs.masked }, params: { cell: 128, columns: 6 } });
  x.stage(imageGrid, { id: 'grid-real-stand-in', inputs: { images: standIn.outputs.masked }, params: { cell: 128, columns: 6 } });
  x.stage(imageStats, { inputs: { images: faces.outputs.aligned }, params: { size: 128 } });
});
