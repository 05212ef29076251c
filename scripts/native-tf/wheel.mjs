// Getting the TensorFlow C library for scripts/install-native-tf.mjs: the project's Python, the pinned PyPI
// wheel fetched with pip into a cache (so reruns are offline), and extraction of the shared libraries and
// C-API headers from it; for the GPU flow also the CUDA runtime wheels of its `and-cuda` extra.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GPU, ROOT, StepError, VERBOSE, exists, log, run, secs, tail } from './shared.mjs';

// ---- python / pip / wheel cache ---------------------------------------------------------------------------
export function findPython() {
  const candidates = [path.join(ROOT, '.venv', 'bin', 'python'), 'python3', 'python'];
  for (const py of candidates) {
    if (py.includes(path.sep) && !exists(py)) continue;
    const r = run(py, ['-m', 'pip', '--version'], { timeout: 60_000 });
    if (r.ok) return py;
  }
  return null;
}

export function cacheDir() {
  const dir = process.env.REPRO_TF_CACHE
    || (exists(path.join(ROOT, '.venv')) ? path.join(ROOT, '.venv', 'cache', 'tf-wheels') : path.join(ROOT, 'node_modules', '.cache', 'repro-tf'));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export const ARCH = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];

/** A wheel for `name==version` in the cache, any Python tag (only the C libraries are used). */
export function cachedWheel(dir, fileName, version) {
  const re = new RegExp(`^${fileName.replace(/[-_.]/g, '[-_.]')}-${version.replace(/\./g, '\\.')}-.*manylinux.*${ARCH}\\.whl$`, 'i');
  const hit = fs.readdirSync(dir).filter((f) => re.test(f)).sort().pop();
  return hit ? path.join(dir, hit) : null;
}

export function fetchWheel(py, dir, spec, fileName, version) {
  let whl = cachedWheel(dir, fileName, version);
  if (whl) {
    log(`wheel (cached): ${path.relative(ROOT, whl)}`);
    return whl;
  }
  if (!py) throw new StepError('no Python with pip', `need .venv/bin/python or python3 with pip to download ${spec}`);
  const t = Date.now();
  log(`downloading ${spec} with ${py} -m pip (PyPI) ...`);
  const base = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-d', dir, spec];
  const opts = { stdio: ['ignore', VERBOSE ? 'inherit' : 'pipe', VERBOSE ? 'inherit' : 'pipe'], timeout: 60 * 60_000 };
  let r = run(py, base, opts);
  if (!r.ok && /No matching distribution/.test(r.err)) {
    // this Python has no wheel of its own (too new/old): any CPython tag will do, only the C libraries are used
    log(`no ${spec} wheel for this Python; retrying with the cp311 manylinux tags`);
    r = run(py, [...base, '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311', '--platform', `manylinux_2_27_${ARCH}`, '--platform', `manylinux2014_${ARCH}`], opts);
  }
  if (!r.ok) throw new StepError(`pip download ${spec} failed`, tail(r.err || r.out || String(r.error), 15));
  whl = cachedWheel(dir, fileName, version);
  if (!whl) throw new StepError(`pip download ${spec}`, `no manylinux ${ARCH} wheel appeared in ${dir}`);
  log(`downloaded ${path.basename(whl)} (${(fs.statSync(whl).size / 2 ** 20).toFixed(0)} MiB) in ${secs(t)}`);
  return whl;
}

// ---- the CUDA runtime wheels of the GPU flow ---------------------------------------------------------------
/** The `and-cuda` extra of a tensorflow wheel: its nvidia-*-cu12 requirements, as pip specs. */
export function cudaRequirements(py, whl) {
  const code = String.raw`
import sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
meta = next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))
for line in z.read(meta).decode().splitlines():
    if line.startswith('Requires-Dist:') and re.search(r'extra\s*==\s*["\']and[-_]cuda["\']', line):
        print(re.sub(r'[\s()]', '', line.split(':', 1)[1].split(';')[0]))`;
  const r = run(py || 'python3', ['-c', code, whl]);
  if (!r.ok) throw new StepError(`reading the and-cuda requirements of ${path.basename(whl)} failed`, tail(r.err, 5));
  const reqs = r.out.split('\n').map((s) => s.trim()).filter((s) => s.startsWith('nvidia-'));
  if (!reqs.length) throw new StepError(`reading the and-cuda requirements of ${path.basename(whl)}`, 'no nvidia-* requirement with extra == "and-cuda" in its METADATA');
  return reqs;
}

/**
 * One wheel per requirement: all from the cache in one offline pip call when the cache satisfies them (the
 * highest cached version wins, so reruns are stable), else each from PyPI. pip prints "Saved <path>" or
 * "File was already downloaded <path>" per wheel.
 */
export function fetchCudaWheels(py, dir, reqs) {
  if (!py) throw new StepError('no Python with pip', `needed to download ${reqs.join(' ')}`);
  const t = Date.now();
  const pip = (specs, offline) => run(py, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-d', dir,
    ...(offline ? ['--no-index', '--find-links', dir] : []), ...specs], { timeout: (offline ? 10 : 60) * 60_000 });
  const saved = (r) => [...`${r.out}\n${r.err}`.matchAll(/(?:Saved|File was already downloaded)\s+(\S+\.whl)/g)].map((m) => path.resolve(dir, m[1]));
  const cached = pip(reqs, true);
  let wheels = cached.ok ? saved(cached) : [];
  const fromCache = wheels.length === reqs.length;
  if (!fromCache) {
    wheels = reqs.map((spec) => {
      log(`downloading ${spec} ...`);
      const r = pip([spec], false);
      if (!r.ok) throw new StepError(`pip download ${spec} failed`, tail(r.err || r.out || String(r.error), 10));
      const got = saved(r)[0];
      if (!got || !exists(got)) throw new StepError(`pip download ${spec}`, `pip named no wheel it saved in ${dir}:\n${tail(r.out, 5)}`);
      return got;
    });
  }
  const mib = wheels.reduce((sum, w) => sum + fs.statSync(w).size, 0) / 2 ** 20;
  const names = wheels.map((w) => path.basename(w).split('-').slice(0, 2).join(' ')).join(', ');
  log(`CUDA runtime wheels (${fromCache ? 'cached' : 'downloaded'}, ${mib.toFixed(0)} MiB, ${secs(t)}): ${names}`);
  return wheels;
}

// Extraction runs in the same Python (zipfile is stdlib); members are streamed, never held in memory.
export const EXTRACT_PY = String.raw`
import json, os, re, shutil, sys, zipfile
job = json.loads(sys.argv[1]); z = zipfile.ZipFile(job['wheel']); names = set(z.namelist())
def copy(member, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True); tmp = dest + '.part'
    with z.open(member) as src, open(tmp, 'wb') as out: shutil.copyfileobj(src, out, 1 << 22)
    os.chmod(tmp, 0o755 if '.so' in dest else 0o644); os.replace(tmp, dest)
done = {'libs': [], 'headers': [], 'files': 0}
for lib in job.get('libs', []):
    m = 'tensorflow/' + lib
    if m not in names: sys.exit('missing in wheel: ' + m)
    copy(m, os.path.join(job['libdir'], lib)); done['libs'].append(lib)
P = 'tensorflow/include/'; todo = list(job.get('headerRoots', [])); seen = set()
while todo:
    h = todo.pop()
    if h in seen: continue
    if P + h not in names: sys.exit('header missing in wheel: ' + h)
    seen.add(h)
    for inc in re.findall(rb'^\s*#\s*include\s+"([^"]+)"', z.read(P + h), re.M):
        if P + inc.decode() in names: todo.append(inc.decode())
for h in sorted(seen): copy(P + h, os.path.join(job['incdir'], h))
done['headers'] = sorted(seen)
if job.get('tree'):   # GPU: nvidia/<pkg>/{lib,bin,nvvm}/** -> <dest>/nvidia/<pkg>/..., shared objects and tools only
    keep = re.compile(job['tree']['keep']); done['bytes'] = 0
    for info in z.infolist():
        m = info.filename
        if m.endswith('/') or not keep.search(m): continue
        dest = os.path.join(job['tree']['dest'], m); copy(m, dest)
        if (info.external_attr >> 16) & 0o111 or '/bin/' in m: os.chmod(dest, 0o755)   # ptxas stays executable
        done['files'] += 1; done['bytes'] += info.file_size
print(json.dumps(done))
`;

/**
 * What the GPU flow takes from the nvidia-*-cu12 wheels: the shared libraries under nvidia/<pkg>/lib (no static
 * .a archives, no Python files, no headers), plus ptxas/nvlink and nvvm/libdevice from cuda_nvcc, which TensorFlow
 * looks for at <its lib dir>/../nvidia/cuda_nvcc when it compiles PTX (XLA, cuDNN's redzone checks).
 */
export const CUDA_TREE_KEEP = String.raw`^nvidia/[^/]+/lib/[^/]+\.so(\.[0-9.]+)?$|^nvidia/cuda_nvcc/(bin|nvvm)/`;

export function extract(py, job) {
  const python = py || 'python3';
  const r = run(python, ['-c', EXTRACT_PY, JSON.stringify(job)], { timeout: 30 * 60_000 });
  if (!r.ok) throw new StepError(`extracting ${path.basename(job.wheel)} failed`, tail(r.err || String(r.error), 10));
  return JSON.parse(r.out.trim().split('\n').pop());
}

