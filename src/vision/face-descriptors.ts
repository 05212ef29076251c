/**
 * 128-d face descriptors from the face recognition network that ships inside `@vladmandic/face-api` (a
 * ResNet-34-like net trained for face identity, dlib's; weights in the package's `model/` folder, nothing
 * downloaded). They are the feature space the evaluation's KID is computed in: an embedding that knows
 * faces, where Inception features know ImageNet. Input faces are aligned crops (any square size; the net
 * resizes to 150²) as RGB pixels or as a `[N, H, W, 3]` tensor in [−1, 1] (a generator's output); batches
 * go through the net `DESCRIPTOR_BATCH` faces at a time. The net is loaded once per process and backend.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { ReproError } from '../errors.js';
import type { FaceModels } from './faces.js';
import type { RawImage } from './types.js';

/** Length of one descriptor. */
export const DESCRIPTOR_LENGTH = 128;
/** Faces per pass through the recognition net. */
const DESCRIPTOR_BATCH = 16;

const require = createRequire(import.meta.url);
// NOTE: module state on purpose, as in faces.ts: face-api's nets are process-wide singletons.
const loaded = new Map<string, Promise<void>>();

/** Loads face-api's recognition net next to the detector and landmark nets of `models` (once per process). */
export async function loadFaceRecognition(models: FaceModels): Promise<void> {
  let pending = loaded.get(models.backend);
  if (pending === undefined) {
    const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    pending = models.faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir).catch((error: unknown) => {
      loaded.delete(models.backend);
      throw new ReproError('BACKEND_UNAVAILABLE', `face-api's face_recognition_model expected in '${modelDir}', loading failed`, { hint: 'run `npm ci`', cause: error });
    });
    loaded.set(models.backend, pending);
  }
  await pending;
}

/** Descriptors of aligned face crops given as pixels (RGB, or gray / RGBA). */
export async function describeFaces(models: FaceModels, faces: readonly RawImage[]): Promise<Float32Array[]> {
  const { tf } = models;
  const out: Float32Array[] = [];
  for (let start = 0; start < faces.length; start += DESCRIPTOR_BATCH) {
    const batch = tf.tidy(() =>
      faces.slice(start, start + DESCRIPTOR_BATCH).map((face) => {
        const expected = face.width * face.height * face.channels;
        if (face.data.length !== expected) throw new Error(`describeFaces expected ${face.width}×${face.height}×${face.channels} = ${expected} bytes of pixels, received ${face.data.length}`);
        const pixels = tf.tensor3d(face.data, [face.height, face.width, face.channels], 'int32'); // [H, W, C]
        const rgb = face.channels === 3 ? pixels : face.channels === 4 ? tf.slice(pixels, [0, 0, 0], [-1, -1, 3]) : tf.tile(pixels, [1, 1, 3]);
        return tf.cast(rgb, 'float32') as tfjs.Tensor3D; // [H, W, 3] in 0..255
      }),
    );
    try {
      out.push(...(await run(models, batch)));
    } finally {
      tf.dispose(batch);
    }
  }
  return out;
}

/** Descriptors of a batch of generated faces, `[N, H, W, 3]` in [−1, 1]. */
export async function describeFaceTensor(models: FaceModels, images: tfjs.Tensor4D): Promise<Float32Array[]> {
  const { tf } = models;
  const [n] = images.shape;
  const out: Float32Array[] = [];
  for (let start = 0; start < n; start += DESCRIPTOR_BATCH) {
    const batch = tf.tidy(() => {
      const part = tf.slice(images, [start, 0, 0, 0], [Math.min(DESCRIPTOR_BATCH, n - start), -1, -1, -1]); // [B, H, W, 3]
      const pixels = tf.clipByValue(tf.mul(tf.add(part, 1), 127.5), 0, 255); // [B, H, W, 3] in 0..255
      return tf.unstack(pixels) as tfjs.Tensor3D[];
    });
    try {
      out.push(...(await run(models, batch)));
    } finally {
      tf.dispose(batch);
    }
  }
  return out;
}

async function run(models: FaceModels, faces: tfjs.Tensor3D[]): Promise<Float32Array[]> {
  if (faces.length === 0) return [];
  await loadFaceRecognition(models);
  const result = await models.faceapi.nets.faceRecognitionNet.computeFaceDescriptor(faces as never);
  return Array.isArray(result) ? result : [result]; // face-api answers one face with one descriptor, not a list
}
