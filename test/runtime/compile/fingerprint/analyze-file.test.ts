/**
 * Tests for `analyzeFile`: which declarations, imports, exports, roots and type names one module yields.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { analyzeFile } from '../../../../src/runtime/compile/fingerprint/analyze-file.js';

const SOURCE = `
import def, { a as b, type T } from './x.js';
import type { U } from './types.js';
import * as ns from 'pkg';
import './setup.js';
export { c as d } from './c.js';
export * from './star.js';
export * as all from './all.js';
export type { V } from './v.js';
export interface I { x: number }
export type Alias = string;
declare const ambient: number;
export function over(a: string): void;
export function over(a: unknown) { return b(a) }
export const [p, q] = def(), plain = 1;
export default class { static s = ns.make() }
function local() { return over }
export { local as renamed };
console.log(p);
`;

const analyze = suite('analyzeFile');

analyze('splits a module into declarations, imports, exports and roots', () => {
  const a = analyzeFile(SOURCE, '/p/src/m.ts');
  assert.equal(Object.keys(a.declarations), ['default', 'local', 'over', 'p', 'plain', 'q'], '~> declarations');
  assert.equal(a.imports, {
    def: { specifier: './x.js', imported: 'default' },
    b: { specifier: './x.js', imported: 'a' },
    ns: { specifier: 'pkg', imported: '*' },
  }, '~> imports');
  assert.equal(a.loads, ['./x.js', 'pkg', './setup.js', './c.js', './star.js', './all.js'], '~> loads');
  assert.equal(a.sideEffectImports, ['./setup.js'], '~> sideEffectImports');
  assert.equal(a.starExports, ['./star.js'], '~> starExports');
  assert.equal(a.exports, {
    d: { kind: 'reexport', specifier: './c.js', imported: 'c' },
    all: { kind: 'reexport', specifier: './all.js', imported: '*' },
    over: { kind: 'local', name: 'over' },
    p: { kind: 'local', name: 'p' },
    q: { kind: 'local', name: 'q' },
    plain: { kind: 'local', name: 'plain' },
    default: { kind: 'local', name: 'default' },
    renamed: { kind: 'local', name: 'local' },
  }, '~> exports');
  assert.equal(a.typeNames, ['Alias', 'I', 'ambient'], '~> typeNames');
  assert.equal(a.declarations['over']?.refs, ['b'], '~> refs');
  assert.equal(a.declarations['default']?.refs, ['ns.make'], '~> namespace member refs');
  assert.ok(a.declarations['p']?.runsOnImport && a.declarations['q']?.runsOnImport, '~> destructured root');
  assert.equal(a.declarations['p']?.hash, a.declarations['q']?.hash, '~> destructured names share the statement');
  assert.not.ok(a.declarations['plain']?.runsOnImport, '~> plain const');
  assert.equal(a.sideEffects?.refs, ['p'], '~> side effects');
  assert.is(a.broken, false, '~> broken');
});

analyze('hashes the bare statements together with the order of import-time declarations', () => {
  const first = analyzeFile('init();\nexport const a = f();\n', 'm.ts');
  const second = analyzeFile('export const a = f();\ninit();\n', 'm.ts');
  assert.is.not(first.sideEffects?.hash, second.sideEffects?.hash, '~> order');
  assert.is(analyzeFile('export const a = f();\n', 'm.ts').sideEffects, null, '~> no bare statements');
});

analyze('flags syntax errors and keeps the file hash', () => {
  const a = analyzeFile('export function (', 'bad.ts');
  assert.ok(a.broken, '~> broken');
  assert.match(a.fileHash, /^[0-9a-f]{64}$/, '~> fileHash');
});

analyze.run();
