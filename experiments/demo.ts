/**
 * The embedded demo: the paper's two steps end to end on face photos that ship inside the
 * `@vladmandic/face-api` npm package (copied to data/demo/photos by `npm install`, tracked by data.dvc),
 * small enough for a CPU in minutes. Step 1: `filter` finds and aligns every face of the group photos;
 * `warp` puts rule-based masks on them (domain A, the fake masks); `nonmask-tensor` makes the NMC loss's
 * keep maps. No package ships real masked photos, so the "real mask" domain B here is a STAND-IN the
 * project renders itself (`style: 'realistic'`: shading, folds, straps, soft edges) — not real data.
 * Step 2: `pretrain-from-multi-face` pretrains the translator on tiles of the same group photos;
 * `progressive-train` runs two phases at 64² (NMC and attention supervision from the first epoch, then noise
 * injection with a sharpness refinement of B and a decaying learning rate), 80 epochs, on four fifths of
 * the fake-mask faces (`split` holds the rest out). The network is small (ngf 16, 6 blocks) and uses this
 * project's decoder changes — resize-conv upsampling and a LeakyReLU attention decoder — because with the
 * reference's transposed convs and ReLU the background attention collapses at this scale, and starts the
 * background attention at A10 = 0.5 instead of the reference's 0.1, which otherwise spends the first 20
 * epochs climbing to where the input shows through (README, "Does the translator learn?").
 * `checkpoint-select` keeps two epochs, exports them and writes the augmented set; `evaluate` scores every
 * kept epoch on the held-out faces (NMC error, attention IoU, A10 collapse, KID on face descriptors against
 * the stand-in real masks, with the rule-based warp's KID as the baseline).
 */
import { defineExperiment } from '../src/dsl/index.js';
import { checkpointSelect, evaluate, filter, imageGrid, imageStats, nonmaskTensor, pretrainFromMultiFace, progressiveTrain, split, warp } from '../src/stages/index.js';

const network = { ngf: 16, blocks: 6, ndf: 16, upsample: 'resize-conv' as const, attentionActivation: 'leaky-relu' as const, attentionPrior: 0.5 };

export default defineExperiment('demo', (x) => {
  const photos = x.data('data/demo/photos');
  const faces = x.stage(filter, { inputs: { photos }, params: { size: 128, facesPerPhoto: 'all', minFaceSize: 40 } });
  const crops = { faces: faces.outputs.aligned, manifest: faces.outputs.manifest };
  const fake = x.stage(warp, { inputs: crops, params: { seed: 1 } });
  // a fifth of the faces is held out: training never sees them, `evaluate` scores on them
  const parts = x.stage(split, { inputs: { images: fake.outputs.masked, regions: fake.outputs.regions }, params: { seed: 1, heldOut: 0.2 } });
  const keep = x.stage(nonmaskTensor, { inputs: { regions: parts.outputs.trainRegions }, params: { dilate: 2 } });
  const standIn = x.stage(warp, { id: 'warp-real-stand-in', inputs: crops, params: { seed: 2, style: 'realistic' } });
  x.stage(imageGrid, { id: 'grid-faces', inputs: { images: faces.outputs.aligned }, params: { cell: 128, columns: 6 } });
  x.stage(imageGrid, { id: 'grid-fake-masks', inputs: { images: fake.outputs.masked }, params: { cell: 128, columns: 6 } });
  x.stage(imageGrid, { id: 'grid-real-stand-in', inputs: { images: standIn.outputs.masked }, params: { cell: 128, columns: 6 } });
  x.stage(imageStats, { inputs: { images: faces.outputs.aligned }, params: { size: 128 } });

  const pretrained = x.stage(pretrainFromMultiFace, {
    inputs: { photos },
    params: { method: 'pretrain', seed: 1, network, pretrain: { epochs: 3, tiles: 24, size: 64, batch: 4, lr: 2e-4, nmc: 10 } },
  });
  const trained = x.stage(progressiveTrain, {
    inputs: { domainA: parts.outputs.trainImages, keepMaps: keep.outputs.maps, domainB: standIn.outputs.masked, manifestB: faces.outputs.manifest, init: pretrained.outputs.weights },
    params: {
      seed: 1,
      network,
      probe: 6,
      keepEvery: 10,
      phases: [
        { name: 'base', epochs: 20, batch: 2, loadSize: 72, cropSize: 64, lr: { base: 2e-4, policy: 'constant', niter: 20, niterDecay: 0 }, lambda: { cycle: 10, identity: 0.5, nmc: 10, nmcFromEpoch: 1, attention: 10 } },
        {
          name: 'nmc-noise', epochs: 60, batch: 2, loadSize: 72, cropSize: 64,
          lr: { base: 2e-4, policy: 'linear', niter: 30, niterDecay: 30 },
          lambda: { cycle: 10, identity: 0.5, nmc: 10, nmcFromEpoch: 1, attention: 10 },
          noise: { layers: ['c2'], position: 'postAct', sigma: 0.1 },
          dropB: [{ score: 'sharpness', below: 60 }],
        },
      ],
    },
  });
  // the augmented faces keep their own pixels outside the mask grown as for the NMC loss: only masks are repainted
  x.stage(checkpointSelect, {
    inputs: { generators: trained.outputs.generators, images: fake.outputs.masked, regions: fake.outputs.regions },
    params: { select: { epochs: [40, 80] }, seed: 1, size: 64, pasteDilate: 2 },
  });
  x.stage(evaluate, {
    inputs: { generators: trained.outputs.generators, images: parts.outputs.heldOutImages, regions: parts.outputs.heldOutRegions, real: standIn.outputs.masked },
    params: { seed: 1, size: 64 },
  });
});
