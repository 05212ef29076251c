/**
 * The environment pin's one owner: `collectEnvironmentPin` reads this project's installed versions (no
 * TensorFlow load) and derives tfjs, TensorFlow and CUDA from them and the backend; `comparePins` names
 * every pin that differs, single-valued pins first in `PIN_FIELDS` order, then `packages.*` by name.
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { collectEnvironmentPin, comparePins, completePin, PIN_FIELDS } from '../../../src/runtime/environment/env-manifest.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const manifest = suite('env-manifest');

manifest('collects this machine: node, os, tfjs from the installed tfjs-core, no CUDA off the GPU backend', async () => {
  const pin = await collectEnvironmentPin(ROOT, 'cpu (tfjs 4.22.0)');
  assert.is(pin.node, process.version);
  assert.is(pin.os, `${process.platform}-${process.arch}`);
  assert.is(pin.tfjs, pin.packages['@tensorflow/tfjs-core'] ?? null);
  assert.is(pin.cuda, null);
  assert.is(pin.tensorflow, null);
  assert.ok(pin.npm === null || /^\d+\.\d+\.\d+/.test(pin.npm), `~> npm ${pin.npm}`);
  assert.equal(Object.keys(pin).sort(), [...PIN_FIELDS, 'packages', 'machine'].sort(), '~> every pin field and the machine facts, nothing else');
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  assert.is(pin.machine?.cpu, /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? pin.machine?.cpu);
  assert.is(pin.machine?.cores, availableParallelism());
  for (const flag of pin.machine?.simd.split(' ') ?? []) assert.ok(flag === 'unknown' || new RegExp(`\\b${flag}\\b`).test(cpuinfo), `~> ${flag} is a flag of this CPU`);
});

manifest('comparePins names each differing pin with what was expected and found', () => {
  const core = { node: 'v20.0.0', os: 'linux-x64', backend: 'tensorflow (TensorFlow 2.15.0)', packages: { sharp: '0.34.5' }, dvc: null, lockfile: 'abc' };
  const expected = completePin(core, { npm: '10.8.2', cuda: null });
  assert.equal(comparePins(expected, expected), []);
  const found = completePin({ ...core, backend: 'cpu (tfjs 4.22.0)', packages: { sharp: '0.34.4', extra: '1.0.0' } }, { npm: '10.8.2', cuda: null });
  assert.equal(comparePins(expected, found), [
    { pin: 'backend', expected: 'tensorflow (TensorFlow 2.15.0)', found: 'cpu (tfjs 4.22.0)' },
    { pin: 'tensorflow', expected: '2.15.0', found: null },
    { pin: 'packages.extra', expected: null, found: '1.0.0' },
    { pin: 'packages.sharp', expected: '0.34.5', found: '0.34.4' },
  ]);
});

manifest.run();
