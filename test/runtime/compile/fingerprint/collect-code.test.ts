/**
 * Tests for `collectCode`: two snippets hash alike exactly when they differ only in comments, whitespace, types,
 * optional semicolons, trailing commas or quote style; and references are the top-level names really used.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ts } from 'ts-morph';
import { collectCode, createCollector, type CodeCollector } from '../../../../src/runtime/compile/fingerprint/collect-code.js';

const KNOWN = ['scale', 'util', 'helper', 'Base'];

/** Collects every statement of `text` into one collector. */
function collect(text: string): CodeCollector {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out = createCollector();
  for (const st of sf.statements) collectCode(st, sf, { known: new Set(KNOWN), namespaces: new Set(['util']) }, out);
  return out;
}

const tokens = (text: string): string => collect(text).tokens.join(' ');

const code = suite('collectCode');

code('ignores comments, whitespace, types, ASI, trailing commas and quote style', () => {
  const plain = tokens(`function f(a, b) { const x = [a, b]; return g(x, 'q'); }`);
  const noisy = tokens(`/** doc */ function f<T extends object>(a: T, b?: number): string {
    // comment
    const x = [a, b!,] as const
    return g<T>(x satisfies unknown, "q",)
  }`);
  assert.is(noisy, plain, '~> tokens');
});

code('keeps what changes behaviour', () => {
  assert.is.not(tokens('function f() { return; g() }'), tokens('function f() { return g() }'), '~> ASI return');
  assert.is.not(tokens('const a = [1,,]'), tokens('const a = [1,]'), '~> array hole');
  assert.is.not(tokens('if (a) ; b()'), tokens('if (a) b()'), '~> empty statement');
  assert.is.not(tokens("const s = 'a b'"), tokens("const s = 'a  b'"), '~> string content');
});

code('drops type-only members and clauses', () => {
  const withTypes = tokens(`class A extends Base<number> implements I { declare x: number; [k: string]: unknown; m(a: string): void; m(a: any) {} private y!: number; }`);
  assert.is(withTypes, tokens('class A extends Base { m(a) {} private y; }'), '~> tokens');
});

code('normalises JSX text the way JSX reads it', () => {
  assert.is(tokens('const e = <p>\n    hello\n    world\n  </p>'), tokens('const e = <p>hello world</p>'), '~> tokens');
});

code('records used top-level names, not property or member names', () => {
  const out = collect(`function f(o) { o.scale(); const k = { helper: 1 }; return [util.scale, util['x'], Base, scale, { helper }]; }`);
  assert.equal([...out.refs].sort(), ['Base', 'helper', 'scale', 'util.scale', 'util.x'], '~> refs');
});

code('records a bare namespace use as the whole namespace', () => {
  assert.equal([...collect('const m = (k) => util[k]').refs], ['util'], '~> refs');
});

code('records literal dynamic imports and flags eval and with', () => {
  const out = collect(`async function f(code) { await import('./lit.js'); return eval(code); }`);
  assert.equal([...out.dynamicImports], ['./lit.js'], '~> dynamicImports');
  assert.ok(out.opaque, '~> opaque (eval)');
  assert.ok(collect('function g(o) { with (o) { x } }').opaque, '~> opaque (with)');
  assert.not.ok(collect('function h(o) { return o.eval }').opaque, '~> a property named eval is fine');
});

code.run();
