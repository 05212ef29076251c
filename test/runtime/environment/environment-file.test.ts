/**
 * `writeEnvironmentPins`: the pin goes to reports/<experiment>/environment.json for each experiment as
 * canonical JSON, is staged in git, an unchanged pin leaves the file untouched, and a path .gitignore
 * excludes (or a folder without git) is written but not staged. `parseEnvironmentPin` reads the current
 * shape as written and completes a pin in the first shape (core fields only) that older runs recorded.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { EnvironmentPin } from '../../../src/runtime/environment/env-manifest.js';
import { parseEnvironmentPin, writeEnvironmentPins } from '../../../src/runtime/environment/environment-file.js';

const PIN: EnvironmentPin = {
  node: 'v20.0.0',
  npm: '10.8.2',
  os: 'linux-x64',
  backend: 'cpu (tfjs 4.22.0)',
  tfjs: '4.22.0',
  tensorflow: null,
  cuda: null,
  packages: { sharp: '0.34.5', '@tensorflow/tfjs-core': '4.22.0' },
  dvc: 'dvc==3.67.1',
  lockfile: 'abc',
};

const pins = suite('writeEnvironmentPins');

pins('writes and stages one pin per experiment; unchanged pins are not rewritten; ignored paths are not staged', async () => {
  const root = await mkdtemp(join(tmpdir(), 'repro-env-pin-'));
  try {
    await execa('git', ['init', '-q'], { cwd: root });
    await writeFile(join(root, '.gitignore'), '/reports/hidden/\n');
    const paths = await writeEnvironmentPins(root, ['lab', 'demo', 'hidden', 'lab'], PIN);
    assert.equal(paths, ['reports/demo/environment.json', 'reports/hidden/environment.json', 'reports/lab/environment.json']);
    const text = await readFile(join(root, 'reports/lab/environment.json'), 'utf8');
    const sorted = { backend: PIN.backend, cuda: null, dvc: PIN.dvc, lockfile: 'abc', node: 'v20.0.0', npm: '10.8.2', os: 'linux-x64', packages: { '@tensorflow/tfjs-core': '4.22.0', sharp: '0.34.5' }, tensorflow: null, tfjs: '4.22.0' };
    assert.is(text, `${JSON.stringify(sorted, null, 2)}\n`);
    assert.equal(parseEnvironmentPin(text), PIN, '~> read back as written');
    const staged = (await execa('git', ['diff', '--cached', '--name-only'], { cwd: root })).stdout.split('\n');
    assert.equal(staged, ['reports/demo/environment.json', 'reports/lab/environment.json']);
    const before = (await stat(join(root, 'reports/lab/environment.json'))).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeEnvironmentPins(root, ['lab'], { ...PIN });
    assert.is((await stat(join(root, 'reports/lab/environment.json'))).mtimeMs, before, '~> untouched');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

pins('outside git the pin is still written', async () => {
  const root = await mkdtemp(join(tmpdir(), 'repro-env-pin-'));
  try {
    await writeEnvironmentPins(root, ['lab'], PIN);
    assert.ok((await readFile(join(root, 'reports/lab/environment.json'), 'utf8')).includes('"node": "v20.0.0"'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

pins.run();

const parse = suite('parseEnvironmentPin');

/** What `repro run` wrote before npm, tfjs, TensorFlow and CUDA were pinned. */
const FIRST_SHAPE = {
  backend: 'tensorflow-gpu (TensorFlow 2.15.0, CUDA)',
  dvc: 'dvc==3.67.1',
  lockfile: 'abc',
  node: 'v20.0.0',
  os: 'linux-x64',
  packages: { '@tensorflow/tfjs-core': '4.22.0', sharp: '0.34.5' },
};

parse('a first-shape pin is completed: tfjs and TensorFlow from itself, npm and CUDA from the machine given, else null', () => {
  const text = `${JSON.stringify(FIRST_SHAPE, null, 2)}\n`;
  const unknown = parseEnvironmentPin(text);
  assert.equal(unknown, { ...FIRST_SHAPE, npm: null, tfjs: '4.22.0', tensorflow: '2.15.0', cuda: null });
  const filled = parseEnvironmentPin(text, { npm: '10.8.2', cuda: '12.5.82' });
  assert.is(filled?.npm, '10.8.2');
  assert.is(filled?.cuda, '12.5.82');
  const onCpu = parseEnvironmentPin(JSON.stringify({ ...FIRST_SHAPE, backend: 'cpu (tfjs 4.22.0)' }), { npm: '10.8.2', cuda: '12.5.82' });
  assert.is(onCpu?.cuda, null, '~> no CUDA off the GPU backend');
  assert.is(onCpu?.tensorflow, null);
});

parse('a recorded npm or CUDA wins over the machine; what is not a pin reads undefined', () => {
  const recorded = parseEnvironmentPin(JSON.stringify({ ...FIRST_SHAPE, npm: '9.0.0', cuda: null }), { npm: '10.8.2', cuda: '12.5.82' });
  assert.is(recorded?.npm, '9.0.0');
  assert.is(recorded?.cuda, null);
  assert.is(parseEnvironmentPin(undefined), undefined);
  assert.is(parseEnvironmentPin('not json'), undefined);
  assert.is(parseEnvironmentPin('{"node": "v20.0.0"}'), undefined);
});

parse.run();
