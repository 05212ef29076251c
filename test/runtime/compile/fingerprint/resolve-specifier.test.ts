/**
 * Tests for `resolveSpecifier` and `readPackageName`: NodeNext-style `.js` → `.ts` mapping, index files, builtins,
 * package names, and files that are not local code.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readPackageName, resolveSpecifier } from '../../../../src/runtime/compile/fingerprint/resolve-specifier.js';

const resolve = suite('resolveSpecifier');

resolve('maps specifiers to local files, packages, builtins and the rest', async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'repro-resolve-'));
  const root = path.join(base, 'proj');
  try {
    for (const rel of ['proj/src/a.ts', 'proj/src/b.tsx', 'proj/src/dir/index.ts', 'proj/src/data.json', 'proj/node_modules/x/i.js', 'out.ts']) {
      await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
      await writeFile(path.join(base, rel), '');
    }
    const from = path.join(root, 'src/main.ts');
    const at = (spec: string) => resolveSpecifier(from, spec, root, new Map());
    assert.equal(at('./a.js'), { kind: 'local', file: path.join(root, 'src/a.ts') }, '~> .js to .ts');
    assert.equal(at('./b.js'), { kind: 'local', file: path.join(root, 'src/b.tsx') }, '~> .js to .tsx');
    assert.equal(at('./dir'), { kind: 'local', file: path.join(root, 'src/dir/index.ts') }, '~> directory index');
    assert.equal(at('./a.ts'), { kind: 'local', file: path.join(root, 'src/a.ts') }, '~> exact path');
    assert.equal(at('./data.json'), { kind: 'local', file: path.join(root, 'src/data.json') }, '~> non-code file');
    assert.equal(at('./nope.js'), { kind: 'missing', file: path.join(root, 'src/nope.js') }, '~> missing');
    assert.equal(at('../node_modules/x/i.js'), { kind: 'external', file: path.join(root, 'node_modules/x/i.js') }, '~> node_modules');
    assert.equal(at('../../out.js'), { kind: 'external', file: path.join(base, 'out.ts') }, '~> outside root');
    assert.equal(at('node:fs'), { kind: 'builtin' }, '~> node: builtin');
    assert.equal(at('fs/promises'), { kind: 'builtin' }, '~> bare builtin');
    assert.equal(at('@tensorflow/tfjs-node/dist/x.js'), { kind: 'package', name: '@tensorflow/tfjs-node' }, '~> package');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

resolve.run();

// ---

const packageName = suite('readPackageName');

packageName('drops subpaths and keeps scopes', () => {
  assert.is(readPackageName('sharp'), 'sharp', '~> plain');
  assert.is(readPackageName('yaml/util'), 'yaml', '~> subpath');
  assert.is(readPackageName('@a/b/c'), '@a/b', '~> scoped');
});

packageName.run();
