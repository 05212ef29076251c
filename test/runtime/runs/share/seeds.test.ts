/** `collectSeeds`: every param named `seed`, at any depth, by dotted key. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { collectSeeds } from '../../../../src/runtime/runs/share/seeds.js';

const seeds = suite('collectSeeds');

seeds('finds seeds at any depth, arrays included, and ignores other keys', () => {
  const text = 'demo:\n  warp:\n    seed: 1\n    masks: [a]\n  train:\n    phases:\n      - noise: { seed: 7, sigma: 0.1 }\n    seed: 3\n';
  assert.equal(collectSeeds(text), { 'demo.train.phases.0.noise.seed': 7, 'demo.train.seed': 3, 'demo.warp.seed': 1 });
});

seeds('no params file means no seeds', () => {
  assert.equal(collectSeeds(undefined), {});
});

seeds.run();
