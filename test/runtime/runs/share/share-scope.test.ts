/**
 * `shareScope`: a share carries the run's experiments' outputs and, transitively, whatever they read —
 * another experiment's stage output, `dvc add`-ed data by its path, a folder above it or a file inside it —
 * and withholds the rest of the lock; `all` carries everything.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { OutputPin } from '../../../../src/runtime/runs/share/manifest.js';
import { shareScope, type LockStages } from '../../../../src/runtime/runs/share/share-scope.js';

const pin = (stage: string): OutputPin => ({ stage, md5: `${stage}-md5`, size: 1, nfiles: null, cached: true });

const OUTPUTS: Record<string, OutputPin> = {
  'data/faces': pin('data/faces.dvc'),
  'data/masks': pin('data/masks.dvc'),
  'data/other': pin('data/other.dvc'),
  'out/demo/filter': pin('demo_filter'),
  'out/demo/warp': pin('demo_warp'),
  'out/paper/filter': pin('paper_filter'),
  'out/paper/train': pin('paper_train'),
  'out/ablation/train': pin('ablation_train'),
};

const LOCK: LockStages = {
  demo_filter: { deps: [{ path: 'data' }, { path: '.repro/fp/demo_filter.json' }] },
  demo_warp: { deps: [{ path: 'out/demo/filter' }] },
  paper_filter: { deps: [{ path: 'data/faces/a.jpg' }] },
  paper_train: { deps: [{ path: 'out/paper/filter' }] },
  ablation_train: { deps: [{ path: 'out/paper/filter' }, { path: 'data/masks' }] },
};

const scope = suite('shareScope');

scope('a run of one experiment carries its stages and the data they read, by a folder above it', () => {
  const { sent, withheld } = shareScope(OUTPUTS, LOCK, ['demo']);
  assert.equal(Object.keys(sent).sort(), ['data/faces', 'data/masks', 'data/other', 'out/demo/filter', 'out/demo/warp']);
  assert.equal(Object.keys(withheld).sort(), ['out/ablation/train', 'out/paper/filter', 'out/paper/train']);
});

scope('what another experiment\'s stage wrote, when read, is carried with the data behind it', () => {
  const { sent, withheld } = shareScope(OUTPUTS, LOCK, ['ablation']);
  assert.equal(Object.keys(sent).sort(), ['data/faces', 'data/masks', 'out/ablation/train', 'out/paper/filter']);
  assert.equal(Object.keys(withheld).sort(), ['data/other', 'out/demo/filter', 'out/demo/warp', 'out/paper/train']);
});

scope('all carries every output; no experiment in the lock carries nothing', () => {
  assert.equal(Object.keys(shareScope(OUTPUTS, LOCK, ['demo'], true).withheld), []);
  assert.equal(Object.keys(shareScope(OUTPUTS, LOCK, ['nosuch']).sent), []);
});

scope.run();
