// The two install flows of scripts/install-native-tf.mjs, each skipped when its binding already loads and its stamp
// matches the pins: @tensorflow/tfjs-node from the tensorflow-cpu wheel, and, on NVIDIA machines (or when forced
// with --gpu / REPRO_TF_GPU=1), @tensorflow/tfjs-node-gpu from the CUDA `tensorflow` wheel plus the nvidia-*-cu12
// runtime wheels of its `and-cuda` extra.

import fs from 'node:fs';
import path from 'node:path';
import { CPU, FORCE, GPU, TF_VERSION, args, bindingLoads, bindingPath, exists, log, packageDir, run, secs, staleReason, t0 } from './shared.mjs';
import { cacheDir, cudaRequirements, fetchCudaWheels, fetchWheel } from './wheel.mjs';
import { buildAndVerify, checkSymbols, placeLibraries, writeStamp } from './binding.mjs';
import { checkCudaLoader, placeCudaLibraries } from './cuda.mjs';

/** True when the package's binding can be kept: not --force, stamp matches the pins, and it loads. */
function upToDate(flow, pkgDir, binding) {
  if (FORCE) return false;
  if (!exists(binding)) {
    log(`${flow.pkg}: building (no compiled binding yet)`);
    return false;
  }
  const stale = staleReason(pkgDir, flow);
  if (stale) {
    log(`${flow.pkg}: rebuilding, ${stale}`);
    return false;
  }
  if (!bindingLoads(binding)) {
    log(`${flow.pkg}: rebuilding, the binding does not load`);
    return false;
  }
  log(`${flow.pkg}: native binding present and loads (TensorFlow ${TF_VERSION}, ${secs(t0)}); nothing to do`);
  return true;
}

// ---- CPU flow -----------------------------------------------------------------------------------------------
export function installCpu(getPy) {
  const pkgDir = packageDir(CPU.pkg);
  if (!pkgDir) { log(`${CPU.pkg} is not installed; nothing to do`); return true; }
  const binding = bindingPath(pkgDir);
  if (upToDate(CPU, pkgDir, binding)) return true;
  const py = getPy();
  const whl = fetchWheel(py, cacheDir(), `${CPU.wheel}==${TF_VERSION}`, CPU.wheelFile, TF_VERSION);
  // from here on deps/ is rewritten: never leave a binding that may not load (detectBackendKind looks at it)
  fs.rmSync(binding, { force: true });
  const { depsLib, depsInc } = placeLibraries(py, pkgDir, whl);
  checkSymbols(pkgDir, depsLib, depsInc);
  buildAndVerify(pkgDir, binding, CPU.pkg);
  writeStamp(pkgDir, CPU, { wheel: path.basename(whl) });
  return true;
}

// ---- GPU flow ---------------------------------------------------------------------------------------------
// Same recipe for @tensorflow/tfjs-node-gpu, from the `tensorflow` wheel (CUDA build) plus the nvidia-*-cu12 runtime
// wheels its `and-cuda` extra pins, laid out as in site-packages (deps/lib beside deps/nvidia/<pkg>/lib) so the
// libraries' own RUNPATHs find each other with no LD_LIBRARY_PATH; scripts/native-tf/cuda.mjs has the details and
// the check that runs TensorFlow's CUDA loader. Verified end to end on a CPU-only machine (forced); never yet on a GPU.

/** `nvidia-smi -L` lists a GPU. */
export function nvidiaGpuPresent() {
  const r = run('nvidia-smi', ['-L'], { timeout: 10_000 });
  return r.ok && /GPU \d+:/.test(r.out);
}

/** Whether to run the GPU flow: REPRO_TF_GPU=0 never, REPRO_TF_GPU=1 or --gpu always, else when a GPU is present. */
export function gpuFlowWanted() {
  if (process.env.REPRO_TF_GPU === '0') return false;
  if (gpuFlowForced()) return true;
  return nvidiaGpuPresent();
}

export const gpuFlowForced = () => process.env.REPRO_TF_GPU === '1' || args.has('--gpu');

export function installGpu(getPy) {
  const pkgDir = packageDir(GPU.pkg);
  if (!pkgDir) { log(`GPU flow: ${GPU.pkg} is not installed; add "${GPU.pkg}": "4.22.0" to use it`); return true; }
  const binding = bindingPath(pkgDir);
  if (upToDate(GPU, pkgDir, binding)) return true;
  const py = getPy();
  const dir = cacheDir();
  const whl = fetchWheel(py, dir, `${GPU.wheel}==${TF_VERSION}`, GPU.wheelFile, TF_VERSION);
  const cudaWheels = fetchCudaWheels(py, dir, cudaRequirements(py, whl));
  // from here on deps/ is rewritten: never leave a binding that may not load (detectBackendKind looks at it)
  fs.rmSync(binding, { force: true });
  const { depsLib, depsInc } = placeLibraries(py, pkgDir, whl);
  placeCudaLibraries(py, pkgDir, cudaWheels);
  checkSymbols(pkgDir, depsLib, depsInc);
  checkCudaLoader(py, pkgDir);
  // a GPU that nvidia-smi lists must be registered by TensorFlow; forced on a machine without one, the binding is
  // kept and TensorFlow's reason is printed (tf-backend's auto-detection picks tfjs-node-gpu only with a GPU)
  const res = buildAndVerify(pkgDir, binding, GPU.pkg, { required: nvidiaGpuPresent() });
  writeStamp(pkgDir, GPU, { wheel: path.basename(whl), cuda: cudaWheels.map((w) => path.basename(w)), gpuSeen: res.gpu });
  return true;
}
