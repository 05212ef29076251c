/**
 * The one way to declare a defaulted param (`Defaulted`): experiments may omit it, params validation
 * (params-schema.ts, ajv `useDefaults`) fills it in, and `RunParams` — the params type `run(ctx)` sees —
 * has it present, so no stage restates a default. Types and TypeBox only, so a stage module that imports
 * it loads no validator.
 */
import { Type, type Static, type TArray, type TObject, type TOptional, type TSchema, type TUnion } from '@sinclair/typebox';

/** A param that experiments may omit and `run` always receives: optional in `Static`, present in `RunParams`. */
export type TDefaulted<T extends TSchema> = TOptional<T> & { readonly default: Static<T> };

/**
 * Declares `schema` with a `default` that validation applies (ajv `useDefaults`) before `run` sees the
 * params. NOTE: ajv ignores defaults inside `anyOf` branches, so use it only in object properties outside
 * a union (a union-typed property itself is fine).
 */
export function Defaulted<T extends TSchema>(schema: T, value: Static<T>): TDefaulted<T> {
  return Type.Optional({ ...schema, default: value }) as unknown as TDefaulted<T>;
}

/** The params `run(ctx)` receives: `Static<T>` with every `Defaulted` field present, at any depth. */
export type RunParams<T> =
  T extends TObject<infer P>
    ? Flatten<{ [K in keyof P as IsPresent<P[K]> extends true ? K : never]: RunParams<P[K]> } & { [K in keyof P as IsPresent<P[K]> extends true ? never : K]?: RunParams<P[K]> }>
    : T extends TArray<infer I> ? RunParams<I>[]
    : T extends TUnion<infer U> ? RunParams<U[number]>
    : T extends TSchema ? Static<T> : never;

type IsPresent<S> = S extends { readonly default: unknown } ? true : S extends TOptional<TSchema> ? false : true;
type Flatten<T> = { [K in keyof T]: T[K] } & {};
