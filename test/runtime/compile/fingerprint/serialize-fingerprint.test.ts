/**
 * Tests for `serializeFingerprint`: the same fingerprint always gives the same bytes, whatever its key order.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { serializeFingerprint, type StageFingerprint } from '../../../../src/runtime/compile/fingerprint/index.js';
import { withProject } from './make-project.js';

const serialize = suite('serializeFingerprint');

serialize('sorts keys at every level, indents by 2 and ends with a newline', () => {
  const fp: StageFingerprint = {
    version: 1, node: 'v20.0.0', entry: 'e', backend: null,
    packages: { z: '1 a', a: '2 b' },
    code: { 'b.ts#x': 'h2', 'a.ts#y': 'h1' },
  };
  assert.is(serializeFingerprint(fp), [
    '{',
    '  "backend": null,',
    '  "code": {',
    '    "a.ts#y": "h1",',
    '    "b.ts#x": "h2"',
    '  },',
    '  "entry": "e",',
    '  "node": "v20.0.0",',
    '  "packages": {',
    '    "a": "2 b",',
    '    "z": "1 a"',
    '  },',
    '  "version": 1',
    '}',
    '',
  ].join('\n'), '~> bytes');
});

serialize('gives identical bytes for two fingerprints of the same project', () => withProject(async (p) => {
  const first = serializeFingerprint(await p.fingerprint());
  const second = serializeFingerprint(await p.fingerprint());
  assert.is(second, first, '~> bytes');
}));

serialize.run();
