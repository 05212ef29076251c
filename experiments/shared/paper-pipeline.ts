/**
 * The stages the paper's configuration and its ablations share, declared once: faces from unmasked
 * photos → rule-based masks (domain A, with region maps) → NMC keep maps; real masked photos → aligned
 * real-mask faces (domain B) with their manifest; the multi-face translator pretrained on scene photos.
 * Declared with the same params and inputs in every experiment that calls it, these compile to one DVC
 * stage each, so an ablation reuses the paper run's outputs instead of recomputing them. Not an
 * experiment itself (it lives in a subfolder, which `repro` does not load).
 */
import type { ExperimentBuilder } from '../../src/dsl/index.js';
import { filter, nonmaskTensor, pretrainFromMultiFace, split, warp } from '../../src/stages/index.js';
import type { PhaseParams } from '../../src/stages/progressive-train.js';

/**
 * The paper's networks: ngf 64, 9 residual blocks, ndf 64 (MODEL.md §2.1–2.2), with this project's decoder
 * changes, chosen on held-out real faces (bench/learning.ts, 440 steps; README "Does the translator learn?"):
 * resize-conv upsampling instead of the reference's transposed convs, which let the background attention
 * collapse (dead output phases, bias-only A10); a LeakyReLU attention decoder; and the background attention
 * starting at A10 = 0.5 instead of the reference's 0.1. Together: IoU 0.750, NMC error 0.0149, KID 0.0004
 * (the warp's 0.0005), against 0.518 / 0.0315 / 0.0005 for resize-conv alone; the same prior with the ReLU
 * decoder collapsed to the identity (IoU 0). `upsample: 'deconv'` is the reference, e.g. for torch checkpoints.
 */
export const PAPER_NETWORK = { ngf: 64, blocks: 9, ndf: 64, upsample: 'resize-conv', attentionActivation: 'leaky-relu', attentionPrior: 0.5 } as const;

/** Pixels the NMC loss's keep maps grow the mask by (the generator may change them). */
const KEEP_DILATE = 3;

/** The shared stages; returns the handles training, selection and evaluation need. */
export function paperData(x: ExperimentBuilder) {
  // Domain A: CMFD-style fake masks, made here from unmasked faces so every image has its region map
  // (CMFD ships none, MODEL.md §5). Domain B: real masks (MAFA / Unsplash style photos).
  const unmasked = x.data('data/paper/unmasked');
  const realMasked = x.data('data/paper/real-masked');
  const scenes = x.data('data/paper/multi-face');
  // unmasked face photos: the Tiny Face Detector keeps as many as SSD at a quarter of its time (README, step 1);
  // the real masks of domain B need SSD, which finds far more masked faces
  const faces = x.stage(filter, { id: 'filter-a', inputs: { photos: unmasked }, params: { size: 256, facesPerPhoto: 'one', mask: 'reject', detector: 'tiny' } });
  const fake = x.stage(warp, { inputs: { faces: faces.outputs.aligned, manifest: faces.outputs.manifest }, params: { seed: 1 } });
  // a fifth of domain A is held out: training never sees it, `evaluate` scores on it
  const parts = x.stage(split, { inputs: { images: fake.outputs.masked, regions: fake.outputs.regions }, params: { seed: 1, heldOut: 0.2 } });
  const keep = x.stage(nonmaskTensor, { inputs: { regions: parts.outputs.trainRegions }, params: { dilate: KEEP_DILATE } });
  const real = x.stage(filter, {
    id: 'filter-b',
    inputs: { photos: realMasked },
    params: { size: 256, facesPerPhoto: 'all', mask: 'require', minFaceSize: 100, maxYaw: 30, detectRetryPad: 0.25 },
  });
  const pretrained = x.stage(pretrainFromMultiFace, {
    inputs: { photos: scenes },
    params: { method: 'pretrain', seed: 1, network: PAPER_NETWORK, pretrain: { epochs: 50, tiles: 4000, size: 256, batch: 4, lr: 2e-4, nmc: 10 } },
  });
  return {
    /** progressive-train's inputs */
    training: {
      domainA: parts.outputs.trainImages,
      keepMaps: keep.outputs.maps,
      domainB: real.outputs.aligned,
      manifestB: real.outputs.manifest,
      init: pretrained.outputs.weights,
    },
    /** every fake-mask face (what checkpoint-select augments) and its region map */
    allFakes: fake.outputs.masked,
    allRegions: fake.outputs.regions,
    /** how far the NMC loss's keep maps grow the mask: checkpoint-select and evaluate paste inside the same */
    pasteDilate: KEEP_DILATE,
    /** evaluate's inputs besides the generators */
    evaluation: { images: parts.outputs.heldOutImages, regions: parts.outputs.heldOutRegions, real: real.outputs.aligned },
  };
}

/** One training phase at the paper's size: 286 → 256 crops, batch 4. */
function paperPhase(name: string, epochs: number, extra: Partial<PhaseParams>): PhaseParams {
  return { name, epochs, batch: 4, loadSize: 286, cropSize: 256, ...extra };
}

const lambda = (nmc: number) => ({ cycle: 10, identity: 0.5, nmc, nmcFromEpoch: 1, attention: 0 });

/**
 * The paper's phases, 476 epochs: plain transfer, then the NMC loss, then noise injection with the
 * real-mask set refined by sharpness and the learning rate decaying to zero. The boundaries, λNMC and σ are
 * this project's reading of what the paper leaves open (MODEL.md §8).
 */
export const PAPER_PHASES: readonly PhaseParams[] = [
  paperPhase('transfer', 150, { lr: { base: 2e-4, policy: 'constant', niter: 150, niterDecay: 0 }, lambda: lambda(0) }),
  paperPhase('nmc', 150, { lr: { base: 2e-4, policy: 'constant', niter: 150, niterDecay: 0 }, lambda: lambda(10) }),
  paperPhase('nmc-noise', 176, {
    lr: { base: 2e-4, policy: 'linear', niter: 76, niterDecay: 100 },
    lambda: lambda(10),
    noise: { layers: ['c2'], position: 'postAct', sigma: 0.1 },
    dropB: [{ score: 'sharpness', below: 100 }],
  }),
];
