/**
 * Shared params definitions that several stages `$ref` instead of repeating: image sizes, seeds, the
 * noise-injection spec and the GAN network size.
 * Each carries an `$id`; `resolveParamsSchema` (params-schema.ts) pre-seeds the dereferencer with this
 * table, so `Type.Ref(ImageSize)` in a stage schema becomes the full definition in `repro schema` and in
 * validation, while TypeScript sees the referenced type.
 */
import { Type } from '@sinclair/typebox';
import { Defaulted } from './defaulted.js';

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

/** Noise injected into the generator's content branch (MODEL.md §2.7), in training and inference. */
export const Noise = Type.Object(
  {
    layers: Type.Array(Type.Union([Type.Literal('c1'), Type.Literal('c2')]), { minItems: 1, uniqueItems: true, description: 'content layers that get noise: c1 (first transposed conv), c2 (second)' }),
    position: Type.Union([Type.Literal('preNorm'), Type.Literal('postAct')], { description: 'added before instance norm, or after the ReLU' }),
    sigma: Type.Number({ minimum: 0, maximum: 10, description: 'standard deviation of the Gaussian noise' }),
  },
  { $id: 'repro:Noise', additionalProperties: false, description: 'noise injection on the content branch' },
);

/** Size of the AttentionGAN networks (the paper: ngf 64, 9 blocks, ndf 64). */
export const NetworkSize = Type.Object(
  {
    ngf: Type.Integer({ minimum: 1, maximum: 256, description: 'generator filters of the first conv (paper: 64)' }),
    blocks: Type.Integer({ minimum: 1, maximum: 32, description: 'residual blocks (paper: 9)' }),
    ndf: Type.Integer({ minimum: 1, maximum: 256, description: 'discriminator filters of the first conv (paper: 64)' }),
    upsample: Defaulted(
      Type.Union([Type.Literal('deconv'), Type.Literal('resize-conv')], {
        description: "the decoders' ×2 upsampling: 'deconv', the reference's stride-2 transposed conv; 'resize-conv', nearest resize then a 3×3 conv (same parameter count, no dead output phases)",
      }),
      'deconv',
    ),
    attentionActivation: Defaulted(
      Type.Union([Type.Literal('relu'), Type.Literal('leaky-relu')], {
        description: "the attention decoder's activation: 'relu' (the reference) or 'leaky-relu' (slope 0.2: no pixel can have every channel dead, so A10 cannot go bias-only)",
      }),
      'relu',
    ),
    attentionPrior: Defaulted(
      Type.Number({
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        description: "the background attention A10 every pixel starts at (the last attention bias set to match): 0.1 is the reference's all-zero init, 0.5 starts the background half copied (README, 'Does the translator learn?')",
      }),
      0.1,
    ),
    content: Defaulted(
      Type.Union([Type.Literal('direct'), Type.Literal('residual')], {
        description: "what the content decoder paints: 'direct', the reference's candidates from the features alone; 'residual', a change onto the input in tanh's logit space, so the input's full-resolution detail reaches the mask (same parameters)",
      }),
      'direct',
    ),
  },
  { $id: 'repro:NetworkSize', additionalProperties: false, description: 'AttentionGAN network size' },
);

/** Every shared definition, by `$id`. */
export const SHARED_DEFINITIONS: Readonly<Record<string, object>> = {
  'repro:ImageSize': ImageSize,
  'repro:Seed': Seed,
  'repro:Noise': Noise,
  'repro:NetworkSize': NetworkSize,
};
