/**
 * Tests for `collectLockedPackages`: npm-style lookup of nested then enclosing `node_modules`, transitive
 * expansion, and what is recorded for packages the lockfile does not pin.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { collectLockedPackages, readRecordedVersion } from '../../../../src/runtime/compile/fingerprint/lock-packages.js';
import type { LockfileV3 } from '../../../../src/runtime/compile/fingerprint/types.js';

const LOCK: LockfileV3 = {
  lockfileVersion: 3,
  packages: {
    '': {},
    'node_modules/a': { version: '1.0.0', integrity: 'sha-a', dependencies: { b: '^2', c: '^1' }, peerDependencies: { p: '*' } },
    'node_modules/a/node_modules/b': { version: '2.0.0', integrity: 'sha-b2', dependencies: { c: '^1', gone: '^1' } },
    'node_modules/b': { version: '1.0.0', integrity: 'sha-b1' },
    'node_modules/c': { version: '1.2.0', integrity: 'sha-c', optionalDependencies: { 'not-installed': '^1' } },
    'node_modules/@s/d': { version: '3.0.0', resolved: 'https://r/d.tgz' },
    'node_modules/w': { resolved: 'packages/w', link: true },
  },
};

const collect = suite('collectLockedPackages');

collect('expands dependencies the way npm resolves them', () => {
  assert.equal(collectLockedPackages(['a'], LOCK), {
    a: '1.0.0 sha-a',
    b: '2.0.0 sha-b2',
    c: '1.2.0 sha-c',
    gone: 'unlocked',
  }, '~> packages');
});

collect('records both versions when two are reached, and what identifies odd entries', () => {
  const got = collectLockedPackages(['a', 'b', '@s/d', 'w', 'nowhere'], LOCK);
  assert.is(got['b'], '1.0.0 sha-b1, 2.0.0 sha-b2', '~> two versions');
  assert.is(got['@s/d'], '3.0.0 https://r/d.tgz', '~> no integrity');
  assert.is(got['w'], 'link packages/w', '~> workspace link');
  assert.is(got['nowhere'], 'unlocked', '~> not locked');
  assert.equal(Object.keys(got), [...Object.keys(got)].sort(), '~> sorted');
});

collect('marks everything unlocked without a lockfile', () => {
  assert.equal(collectLockedPackages(['x', 'y'], null), { x: 'unlocked', y: 'unlocked' }, '~> packages');
});

collect.run();

// ---

const version = suite('readRecordedVersion');

version('reads the version part of a recorded value', () => {
  assert.is(readRecordedVersion('0.34.5 sha512-abc'), '0.34.5', '~> one');
  assert.is(readRecordedVersion('1.0.0 sha-1, 2.0.0 sha-2'), '1.0.0, 2.0.0', '~> two');
  assert.is(readRecordedVersion('unlocked'), 'unlocked', '~> unlocked');
});

version.run();
