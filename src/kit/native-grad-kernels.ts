/**
 * Gradient kernels that native TensorFlow has as single ops but tfjs composes from many: `MirrorPadGrad`
 * (the reflect-pad gradient; composed: 3 slices, 2 reverses, 2 pads and a sum per padded axis), `ReluGrad`
 * and `LeakyReluGrad` (composed: a mask built from step's IsNan/Greater/Fill/Select, then a multiply).
 * They are registered as tfjs kernels for the 'tensorflow' backend (tfjs-node and tfjs-node-gpu), the
 * official extension point, and run through `engine.runKernel`. On any other backend `nativeGradKernels`
 * returns undefined and callers compose the same maths from public ops; test/kit/native-grad-kernels.test.ts
 * checks both give the same values.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './tf-backend.js';

const MIRROR_PAD_GRAD = 'ReproMirrorPadGrad';
const RELU_GRAD = 'ReproReluGrad';
const LEAKY_RELU_GRAD = 'ReproLeakyReluGrad';

/** The native gradient ops. */
export interface NativeGradKernels {
  /** dL/dx of reflect padding by `paddings` ([before, after] per axis), from dL/d(padded). */
  mirrorPadGrad(dy: tfjs.Tensor4D, paddings: readonly (readonly [number, number])[]): tfjs.Tensor4D;
  /** dy where x > 0, else 0. */
  reluGrad(dy: tfjs.Tensor4D, x: tfjs.Tensor4D): tfjs.Tensor4D;
  /** dy where x > 0, else alpha·dy. */
  leakyReluGrad(dy: tfjs.Tensor4D, x: tfjs.Tensor4D, alpha: number): tfjs.Tensor4D;
}

/** What the tfjs-node backend offers for running a raw TensorFlow op. */
interface NodeBackend {
  readonly binding: { TF_ATTR_TYPE: number; TF_ATTR_STRING: number; TF_ATTR_FLOAT: number; TF_FLOAT: number; TF_INT32: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tfjs.TensorInfo[]): tfjs.TensorInfo;
}

const registered = new WeakSet<object>();

/** The kernels on the native TensorFlow backend (registered on first use), undefined on any other backend. */
export function nativeGradKernels(tf: Tf): NativeGradKernels | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const backend = tf.backend() as unknown as NodeBackend;
  if (!registered.has(backend)) {
    registerKernels(tf);
    registered.add(backend);
  }
  const run = (name: string, inputs: tfjs.NamedTensorMap, attrs: tfjs.NamedAttrMap = {}) =>
    tf.engine().runKernel(name, inputs, attrs) as tfjs.Tensor4D;
  return {
    mirrorPadGrad: (dy, paddings) => run(MIRROR_PAD_GRAD, { dy }, { paddings: paddings.map((p) => [...p]) }),
    reluGrad: (dy, x) => run(RELU_GRAD, { dy, x }),
    leakyReluGrad: (dy, x, alpha) => run(LEAKY_RELU_GRAD, { dy, x }, { alpha }),
  };
}

function registerKernels(tf: Tf): void {
  const has = (name: string) => tf.getKernel(name, 'tensorflow') !== undefined;
  const floatType = (b: NodeBackend, name: string) => ({ name, type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT });
  if (!has(MIRROR_PAD_GRAD)) {
    tf.registerKernel({
      kernelName: MIRROR_PAD_GRAD, backendName: 'tensorflow',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const b = backend as unknown as NodeBackend;
        const paddings = tf.tensor2d((attrs as { paddings: number[][] }).paddings, undefined, 'int32');
        try {
          return b.executeSingleOutput('MirrorPadGrad', [
            floatType(b, 'T'), { name: 'Tpaddings', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_INT32 },
            { name: 'mode', type: b.binding.TF_ATTR_STRING, value: 'REFLECT' },
          ], [inputs.dy!, paddings]);
        } finally {
          paddings.dispose();
        }
      },
    });
  }
  if (!has(RELU_GRAD)) {
    tf.registerKernel({
      kernelName: RELU_GRAD, backendName: 'tensorflow',
      kernelFunc: ({ inputs, backend }) => {
        const b = backend as unknown as NodeBackend;
        return b.executeSingleOutput('ReluGrad', [floatType(b, 'T')], [inputs.dy!, inputs.x!]);
      },
    });
  }
  if (!has(LEAKY_RELU_GRAD)) {
    tf.registerKernel({
      kernelName: LEAKY_RELU_GRAD, backendName: 'tensorflow',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const b = backend as unknown as NodeBackend;
        return b.executeSingleOutput('LeakyReluGrad', [
          floatType(b, 'T'), { name: 'alpha', type: b.binding.TF_ATTR_FLOAT, value: (attrs as { alpha: number }).alpha },
        ], [inputs.dy!, inputs.x!]);
      },
    });
  }
}
