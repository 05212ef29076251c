/**
 * Turns a stage's params schema into what the rest of repro uses: a fully dereferenced JSON Schema
 * (shared `$ref` definitions inlined with @json-schema-tools/dereferencer, unknown keys forbidden) and a
 * validator built with ajv that applies defaults and reports every violation at once as
 * "param 'x' must be >= 1, received -1 (number)". Pure: no I/O, only schema work in memory.
 */
import DereferencerModule from '@json-schema-tools/dereferencer';
import { Type, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { describeValue } from '../errors.js';
import { SHARED_DEFINITIONS } from './definitions.js';
import type { Experiment } from './experiment.js';
import type { StageDefinition } from './stage.js';

export type JsonSchema = Record<string, unknown>;

/** One violation of a params schema. */
export interface ParamsViolation {
  /** dotted key path inside the stage's params, '' for the root */
  key: string;
  message: string;
}

export type ParamsCheck =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly violations: readonly ParamsViolation[] };

export interface ResolvedParamsSchema {
  /** dereferenced schema: no `$ref`, no `$id`, `additionalProperties: false` on every object */
  readonly schema: JsonSchema;
  /** validates a copy of `value`, applying defaults */
  check(value: unknown): ParamsCheck;
}

// NOTE: the package ships CommonJS with `exports.default`; under NodeNext the class sits on `.default`.
type DereferencerClass = typeof import('@json-schema-tools/dereferencer/build/dereferencer.js').default;
const Dereferencer = ((DereferencerModule as unknown as { default?: unknown }).default ??
  DereferencerModule) as unknown as DereferencerClass;

// NOTE: verbose keeps `parentSchema` on errors, which the messages use to list the allowed keys and values.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const resolved = new WeakMap<object, Promise<ResolvedParamsSchema>>();

/** The resolved params schema of every stage definition the experiments use, keyed by definition. */
export async function resolveStageSchemas(experiments: readonly Experiment[]): Promise<Map<StageDefinition, ResolvedParamsSchema>> {
  const stages = [...new Set(experiments.flatMap((e) => e.stages.map((s) => s.stage)))];
  const resolved = await Promise.all(stages.map((s) => resolveParamsSchema(s.params)));
  return new Map(stages.map((s, i) => [s, resolved[i]!]));
}

/** Dereferences and compiles a params schema once per schema object. */
export function resolveParamsSchema(schema: object): Promise<ResolvedParamsSchema> {
  let pending = resolved.get(schema);
  if (!pending) {
    pending = buildResolvedSchema(schema);
    resolved.set(schema, pending);
  }
  return pending;
}

async function buildResolvedSchema(schema: object): Promise<ResolvedParamsSchema> {
  const plain = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  const dereferenced = await new Dereferencer(plain as never, {
    refCache: JSON.parse(JSON.stringify(SHARED_DEFINITIONS)) as never,
  }).resolve();
  const strict = closeObjects(stripIds(dereferenced)) as JsonSchema;
  const validate = ajv.compile(strict);
  return {
    schema: strict,
    check(value) {
      const copy = value === undefined ? {} : structuredClone(value);
      if (validate(copy)) return { ok: true, value: copy as Record<string, unknown> };
      return { ok: false, violations: describeErrors(validate, copy) };
    },
  };
}

function describeErrors(validate: ValidateFunction, value: unknown): ParamsViolation[] {
  const seen = new Set<string>();
  const violations: ParamsViolation[] = [];
  const errors = validate.errors ?? [];
  // A failed union reports each branch too; the union's own message says it all.
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && unions.has(error.instancePath) && error.schemaPath.includes('/anyOf/')) continue;
    const violation = describeError(error, value);
    const key = `${violation.key}\0${violation.message}`;
    if (!seen.has(key)) violations.push(violation);
    seen.add(key);
  }
  return violations;
}

function describeError(error: ErrorObject, root: unknown): ParamsViolation {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = segments.join('.');
  const received = describeValue(readPath(root, segments));
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      const full = key ? `${key}.${extra}` : extra;
      const known = Object.keys(((error.parentSchema as JsonSchema)?.properties as object) ?? {}).sort();
      return { key: full, message: `unknown param '${full}', expected one of ${known.map((k) => `'${k}'`).join(', ') || '(none)'}` };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      const full = key ? `${key}.${missing}` : missing;
      return { key: full, message: `param '${full}' is required, received nothing` };
    }
    case 'anyOf': {
      const branches = ((error.parentSchema as JsonSchema)?.anyOf as JsonSchema[] | undefined) ?? [];
      if (branches.length > 0 && branches.every((b) => 'const' in b)) {
        const allowed = branches.map((b) => JSON.stringify(b.const).replace(/^"(.*)"$/, "'$1'")).join(', ');
        return { key, message: `param '${key}' expected one of ${allowed}, received ${received}` };
      }
      return { key, message: `param '${key || '(root)'}' matches none of its allowed forms, received ${received}` };
    }
    default:
      return { key, message: `param '${key || '(root)'}' ${error.message ?? 'is invalid'}, received ${received}` };
  }
}

function readPath(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Removes `$id` keys: inlined shared definitions would otherwise repeat an id ajv insists is unique. */
function stripIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$id').map(([k, v]) => [k, stripIds(v)]));
}

/** Forbids unknown keys on every object schema that does not say otherwise: a typo is an error. */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (typeof node !== 'object' || node === null) return node;
  const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, closeObjects(v)])) as JsonSchema;
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined) {
    copy.additionalProperties = false;
  }
  return copy;
}
