/**
 * Ablations of the paper's configuration: the same data, pretraining and phases, once without the NMC
 * loss and once without noise injection. The shared stages (filters, warp, keep maps, pretraining)
 * have the paper's params and inputs, so they compile to the same DVC stages and are computed once for
 * both experiments; only training, selection and evaluation run per variant. Compare with `repro diff`.
 */
import { defineExperiment } from '../src/dsl/index.js';
import { checkpointSelect, evaluate, progressiveTrain } from '../src/stages/index.js';
import { PAPER_NETWORK, PAPER_PHASES, paperData } from './shared/paper-pipeline.js';

const VARIANTS = {
  'no-nmc': PAPER_PHASES.map((p) => ({ ...p, lambda: { cycle: 10, identity: 0.5, nmcFromEpoch: 1, attention: 0, ...p.lambda, nmc: 0 } })),
  'no-noise': PAPER_PHASES.map(({ noise: _noise, ...p }) => p),
};

export default defineExperiment('ablation', (x) => {
  const data = paperData(x);
  for (const [variant, phases] of Object.entries(VARIANTS)) {
    const trained = x.stage(progressiveTrain, {
      id: `train-${variant}`,
      inputs: data.training,
      params: { seed: 1, network: PAPER_NETWORK, phases, checkpointEvery: 1, keepEvery: 25, keepEpochs: [313, 476], probe: 32 },
    });
    x.stage(checkpointSelect, {
      id: `select-${variant}`,
      inputs: { generators: trained.outputs.generators, images: data.allFakes, regions: data.allRegions },
      params: { select: { epochs: [313, 476] }, seed: 1, size: 256, pasteDilate: data.pasteDilate },
    });
    x.stage(evaluate, { id: `evaluate-${variant}`, inputs: { generators: trained.outputs.generators, ...data.evaluation }, params: { seed: 1, size: 256, pasteDilate: data.pasteDilate } });
  }
});
