/**
 * The backend end to end: a TensorFlow stage records its backend in its fingerprint and prints it when it
 * starts; running on another backend reruns exactly the TensorFlow stages, with the same numbers within
 * float tolerance; a fingerprint made for a backend this machine does not have is refused by `exec`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makePngFiles } from '../helpers/tiny-images.js';
import { makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

const EXPERIMENT = `import { defineExperiment } from '../src/dsl/index.js';
import { imageStats, resizeImages } from '../src/stages/index.js';

export default defineExperiment('stats', (x) => {
  const small = x.stage(resizeImages, { inputs: { images: x.data('data/raw') }, params: { width: 8, height: 8 } });
  x.stage(imageStats, { inputs: { images: small.outputs.images }, params: { size: 8 } });
});
`;

interface Fingerprint {
  backend: string | null;
}

const run = suite<{ repo: TmpRepo }>('backend: recorded, printed, rerun on change');

run.before(async (context) => {
  context.repo = await makeTmpRepo({ files: { 'experiments/stats.ts': EXPERIMENT, ...(await makePngFiles('data/raw', 3)) }, dvcAdd: ['data/raw'] });
});
run.after(async ({ repo }) => repo.remove());

run('pure JS first, then the native backend: only the TensorFlow stage reruns, with the same numbers', async ({ repo }) => {
  const first = await must(repo.repro('run', 'stats', '--no-exp', '--backend', 'cpu', '--json'));
  assert.equal((JSON.parse(first.stdout) as { ran: string[] }).ran.sort(), ['stats_image-stats', 'stats_resize-images']);
  const pin = (JSON.parse(first.stdout) as { environment: { backend: string; packages: Record<string, string> } }).environment;
  assert.match(pin.backend, /^cpu \(tfjs [\d.]+\)$/, '~> the run pin records the backend');
  assert.ok(pin.packages.sharp && pin.packages['@tensorflow/tfjs-core'], '~> and the versions that make the numbers');
  assert.match(first.stderr, /\[stats_image-stats\] start \(node v[\d.]+, backend cpu \(tfjs [\d.]+\)\)/);
  assert.not.match(first.stderr, /\[stats_resize-images\] start \(.*backend/, '~> no backend for a stage without TensorFlow');
  const fpStats = JSON.parse(await repo.read('.repro/fp/stats_image-stats.json')) as Fingerprint;
  const fpResize = JSON.parse(await repo.read('.repro/fp/stats_resize-images.json')) as Fingerprint;
  assert.match(String(fpStats.backend), /^cpu /);
  assert.is(fpResize.backend, null);
  const onCpu = JSON.parse(await repo.read('reports/stats/image-stats/stats.json')) as Record<string, number>;

  const status = JSON.parse((await must(repo.repro('status', '--json'))).stdout) as { name: string; reasons: string[] }[];
  const stale = status.filter((s) => s.reasons.length > 0);
  assert.equal(stale.map((s) => s.name), ['stats_image-stats']);
  assert.ok(stale[0]!.reasons.some((r) => /^backend cpu .* -> tensorflow \(tfjs-node/.test(r)), JSON.stringify(stale));

  const second = await must(repo.repro('run', 'stats', '--no-exp', '--json'));
  assert.equal((JSON.parse(second.stdout) as { ran: string[] }).ran, ['stats_image-stats']);
  // image-stats declares one core: on a machine with more, TensorFlow's pools are sized to it (README).
  assert.match(second.stderr, /backend tensorflow \(tfjs-node [\d.]+, TensorFlow [\d.]+, oneDNN(, 1 intra-op thread, 1 inter-op thread)?\)/);
  const onNative = JSON.parse(await repo.read('reports/stats/image-stats/stats.json')) as Record<string, number>;
  for (const key of Object.keys(onCpu)) assert.ok(Math.abs(onCpu[key]! - onNative[key]!) < 1e-5, `~> ${key}: ${onCpu[key]} vs ${onNative[key]}`);
});

run('exec refuses a fingerprint made for a backend this machine does not have', async ({ repo }) => {
  const path = '.repro/fp/stats_image-stats.json';
  const fp = await repo.read(path);
  const forged = fp.replace(/"backend": "tensorflow \(tfjs-node ([\d.]+), TensorFlow [\d.]+, oneDNN([^"]*)\)"/, '"backend": "tensorflow (tfjs-node $1, TensorFlow 0.0.1, oneDNN$2)"');
  assert.is.not(forged, fp, '~> the fingerprint names a TensorFlow version to forge');
  await repo.write(path, forged);
  const result = await repo.repro('exec', 'stats', 'image-stats');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /stage 'stats_image-stats' expected backend 'tensorflow \(tfjs-node [\d.]+, TensorFlow 0\.0\.1, oneDNN[^']*\)' \(its fingerprint\), received 'tensorflow \(tfjs-node [\d.]+, TensorFlow [\d.]+, oneDNN[^']*\)' on this machine/);
  await repo.write(path, fp);
});

run.run();
