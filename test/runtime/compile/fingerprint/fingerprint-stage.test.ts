/**
 * Tests for `fingerprintStage` and `fingerprintStages`: the fingerprint changes exactly when code the stage can execute changes. Each test
 * builds the fixture project of `make-project.ts`, fingerprints the resize stage, edits one thing, and compares
 * the serialised bytes before and after.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { explainFingerprintChange, fingerprintStages, serializeFingerprint } from '../../../../src/runtime/compile/fingerprint/index.js';
import type { ReproError } from '../../../../src/errors.js';
import { withProject, type TestProject } from './make-project.js';

/** Fingerprints, applies `change`, fingerprints again; returns both serialisations and the explanation. */
async function compareAfter(p: TestProject, change: () => Promise<void>): Promise<{ same: boolean; lines: string[] }> {
  const before = await p.fingerprint();
  await change();
  const after = await p.fingerprint();
  return { same: serializeFingerprint(before) === serializeFingerprint(after), lines: explainFingerprintChange(before, after) };
}

const closure = suite('fingerprintStage: closure');

closure('takes reached declarations across files and re-exports, and nothing else', () => withProject(async (p) => {
  const fp = await p.fingerprint();
  assert.is(fp.entry, 'src/stages/resize.ts#resize', '~> entry');
  assert.equal(Object.keys(fp.code), [
    'src/dsl.ts#defineStage',
    'src/lib/util.ts#FACTOR',
    'src/lib/util.ts#double',
    'src/lib/util.ts#scale',
    'src/stages/resize.ts#<import sharp>',
    'src/stages/resize.ts#resize',
  ], '~> code');
  assert.match(fp.code['src/lib/util.ts#scale'] ?? '', /^[0-9a-f]{64}$/, '~> code hash');
  assert.equal(Object.keys(fp.packages), ['@img/sharp-linux-x64', 'detect-libc', 'semver', 'sharp'], '~> packages');
  assert.is(fp.packages['semver'], '7.7.3 sha512-semver7', '~> nested dependency wins over top level');
  assert.is(fp.node, 'v20.0.0', '~> node');
  assert.is(fp.backend, null, '~> backend');
}));

closure('includes import-time code of every loaded module', () => withProject(async (p) => {
  await p.edit('src/lib/more.ts', (t) => `${t}\nexport const registry = new Map<string, number>();\nregistry.set('a', 1);\n`);
  const fp = await p.fingerprint();
  assert.ok('src/lib/more.ts#registry' in fp.code, '~> root declaration');
  assert.ok('src/lib/more.ts#<side-effects>' in fp.code, '~> bare statements');
  assert.not.ok('src/lib/more.ts#more' in fp.code, '~> plain function stays out');
}));

closure('follows a namespace import member by member, and takes the module whole when it is indexed', () => withProject(async (p) => {
  await p.write('src/stages/ns.ts', `import * as util from '../lib/util.js';\nexport const a = () => util.scale(1);\nexport const b = (k: string) => (util as any)[k];\n`);
  const a = await p.fingerprint('src/stages/ns.ts', 'a');
  assert.ok('src/lib/util.ts#scale' in a.code, '~> member');
  assert.not.ok('src/lib/util.ts#unreached' in a.code, '~> other member');
  assert.not.ok('yaml' in a.packages, '~> other member package');
  const b = await p.fingerprint('src/stages/ns.ts', 'b');
  assert.ok('src/lib/util.ts#unreached' in b.code, '~> whole module');
  assert.ok('yaml' in b.packages, '~> whole module packages');
}));

closure('takes the whole target of a literal dynamic import', () => withProject(async (p) => {
  await p.write('src/stages/lazy.ts', `export async function lazy() {\n  const m = await import('../lib/util.js');\n  return m;\n}\n`);
  const fp = await p.fingerprint('src/stages/lazy.ts', 'lazy');
  assert.ok('src/lib/util.ts#unreached' in fp.code, '~> code');
}));

closure('records unresolvable and unparsable local modules whole', () => withProject(async (p) => {
  await p.write('src/stages/odd.ts', `import { gone } from './gone.js';\nimport { bad } from './bad.js';\nexport const odd = () => [gone(), bad()];\n`);
  await p.write('src/stages/bad.ts', `export function bad( {\n`);
  const fp = await p.fingerprint('src/stages/odd.ts', 'odd');
  assert.is(fp.code['src/stages/gone.js#<module>'], 'missing', '~> missing');
  assert.match(fp.code['src/stages/bad.ts#<module>'] ?? '', /^[0-9a-f]{64}$/, '~> broken');
}));

closure('marks packages without a lockfile entry as unlocked', () => withProject(async (p) => {
  p.lockfile = { lockfileVersion: 3, packages: {} };
  const fp = await p.fingerprint();
  assert.equal(fp.packages, { sharp: 'unlocked' }, '~> packages');
}));

closure('records the backend only when a TensorFlow.js package is reached', () => withProject(async (p) => {
  await p.write('src/stages/train.ts', `import * as tf from '@tensorflow/tfjs';\nexport const train = () => tf.tensor([1]);\n`);
  const fp = await p.fingerprint('src/stages/train.ts', 'train');
  assert.is(fp.backend, 'cpu', '~> backend');
  assert.is(fp.packages['@tensorflow/tfjs'], 'unlocked', '~> packages');
}));

closure('rejects a missing stage declaration', () => withProject(async (p) => {
  try {
    await p.fingerprint('src/stages/resize.ts', 'nope');
    assert.unreachable('should throw');
  } catch (err) {
    assert.is((err as ReproError).code, 'EXPERIMENT_INVALID', '~> code');
    assert.match((err as Error).message, /stage module 'src\/stages\/resize\.ts': expected a top-level declaration 'nope'/, '~> message');
  }
}));

closure.run();

// ---

const unchanged = suite('fingerprintStage: edits that change nothing');

unchanged('comment and whitespace edits everywhere', () => withProject(async (p) => {
  const { same } = await compareAfter(p, async () => {
    await p.edit('src/lib/util.ts', (t) => t.replace('// shared helpers', '// shared helpers, reworded').replace('return double(x) * FACTOR;', '/* why */ return double( x )*FACTOR'));
    await p.edit('src/stages/resize.ts', (t) => `// header\n${t.replaceAll('\n', '\n\n').replaceAll("'", '"')}`);
    await p.edit('src/dsl.ts', (t) => t.replace('/** Identity helper, like the real defineStage. */', ''));
  });
  assert.ok(same, '~> bytes');
}));

unchanged('an edit to a function the stage does not reach, in a file it imports', () => withProject(async (p) => {
  const { same } = await compareAfter(p, () => p.edit('src/lib/util.ts', (t) => t.replace('{ a: 1 }', '{ a: 2 }')));
  assert.ok(same, '~> bytes');
}));

unchanged('type-only edits: interface, type alias, import type, annotations', () => withProject(async (p) => {
  const { same } = await compareAfter(p, async () => {
    await p.edit('src/lib/util.ts', (t) => t
      .replace('height: number }', 'height: number; depth?: number }')
      .replace("'fast' | 'slow'", "'fast' | 'slow' | 'medium'")
      .replace('function double(x: number): number', 'function double(x: bigint | number): number'));
    await p.edit('src/lib/types.ts', (t) => t.replace('quality: number', 'quality: string'));
  });
  assert.ok(same, '~> bytes');
}));

unchanged('a package bump that only other code imports', () => withProject(async (p) => {
  const { same } = await compareAfter(p, async () => {
    p.lockfile.packages['node_modules/kleur'] = { version: '4.1.6', integrity: 'sha512-kleur2' };
    p.lockfile.packages['node_modules/yaml'] = { version: '2.9.2', integrity: 'sha512-yaml2' }; // unreached function's
  });
  assert.ok(same, '~> bytes');
}));

unchanged.run();

// ---

const changed = suite('fingerprintStage: edits that change the fingerprint');

changed('an edit to a transitively reached function', () => withProject(async (p) => {
  const { same, lines } = await compareAfter(p, () => p.edit('src/lib/util.ts', (t) => t.replace('return x + x;', 'return x * 2;')));
  assert.not.ok(same, '~> bytes');
  assert.equal(lines, ["code 'src/lib/util.ts#double' changed"], '~> explanation');
}));

changed('an edit to the stage definition itself', () => withProject(async (p) => {
  const { lines } = await compareAfter(p, () => p.edit('src/stages/resize.ts', (t) => t.replace("id: 'resize'", "id: 'resize-2'")));
  assert.equal(lines, ["code 'src/stages/resize.ts#resize' changed"], '~> explanation');
}));

changed('a re-export pointing somewhere else', () => withProject(async (p) => {
  const { lines } = await compareAfter(p, async () => {
    await p.write('src/lib/scale2.ts', 'export function scale(x: number): number {\n  return x;\n}\n');
    await p.edit('src/lib/index.ts', (t) => t.replace("export { scale, unreached } from './util.js';", "export { scale } from './scale2.js';"));
  });
  assert.ok(lines.includes("declaration 'src/lib/scale2.ts#scale' added"), '~> added');
  assert.ok(lines.includes("declaration 'src/lib/util.ts#scale' removed"), '~> removed');
}));

changed('a version bump of an imported package or of its dependency', () => withProject(async (p) => {
  const sharp = await compareAfter(p, async () => {
    p.lockfile.packages['node_modules/sharp'] = { ...p.lockfile.packages['node_modules/sharp'], version: '0.34.5', integrity: 'sha512-sharp5' };
  });
  assert.equal(sharp.lines, ["package 'sharp' 0.34.4 -> 0.34.5"], '~> direct');
  const libc = await compareAfter(p, async () => {
    p.lockfile.packages['node_modules/detect-libc'] = { version: '2.1.2', integrity: 'sha512-other' };
  });
  assert.equal(libc.lines, ["package 'detect-libc' 2.1.2 integrity changed"], '~> transitive');
}));

changed('a package import that binds another export under the same name', () => withProject(async (p) => {
  const { lines } = await compareAfter(p, () => p.edit('src/stages/resize.ts', (t) => t.replace('import sharp from', 'import { other as sharp } from')));
  assert.equal(lines, ["code 'src/stages/resize.ts#<import sharp>' changed"], '~> explanation');
}));

changed('new import-time code in a loaded module', () => withProject(async (p) => {
  const { lines } = await compareAfter(p, () => p.edit('src/lib/util.ts', (t) => `${t}\nconsole.log('loaded');\n`));
  assert.equal(lines, ["declaration 'src/lib/util.ts#<side-effects>' added"], '~> explanation');
}));

changed.run();

// ---

const batch = suite('fingerprintStages');

batch('gives the same fingerprints as one fingerprintStage per request, in order', () => withProject(async (p) => {
  const reqs = [
    { file: `${p.root}/src/stages/other.ts`, exportName: 'other' },
    { file: `${p.root}/src/stages/resize.ts`, exportName: 'resize' },
  ];
  const together = await fingerprintStages(reqs, { root: p.root, lockfile: p.lockfile, backend: 'cpu', node: 'v20.0.0', cache: p.cache });
  const single = [await p.fingerprint('src/stages/other.ts', 'other'), await p.fingerprint()];
  assert.equal(together.map(serializeFingerprint), single.map(serializeFingerprint), '~> bytes');
  assert.equal(together.map((fp) => fp.entry), ['src/stages/other.ts#other', 'src/stages/resize.ts#resize'], '~> order');
}));

batch.run();
