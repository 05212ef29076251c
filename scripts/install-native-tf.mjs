#!/usr/bin/env node
// Offline native TensorFlow for @tensorflow/tfjs-node (and, on NVIDIA machines, tfjs-node-gpu).
//
// Run from the project's postinstall (or by hand: `node scripts/install-native-tf.mjs [--force] [--gpu]`).
// tfjs-node's own install script downloads libtensorflow 2.9.1 from storage.googleapis.com, which is not
// reachable here, so that script is denied in package.json `allowScripts` and this script does the job from
// PyPI instead: it fetches the pinned TensorFlow wheel with the project's pip (cached, so reruns are offline),
// extracts libtensorflow_cc.so.2 / libtensorflow_framework.so.2 and the C-API headers into the package's
// deps/, checks with `nm -D` that every TF_/TFE_ function the binding calls is exported, builds the binding
// with the package's own node-pre-gyp (node-gyp from npm, Node headers from the local install), and checks
// that `require('@tensorflow/tfjs-node')` gives the 'tensorflow' backend with no LD_LIBRARY_PATH (the
// binding's RUNPATH is $ORIGIN/../../deps/lib).
//
// It never fails `npm install`: on any problem it says what failed and how to retry, and exits 0 (the wasm
// or pure-JS cpu backend is then used). Pass --strict (or REPRO_TF_STRICT=1) to exit 1 instead, e.g. in CI.
// Env: REPRO_TF_SKIP=1 skip everything; REPRO_TF_CACHE=<dir> wheel cache; REPRO_TF_GPU=0|1 force GPU flow off/on.
// Only Node builtins are used. This file is the entry point and the summary; the steps live in
// scripts/native-tf/ (shared.mjs: pins, options, helpers; wheel.mjs: pip and the wheel cache; binding.mjs:
// deps/ layout, symbol check, build, verify; flows.mjs: the CPU and GPU flows).

import { RETRY, STRICT, log, secs, t0 } from './native-tf/shared.mjs';
import { ARCH, findPython } from './native-tf/wheel.mjs';
import { hasNvidiaGpu, installCpu, installGpu } from './native-tf/flows.mjs';

// ---- main ---------------------------------------------------------------------------------------------------
function fail(what, e) {
  log(`Native TensorFlow (${what}) is NOT installed: ${e.step ?? e.message}`);
  if (e.detail) for (const l of String(e.detail).split('\n')) log(`    ${l}`);
  else if (!e.step && e.stack) log(`    ${e.stack.split('\n').slice(1, 4).join('\n    ')}`);
  log(`npm install continues; the wasm backend (or the pure-JS cpu backend) will be used instead.`);
  log(`Retry with: ${RETRY}`);
}

function main() {
  if (process.env.REPRO_TF_SKIP === '1') { log('REPRO_TF_SKIP=1: skipped'); return 0; }
  if (process.platform !== 'linux' || !ARCH) { log(`unsupported platform ${process.platform}-${process.arch}; wasm/cpu backend will be used`); return 0; }
  let ok = true;
  let py; // Python is looked up only when something has to be (re)built; the fast path never needs it
  const getPy = () => (py === undefined ? (py = findPython()) : py);
  const flows = [['CPU', installCpu]];
  if (hasNvidiaGpu()) flows.push(['GPU', installGpu]);
  for (const [what, fn] of flows) {
    try {
      fn(getPy);
    } catch (e) {
      ok = false;
      fail(what, e);
    }
  }
  if (ok) log(`done in ${secs(t0)}`);
  return ok || !STRICT ? 0 : 1;
}

process.exitCode = main();
