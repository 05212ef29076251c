#!/usr/bin/env node
// Offline native TensorFlow for @tensorflow/tfjs-node (and, on NVIDIA machines, tfjs-node-gpu).
//
// Run from the project's postinstall (or by hand: `node scripts/install-native-tf.mjs [--force] [--gpu] [--verbose]`).
// tfjs-node's own install script downloads libtensorflow 2.9.1 from storage.googleapis.com, which is not
// reachable here, so that script is denied in package.json `allowScripts` and this script does the job from
// PyPI instead: it fetches the pinned TensorFlow wheel with the project's pip (cached, so reruns are offline),
// extracts libtensorflow_cc.so.2 / libtensorflow_framework.so.2 and the C-API headers into the package's
// deps/, checks with `nm -D` that every TF_/TFE_ function the binding calls is exported, builds the binding
// with the package's own node-pre-gyp (node-gyp from npm, Node headers from the local install), and checks
// that `require('@tensorflow/tfjs-node')` gives the 'tensorflow' backend with no LD_LIBRARY_PATH (the
// binding's RUNPATH is $ORIGIN/../../deps/lib).
//
// Where `nvidia-smi` lists a GPU it also builds @tensorflow/tfjs-node-gpu from the CUDA `tensorflow` wheel and the
// nvidia-*-cu12 wheels of its `and-cuda` extra, checks that TensorFlow's own CUDA loader opens them from deps/,
// and that TensorFlow registers the GPU. `--gpu` (or REPRO_TF_GPU=1) forces that flow on a machine without one:
// everything is built and checked the same way, and TensorFlow's reason for seeing no GPU is printed.
// Each flow is skipped while its binding loads and its deps/.repro-native-tf.json stamp matches the pins.
//
// It never fails `npm install`: on any problem it says which step failed and how to retry, and exits 0 (the
// native CPU backend, else wasm or pure JS, is then used). --strict (or REPRO_TF_STRICT=1) exits 1 instead.
// Env: REPRO_TF_SKIP=1 skip everything; REPRO_TF_CACHE=<dir> wheel cache; REPRO_TF_GPU=0|1 GPU flow off/forced.
// Only Node builtins are used. This file is the entry point and the summary; the steps live in
// scripts/native-tf/ (shared.mjs: pins, options, stamps, helpers; wheel.mjs: pip, the wheel cache, extraction;
// binding.mjs: deps/lib layout, symbol check, build, verify; cuda.mjs: deps/nvidia layout and the CUDA loader
// check; flows.mjs: the CPU and GPU flows).

import { CPU, GPU, GPU_RETRY, RETRY, STRICT, log, secs, t0 } from './native-tf/shared.mjs';
import { ARCH, findPython } from './native-tf/wheel.mjs';
import { gpuFlowWanted, installCpu, installGpu } from './native-tf/flows.mjs';

// ---- main ---------------------------------------------------------------------------------------------------
const FLOWS = [
  { flow: CPU, install: installCpu, retry: RETRY, instead: 'the wasm backend (or the pure-JS cpu backend) will be used instead' },
  { flow: GPU, install: installGpu, retry: GPU_RETRY, instead: 'stages run on the CPU (native tfjs-node when its flow succeeded)' },
];

function fail({ flow, retry, instead }, e) {
  log(`Native TensorFlow (${flow.flow}: ${flow.pkg}) is NOT installed; step failed: ${e.step ?? e.message}`);
  if (e.detail) for (const l of String(e.detail).split('\n')) log(`    ${l}`);
  else if (!e.step && e.stack) log(`    ${e.stack.split('\n').slice(1, 4).join('\n    ')}`);
  log(`npm install continues; ${instead}.`);
  log(`Retry with: ${retry}`);
}

function main() {
  if (process.env.REPRO_TF_SKIP === '1') { log('REPRO_TF_SKIP=1: skipped'); return 0; }
  if (process.platform !== 'linux' || !ARCH) { log(`unsupported platform ${process.platform}-${process.arch}; wasm/cpu backend will be used`); return 0; }
  let ok = true;
  let py; // Python is looked up only when something has to be (re)built; the fast path never needs it
  const getPy = () => (py === undefined ? (py = findPython()) : py);
  for (const f of FLOWS.filter((f) => f.flow !== GPU || gpuFlowWanted())) {
    try {
      f.install(getPy);
    } catch (e) {
      ok = false;
      fail(f, e);
    }
  }
  if (ok) log(`done in ${secs(t0)}`);
  return ok || !STRICT ? 0 : 1;
}

process.exitCode = main();
