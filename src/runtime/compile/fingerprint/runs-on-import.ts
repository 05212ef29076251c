/**
 * Decides whether a top-level declaration executes code when its module is loaded: a call, `new`, `await` or
 * tagged template in an initializer, a decorator, a class static block or static field initialiser, a computed
 * member name, or an `extends` clause that calls something. Function bodies, methods and instance field
 * initialisers only run when called, so they are not looked into. Such declarations are roots of every closure
 * that loads the module. Loaded only on a cache miss: it pulls in the TypeScript parser.
 */
import { ts } from 'ts-morph';

const SK = ts.SyntaxKind;

/** True when evaluating `node` at module load runs code (conservative: anything call-like counts). */
export function checkRunsOnImport(node: ts.Node): boolean {
  switch (node.kind) {
    case SK.CallExpression:
    case SK.NewExpression:
    case SK.AwaitExpression:
    case SK.TaggedTemplateExpression:
    case SK.Decorator:
    case SK.ClassStaticBlockDeclaration:
    case SK.YieldExpression:
      return true;
    case SK.ArrowFunction:
    case SK.FunctionExpression:
    case SK.FunctionDeclaration:
      return false; // the body runs when called, not when defined
    case SK.MethodDeclaration:
    case SK.GetAccessor:
    case SK.SetAccessor:
    case SK.Constructor:
      return checkMemberShell(node as ts.FunctionLikeDeclarationBase);
    case SK.PropertyDeclaration:
      return checkProperty(node as ts.PropertyDeclaration);
    case SK.InterfaceDeclaration:
    case SK.TypeAliasDeclaration:
      return false;
  }
  if (ts.isTypeNode(node) && node.kind !== SK.ExpressionWithTypeArguments) return false;
  return ts.forEachChild(node, checkRunsOnImport) ?? false;
}

/** A method runs nothing at definition time except its decorators and a computed name. */
function checkMemberShell(member: ts.FunctionLikeDeclarationBase): boolean {
  if (hasDecorators(member)) return true;
  if (member.name !== undefined && ts.isComputedPropertyName(member.name) && checkRunsOnImport(member.name)) return true;
  return member.parameters.some((p) => hasDecorators(p));
}

/** A class field: decorators and computed names always run; the initialiser only for static fields. */
function checkProperty(prop: ts.PropertyDeclaration): boolean {
  if (hasDecorators(prop)) return true;
  if (ts.isComputedPropertyName(prop.name) && checkRunsOnImport(prop.name)) return true;
  const isStatic = ts.getModifiers(prop)?.some((m) => m.kind === SK.StaticKeyword) ?? false;
  return isStatic && prop.initializer !== undefined && checkRunsOnImport(prop.initializer);
}

/** True when the node carries at least one decorator. */
function hasDecorators(node: ts.Node): boolean {
  return ts.canHaveDecorators(node) && (ts.getDecorators(node)?.length ?? 0) > 0;
}
