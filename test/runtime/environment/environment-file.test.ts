/**
 * `writeEnvironmentPins`: the pin goes to reports/<experiment>/environment.json for each experiment as
 * canonical JSON, is staged in git, an unchanged pin leaves the file untouched, and a path .gitignore
 * excludes (or a folder without git) is written but not staged.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { EnvironmentPin } from '../../../src/runtime/environment/env-manifest.js';
import { writeEnvironmentPins } from '../../../src/runtime/environment/environment-file.js';

const PIN: EnvironmentPin = { node: 'v20.0.0', os: 'linux-x64', backend: 'cpu (tfjs 4.22.0)', packages: { sharp: '0.34.5' }, dvc: 'dvc==3.67.1', lockfile: 'abc' };

const pins = suite('writeEnvironmentPins');

pins('writes and stages one pin per experiment; unchanged pins are not rewritten; ignored paths are not staged', async () => {
  const root = await mkdtemp(join(tmpdir(), 'repro-env-pin-'));
  try {
    await execa('git', ['init', '-q'], { cwd: root });
    await writeFile(join(root, '.gitignore'), '/reports/hidden/\n');
    const paths = await writeEnvironmentPins(root, ['lab', 'demo', 'hidden', 'lab'], PIN);
    assert.equal(paths, ['reports/demo/environment.json', 'reports/hidden/environment.json', 'reports/lab/environment.json']);
    const text = await readFile(join(root, 'reports/lab/environment.json'), 'utf8');
    assert.is(text, `${JSON.stringify({ backend: PIN.backend, dvc: PIN.dvc, lockfile: 'abc', node: 'v20.0.0', os: 'linux-x64', packages: { sharp: '0.34.5' } }, null, 2)}\n`);
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
