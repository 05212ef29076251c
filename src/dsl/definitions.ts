/**
 * Shared params definitions that several stages `$ref` instead of repeating: image sizes, seeds.
 * Each carries an `$id`; `resolveParamsSchema` (params-schema.ts) pre-seeds the dereferencer with this
 * table, so `Type.Ref(ImageSize)` in a stage schema becomes the full definition in `repro schema` and in
 * validation, while TypeScript sees the referenced type.
 */
import { Type } from '@sinclair/typebox';

/** Width or height of an image in pixels. */
export const ImageSize = Type.Integer({
  $id: 'repro:ImageSize',
  minimum: 1,
  maximum: 16384,
  description: 'image width or height, px',
});

/** Seed for every random draw of a stage. */
export const Seed = Type.Integer({
  $id: 'repro:Seed',
  minimum: 0,
  maximum: 2 ** 31 - 1,
  description: 'seed for every random draw of the stage',
});

/** Every shared definition, by `$id`. */
export const SHARED_DEFINITIONS: Readonly<Record<string, object>> = {
  'repro:ImageSize': ImageSize,
  'repro:Seed': Seed,
};
