/**
 * Conv-net training step on each tensor backend — native TensorFlow, wasm, pure JS — at 64² and 128²,
 * each in its own process so peak memory is its own; ratios against native, measured in one run.
 * Net: conv 3→32 → relu → conv 32→32 → relu → conv 32→3 (3×3, 'same'), batch 1, MSE, Adam.
 * wasm has no Conv2DBackpropFilter kernel, so there every conv uses a custom gradient built from
 * forward convolutions (the fix MODEL.md §3.1 measured); native and cpu use the built-in gradients.
 * Usage: npx tsx bench/tf-backends.ts [steps=5]
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { loadTensorflow, type BackendKind, type Tf } from '../src/kit/tf-backend.js';
import { median } from './timing.js';

type Tensor4D = import('@tensorflow/tfjs').Tensor4D;

interface Sample {
  backend: BackendKind;
  size: number;
  medianMs: number;
  peakRssMiB: number;
  error?: string;
}

/** conv2d whose gradients need only forward convolutions (stride 1, odd kernel, 'same'). */
function forwardOnlyConv(tf: Tf) {
  return tf.customGrad((x, w, save) => {
    const [input, filter] = [x as Tensor4D, w as Tensor4D];
    (save as import('@tensorflow/tfjs').GradSaveFunc)([input, filter]);
    return {
      value: tf.conv2d(input, filter, 1, 'same'),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [Tensor4D, Tensor4D];
        const [kh, kw] = [ws.shape[0], ws.shape[1]];
        const [ph, pw] = [(kh - 1) / 2, (kw - 1) / 2];
        // dx: correlate dy with the filter rotated 180° and in/out swapped: [kh, kw, out, in]
        const dx = tf.conv2d(dy as Tensor4D, tf.reverse(ws, [0, 1]).transpose([0, 1, 3, 2]) as Tensor4D, 1, 'same');
        // dW[kh, kw, in, out] = Σ x_pad[n, h+i, w+j, in] · dy[n, h, w, out]: a valid conv over H, W with N as channels
        const xPad = tf.pad(xs, [[0, 0], [ph, ph], [pw, pw], [0, 0]]).transpose([3, 1, 2, 0]) as Tensor4D; // [in, Hp, Wp, N]
        const dyAsFilter = (dy as Tensor4D).transpose([1, 2, 0, 3]) as Tensor4D;                          // [H, W, N, out]
        const dw = tf.conv2d(xPad, dyAsFilter, 1, 'valid').transpose([1, 2, 0, 3]);                      // [kh, kw, in, out]
        return [dx, dw];
      },
    };
  });
}

async function measure(kind: BackendKind, size: number, steps: number): Promise<Sample> {
  const tf = await loadTensorflow(kind);
  const custom = kind === 'wasm' ? forwardOnlyConv(tf) : undefined;
  const conv = (x: Tensor4D, w: import('@tensorflow/tfjs').Variable) => (custom ? (custom(x, w) as Tensor4D) : tf.conv2d(x, w as never, 1, 'same'));
  const init = (shape: [number, number, number, number]) => tf.variable(tf.randomNormal(shape, 0, 0.1, 'float32', 7));
  const [w1, w2, w3] = [init([3, 3, 3, 32]), init([3, 3, 32, 32]), init([3, 3, 32, 3])];
  const x = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 1) as Tensor4D;      // [1, S, S, 3]
  const target = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 2) as Tensor4D; // [1, S, S, 3]
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const loss = () => tf.tidy(() => tf.losses.meanSquaredError(target, conv(tf.relu(conv(tf.relu(conv(x, w1)), w2)), w3)) as never);
  const times: number[] = [];
  const warmUp = kind === 'cpu' ? 1 : 2; // pure JS takes seconds a step
  for (let i = 0; i < steps + warmUp; i += 1) {
    const start = performance.now();
    const value = optimizer.minimize(loss, true, [w1, w2, w3]);
    await value?.data();
    value?.dispose();
    if (i >= warmUp) times.push(performance.now() - start);
  }
  return { backend: kind, size, medianMs: median(times), peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

const [, , mode, kindArg, sizeArg, stepsArg] = process.argv;
if (mode === '--child') {
  const sample = await measure(kindArg as BackendKind, Number(sizeArg), Number(stepsArg)).catch((error: unknown): Sample => ({
    backend: kindArg as BackendKind, size: Number(sizeArg), medianMs: NaN, peakRssMiB: NaN, error: String(error).split('\n')[0] ?? '',
  }));
  process.stdout.write(`${JSON.stringify(sample)}\n`);
} else {
  const steps = Number(mode ?? 5);
  const samples: Sample[] = [];
  for (const size of [64, 128]) {
    for (const kind of ['tensorflow', 'wasm', 'cpu'] as const) {
      const child = await execa(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, String(size), String(kind === 'cpu' ? Math.min(steps, 2) : steps)]);
      samples.push(JSON.parse(String(child.stdout).trim().split('\n').pop()!) as Sample);
    }
  }
  console.log(`conv-net training step (3 convs, 32 channels, batch 1), median of ${steps} steps after 2 warm-up (cpu: ${Math.min(steps, 2)} after 1)`);
  console.log('size  backend      step ms   × native   peak RSS MiB');
  for (const s of samples) {
    const native = samples.find((n) => n.size === s.size && n.backend === 'tensorflow')!;
    const line = s.error
      ? `failed: ${s.error}`
      : `${s.medianMs.toFixed(1).padStart(9)} ${(s.medianMs / native.medianMs).toFixed(1).padStart(9)}   ${s.peakRssMiB.toFixed(0).padStart(8)}`;
    console.log(`${String(s.size).padEnd(5)} ${s.backend.padEnd(11)} ${line}`);
  }
}
