/**
 * `warp`'s mask styles and photo matching, end to end on copies of the synthetic face: the metadata
 * keeps to each kind's styles (medical kinds plain, valves only on respirators; that the recorded style
 * is what was drawn is checked on the pixels in test/vision/mask-render.test.ts); textures a kind cannot
 * take fall back to its own with a note; a blurred face gets a softer mask edge than a sharp one, and
 * the metadata says by how much.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { warp } from '../../src/stages/warp.js';
import { runStageDirectly } from '../helpers/run-stage.js';
import { makeSyntheticFacePng, SYNTHETIC_FACE } from '../helpers/synthetic-face.js';

interface Line {
  source: string;
  kind: string;
  style: { colour: string; texture: { kind: string }; valve: boolean };
  styleNote?: string;
  photoMatch: { blurSigma: number; noiseSigma: number; face: { blur: number | null } };
}

/** Runs warp over `faces` (name → PNG, all with the synthetic landmarks); metadata lines and masked/region pixels by name. */
async function runWarp(params: object, faces: Record<string, Buffer>) {
  const dir = await mkdtemp(join(tmpdir(), 'repro-warp-styles-'));
  try {
    await mkdir(join(dir, 'faces'));
    const manifest: string[] = [];
    for (const [name, png] of Object.entries(faces)) {
      await writeFile(join(dir, 'faces', name), png);
      manifest.push(JSON.stringify({ source: `${name}.jpg`, face: 0, status: 'kept', output: name, landmarks: SYNTHETIC_FACE }));
    }
    await writeFile(join(dir, 'manifest.jsonl'), `${manifest.join('\n')}\n`);
    await runStageDirectly(warp, params, {
      inputs: { faces: join(dir, 'faces'), manifest: join(dir, 'manifest.jsonl') },
      outputs: { masked: join(dir, 'masked'), regions: join(dir, 'regions'), metadata: join(dir, 'metadata.jsonl') },
      seed: (params as { seed: number }).seed,
    });
    const lines = (await readFile(join(dir, 'metadata.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Line);
    const pixels = new Map<string, { masked: Buffer; region: Buffer }>();
    for (const name of Object.keys(faces)) {
      pixels.set(name, {
        masked: await sharp(join(dir, 'masked', name)).removeAlpha().raw().toBuffer(),
        region: await sharp(join(dir, 'regions', name)).extractChannel(0).raw().toBuffer(),
      });
    }
    return { lines, pixels };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const copies = async (n: number): Promise<Record<string, Buffer>> => {
  const png = await makeSyntheticFacePng();
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`face-${i}.png`, png]));
};

const styles = suite('warp styles');

styles('records styles that keep to their kind: medical masks plain, valves only on respirators', async () => {
  const { lines } = await runWarp({ seed: 2 }, await copies(12));
  const kinds = new Set(lines.map((l) => l.kind));
  assert.ok(kinds.size >= 3, `~> several kinds (${[...kinds].join(', ')})`);
  for (const line of lines) {
    const label = `${line.source} ${line.kind}`;
    assert.is(line.styleNote, undefined, `~> ${label}: no note`);
    assert.type(line.photoMatch.blurSigma, 'number');
    assert.type(line.style.valve, 'boolean');
    if (line.style.valve) assert.ok(line.kind === 'n95' || line.kind === 'kn95', `~> ${label}: valve on a respirator`);
    if (line.kind !== 'cloth') assert.ok(['plain', 'nonwoven'].includes(line.style.texture.kind), `~> ${label}: texture ${line.style.texture.kind}`);
  }
});

styles("gives cloth the asked prints; kinds that cannot take them keep their own and say so", async () => {
  const { lines } = await runWarp({ seed: 3, textures: ['stripes'] }, await copies(8));
  assert.ok(lines.some((l) => l.kind === 'cloth') && lines.some((l) => l.kind !== 'cloth'), '~> both sorts drawn');
  for (const line of lines) {
    if (line.kind === 'cloth') {
      assert.is(line.style.texture.kind, 'stripes', `~> ${line.source} cloth`);
      assert.is(line.styleNote, undefined);
    } else {
      assert.ok(['plain', 'nonwoven'].includes(line.style.texture.kind), `~> ${line.source} ${line.kind} keeps its own`);
      assert.match(line.styleNote ?? '', new RegExp(`textures 'stripes' do not fit a ${line.kind} mask`));
    }
  }
});

styles('gives a blurred face a softer mask edge than a sharp face', async () => {
  const png = await makeSyntheticFacePng();
  const faces = { 'sharp.png': png, 'soft.png': await sharp(png).blur(2.5).png().toBuffer() };
  const { lines, pixels } = await runWarp({ seed: 1, kinds: ['surgical'], colours: ['#27282c'] }, faces);
  const match = (name: string) => lines.find((l) => l.source === name)!.photoMatch;
  assert.is(match('sharp.png').blurSigma, 0, '~> sharp face: no blur');
  assert.ok(match('soft.png').blurSigma > 1.5, `~> soft face: blur ${match('soft.png').blurSigma}`);
  // The steepest luma step down the middle column across the mask's lower edge (black mask over skin).
  const steepest = (name: string): number => {
    const { masked } = pixels.get(name)!;
    const luma = (y: number): number => 0.299 * masked[(y * 200 + 100) * 3]! + 0.587 * masked[(y * 200 + 100) * 3 + 1]! + 0.114 * masked[(y * 200 + 100) * 3 + 2]!;
    let best = 0;
    for (let y = 150; y < 199; y++) best = Math.max(best, Math.abs(luma(y + 1) - luma(y)));
    return best;
  };
  assert.ok(steepest('soft.png') < 0.6 * steepest('sharp.png'), `~> steepest step ${steepest('soft.png').toFixed(1)} vs ${steepest('sharp.png').toFixed(1)}`);
});

styles.run();
