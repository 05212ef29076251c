/**
 * Turns the text of one TypeScript/JavaScript module into a `FileAnalysis`: its runtime top-level declarations
 * (each with a comment- and type-free hash, the names it uses and whether it runs on import), its bare statements,
 * its value imports, its exports and re-exports. Syntax only, no type checker: the first pass collects the names
 * the file binds, the second hashes each statement against them. This module loads the TypeScript parser, so the
 * walk imports it lazily and only when the cache misses.
 */
import { createHash } from 'node:crypto';
import { ts } from 'ts-morph';
import type { DeclarationUnit, ExportTarget, FileAnalysis, ImportBinding } from './types.js';
import { collectCode, createCollector, hasModifier, type CodeCollector, type NameScope } from './collect-code.js';
import { checkRunsOnImport } from './runs-on-import.js';

const SK = ts.SyntaxKind;

/** A declaration being assembled; one name may span several statements (overloads, merged namespaces). */
interface PendingUnit {
  code: CodeCollector;
  runsOnImport: boolean;
}

/** What the first pass learns about the names a file binds. */
interface FileNames {
  imports: Record<string, ImportBinding>;
  loads: string[];
  sideEffectImports: string[];
  exports: Record<string, ExportTarget>;
  starExports: string[];
  values: Set<string>;
  types: Set<string>;
}

/** Parses `text` (named `fileName`, which picks TS/TSX/JS) and summarises it; never throws on bad syntax. */
export function analyzeFile(text: string, fileName: string): FileAnalysis {
  const sf = ts.createSourceFile(
    fileName, text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    true, pickScriptKind(fileName),
  );
  const diagnostics = (sf as unknown as { parseDiagnostics?: readonly unknown[] }).parseDiagnostics ?? [];
  const names = collectNames(sf);
  const scope: NameScope = {
    known: new Set([...names.values, ...Object.keys(names.imports)]),
    namespaces: new Set(Object.entries(names.imports).filter(([, b]) => b.imported === '*').map(([n]) => n)),
  };
  const units = new Map<string, PendingUnit>();
  const side = createCollector();
  let hasBareStatements = false;
  for (const statement of sf.statements) {
    const named = describeDeclaration(statement);
    if (named === 'skip') continue;
    if (named === 'bare') {
      hasBareStatements = true;
      collectCode(statement, sf, scope, side);
      continue;
    }
    for (const { name, node, prefix, runsOnImport } of named) {
      const unit = units.get(name) ?? { code: createCollector(), runsOnImport: false };
      if (unit.code.tokens.length > 0) unit.code.tokens.push('<merge>');
      if (prefix !== undefined) unit.code.tokens.push(prefix);
      collectCode(node, sf, scope, unit.code);
      unit.runsOnImport ||= runsOnImport;
      units.set(name, unit);
      if (runsOnImport) side.tokens.push(`<declaration ${name}>`); // keeps import-time order in the hash
    }
  }
  const declarations: Record<string, DeclarationUnit> = {};
  for (const name of [...units.keys()].sort()) {
    const unit = units.get(name)!;
    declarations[name] = { ...finishUnit(unit.code), runsOnImport: unit.runsOnImport };
  }
  const opaque = side.opaque || [...units.values()].some((u) => u.code.opaque);
  return {
    fileHash: hashText(text),
    broken: diagnostics.length > 0,
    opaque,
    declarations,
    sideEffects: hasBareStatements ? finishUnit(side) : null,
    imports: names.imports,
    loads: names.loads,
    sideEffectImports: names.sideEffectImports,
    exports: names.exports,
    starExports: names.starExports,
    typeNames: [...names.types].filter((n) => !names.values.has(n)).sort(),
  };
}

/** sha256 hex of a string. */
function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function finishUnit(code: CodeCollector): { hash: string; refs: string[]; dynamicImports: string[] } {
  return { hash: hashText(code.tokens.join(' ')), refs: [...code.refs].sort(), dynamicImports: [...code.dynamicImports].sort() };
}

function pickScriptKind(fileName: string): ts.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** First pass: imports, exports and the top-level value and type names. */
function collectNames(sf: ts.SourceFile): FileNames {
  const names: FileNames = { imports: {}, loads: [], sideEffectImports: [], exports: {}, starExports: [], values: new Set(), types: new Set() };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) addImport(st, names);
    else if (ts.isImportEqualsDeclaration(st)) addImportEquals(st, names);
    else if (ts.isExportDeclaration(st)) addExportDeclaration(st, names);
    else if (ts.isExportAssignment(st)) {
      names.exports.default = { kind: 'local', name: ts.isIdentifier(st.expression) ? st.expression.text : 'default' };
    } else {
      const described = describeDeclaration(st);
      if (described === 'skip') collectTypeNames(st, names.types);
      else if (described !== 'bare') for (const d of described) addValueName(st, d.name, names);
    }
  }
  return names;
}

function addImport(st: ts.ImportDeclaration, names: FileNames): void {
  const clause = st.importClause;
  if (clause?.isTypeOnly === true || !ts.isStringLiteral(st.moduleSpecifier)) return;
  const specifier = st.moduleSpecifier.text;
  names.loads.push(specifier);
  if (clause === undefined) {
    names.sideEffectImports.push(specifier);
    return;
  }
  if (clause.name !== undefined) names.imports[clause.name.text] = { specifier, imported: 'default' };
  const bindings = clause.namedBindings;
  if (bindings === undefined) return;
  if (ts.isNamespaceImport(bindings)) {
    names.imports[bindings.name.text] = { specifier, imported: '*' };
    return;
  }
  for (const el of bindings.elements) {
    if (!el.isTypeOnly) names.imports[el.name.text] = { specifier, imported: (el.propertyName ?? el.name).text };
  }
}

function addImportEquals(st: ts.ImportEqualsDeclaration, names: FileNames): void {
  const ref = st.moduleReference;
  if (st.isTypeOnly || !ts.isExternalModuleReference(ref) || !ts.isStringLiteral(ref.expression)) return;
  names.loads.push(ref.expression.text);
  names.imports[st.name.text] = { specifier: ref.expression.text, imported: '*' };
}

function addExportDeclaration(st: ts.ExportDeclaration, names: FileNames): void {
  if (st.isTypeOnly) return;
  const clause = st.exportClause;
  if (st.moduleSpecifier !== undefined && ts.isStringLiteral(st.moduleSpecifier)) {
    const specifier = st.moduleSpecifier.text;
    names.loads.push(specifier);
    if (clause === undefined) names.starExports.push(specifier);
    else if (ts.isNamespaceExport(clause)) names.exports[clause.name.text] = { kind: 'reexport', specifier, imported: '*' };
    else for (const el of clause.elements) {
      if (!el.isTypeOnly) names.exports[el.name.text] = { kind: 'reexport', specifier, imported: (el.propertyName ?? el.name).text };
    }
    return;
  }
  if (clause !== undefined && ts.isNamedExports(clause)) {
    for (const el of clause.elements) {
      if (!el.isTypeOnly) names.exports[el.name.text] = { kind: 'local', name: (el.propertyName ?? el.name).text };
    }
  }
}

function addValueName(st: ts.Statement, name: string, names: FileNames): void {
  names.values.add(name);
  if (!hasModifier(st, SK.ExportKeyword)) return;
  if (hasModifier(st, SK.DefaultKeyword)) names.exports.default = { kind: 'local', name };
  else names.exports[name] = { kind: 'local', name };
}

function collectTypeNames(st: ts.Statement, types: Set<string>): void {
  const named = st as { name?: ts.Node };
  if (named.name !== undefined && ts.isIdentifier(named.name)) types.add(named.name.text);
  if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) for (const n of listBindingNames(d.name)) types.add(n);
}

/** One name a statement declares, the node that defines it, and whether it runs on import. */
interface NamedPart {
  name: string;
  node: ts.Node;
  /** token put before the node's own tokens (the `const`/`let`/`var` of a split variable statement) */
  prefix?: string;
  runsOnImport: boolean;
}

/** 'skip' for type-only statements and imports/exports, 'bare' for statements that just run, else the names. */
function describeDeclaration(st: ts.Statement): NamedPart[] | 'skip' | 'bare' {
  if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st) || ts.isExportDeclaration(st)) return 'skip';
  if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || hasModifier(st, SK.DeclareKeyword)) return 'skip';
  if (ts.isFunctionDeclaration(st)) {
    if (st.body === undefined) return 'skip'; // overload signature
    return [{ name: st.name?.text ?? 'default', node: st, runsOnImport: false }];
  }
  if (ts.isClassDeclaration(st)) return [{ name: st.name?.text ?? 'default', node: st, runsOnImport: checkRunsOnImport(st) }];
  if (ts.isEnumDeclaration(st)) return [{ name: st.name.text, node: st, runsOnImport: checkRunsOnImport(st) }];
  if (ts.isModuleDeclaration(st)) {
    if (!ts.isIdentifier(st.name)) return 'skip';
    const runs = st.body !== undefined && checkRunsOnImport(st.body);
    return [{ name: st.name.text, node: st, runsOnImport: runs }];
  }
  if (ts.isExportAssignment(st)) {
    if (ts.isIdentifier(st.expression)) return 'skip'; // `export default x` only names x
    return [{ name: 'default', node: st, runsOnImport: checkRunsOnImport(st.expression) }];
  }
  if (ts.isVariableStatement(st)) {
    const keyword = describeVariableKeyword(st.declarationList);
    return st.declarationList.declarations.flatMap((d) => {
      const runsOnImport = checkRunsOnImport(d) || keyword.includes('using');
      return listBindingNames(d.name).map((name) => ({ name, node: d, prefix: keyword, runsOnImport }));
    });
  }
  return 'bare';
}

function describeVariableKeyword(list: ts.VariableDeclarationList): string {
  const flags = list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using);
  if (flags === ts.NodeFlags.AwaitUsing) return 'await using';
  if (flags === ts.NodeFlags.Using) return 'using';
  if (flags === ts.NodeFlags.Const) return 'const';
  if (flags === ts.NodeFlags.Let) return 'let';
  return 'var';
}

/** Every identifier a binding name or destructuring pattern declares. */
function listBindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : listBindingNames(el.name)));
}
