/**
 * Step 1 end to end against MaskTheFace (issue 12): the first N photos by name (default 200) of a folder of
 * unmasked face photos — `$REPRO_DEV_DATA/faces-unmasked`, development data that is never committed — go into
 * a fresh temp project whose experiments are the paper's domain-A step: `filter` (size 256, one face per photo,
 * mask 'reject') then `warp` (seed 1), once with each face detector (`ssd`, filter's default; `tiny`, the
 * paper experiment's domain-A setting). Measured the way DVC runs them: `repro exec <experiment> <stage>` per
 * stage, each its own process, so Node and TensorFlow start twice and model loading is included; then
 * photos/s for filter + warp together and the ratio to MaskTheFace's 26.8 photos/s (dlib HOG + 68 landmarks,
 * one core, model loading included; measured on 200 photos of the same source on a 2-core machine of this
 * kind; goal ≥ 2). It also prints `repro run --no-exp` of the same two stages (DVC's own start and hashing on
 * top) and what filter kept. Prints; asserts nothing. Run it on an idle machine.
 * Usage: REPRO_DEV_DATA=../shared/data npx tsx bench/step1-speed.ts [photos=200] [rounds=2]
 */
import { cpus, loadavg } from 'node:os';
import { must } from '../test/helpers/tmp-repo.js';
import { firstUnmaskedPhotos, makeStep1Project, MASKTHEFACE_PHOTOS_PER_SECOND } from './step1-project.js';
import { median } from './timing.js';

const count = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 2);
const { source, names } = await firstUnmaskedPhotos(count);

/** The step with one detector: `ssd` (filter's default) or `tiny` (the paper experiment's domain A). */
const experiment = (detector: 'ssd' | 'tiny') => `import { defineExperiment } from '../src/dsl/index.js';
import { filter, warp } from '../src/stages/index.js';

export default defineExperiment('step1-${detector}', (x) => {
  const photos = x.data('data/photos');
  const faces = x.stage(filter, { inputs: { photos }, params: { size: 256, facesPerPhoto: 'one', mask: 'reject', detector: '${detector}' } });
  x.stage(warp, { inputs: { faces: faces.outputs.aligned, manifest: faces.outputs.manifest }, params: { seed: 1 } });
});
`;
const DETECTORS = ['ssd', 'tiny'] as const;

const repo = await makeStep1Project(Object.fromEntries(DETECTORS.map((d) => [`experiments/step1-${d}.ts`, experiment(d)])), { source, names });
try {
  const timed = async (args: string[]) => {
    const start = performance.now();
    const result = await must(repo.repro(...args));
    return { seconds: (performance.now() - start) / 1000, result };
  };
  console.log(`Step 1 end to end on the first ${names.length} photos of ${source} (${cpus().length} CPU cores), median of ${rounds}`);
  console.log(`  MaskTheFace: ${MASKTHEFACE_PHOTOS_PER_SECOND} photos/s (200 photos, same source, 2 cores); goal ≥ 2× that`);
  for (const detector of DETECTORS) {
    const name = `step1-${detector}`;
    const filterSeconds: number[] = [];
    const warpSeconds: number[] = [];
    let kept = '';
    for (let round = 0; round < rounds; round += 1) {
      const f = await timed(['exec', name, 'filter']);
      filterSeconds.push(f.seconds);
      kept = f.result.stderr.split('\n').find((l) => l.includes('kept ')) ?? kept;
      warpSeconds.push((await timed(['exec', name, 'warp'])).seconds);
    }
    const run = await timed(['run', '--no-exp', name]);
    const total = median(filterSeconds) + median(warpSeconds);
    const rate = names.length / total;
    console.log(`detector '${detector}' (load ${loadavg()[0]!.toFixed(1)})`);
    console.log(`  ${kept.replace(/^.*?kept/, 'filter kept').trim()}`);
    console.log(`  repro exec filter   ${median(filterSeconds).toFixed(2).padStart(7)} s   (${filterSeconds.map((s) => s.toFixed(2)).join(', ')})`);
    console.log(`  repro exec warp     ${median(warpSeconds).toFixed(2).padStart(7)} s   (${warpSeconds.map((s) => s.toFixed(2)).join(', ')})`);
    console.log(`  filter + warp       ${total.toFixed(2).padStart(7)} s   → ${rate.toFixed(1)} photos/s, ${(rate / MASKTHEFACE_PHOTOS_PER_SECOND).toFixed(2)}× MaskTheFace (goal ≥ 2)`);
    console.log(`  repro run --no-exp (DVC included, both stages) ${run.seconds.toFixed(2)} s → ${(names.length / run.seconds).toFixed(1)} photos/s`);
  }
} finally {
  await repo.remove();
}
