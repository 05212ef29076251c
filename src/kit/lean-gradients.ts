/**
 * Reverse-mode gradients that free memory as they go. tfjs-core's `variableGrads` (and so
 * `optimizer.minimize`) keeps every intermediate gradient and every tensor the forward pass saved until the
 * whole backward pass ends, so its peak is the forward's saved tensors PLUS a gradient for every one of
 * them. PyTorch frees each as soon as it is used. This runs the same tape, the same gradient functions and
 * the same accumulation order as tfjs-core 4.22's `engine.gradients` (so the gradients are bit-identical),
 * but after a tape node's gradient has been taken it disposes that node's saved tensors and the gradients
 * of its outputs: a gradient is complete once the walk reaches its producer, because every consumer comes
 * later on the tape. Peak memory becomes the saved tensors plus the live gradient frontier.
 * It reaches into the engine's tape (`startTape`, `state.activeTape`), which tfjs-core keeps stable but does
 * not type; the version is pinned in package.json and `test/kit/lean-gradients.test.ts` compares it with
 * `tf.variableGrads`. Only first-order gradients: a tape inside a gradient function must be its own call.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './tf-backend.js';

/** A tape node as tfjs-core 4.22 records it. */
interface TapeNode {
  readonly id: number;
  readonly kernelName: string;
  inputs: Record<string, tfjs.Tensor>;
  readonly outputs: tfjs.Tensor[];
  readonly saved?: tfjs.Tensor[];
  readonly gradient?: (dys: (tfjs.Tensor | null)[]) => Record<string, () => tfjs.Tensor>;
}

/** The engine members this module uses. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tfjs.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

/** Value and gradients of `f` with respect to `xs`, freeing saved tensors and used gradients during the walk. */
export function leanGradients(tf: Tf, f: () => tfjs.Scalar, xs: readonly tfjs.Tensor[]): { value: tfjs.Scalar; grads: tfjs.Tensor[] } {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth !== 0) {
    throw new Error(`leanGradients expected to run outside any other gradient recording, received gradient depth ${engine.state.gradientDepth}`);
  }
  let value: tfjs.Scalar;
  try {
    value = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
  } catch (error) {
    // the tidy freed the forward's tensors; the tape's kept copies are ours to free
    for (const node of engine.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
    throw error;
  }
  if (!(value instanceof tf.Tensor) || value.rank !== 0) throw new Error('leanGradients expected f to return a scalar tensor');
  const tape = engine.state.activeTape ?? [];
  engine.state.activeTape = null;
  const xIds = new Set(xs.map((x) => x.id));
  const filtered = nodesFromXsToY(tape, xIds, value);
  try {
    const grads = engine.tidy('backward', () => {
      const accumulated = new Map<number, tfjs.Tensor>([[value.id, tf.onesLike(value)]]);
      for (let i = filtered.length - 1; i >= 0; i -= 1) {
        const node = filtered[i]!;
        const dys = node.outputs.map((o) => accumulated.get(o.id) ?? null);
        if (node.gradient === undefined) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        const names = Object.keys(node.inputs);
        // one tidy per node: gradients a custom op computed for inputs outside the path are freed here
        const dxs = engine.tidy(() => {
          const inputGradients = node.gradient!(dys);
          return names.map((name) => {
            const gradient = inputGradients[name];
            if (gradient === undefined) throw new Error(`Cannot backprop through input ${name} of ${node.kernelName}.`);
            const dx = gradient();
            return dys.includes(dx) ? dx.clone() : dx;           // never alias a gradient that is freed below
          });
        });
        names.forEach((name, k) => {
          const x = node.inputs[name]!;
          const dx = dxs[k]!;
          if (dx.dtype !== 'float32' || !sameShape(dx.shape, x.shape)) {
            throw new Error(`Error in gradient for op ${node.kernelName}: input '${name}' expected float32 [${x.shape.join(', ')}], received ${dx.dtype} [${dx.shape.join(', ')}]`);
          }
          const current = accumulated.get(x.id);
          if (current === undefined) {
            accumulated.set(x.id, dx);
          } else {
            accumulated.set(x.id, tf.add(current, dx));
            current.dispose();
            dx.dispose();
          }
        });
        // this node's output gradients and saved tensors are used up
        for (const o of node.outputs) {
          if (xIds.has(o.id)) continue;
          accumulated.get(o.id)?.dispose();
          accumulated.delete(o.id);
        }
        for (const t of node.saved ?? []) t.dispose();
      }
      return xs.map((x) => accumulated.get(x.id) ?? tf.zerosLike(x));
    });
    return { value, grads };
  } finally {
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The tape nodes on a path from some x to y, inputs pruned to those that depend on an x (tfjs-core's rule). */
function nodesFromXsToY(tape: readonly TapeNode[], xIds: ReadonlySet<number>, y: tfjs.Tensor): TapeNode[] {
  const fromX = new Set(xIds);
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodeFromX.add(node.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i -= 1) {
    const node = tape[i]!;
    if (node.outputs.some((o) => leadsToY.has(o.id))) {
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
      nodeToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodeFromX.has(node.id) && nodeToY.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, input]) => fromX.has(input.id))) }));
}
