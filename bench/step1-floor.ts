/**
 * The least time step 1 can take as built (issue 12's 2× goal): what `filter` + `warp` spend before any
 * photo-dependent work can start, plus what the face nets alone take on the photos. Two stages in a
 * fresh temp project, each run as DVC runs a stage (`repro exec`, its own process):
 * - `start-only`: a stage that does nothing (no TensorFlow): the price of a stage process — Node, the CLI,
 *   the TypeScript loader, reading params and fingerprint — which `warp` pays before its first face;
 * - `nets-only`: loads TensorFlow and the same two face-api nets as `filter` (Tiny Face Detector and the
 *   68-point landmark net), decodes the photos, then runs the detector and landmark passes exactly as
 *   `filter` does (batches of 16, its default retry pad, minimum score and input side), nothing else:
 *   no rules, no crops, no files. It records, from its own process start, when the models were ready
 *   and how long the passes took (twice: the first pass warms TensorFlow up).
 * The sum — one stage start for `warp`, TensorFlow and the models for `filter`, the nets' first pass —
 * is a floor for filter + warp that leaves out every rule, crop, mask and file; the goal's budget is
 * 200 photos / (2 × 26.8 photos/s) = 3.7 s. Same photos as bench/step1-speed.ts: the first N by name of
 * `$REPRO_DEV_DATA/faces-unmasked` (development data, never committed). Prints; asserts nothing. Run it
 * on an idle machine.
 * Usage: REPRO_DEV_DATA=../shared/data npx tsx bench/step1-floor.ts [photos=200] [rounds=3]
 */
import { cpus } from 'node:os';
import { must } from '../test/helpers/tmp-repo.js';
import { firstUnmaskedPhotos, makeStep1Project, MASKTHEFACE_PHOTOS_PER_SECOND } from './step1-project.js';
import { median } from './timing.js';

const count = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const { source, names } = await firstUnmaskedPhotos(count);

/** The two probe stages; `nets-only` calls filter's own detection with filter's defaults. */
const PROBES_TS = `/** Probe stages for bench/step1-floor.ts: a stage that does nothing, and filter's face nets alone. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, dir, file, TENSORFLOW, Type } from '../dsl/index.js';
import { readRgb } from '../kit/image-io.js';
import { listImages } from '../kit/list-images.js';
import { filter } from '../stages/filter.js';

export const startOnly = defineStage({
  id: 'start-only',
  params: Type.Object({}),
  inputs: { photos: dir() },
  outputs: { done: file({ fileName: 'done.json' }) },
  async run({ outputs }) {
    await writeFile(outputs.done, '{}\\n');
  },
});

export const netsOnly = defineStage({
  id: 'nets-only',
  params: Type.Object({}),
  inputs: { photos: dir() },
  outputs: { timings: file({ fileName: 'timings.json' }) },
  resources: TENSORFLOW,
  packages: ['@vladmandic/face-api', '@tensorflow/tfjs-core'],
  async run({ inputs, outputs, tf }) {
    const { loadFaceModels, detectFacesBatch } = await import('../vision/faces.js');
    // filter's own defaults, read from its params schema (so the probe follows them)
    const schema = filter.params.properties as Record<string, { default?: unknown }>;
    const d = (name: string) => schema[name]!.default as number;
    const models = await loadFaceModels({ tf, detector: 'tiny' });
    const modelsReadyMs = performance.now(); // since this process started
    const photos = await Promise.all((await listImages(inputs.photos)).map((n) => readRgb(join(inputs.photos, n))));
    const passes = [];
    for (let pass = 0; pass < 2; pass += 1) {
      const started = performance.now();
      let detectMs = 0;
      let landmarksMs = 0;
      let faces = 0;
      for (let at = 0; at < photos.length; at += 16) {
        const found = await detectFacesBatch(models, photos.slice(at, at + 16), {
          minScore: d('minScore'), pad: d('detectPad'), retryPad: d('detectRetryPad'),
          inputSize: d('detectSize'), tinyInputSize: d('tinyDetectSize'),
          onTimings: (t) => { detectMs += t.prepareMs + t.detectMs; landmarksMs += t.landmarksMs; },
        });
        faces += found.filter((f) => f.length > 0).length;
      }
      passes.push({ ms: performance.now() - started, detectMs, landmarksMs, photosWithFaces: faces });
    }
    await writeFile(outputs.timings, JSON.stringify({ modelsReadyMs, passes }) + '\\n');
  },
});
`;

const EXPERIMENT_TS = `import { defineExperiment } from '../src/dsl/index.js';
import { netsOnly, startOnly } from '../src/lab/step1-probes.js';

export default defineExperiment('floor', (x) => {
  const photos = x.data('data/photos');
  x.stage(startOnly, { inputs: { photos }, params: {} });
  x.stage(netsOnly, { inputs: { photos }, params: {} });
});
`;

interface NetsTimings {
  modelsReadyMs: number;
  passes: { ms: number; detectMs: number; landmarksMs: number; photosWithFaces: number }[];
}

const repo = await makeStep1Project({ 'src/lab/step1-probes.ts': PROBES_TS, 'experiments/floor.ts': EXPERIMENT_TS }, { source, names });
try {
  const startSeconds: number[] = [];
  const netsSeconds: number[] = [];
  const timings: NetsTimings[] = [];
  for (let round = 0; round < rounds; round += 1) {
    let started = performance.now();
    await must(repo.repro('exec', 'floor', 'start-only'));
    startSeconds.push((performance.now() - started) / 1000);
    started = performance.now();
    await must(repo.repro('exec', 'floor', 'nets-only'));
    netsSeconds.push((performance.now() - started) / 1000);
    timings.push(JSON.parse(await repo.read('out/floor/nets-only/timings.json')) as NetsTimings);
  }
  const med = (pick: (t: NetsTimings) => number) => median(timings.map(pick));
  const stageStart = median(startSeconds) * 1000;
  const ready = med((t) => t.modelsReadyMs);
  const first = med((t) => t.passes[0]!.ms);
  const floor = stageStart + ready + first;
  const budget = (count / (2 * MASKTHEFACE_PHOTOS_PER_SECOND)) * 1000;
  const row = (label: string, ms: number, note = '') => console.log(`  ${label.padEnd(72)} ${(ms / 1000).toFixed(2).padStart(6)} s${note ? `   ${note}` : ''}`);
  const split = (pass: number) => `(detector ${(med((t) => t.passes[pass]!.detectMs) / 1000).toFixed(2)} s, landmarks ${(med((t) => t.passes[pass]!.landmarksMs) / 1000).toFixed(2)} s)`;
  console.log(`Step 1's floor on the first ${names.length} photos of ${source} (${cpus().length} CPU cores), median of ${rounds}`);
  row('a stage process that does nothing (repro exec, no TensorFlow)', stageStart);
  row('TensorFlow + Tiny detector + 68-point net loaded, from process start', ready);
  row(`the nets on ${count} photos as filter runs them, first pass`, first, `${split(0)}; ${timings[0]!.passes[0]!.photosWithFaces} photos with a face`);
  row('the same, second pass (warm)', med((t) => t.passes[1]!.ms), split(1));
  row('nets-only stage, whole process (decoding and the second pass included)', median(netsSeconds) * 1000);
  const most = count / (floor / 1000);
  row("floor: warp's stage start + filter's models + the nets' first pass", floor, `→ at most ${most.toFixed(1)} photos/s, ${(most / MASKTHEFACE_PHOTOS_PER_SECOND).toFixed(2)}× MaskTheFace`);
  row("the 2× goal's budget for filter + warp", budget, `(floor ÷ budget ${(floor / budget).toFixed(2)})`);
} finally {
  await repo.remove();
}

