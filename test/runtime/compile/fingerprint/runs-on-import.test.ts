/**
 * Tests for `checkRunsOnImport`: which top-level statements execute code when their module is loaded.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ts } from 'ts-morph';
import { checkRunsOnImport } from '../../../../src/runtime/compile/fingerprint/runs-on-import.js';

/** checkRunsOnImport of the first statement of `text`. */
function runs(text: string): boolean {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
  return checkRunsOnImport(sf.statements[0]!);
}

const check = suite('checkRunsOnImport');

check('initialisers that call, construct, await or tag run on import', () => {
  assert.ok(runs('const a = f()'), '~> call');
  assert.ok(runs('const a = { b: new Map() }'), '~> new');
  assert.ok(runs('const a = await p'), '~> await');
  assert.ok(runs('const a = sql`x`'), '~> tagged template');
  assert.ok(runs('const { a = f() } = o'), '~> destructuring default');
});

check('plain values and function bodies do not', () => {
  assert.not.ok(runs('const a = 3'), '~> literal');
  assert.not.ok(runs('const a = () => f()'), '~> arrow body');
  assert.not.ok(runs('const a = { m() { f() } }'), '~> method body');
  assert.not.ok(runs('function a() { f() }'), '~> function');
  assert.not.ok(runs('const a = f as unknown as () => ReturnType<typeof g>'), '~> types');
});

check('classes run code through static members, decorators, computed names and extends calls', () => {
  assert.not.ok(runs('class A { x = f(); m() { g() } }'), '~> instance field and method');
  assert.ok(runs('class A { static x = f() }'), '~> static field');
  assert.ok(runs('class A { static { f() } }'), '~> static block');
  assert.ok(runs('@d class A {}'), '~> class decorator');
  assert.ok(runs('class A { @d m() {} }'), '~> member decorator');
  assert.ok(runs('class A { [key()]() {} }'), '~> computed name');
  assert.ok(runs('class A extends mixin(B) {}'), '~> extends call');
});

check.run();
