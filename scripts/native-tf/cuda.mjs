// The CUDA side of the GPU flow of scripts/install-native-tf.mjs: the nvidia-*-cu12 libraries laid out in deps/nvidia
// where TensorFlow's own loader finds them, and a check that runs that loader (no GPU or driver needed).
//
// TensorFlow dlopens the CUDA libraries from libtensorflow_framework.so.2 (tsl's DsoLoader), and glibc resolves a
// bare dlopen name through the RUNPATH of the calling library only. The framework's RUNPATH in the wheel is
// $ORIGIN/../nvidia/<pkg>/lib, so deps/nvidia/<pkg>/lib beside deps/lib is the site-packages layout. But it lists
// nvidia/cusolver/lib nowhere (that entry sits on libtensorflow_cc.so.2), while the loader's gate before any GPU
// device is registered, DsoLoader::TryDlopenCUDALibraries (cudart, cublas, cublasLt, cufft, cusolver, cusparse,
// cudnn), needs it: with TensorFlow 2.21 that alone makes TensorFlow print "Cannot dlopen some GPU libraries ...
// Skipping registering GPU devices". So each library the DsoLoader opens whose folder is not on the framework's
// RUNPATH is also linked into one that is (same depth, so its own $ORIGIN/../../<pkg>/lib RUNPATH still resolves).

import fs from 'node:fs';
import path from 'node:path';
import { StepError, TF_VERSION, childEnv, log, run, secs, tail } from './shared.mjs';
import { CUDA_TREE_KEEP, extract } from './wheel.mjs';

// ---- layout -------------------------------------------------------------------------------------------------
/** Extracts the CUDA wheels into deps/nvidia and links what the framework library could not reach. */
export function placeCudaLibraries(py, pkgDir, wheels) {
  const deps = path.join(pkgDir, 'deps');
  const t = Date.now();
  let files = 0;
  let bytes = 0;
  for (const wheel of wheels) {
    const res = extract(py, { wheel, tree: { keep: CUDA_TREE_KEEP, dest: deps } });
    files += res.files;
    bytes += res.bytes;
  }
  log(`placed ${files} files from ${wheels.length} CUDA wheels in deps/nvidia (${(bytes / 2 ** 30).toFixed(1)} GiB, ${secs(t)})`);
  linkUnreachable(deps);
}

/** The folders under deps/ that libtensorflow_framework.so.2's RUNPATH names ($ORIGIN = deps/lib). */
export function frameworkRunpath(deps) {
  const lib = path.join(deps, 'lib', 'libtensorflow_framework.so.2');
  const r = run('readelf', ['-d', lib]);
  if (!r.ok) throw new StepError('reading the RUNPATH of libtensorflow_framework.so.2 failed', `\`readelf -d\` ${r.error?.code ?? `exit ${r.status}`} (apt-get install binutils)`);
  const runpath = /\((?:RUNPATH|RPATH)\)[^[]*\[([^\]]*)\]/.exec(r.out)?.[1] ?? '';
  const dirs = runpath.split(':').filter(Boolean).map((d) => path.resolve(d.replace(/^\$ORIGIN|^\$\{ORIGIN\}/, path.join(deps, 'lib'))));
  return [...new Set(dirs)].filter((d) => d.startsWith(`${deps}${path.sep}`));
}

/** The libraries tsl's DsoLoader opens by bare name (TensorFlow 2.21; TensorRT is not among the and-cuda wheels). */
const DLOPENED = /^lib(cudart|cublas|cublasLt|cufft|cusolver|cusparse|cudnn|cupti|nccl)\.so\.\d+$/;

// NOTE: only what the DsoLoader opens is linked. A library loaded through a link gets the link's folder as
// $ORIGIN; that is harmless at the same depth (../../<pkg>/lib still resolves), but nvrtc, say, finds its
// builtins through $ORIGIN itself, so folders that other libraries reach by their own RUNPATH stay as they are.
function linkUnreachable(deps) {
  const onPath = frameworkRunpath(deps);
  const nvidia = path.join(deps, 'nvidia');
  const existing = onPath.filter((d) => d.startsWith(`${nvidia}${path.sep}`) && fs.existsSync(d));
  const target = existing.find((d) => d.endsWith(`${path.sep}cuda_runtime${path.sep}lib`)) ?? existing[0];
  if (!target) throw new StepError('laying out deps/nvidia failed', `libtensorflow_framework.so.2's RUNPATH names no folder under ${nvidia} that exists`);
  const linked = [];
  for (const pkg of fs.readdirSync(nvidia).sort()) {
    const dir = path.join(nvidia, pkg, 'lib');
    if (onPath.includes(dir) || !fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).filter((f) => DLOPENED.test(f)).sort()) {
      const link = path.join(target, name);
      if (fs.existsSync(link)) continue; // a library of that name is already reachable
      fs.symlinkSync(path.relative(target, path.join(dir, name)), link);
      linked.push(`${name} (${pkg})`);
    }
  }
  if (linked.length) log(`not on libtensorflow_framework.so.2's RUNPATH, so linked into deps/${path.relative(deps, target)}: ${linked.join(', ')}`);
}

// ---- TensorFlow's own loader ------------------------------------------------------------------------------
// Calls tsl::internal::DsoLoader from deps/lib/libtensorflow_framework.so.2 through ctypes, with TensorFlow's
// logging at VLOG 1 so it names each library it opened or could not open. Both functions return their result
// in memory (absl::Status / absl::StatusOr<void*> are not trivially copyable): the first word is the status,
// 1 meaning OK. Symbols are TensorFlow 2.21's; a missing one is reported, not guessed.
const DSO_CHECK_PY = String.raw`
import ctypes, json, sys
fw = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
def call(symbol):
    try: fn = getattr(fw, symbol)
    except AttributeError: return None
    fn.restype = None; fn.argtypes = [ctypes.c_void_p]
    out = (ctypes.c_uint64 * 8)(); fn(ctypes.addressof(out)); return out[0] == 1
res = {'gate': call('_ZN3tsl8internal9DsoLoader22TryDlopenCUDALibrariesEv'),
       'cupti': call('_ZN3tsl8internal9DsoLoader17GetCuptiDsoHandleEv'),
       'nccl': call('_ZN3tsl8internal9DsoLoader16GetNcclDsoHandleEv'),
       'driver': call('_ZN3tsl8internal9DsoLoader22GetCudaDriverDsoHandleEv')}
sys.stderr.flush(); print(json.dumps(res))`;

/**
 * Runs TensorFlow's CUDA library loader against deps/ in a clean child (no LD_LIBRARY_PATH): the seven
 * libraries it needs before it registers a GPU must open; cupti (profiler) and nccl (multi-GPU) are reported.
 * The driver (libcuda.so.1) comes with the NVIDIA driver, not from a wheel: reported, never required here.
 */
export function checkCudaLoader(py, pkgDir) {
  const lib = path.join(pkgDir, 'deps', 'lib', 'libtensorflow_framework.so.2');
  const t = Date.now();
  const r = run(py || 'python3', ['-c', DSO_CHECK_PY, lib], { env: childEnv({ TF_CPP_MIN_LOG_LEVEL: '0', TF_CPP_MAX_VLOG_LEVEL: '1' }), timeout: 5 * 60_000 });
  let res = null;
  try { res = JSON.parse(r.out.trim().split('\n').pop() ?? ''); } catch { /* reported below */ }
  if (!r.ok || !res) throw new StepError('running TensorFlow\'s CUDA library loader failed', tail(`${r.err}\n${r.out}`, 10) || `exit ${r.status}`);
  const opened = [...r.err.matchAll(/Successfully opened dynamic library (\S+)/g)].map((m) => m[1]);
  const failed = [...r.err.matchAll(/Could not load dynamic library '([^']+)'; dlerror: ([^\n]*)/g)].map((m) => ({ lib: m[1], why: m[2].trim() }));
  if (res.gate === null) {
    log(`warning: TensorFlow ${TF_VERSION}'s DsoLoader::TryDlopenCUDALibraries not exported; CUDA library check skipped`);
    return { opened, failed, checked: false };
  }
  if (!res.gate) {
    throw new StepError('TensorFlow cannot open its CUDA libraries from deps/ (it would skip registering any GPU)',
      failed.filter((f) => !/^libcuda\.so/.test(f.lib)).map((f) => (f.why.startsWith(f.lib) ? f.why : `${f.lib}: ${f.why}`)).join('\n') || tail(r.err, 10));
  }
  const missing = [res.cupti ? '' : 'libcupti (profiler)', res.nccl ? '' : 'libnccl (multi-GPU)'].filter(Boolean);
  const driver = res.driver ? 'driver libcuda.so.1 found' : `no NVIDIA driver here (${failed.find((f) => /^libcuda\.so/.test(f.lib))?.why ?? 'libcuda.so.1 not found'})`;
  log(`CUDA libraries: TensorFlow's loader opened ${opened.filter((l) => !/^libcuda\.so/.test(l)).join(', ')} from deps/nvidia${missing.length ? ` (not found: ${missing.join(', ')})` : ''}; ${driver} (${secs(t)})`);
  return { opened, failed, checked: true, driver: res.driver };
}
