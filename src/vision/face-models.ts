/**
 * The face-api models `detectFaces` runs: the detector and the 68-point landmark net shipped in the npm
 * package (`model/`), read from disk once per process; nothing is downloaded. face-api is required lazily,
 * in the build matching the backend kind (tfjs-node, tfjs-node-gpu, or plain tfjs for wasm/cpu), after
 * `loadTensorflow` has set the backend, and it is checked to share that tfjs-core engine, so its tensors
 * count in `tf.memory()` and run where ours run.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReproError } from '../errors.js';
import { detectBackendKind, loadTensorflow, type BackendKind, type Tf } from '../kit/tf-backend.js';

/** Which face-api detector finds the boxes: SSD MobileNet v1 (accurate) or Tiny Face Detector (fast). */
export type FaceDetectorKind = 'ssd' | 'tiny';

/** The face-api module (types only; the code is required lazily). */
export type FaceApi = typeof import('@vladmandic/face-api');

/** Loaded detector + landmark nets, bound to one tfjs engine. Get one from `loadFaceModels`. */
export interface FaceModels {
  /** the detector `detectFaces` runs */
  readonly detector: FaceDetectorKind;
  /** the backend kind the nets run on */
  readonly backend: BackendKind;
  /** the TensorFlow.js namespace the pixels are turned into tensors with */
  readonly tf: Tf;
  /** the face-api module, sharing `tf`'s engine */
  readonly faceapi: FaceApi;
}

export interface LoadFaceModelsOptions {
  /** @default 'ssd' */
  detector?: FaceDetectorKind;
  /** @default the kind of `tf` when given, else detectBackendKind() */
  backend?: BackendKind;
  /** TensorFlow.js already loaded (a stage's `ctx.tf`) @default loaded here for `backend` */
  tf?: Tf;
}

const require = createRequire(import.meta.url);

/** The face-api build for each backend kind: each requires the tfjs package `loadTensorflow` loaded. */
const FACE_API_BUILD = {
  tensorflow: '@vladmandic/face-api/dist/face-api.node.js',
  'tensorflow-gpu': '@vladmandic/face-api/dist/face-api.node-gpu.js',
  wasm: '@vladmandic/face-api/dist/face-api.node-wasm.js',
  cpu: '@vladmandic/face-api/dist/face-api.node-wasm.js',
} as const satisfies Record<BackendKind, string>;

// NOTE: module state on purpose: face-api's nets are process-wide singletons, so the weights are read once
// per process and net; concurrent callers share the same pending load.
const loaded = new Map<string, Promise<void>>();

/** Loads the detector and the 68-point landmark net from the package's model folder (once per process). */
export async function loadFaceModels(options: LoadFaceModelsOptions = {}): Promise<FaceModels> {
  const detector = options.detector ?? 'ssd';
  const backend = options.backend ?? (options.tf ? kindOf(options.tf) : detectBackendKind());
  const tf = options.tf ?? (await loadTensorflow(backend));
  const faceapi = require(FACE_API_BUILD[backend]) as FaceApi;
  const theirs = faceapi.tf as unknown as Pick<Tf, 'engine' | 'getBackend'>; // face-api's typings omit both
  if (theirs.engine() !== tf.engine() || theirs.getBackend() !== tf.getBackend()) {
    throw new ReproError('BACKEND_UNAVAILABLE', `face-api expected to share the '${tf.getBackend()}' tfjs engine, found its own ('${theirs.getBackend()}')`, {
      hint: 'run `npm ls @tensorflow/tfjs-core` and dedupe to one tfjs-core',
    });
  }
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  const nets = [detector === 'ssd' ? (['ssd', faceapi.nets.ssdMobilenetv1] as const) : (['tiny', faceapi.nets.tinyFaceDetector] as const), ['landmark68', faceapi.nets.faceLandmark68Net] as const];
  await Promise.all(
    nets.map(([name, net]) => {
      const key = `${backend}:${name}`;
      let pending = loaded.get(key);
      if (pending === undefined) {
        pending = net.loadFromDisk(modelDir).catch((error: unknown) => {
          loaded.delete(key);
          throw new ReproError('BACKEND_UNAVAILABLE', `face-api weights expected in '${modelDir}', loading failed`, { hint: 'run `npm ci`', cause: error });
        });
        loaded.set(key, pending);
      }
      return pending;
    }),
  );
  return { detector, backend, tf, faceapi };
}

/** The backend kind a loaded namespace runs: the active backend, and for native TensorFlow the installed build. */
function kindOf(tf: Tf): BackendKind {
  const active = tf.getBackend();
  if (active === 'wasm' || active === 'cpu') return active;
  // NOTE: both native builds register 'tensorflow'; the engine check below catches a wrong guess
  return detectBackendKind() === 'tensorflow-gpu' ? 'tensorflow-gpu' : 'tensorflow';
}
