import { evaluate } from '../src/stages/evaluate.ts';
import { runStageDirectly } from '../test/helpers/run-stage.ts';
const P = '/tmp/repro-test-WH9x4T/out/learning';
const r = await runStageDirectly(evaluate, { seed: 1, size: 64, samples: 0 }, { inputs: { generators: '/tmp/early-eval/generators', images: `${P}/split/heldOutImages`, regions: `${P}/split/heldOutRegions`, real: `${P}/filter-real/aligned` }, outputs: { grid: '/tmp/early-eval/grid.png' } });
const e = r.metrics!.evaluation as any;
console.log('baseline', e.baseline, 'epoch 2', JSON.stringify(e['epoch-0002']));
