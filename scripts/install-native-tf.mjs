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
// Only Node builtins are used.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// ---- pins -------------------------------------------------------------------------------------------------
const TF_VERSION = '2.21.0'; // PyPI wheel whose C library the binding is built against (MODEL.md §3.1)
const CPU = { pkg: '@tensorflow/tfjs-node', wheel: 'tensorflow-cpu', wheelFile: 'tensorflow_cpu' };
const GPU = { pkg: '@tensorflow/tfjs-node-gpu', wheel: 'tensorflow', wheelFile: 'tensorflow' };
const TF_LIBS = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];

// ---- setup ------------------------------------------------------------------------------------------------
const t0 = Date.now();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const FORCE = args.has('--force');
const VERBOSE = args.has('--verbose') || !!process.env.REPRO_TF_VERBOSE;
const STRICT = args.has('--strict') || process.env.REPRO_TF_STRICT === '1';
const RETRY = 'node scripts/install-native-tf.mjs --force --verbose';
const TF_ENV = { TF_ENABLE_ONEDNN_OPTS: '0', TF_CPP_MIN_LOG_LEVEL: '2' };

const log = (msg) => console.log(`[native-tf] ${msg}`);
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

class StepError extends Error {
  constructor(step, detail) {
    super(`${step}${detail ? `: ${detail}` : ''}`);
    this.step = step;
    this.detail = detail;
  }
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  return { ok: r.status === 0 && !r.error, status: r.status, out: r.stdout ?? '', err: r.stderr ?? '', error: r.error };
}
const tail = (s, n = 25) => s.trim().split('\n').slice(-n).join('\n');
const exists = (p) => fs.existsSync(p);

function childEnv(extra = {}) {
  const env = { ...process.env, ...TF_ENV, ...extra };
  delete env.LD_LIBRARY_PATH; // the binding must find deps/lib via its RUNPATH alone
  return env;
}

// ---- package / binding paths ------------------------------------------------------------------------------
function packageDir(pkg) {
  const dir = path.join(ROOT, 'node_modules', ...pkg.split('/'));
  return exists(path.join(dir, 'package.json')) ? dir : null;
}

/** Same choice as @mapbox/node-pre-gyp's find(): highest napi_versions entry the running Node supports. */
function bindingPath(pkgDir) {
  const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const napi = Number(process.versions.napi);
  const best = Math.max(...(pj.binary?.napi_versions ?? [napi]).filter((v) => v <= napi));
  const rel = pj.binary.module_path.replace('{napi_build_version}', String(best));
  return path.join(pkgDir, rel, `${pj.binary.module_name}.node`);
}

function bindingLoads(binding) {
  const r = run(process.execPath, ['-e', `require(${JSON.stringify(binding)})`], { env: childEnv({ TF_CPP_MIN_LOG_LEVEL: '3' }), timeout: 60_000 });
  return r.ok;
}

// ---- python / pip / wheel cache ---------------------------------------------------------------------------
function findPython() {
  const candidates = [path.join(ROOT, '.venv', 'bin', 'python'), 'python3', 'python'];
  for (const py of candidates) {
    if (py.includes(path.sep) && !exists(py)) continue;
    const r = run(py, ['-m', 'pip', '--version'], { timeout: 60_000 });
    if (r.ok) return py;
  }
  return null;
}

function cacheDir() {
  const dir = process.env.REPRO_TF_CACHE
    || (exists(path.join(ROOT, '.venv')) ? path.join(ROOT, '.venv', 'cache', 'tf-wheels') : path.join(ROOT, 'node_modules', '.cache', 'repro-tf'));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const ARCH = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];

/** A wheel for `name==version` in the cache, any Python tag (only the C libraries are used). */
function cachedWheel(dir, fileName, version) {
  const re = new RegExp(`^${fileName.replace(/[-_.]/g, '[-_.]')}-${version.replace(/\./g, '\\.')}-.*manylinux.*${ARCH}\\.whl$`, 'i');
  const hit = fs.readdirSync(dir).filter((f) => re.test(f)).sort().pop();
  return hit ? path.join(dir, hit) : null;
}

function fetchWheel(py, dir, spec, fileName, version) {
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

// Extraction runs in the same Python (zipfile is stdlib); members are streamed, never held in memory.
const EXTRACT_PY = String.raw`
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
if job.get('treePrefix'):   # GPU: nvidia/<pkg>/lib/** -> <treeDest>/nvidia/<pkg>/lib/**
    for m in names:
        if m.startswith(job['treePrefix']) and '/lib/' in m and not m.endswith('/'):
            copy(m, os.path.join(job['treeDest'], m)); done['files'] += 1
print(json.dumps(done))
`;

function extract(py, job) {
  const python = py || 'python3';
  const r = run(python, ['-c', EXTRACT_PY, JSON.stringify(job)], { timeout: 30 * 60_000 });
  if (!r.ok) throw new StepError(`extracting ${path.basename(job.wheel)} failed`, tail(r.err || String(r.error), 10));
  return JSON.parse(r.out.trim().split('\n').pop());
}

// ---- deps/ layout, symbol check, build, verify ------------------------------------------------------------
function placeLibraries(py, pkgDir, whl) {
  const depsLib = path.join(pkgDir, 'deps', 'lib');
  const depsInc = path.join(pkgDir, 'deps', 'include');
  fs.rmSync(path.join(pkgDir, 'deps'), { recursive: true, force: true });
  fs.mkdirSync(depsLib, { recursive: true });
  // headers the binding includes directly; their #include closure is taken from the wheel
  const roots = new Set();
  for (const f of fs.readdirSync(path.join(pkgDir, 'binding'))) {
    const src = fs.readFileSync(path.join(pkgDir, 'binding', f), 'utf8');
    for (const m of src.matchAll(/^\s*#\s*include\s+"(tensorflow\/[^"]+)"/gm)) roots.add(m[1]);
  }
  const t = Date.now();
  const res = extract(py, { wheel: whl, libs: TF_LIBS, libdir: depsLib, incdir: depsInc, headerRoots: [...roots] });
  // link names: -ltensorflow / -ltensorflow_framework at build time, the SONAMEs (…so.2) at run time,
  // and the libtensorflow 2.9.1 names tfjs-node's own scripts look for
  const constants = fs.readFileSync(path.join(pkgDir, 'scripts', 'deps-constants.js'), 'utf8');
  const legacy = /LIBTENSORFLOW_VERSION\s*=\s*'([^']+)'/.exec(constants)?.[1] ?? '2.9.1';
  const links = {
    'libtensorflow.so': 'libtensorflow_cc.so.2', [`libtensorflow.so.${legacy}`]: 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2', [`libtensorflow_framework.so.${legacy}`]: 'libtensorflow_framework.so.2',
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(depsLib, name));
  log(`placed ${res.libs.join(', ')} + ${res.headers.length} headers in ${path.relative(ROOT, path.join(pkgDir, 'deps'))} (${secs(t)})`);
  return { depsLib, depsInc };
}

function checkSymbols(pkgDir, depsLib, depsInc) {
  // required = identifiers called in binding/* that the C-API headers declare as exported functions
  const declared = new Set();
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of walk(depsInc)) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/TF_CAPI_EXPORT\s+extern\s+[^;{}]*?\b(TFE?_\w+)\s*\(/g)) declared.add(m[1]);
  }
  const used = new Set();
  for (const f of fs.readdirSync(path.join(pkgDir, 'binding'))) {
    for (const m of fs.readFileSync(path.join(pkgDir, 'binding', f), 'utf8').matchAll(/\b(TFE?_\w+)\s*\(/g)) if (declared.has(m[1])) used.add(m[1]);
  }
  const where = {};
  for (const lib of TF_LIBS) {
    const r = run('nm', ['-D', '--defined-only', path.join(depsLib, lib)], { timeout: 5 * 60_000 });
    if (!r.ok) {
      log(`warning: \`nm -D\` unavailable (${r.error?.code ?? r.status}); skipping the symbol check (apt-get install binutils)`);
      return;
    }
    for (const line of r.out.split('\n')) {
      const name = line.trim().split(/\s+/)[2]?.replace(/@.*$/, '');
      if (name && used.has(name) && !where[name]) where[name] = lib;
    }
  }
  const missing = [...used].filter((s) => !where[s]).sort();
  if (missing.length) throw new StepError('symbol check failed', `not exported by ${TF_LIBS.join(' / ')}: ${missing.join(', ')}`);
  const count = (lib) => Object.values(where).filter((l) => l === lib).length;
  log(`symbols: all ${used.size} TF_/TFE_ functions the binding calls are exported (${TF_LIBS.map((l) => `${count(l)} by ${l}`).join(', ')})`);
}

function findNodeDir() {
  const cands = [process.env.npm_config_nodedir, path.dirname(path.dirname(process.execPath)), '/usr', '/usr/local'];
  const home = os.homedir();
  cands.push(path.join(home, '.cache', 'node-gyp', process.versions.node));
  for (const d of cands) if (d && exists(path.join(d, 'include', 'node', 'node_api.h'))) return d;
  return null;
}

function findNodeGyp() {
  const req = createRequire(path.join(ROOT, 'package.json'));
  const cands = [process.env.npm_config_node_gyp];
  try { cands.push(path.join(path.dirname(req.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js')); } catch { /* not a project dep */ }
  const prefix = path.dirname(path.dirname(process.execPath));
  cands.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try { cands.push(path.join(path.dirname(req.resolve('npm/package.json')), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')); } catch { /* no local npm */ }
  return cands.find((c) => c && exists(c)) ?? null;
}

function build(pkgDir, binding) {
  for (const tool of [['c++', '--version'], ['make', '--version']]) {
    if (!run(tool[0], [tool[1]]).ok) throw new StepError(`no ${tool[0]} on PATH`, 'apt-get install build-essential (needs g++ and make)');
  }
  const nodedir = findNodeDir();
  if (!nodedir) throw new StepError('Node headers not found', `no include/node/node_api.h under ${path.dirname(path.dirname(process.execPath))}, /usr, /usr/local (apt-get install libnode-dev, or the nodejs tarball's include/)`);
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) throw new StepError('node-gyp not found', 'npm ships one; or add node-gyp as a devDependency');
  const req = createRequire(path.join(pkgDir, 'package.json'));
  const preGyp = path.join(path.dirname(req.resolve('@mapbox/node-pre-gyp/package.json')), 'bin', 'node-pre-gyp');
  const t = Date.now();
  log(`building ${path.relative(ROOT, binding)} (node-pre-gyp, nodedir=${nodedir}) ...`);
  const logFile = path.join(pkgDir, 'build-native-tf.log');
  const fd = fs.openSync(logFile, 'w');
  const r = spawnSync(process.execPath, [preGyp, 'install', '--build-from-source', `--nodedir=${nodedir}`, '--loglevel=warn'], {
    cwd: pkgDir, env: { ...process.env, npm_config_node_gyp: nodeGyp, JOBS: String(os.availableParallelism?.() ?? 2) },
    stdio: ['ignore', VERBOSE ? 'inherit' : fd, VERBOSE ? 'inherit' : fd], timeout: 20 * 60_000,
  });
  fs.closeSync(fd);
  if (r.status !== 0 || !exists(binding)) {
    const noise = /^(gyp|node-pre-gyp) (info|verb|sill|warn|ERR! (stack|System|command|cwd|node -v|node-gyp -v|node-pre-gyp -v|not ok|\$npm))|^\s+at |^make: (Entering|Leaving)|^Failed to execute/;
    const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim() && !noise.test(l));
    throw new StepError('compiling the binding failed', `${lines.slice(-15).join('\n')}\n(full log: ${path.relative(ROOT, logFile)})`);
  }
  const rp = run('readelf', ['-d', binding]);
  const runpath = /\((?:RUNPATH|RPATH)\)[^[]*\[([^\]]*)\]/.exec(rp.out)?.[1];
  log(`built in ${secs(t)}${runpath ? `; RUNPATH ${runpath}` : ''}`);
}

function verify(pkg, expectGpu) {
  const code = `
    const tf = require(require.resolve(${JSON.stringify(pkg)}, { paths: [${JSON.stringify(ROOT)}] }));
    const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
    const b = tf.backend();
    console.log(JSON.stringify({ backend: tf.getBackend(), sum, tfVersion: b.binding && b.binding.TF_Version, gpu: !!b.isUsingGpuDevice }));`;
  const t = Date.now();
  const r = run(process.execPath, ['-e', code], { cwd: ROOT, env: childEnv(), timeout: 5 * 60_000 });
  const line = r.out.trim().split('\n').pop() ?? '';
  let res = null;
  try { res = JSON.parse(line); } catch { /* fallthrough */ }
  if (!r.ok || !res || res.backend !== 'tensorflow' || res.sum !== 3) {
    throw new StepError(`require('${pkg}') check failed`, tail(`${r.err}\n${r.out}`, 15) || `exit ${r.status}`);
  }
  if (expectGpu && !res.gpu) throw new StepError(`${pkg} loaded but TensorFlow sees no GPU`, 'check the NVIDIA driver (nvidia-smi) and the nvidia-*-cu12 libraries in deps/nvidia');
  log(`OK: require('${pkg}') -> backend '${res.backend}', TensorFlow ${res.tfVersion}${res.gpu ? ', GPU in use' : ''} (load ${secs(t)}, no LD_LIBRARY_PATH)`);
}

function writeStamp(pkgDir, extra) {
  const stamp = { tensorflow: TF_VERSION, node: process.versions.node, napi: process.versions.napi, builtAt: new Date().toISOString(), ...extra };
  fs.writeFileSync(path.join(pkgDir, 'deps', '.repro-native-tf.json'), `${JSON.stringify(stamp, null, 2)}\n`);
}

// ---- CPU flow -----------------------------------------------------------------------------------------------
function installCpu(getPy) {
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
  try {
    build(pkgDir, binding);
    verify(CPU.pkg, false);
  } catch (e) {
    fs.rmSync(binding, { force: true });
    throw e;
  }
  writeStamp(pkgDir, { wheel: path.basename(whl) });
  return true;
}

// ---- GPU flow (separate; untested here: no GPU on the dev machine) ------------------------------------------
// Same recipe for @tensorflow/tfjs-node-gpu, from the `tensorflow` wheel (CUDA build) plus the nvidia-*-cu12
// runtime wheels its `and-cuda` extra pins. libtensorflow_framework.so.2 in that wheel carries
// RUNPATH $ORIGIN/../nvidia/<name>/lib, so the CUDA libraries go to deps/nvidia/<name>/lib next to deps/lib
// (the same relative layout as site-packages/tensorflow and site-packages/nvidia): no LD_LIBRARY_PATH needed.
function hasNvidiaGpu() {
  if (process.env.REPRO_TF_GPU === '0') return false;
  if (process.env.REPRO_TF_GPU === '1' || args.has('--gpu')) return true;
  const r = run('nvidia-smi', ['-L'], { timeout: 10_000 });
  return r.ok && /GPU \d+:/.test(r.out);
}

function cudaRequirements(py, whl) {
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

function installGpu(getPy) {
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
  try {
    build(pkgDir, binding);
    verify(GPU.pkg, true);
  } catch (e) {
    fs.rmSync(binding, { force: true });
    throw e;
  }
  writeStamp(pkgDir, { wheel: path.basename(whl), cuda: cudaWheels.map((w) => path.basename(w)) });
  return true;
}

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
