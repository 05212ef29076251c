/**
 * Tests for `explainFingerprintChange`: one sorted line per difference, naming the declaration or package.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { explainFingerprintChange, type StageFingerprint } from '../../../../src/runtime/compile/fingerprint/index.js';

/** A fingerprint with defaults, overridden by `over`. */
function makeFingerprint(over: Partial<StageFingerprint> = {}): StageFingerprint {
  return {
    version: 1,
    entry: 'src/stages/a.ts#a',
    code: { 'src/lib/util.ts#scale': 'h1', 'src/lib/util.ts#old': 'h2', 'src/stages/a.ts#a': 'h3' },
    packages: { sharp: '0.34.4 sha-1', yaml: '2.0.0 sha-y' },
    node: 'v20.1.0',
    backend: null,
    ...over,
  };
}

const explain = suite('explainFingerprintChange');

explain('says nothing for equal fingerprints', () => {
  assert.equal(explainFingerprintChange(makeFingerprint(), makeFingerprint()), [], '~> lines');
});

explain('names every changed declaration and package, sorted', () => {
  const after = makeFingerprint({
    code: { 'src/lib/util.ts#scale': 'h9', 'src/stages/a.ts#a': 'h3', 'src/lib/util.ts#x': 'h4' },
    packages: { sharp: '0.34.5 sha-2', kleur: '4.1.5 sha-k' },
    node: 'v20.2.0',
    backend: 'cpu',
  });
  assert.equal(explainFingerprintChange(makeFingerprint(), after), [
    'backend none -> cpu',
    "code 'src/lib/util.ts#scale' changed",
    "declaration 'src/lib/util.ts#old' removed",
    "declaration 'src/lib/util.ts#x' added",
    'node v20.1.0 -> v20.2.0',
    "package 'kleur' added (4.1.5)",
    "package 'sharp' 0.34.4 -> 0.34.5",
    "package 'yaml' removed (was 2.0.0)",
  ], '~> lines');
});

explain('tells an integrity-only change from a version bump', () => {
  const after = makeFingerprint({ packages: { sharp: '0.34.4 sha-other', yaml: '2.0.0 sha-y' } });
  assert.equal(explainFingerprintChange(makeFingerprint(), after), ["package 'sharp' 0.34.4 integrity changed"], '~> lines');
});

explain.run();
