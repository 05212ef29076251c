// The two install flows of scripts/install-native-tf.mjs, each skipped when its binding already loads:
// @tensorflow/tfjs-node from the tensorflow-cpu wheel, and, on NVIDIA machines, @tensorflow/tfjs-node-gpu from
// the CUDA `tensorflow` wheel plus the nvidia-*-cu12 runtime wheels.

import fs from 'node:fs';
import path from 'node:path';
import { CPU, FORCE, GPU, StepError, TF_VERSION, args, bindingLoads, bindingPath, exists, log, packageDir, run, secs, t0, tail } from './shared.mjs';
import { cacheDir, extract, fetchWheel } from './wheel.mjs';
import { buildAndVerify, checkSymbols, placeLibraries, writeStamp } from './binding.mjs';

// ---- CPU flow -----------------------------------------------------------------------------------------------
export function installCpu(getPy) {
  const pkgDir = packageDir(CPU.pkg);
  if (!pkgDir) { log(`${CPU.pkg} is not installed; nothing to do`); return true; }
  const binding = bindingPath(pkgDir);
  if (!FORCE && exists(binding) && bindingLoads(binding)) {
    log(`${CPU.pkg}: native binding present and loads (${secs(t0)}); nothing to do`);
    return true;
  }
  const py = getPy();
  const whl = fetchWheel(py, cacheDir(), `${CPU.wheel}==${TF_VERSION}`, CPU.wheelFile, TF_VERSION);
  // from here on deps/ is rewritten: never leave a binding that may not load (detectBackendKind looks at it)
  fs.rmSync(binding, { force: true });
  const { depsLib, depsInc } = placeLibraries(py, pkgDir, whl);
  checkSymbols(pkgDir, depsLib, depsInc);
  buildAndVerify(pkgDir, binding, CPU.pkg, false);
  writeStamp(pkgDir, { wheel: path.basename(whl) });
  return true;
}

// ---- GPU flow (separate; untested here: no GPU on the dev machine) ------------------------------------------
// Same recipe for @tensorflow/tfjs-node-gpu, from the `tensorflow` wheel (CUDA build) plus the nvidia-*-cu12
// runtime wheels its `and-cuda` extra pins. libtensorflow_framework.so.2 in that wheel carries
// RUNPATH $ORIGIN/../nvidia/<name>/lib, so the CUDA libraries go to deps/nvidia/<name>/lib next to deps/lib
// (the same relative layout as site-packages/tensorflow and site-packages/nvidia): no LD_LIBRARY_PATH needed.
export function hasNvidiaGpu() {
  if (process.env.REPRO_TF_GPU === '0') return false;
  if (process.env.REPRO_TF_GPU === '1' || args.has('--gpu')) return true;
  const r = run('nvidia-smi', ['-L'], { timeout: 10_000 });
  return r.ok && /GPU \d+:/.test(r.out);
}

export function cudaRequirements(py, whl) {
  const code = String.raw`
import sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
meta = next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))
for line in z.read(meta).decode().splitlines():
    if line.startswith('Requires-Dist:') and re.search(r'extra\s*==\s*"and-cuda"', line):
        print(line.split(':', 1)[1].split(';')[0].strip().replace(' ', ''))`;
  const r = run(py || 'python3', ['-c', code, whl]);
  if (!r.ok) throw new StepError('reading the and-cuda requirements failed', tail(r.err, 5));
  return r.out.split('\n').map((s) => s.trim()).filter((s) => s.startsWith('nvidia-'));
}

export function installGpu(getPy) {
  const pkgDir = packageDir(GPU.pkg);
  if (!pkgDir) { log(`GPU present but ${GPU.pkg} is not installed; add "${GPU.pkg}": "4.22.0" to use it`); return true; }
  const binding = bindingPath(pkgDir);
  if (!FORCE && exists(binding) && bindingLoads(binding)) { log(`${GPU.pkg}: native binding present and loads; nothing to do`); return true; }
  const py = getPy();
  const dir = cacheDir();
  const whl = fetchWheel(py, dir, `${GPU.wheel}==${TF_VERSION}`, GPU.wheelFile, TF_VERSION);
  const reqs = cudaRequirements(py, whl);
  log(`CUDA runtime wheels: ${reqs.join(' ')}`);
  const cudaWheels = reqs.map((spec) => {
    // the and-cuda pins are ranges: satisfy them from the cache first (offline), then from PyPI
    const norm = spec.split(/[<>=!~;\s]/)[0].replace(/-/g, '_').toLowerCase();
    const pipArgs = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-d', dir, spec];
    if (!py) throw new StepError('no Python with pip', `needed to resolve ${spec}`);
    let r = run(py, [...pipArgs, '--no-index', '--find-links', dir], { timeout: 10 * 60_000 });
    if (!r.ok) {
      log(`downloading ${spec} ...`);
      r = run(py, pipArgs, { timeout: 60 * 60_000 });
    }
    if (!r.ok) throw new StepError(`pip download ${spec} failed`, tail(r.err, 10));
    // pip prints "Saved <path>" or "File was already downloaded <path>"
    const m = /(?:Saved|File was already downloaded)\s+(\S+\.whl)/.exec(r.out + r.err);
    const got = m ? path.resolve(dir, m[1]) : path.join(dir, fs.readdirSync(dir).filter((f) => f.toLowerCase().startsWith(`${norm}-`) && f.endsWith('.whl')).sort().pop() ?? '');
    if (!exists(got) || !got.endsWith('.whl')) throw new StepError(`pip download ${spec}`, `no wheel found in ${dir}`);
    return got;
  });
  fs.rmSync(binding, { force: true });
  const { depsLib, depsInc } = placeLibraries(py, pkgDir, whl);
  for (const w of cudaWheels) extract(py, { wheel: w, treePrefix: 'nvidia/', treeDest: path.join(pkgDir, 'deps') });
  checkSymbols(pkgDir, depsLib, depsInc);
  buildAndVerify(pkgDir, binding, GPU.pkg, true);
  writeStamp(pkgDir, { wheel: path.basename(whl), cuda: cudaWheels.map((w) => path.basename(w)) });
  return true;
}

