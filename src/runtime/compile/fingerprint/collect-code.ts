/**
 * Reduces one piece of syntax to the tokens that can execute, and collects the top-level names it uses. Comments
 * and whitespace never reach the token list; type annotations, type arguments, `implements` clauses, interfaces,
 * overload signatures and `declare` members are dropped with their `:`/`as`/`<…>` punctuation, because types never
 * execute. Statement-ending semicolons are normalised (always emitted) so that ASI style does not matter while
 * `return; f()` and `return f()` still differ. Loaded only on a cache miss: it pulls in the TypeScript parser.
 */
import { ts } from 'ts-morph';

/** Top-level names visible to the code being collected. */
export interface NameScope {
  /** runtime declarations and value import bindings of the file */
  known: ReadonlySet<string>;
  /** the subset bound by `import * as ns` (members are tracked one by one) */
  namespaces: ReadonlySet<string>;
}

/** Accumulates tokens and references while walking; several nodes may feed one collector. */
export interface CodeCollector {
  tokens: string[];
  refs: Set<string>;
  dynamicImports: Set<string>;
  /** set on `eval` or `with`, after which any binding may be reached by name */
  opaque: boolean;
}

const SK = ts.SyntaxKind;

/** Statements (and class fields) whose final `;` is optional; it is always emitted so ASI style doesn't matter. */
const TERMINATED = new Set<ts.SyntaxKind>([
  SK.VariableStatement, SK.ExpressionStatement, SK.ReturnStatement, SK.BreakStatement, SK.ContinueStatement,
  SK.ThrowStatement, SK.DoStatement, SK.DebuggerStatement, SK.ImportDeclaration, SK.ExportDeclaration,
  SK.ExportAssignment, SK.PropertyDeclaration, SK.ImportEqualsDeclaration,
]);

/** Punctuation that introduces a dropped type: `x: T`, `e as T`, `e satisfies T`, `<T>e`, `f<T>()`. */
const TYPE_INTRODUCERS = new Set<ts.SyntaxKind>([SK.ColonToken, SK.AsKeyword, SK.SatisfiesKeyword, SK.LessThanToken]);

/** Creates an empty collector. */
export function createCollector(): CodeCollector {
  return { tokens: [], refs: new Set(), dynamicImports: new Set(), opaque: false };
}

/** Appends the executable tokens of `node` to `out` and records the top-level names it references. */
export function collectCode(node: ts.Node, sf: ts.SourceFile, scope: NameScope, out: CodeCollector): void {
  if (isTypeOnly(node)) return;
  if (node.kind === SK.WithStatement) out.opaque = true;
  if (ts.isCallExpression(node) && node.expression.kind === SK.ImportKeyword) recordDynamicImport(node, out);
  const children = node.getChildren(sf);
  if (children.length === 0) {
    emitLeaf(node, sf, scope, out);
    return;
  }
  const skipped = findTypeChildren(node, children);
  const terminated = TERMINATED.has(node.kind);
  children.forEach((child, i) => {
    if (skipped.has(i)) return;
    if (terminated && i === children.length - 1 && child.kind === SK.SemicolonToken) return;
    if (isDroppableTrailingComma(node, children, i)) return;
    collectCode(child, sf, scope, out);
  });
  if (terminated) out.tokens.push(';');
}

/** Whole nodes that produce no JavaScript. */
function isTypeOnly(node: ts.Node): boolean {
  if (node.kind >= SK.FirstJSDocNode && node.kind <= SK.LastJSDocNode) return true;
  switch (node.kind) {
    case SK.InterfaceDeclaration:
    case SK.TypeAliasDeclaration:
    case SK.IndexSignature:
    case SK.SemicolonClassElement:
      return true;
    case SK.FunctionDeclaration:
    case SK.MethodDeclaration:
    case SK.Constructor:
      return (node as ts.FunctionLikeDeclarationBase).body === undefined; // overload or abstract signature
    case SK.HeritageClause:
      return (node as ts.HeritageClause).token === SK.ImplementsKeyword;
    case SK.Parameter:
      return ts.isIdentifier((node as ts.ParameterDeclaration).name) &&
        ((node as ts.ParameterDeclaration).name as ts.Identifier).text === 'this';
    case SK.ImportDeclaration:
      return (node as ts.ImportDeclaration).importClause?.isTypeOnly === true;
    case SK.ExportDeclaration:
      return (node as ts.ExportDeclaration).isTypeOnly;
    case SK.ImportSpecifier:
    case SK.ExportSpecifier:
      return (node as ts.ImportSpecifier).isTypeOnly;
  }
  return hasModifier(node, SK.DeclareKeyword) || (node.kind === SK.PropertyDeclaration && hasModifier(node, SK.AbstractKeyword));
}

/** True when `node` carries the given modifier keyword. */
export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** Indexes of children that are types, plus the punctuation that introduces or closes them. */
function findTypeChildren(node: ts.Node, children: readonly ts.Node[]): Set<number> {
  const skipped = new Set<number>();
  const typed = node as { type?: ts.Node; typeArguments?: ts.NodeArray<ts.Node>; typeParameters?: ts.NodeArray<ts.Node> };
  children.forEach((child, i) => {
    const isType =
      (typed.type === child && ts.isTypeNode(child)) ||
      isSameList(child, typed.typeArguments) ||
      isSameList(child, typed.typeParameters);
    // `x!`, `let x!: T`, `f(a?: T)`, `class { x?: T }`: markers for the checker only
    const isMarker =
      (child.kind === SK.ExclamationToken &&
        (ts.isNonNullExpression(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node))) ||
      (child.kind === SK.QuestionToken &&
        (ts.isParameter(node) || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)));
    if (isMarker) skipped.add(i);
    if (!isType) return;
    skipped.add(i);
    const before = children[i - 1];
    const after = children[i + 1];
    if (before !== undefined && TYPE_INTRODUCERS.has(before.kind)) skipped.add(i - 1);
    if (after !== undefined && after.kind === SK.GreaterThanToken) skipped.add(i + 1);
  });
  return skipped;
}

/** True when `child` is the syntax list made for `list` (same range). */
function isSameList(child: ts.Node, list: ts.NodeArray<ts.Node> | undefined): boolean {
  return list !== undefined && child.kind === SK.SyntaxList && child.pos === list.pos && child.end === list.end;
}

/** A trailing comma in a list means nothing, except after a hole (`[a, ,]` has length 2). */
function isDroppableTrailingComma(node: ts.Node, children: readonly ts.Node[], i: number): boolean {
  const child = children[i];
  const before = children[i - 1];
  return node.kind === SK.SyntaxList && i === children.length - 1 && i > 0 &&
    child?.kind === SK.CommaToken && before?.kind !== SK.OmittedExpression;
}

/** Emits one token; string literals and JSX text are normalised to their meaning. */
function emitLeaf(node: ts.Node, sf: ts.SourceFile, scope: NameScope, out: CodeCollector): void {
  if (node.kind === SK.StringLiteral) {
    out.tokens.push(JSON.stringify((node as ts.StringLiteral).text));
    return;
  }
  if (node.kind === SK.JsxText) {
    const text = normaliseJsxText((node as ts.JsxText).text);
    if (text !== '') out.tokens.push(text);
    return;
  }
  const text = node.getText(sf);
  if (text === '') return;
  out.tokens.push(text);
  if (node.kind === SK.Identifier) recordReference(node as ts.Identifier, scope, out);
}

/** JSX drops whitespace-only lines and trims around line breaks; equal meaning gives equal text. */
function normaliseJsxText(text: string): string {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length === 1) return text;
  return lines
    .map((line, i) => (i === 0 ? line.trimEnd() : i === lines.length - 1 ? line.trimStart() : line.trim()))
    .filter((line) => line !== '')
    .join(' ');
}

/** Records `id` when it names a top-level binding (not a property name, label or member name). */
function recordReference(id: ts.Identifier, scope: NameScope, out: CodeCollector): void {
  if (!isReferencePosition(id)) return;
  if (id.text === 'eval') out.opaque = true;
  if (!scope.known.has(id.text)) return;
  out.refs.add(scope.namespaces.has(id.text) ? describeNamespaceUse(id) : id.text);
}

/** 'ns.member' for `ns.member` or `ns['member']`; plain 'ns' (the whole module) for any other use. */
function describeNamespaceUse(id: ts.Identifier): string {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === id && ts.isIdentifier(parent.name)) {
    return `${id.text}.${parent.name.text}`;
  }
  if (ts.isElementAccessExpression(parent) && parent.expression === id &&
    ts.isStringLiteralLike(parent.argumentExpression)) {
    return `${id.text}.${parent.argumentExpression.text}`;
  }
  return id.text;
}

/** False for identifiers that name a property, member, label or import/export slot rather than a binding. */
function isReferencePosition(id: ts.Identifier): boolean {
  const p = id.parent;
  if (p === undefined) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessor(p) ||
    ts.isSetAccessor(p) || ts.isEnumMember(p) || ts.isJsxAttribute(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (isDeclarationName(p, id)) return false; // a binding, not a use (a shadowing one over-approximates uses)
  if ((ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) && p.label === id) return false;
  return !(ts.isMetaProperty(p) || ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) ||
    ts.isNamespaceImport(p));
}

/** True when `id` is the name that `p` declares (variable, parameter, function, class, enum, namespace). */
function isDeclarationName(p: ts.Node, id: ts.Identifier): boolean {
  return (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p) || ts.isFunctionDeclaration(p) ||
    ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p) || ts.isEnumDeclaration(p) ||
    ts.isModuleDeclaration(p)) && p.name === id;
}

/** `import('./x.js')` with a literal needs the whole target; a computed one can't be followed syntactically. */
function recordDynamicImport(call: ts.CallExpression, out: CodeCollector): void {
  const arg = call.arguments[0];
  if (arg !== undefined && ts.isStringLiteralLike(arg)) out.dynamicImports.add(arg.text);
}
