/**
 * The paper's configuration (arXiv 2512.15774), as far as it is known (MODEL.md §1.4, §2, §8): 256² faces,
 * batch 4, AttentionGAN with ngf 64 and 9 blocks, initialised from a multi-face translator, trained in
 * phases — the NMC loss and then noise injection switched on later, the real-mask set refined by
 * sharpness in the last phase — and the generators of epochs 313 and 476 kept, exported and run over
 * domain A; every kept epoch is scored on the held-out fifth of domain A (`evaluate`). Epoch counts, λNMC, σ and the phase boundaries are this project's reading of the unknowns
 * (§8), not published numbers. Data enters through data.dvc under data/paper/ (see README).
 */
import { defineExperiment } from '../src/dsl/index.js';
import { checkpointSelect, evaluate, progressiveTrain } from '../src/stages/index.js';
import { PAPER_NETWORK, PAPER_PHASES, paperData } from './shared/paper-pipeline.js';

export default defineExperiment('paper', (x) => {
  const data = paperData(x);
  const trained = x.stage(progressiveTrain, {
    inputs: data.training,
    params: { seed: 1, network: PAPER_NETWORK, phases: [...PAPER_PHASES], checkpointEvery: 1, keepEvery: 25, keepEpochs: [313, 476], probe: 32 },
  });
  x.stage(checkpointSelect, {
    inputs: { generators: trained.outputs.generators, images: data.allFakes, regions: data.allRegions },
    params: { select: { epochs: [313, 476] }, seed: 1, size: 256, samplesPerImage: 1, pasteDilate: data.pasteDilate },
  });
  x.stage(evaluate, { inputs: { generators: trained.outputs.generators, ...data.evaluation }, params: { seed: 1, size: 256, pasteDilate: data.pasteDilate } });
});
