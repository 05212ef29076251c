/**
 * Exports a generator as a standalone TensorFlow.js GraphModel: `model.json` (a GraphDef-style topology, a
 * signature and the weights manifest) plus one `weights.bin`, loadable with plain `@tensorflow/tfjs`
 * (`tf.loadGraphModel`) and no repro code, custom layers or custom ops. The graph uses only ops the
 * tfjs-converter executor supports: Placeholder, Const, MirrorPad (reflect; its gradient is wrong in tfjs, but
 * this graph is inference only), Pad + Conv2D 'VALID' (PyTorch's symmetric zero padding), Shape/Mul/AddV2 on
 * int32 + Conv2DBackpropInput + Slice (PyTorch's ConvTranspose2d k3 s2 p1 op1, for any input size), BiasAdd,
 * Mean/SquaredDifference/Rsqrt/Sub/Mul (instance norm), Relu, Tanh, Softmax, Reshape, Sum, Identity, and for
 * 'residual' content Atanh and Tile.
 * Input `image` [N, H, W, 3] in [−1, 1], H and W divisible by 4; outputs `output` [N, H, W, 3] and
 * `attention` [N, H, W, 10]; `model.predict(image)` returns `{ output, attention }`.
 * NOTE: noise is baked in with RandomStandardNormal, which the executor supports, rather than exposed as a
 * second input: with `noiseSeed` every call draws the same ε as `runGenerator(…, { noise, noiseSeed })`; without
 * it the ops carry seed 0, which tfjs treats as unseeded, so every call draws fresh noise.
 * In Node, plain tfjs has no file:// loader: pass `tf.io.fromMemory({ modelTopology, weightSpecs, weightData,
 * signature, userDefinedMetadata })` built from the two files (see test/gan/export-model.test.ts).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { ATTENTION_LEAK, ATTENTION_MAPS, CONTENT_IMAGES, RESIDUAL_INPUT_SCALE, type GeneratorWeights } from './generator.js';
import { assertNoiseSpec, isNoiseActive, noiseLayerSeed, type NoiseLayer, type NoiseSpec } from './noise.js';
import { INSTANCE_NORM_EPSILON } from './layers.js';
import type { ConvVariables } from './weights.js';

/** File names of an exported model. */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Options of `exportGeneratorModel`. */
export interface ExportGeneratorOptions {
  /** Noise baked into the graph (content branch only, as in `runGenerator`). @default no noise */
  readonly noise?: NoiseSpec;
  /** Fixes every draw (same ε each call, equal to `runGenerator`'s for this seed); omit for fresh noise per call. */
  readonly noiseSeed?: number;
}

/** The two files' contents, before they are written. */
export interface GeneratorModelArtifacts {
  readonly modelJson: tfjs.io.ModelJSON;
  readonly weightData: Uint8Array;
}

type Attr = Record<string, unknown>;
interface GraphNode { name: string; op: string; input: string[]; attr: Attr }
interface WeightEntry { name: string; shape: number[]; dtype: 'float32' | 'int32'; data: Uint8Array }

const FLOAT = { type: 'DT_FLOAT' };
const INT32 = { type: 'DT_INT32' };
const text = (s: string) => ({ s: Buffer.from(s).toString('base64') });
const ints = (values: number[]) => ({ list: { i: values.map(String) } });

/** Builds the graph one op at a time; every Const is a weight, as the tfjs converter stores them. */
class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly weights: WeightEntry[] = [];
  private readonly used = new Map<string, number>();

  op(op: string, input: string[], attr: Attr = {}, name = op): string {
    const count = this.used.get(name) ?? 0;
    this.used.set(name, count + 1);
    const unique = count === 0 ? name : `${name}_${count}`;
    this.nodes.push({ name: unique, op, input, attr });
    return unique;
  }

  constant(name: string, shape: number[], values: Float32Array | Int32Array): string {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    const node = this.op('Const', [], { dtype: dtype === 'int32' ? INT32 : FLOAT, value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: shape.map((size) => ({ size: String(size) })) } } } }, name);
    this.weights.push({ name: node, shape, dtype, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    return node;
  }

  ints(name: string, values: number[], shape = [values.length]): string {
    return this.constant(name, shape, Int32Array.from(values));
  }
}

/** model.json and weights.bin for `weights`, in memory. */
export async function createGeneratorModelArtifacts(weights: GeneratorWeights, options: ExportGeneratorOptions = {}): Promise<GeneratorModelArtifacts> {
  if (options.noise !== undefined) assertNoiseSpec(options.noise);
  const g = new GraphBuilder();
  const noise = isNoiseActive(options.noise) ? options.noise : undefined;

  const layer = async (module: string, v: ConvVariables) => ({
    kernel: g.constant(`generator/${module}/kernel`, [...v.kernel.shape], await v.kernel.data() as Float32Array),
    bias: g.constant(`generator/${module}/bias`, [...v.bias.shape], await v.bias.data() as Float32Array),
  });
  const reflect = (x: string, p: number) => g.op('MirrorPad', [x, g.ints('paddings', [0, 0, p, p, p, p, 0, 0], [4, 2])], { T: FLOAT, Tpaddings: INT32, mode: text('REFLECT') });
  const conv = (x: string, w: { kernel: string; bias: string }, stride = 1, pad = 0) => {
    const padded = pad === 0 ? x : g.op('Pad', [x, g.ints('paddings', [0, 0, pad, pad, pad, pad, 0, 0], [4, 2])], { T: FLOAT, Tpaddings: INT32 });
    const y = g.op('Conv2D', [padded, w.kernel], { T: FLOAT, strides: ints([1, stride, stride, 1]), padding: text('VALID'), data_format: text('NHWC'), dilations: ints([1, 1, 1, 1]) });
    return g.op('BiasAdd', [y, w.bias], { T: FLOAT, data_format: text('NHWC') });
  };
  const convTranspose = (x: string, w: { kernel: string; bias: string }, out: number) => {
    // output shape [N, 2H+1, 2W+1, out] from the input's runtime shape [N, H, W, C]
    const shape = g.op('AddV2', [g.op('Mul', [g.op('Shape', [x], { T: FLOAT, out_type: INT32 }), g.ints('scale', [1, 2, 2, 0])], { T: INT32 }), g.ints('offset', [0, 1, 1, out])], { T: INT32 });
    const full = g.op('Conv2DBackpropInput', [shape, w.kernel, x], { T: FLOAT, strides: ints([1, 2, 2, 1]), padding: text('VALID'), data_format: text('NHWC'), dilations: ints([1, 1, 1, 1]) });
    const cropped = g.op('Slice', [full, g.ints('begin', [0, 1, 1, 0]), g.ints('size', [-1, -1, -1, -1])], { T: FLOAT, Index: INT32 }); // [N, 2H, 2W, out]
    return g.op('BiasAdd', [cropped, w.bias], { T: FLOAT, data_format: text('NHWC') });
  };
  const resizeConv = (x: string, w: { kernel: string; bias: string }) => {
    // ×2 nearest resize to the input's runtime [2H, 2W], then reflect pad 1 and a 3×3 conv: [N, 2H, 2W, out]
    const size = g.op('Mul', [g.op('Slice', [g.op('Shape', [x], { T: FLOAT, out_type: INT32 }), g.ints('hw_begin', [1]), g.ints('hw_size', [2])], { T: INT32, Index: INT32 }), g.ints('two', [2, 2])], { T: INT32 });
    const resized = g.op('ResizeNearestNeighbor', [x, size], { T: FLOAT, align_corners: { b: false }, half_pixel_centers: { b: false } });
    return conv(reflect(resized, 1), w);
  };
  const up = (x: string, w: { kernel: string; bias: string }, out: number) => (weights.config.upsample === 'resize-conv' ? resizeConv(x, w) : convTranspose(x, w, out));
  const instanceNorm = (x: string) => {
    const axes = g.ints('axes', [1, 2]);
    const mean = g.op('Mean', [x, axes], { T: FLOAT, Tidx: INT32, keep_dims: { b: true } });                      // [N, 1, 1, C]
    const variance = g.op('Mean', [g.op('SquaredDifference', [x, mean], { T: FLOAT }), axes], { T: FLOAT, Tidx: INT32, keep_dims: { b: true } });
    const scale = g.op('Rsqrt', [g.op('AddV2', [variance, g.constant('epsilon', [], Float32Array.of(INSTANCE_NORM_EPSILON))], { T: FLOAT })], { T: FLOAT });
    return g.op('Mul', [g.op('Sub', [x, mean], { T: FLOAT }), scale], { T: FLOAT });                               // [N, H, W, C]
  };
  const relu = (x: string) => g.op('Relu', [x], { T: FLOAT });
  const addNoise = (x: string, name: NoiseLayer, position: NoiseSpec['position']) => {
    if (!noise || noise.position !== position || !noise.layers.includes(name)) return x;
    const seed = options.noiseSeed === undefined ? 0 : noiseLayerSeed(options.noiseSeed, name);
    const epsilon = g.op('RandomStandardNormal', [g.op('Shape', [x], { T: FLOAT, out_type: INT32 })], { T: INT32, dtype: FLOAT, seed: { i: String(seed) }, seed2: { i: '0' } }, `noise_${name}`);
    return g.op('AddV2', [x, g.op('Mul', [epsilon, g.constant('sigma', [], Float32Array.of(noise.sigma))], { T: FLOAT })], { T: FLOAT });
  };

  const { ngf } = weights.config;
  const image = g.op('Placeholder', [], { dtype: FLOAT, shape: { shape: { dim: [-1, -1, -1, 3].map((size) => ({ size: String(size) })) } } }, 'image');
  // 'residual' content: the logits plus atanh(0.999·x), x repeated for the nine candidates
  const onInput = (logits: string) => {
    const base = g.op('Atanh', [g.op('Mul', [image, g.constant('residual_scale', [], Float32Array.of(RESIDUAL_INPUT_SCALE))], { T: FLOAT })], { T: FLOAT }); // [N, H, W, 3]
    return g.op('AddV2', [logits, g.op('Tile', [base, g.ints('multiples', [1, 1, 1, CONTENT_IMAGES])], { T: FLOAT, Tmultiples: INT32 })], { T: FLOAT });
  };
  // encoder
  let e = relu(instanceNorm(conv(reflect(image, 3), await layer('conv1', weights.conv1))));          // [N, H, W, ngf]
  e = relu(instanceNorm(conv(e, await layer('conv2', weights.conv2), 2, 1)));                          // [N, H/2, W/2, 2ngf]
  e = relu(instanceNorm(conv(e, await layer('conv3', weights.conv3), 2, 1)));                          // [N, H/4, W/4, 4ngf]
  for (const [i, block] of weights.blocks.entries()) {
    const r = relu(instanceNorm(conv(reflect(e, 1), await layer(`resnet_blocks.${i}.conv1`, block.conv1))));
    const s = instanceNorm(conv(reflect(r, 1), await layer(`resnet_blocks.${i}.conv2`, block.conv2)));
    e = g.op('AddV2', [e, s], { T: FLOAT });                                                           // [N, H/4, W/4, 4ngf]
  }
  // content branch, noise where asked
  const upContent = async (x: string, module: string, v: ConvVariables, out: number, name: NoiseLayer) =>
    addNoise(relu(instanceNorm(addNoise(up(x, await layer(module, v), out), name, 'preNorm'))), name, 'postAct');
  let c = await upContent(e, 'deconv1_content', weights.deconv1Content, 2 * ngf, 'c1');              // [N, H/2, W/2, 2ngf]
  c = await upContent(c, 'deconv2_content', weights.deconv2Content, ngf, 'c2');                       // [N, H, W, ngf]
  const logits = conv(reflect(c, 3), await layer('deconv3_content', weights.deconv3Content));          // [N, H, W, 27]
  const content = g.op('Tanh', [weights.config.content === 'residual' ? onInput(logits) : logits], { T: FLOAT }); // [N, H, W, 27]
  // attention branch
  const act = (x: string) => (weights.config.attentionActivation === 'leaky-relu' ? g.op('LeakyRelu', [x], { T: FLOAT, alpha: { f: ATTENTION_LEAK } }) : relu(x));
  let a = act(instanceNorm(up(e, await layer('deconv1_attention', weights.deconv1Attention), 2 * ngf)));
  a = act(instanceNorm(up(a, await layer('deconv2_attention', weights.deconv2Attention), ngf)));
  const attention = g.op('Softmax', [conv(a, await layer('deconv3_attention', weights.deconv3Attention))], { T: FLOAT }); // [N, H, W, 10]
  // y = Σ_{i≤9} C_i·A_i + x·A_10, with pixels flattened so no shape needs N, H, W
  const images = g.op('Reshape', [content, g.ints('shape', [-1, CONTENT_IMAGES, 3])], { T: FLOAT, Tshape: INT32 });  // [NHW, 9, 3]
  const flatMaps = g.op('Reshape', [attention, g.ints('shape', [-1, ATTENTION_MAPS])], { T: FLOAT, Tshape: INT32 }); // [NHW, 10]
  const maps = g.op('Reshape', [g.op('Slice', [flatMaps, g.ints('begin', [0, 0]), g.ints('size', [-1, CONTENT_IMAGES])], { T: FLOAT, Index: INT32 }), g.ints('shape', [-1, CONTENT_IMAGES, 1])], { T: FLOAT, Tshape: INT32 }); // [NHW, 9, 1]
  const painted = g.op('Sum', [g.op('Mul', [images, maps], { T: FLOAT }), g.ints('axes', [1])], { T: FLOAT, Tidx: INT32, keep_dims: { b: false } }); // [NHW, 3]
  const paintedImage = g.op('Reshape', [painted, g.op('Shape', [image], { T: FLOAT, out_type: INT32 })], { T: FLOAT, Tshape: INT32 });        // [N, H, W, 3]
  const background = g.op('Slice', [attention, g.ints('begin', [0, 0, 0, CONTENT_IMAGES]), g.ints('size', [-1, -1, -1, 1])], { T: FLOAT, Index: INT32 }); // [N, H, W, 1]
  const mixed = g.op('AddV2', [paintedImage, g.op('Mul', [image, background], { T: FLOAT })], { T: FLOAT });
  g.op('Identity', [mixed], { T: FLOAT }, 'output');
  g.op('Identity', [attention], { T: FLOAT }, 'attention');

  const tensorInfo = (name: string, dims: number[]) => ({ name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: dims.map((size) => ({ size: String(size) })) } });
  const modelJson: tfjs.io.ModelJSON = {
    format: 'graph-model',
    generatedBy: 'repro src/gan/export-model.ts',
    convertedBy: null,
    modelTopology: { node: g.nodes, library: {}, versions: { producer: 1, minConsumer: 0 } },
    signature: {
      inputs: { image: tensorInfo('image', [-1, -1, -1, 3]) },
      outputs: { output: tensorInfo('output', [-1, -1, -1, 3]), attention: tensorInfo('attention', [-1, -1, -1, ATTENTION_MAPS]) },
    },
    userDefinedMetadata: {
      structuredOutputKeys: ['output', 'attention'],
      generator: { ngf, blocks: weights.config.blocks, upsample: weights.config.upsample ?? 'deconv', attentionActivation: weights.config.attentionActivation ?? 'relu', content: weights.config.content ?? 'direct', noise: noise ?? null, noiseSeed: noise ? options.noiseSeed ?? null : null },
    },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: g.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  const weightData = new Uint8Array(g.weights.reduce((sum, w) => sum + w.data.byteLength, 0));
  let offset = 0;
  for (const w of g.weights) {
    weightData.set(w.data, offset);
    offset += w.data.byteLength;
  }
  return { modelJson, weightData };
}

/** Writes `model.json` and `weights.bin` into `outDir` atomically (a sibling temp dir, then a rename); returns outDir. */
export async function exportGeneratorModel(weights: GeneratorWeights, outDir: string, options: ExportGeneratorOptions = {}): Promise<string> {
  const { modelJson, weightData } = await createGeneratorModelArtifacts(weights, options);
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const temp = join(dirname(outDir), `.${basename(outDir)}.tmp-${suffix}`);
  const old = join(dirname(outDir), `.${basename(outDir)}.old-${suffix}`);
  await mkdir(temp, { recursive: true });
  try {
    await writeFile(join(temp, WEIGHTS_FILE), weightData);
    await writeFile(join(temp, MODEL_FILE), `${JSON.stringify(modelJson)}\n`);
    const replaced = await rename(outDir, old).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    });
    await rename(temp, outDir);
    if (replaced) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return outDir;
}
