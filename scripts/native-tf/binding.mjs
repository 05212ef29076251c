// Building the native binding for scripts/install-native-tf.mjs: the libraries and headers laid out in the
// package's deps/, an `nm -D` check that every TF_/TFE_ function the binding calls is exported, the build with
// the package's own node-pre-gyp, the load check in a clean child process, and the stamp of what was built.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, STAMP_FILE, StepError, TF_LIBS, TF_VERSION, VERBOSE, childEnv, exists, log, run, secs, tail } from './shared.mjs';
import { extract } from './wheel.mjs';

// ---- deps/ layout, symbol check, build, verify ------------------------------------------------------------
export function placeLibraries(py, pkgDir, whl) {
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

export function checkSymbols(pkgDir, depsLib, depsInc) {
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

export function findNodeDir() {
  const cands = [process.env.npm_config_nodedir, path.dirname(path.dirname(process.execPath)), '/usr', '/usr/local'];
  const home = os.homedir();
  cands.push(path.join(home, '.cache', 'node-gyp', process.versions.node));
  for (const d of cands) if (d && exists(path.join(d, 'include', 'node', 'node_api.h'))) return d;
  return null;
}

export function findNodeGyp() {
  const req = createRequire(path.join(ROOT, 'package.json'));
  const cands = [process.env.npm_config_node_gyp];
  try { cands.push(path.join(path.dirname(req.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js')); } catch { /* not a project dep */ }
  const prefix = path.dirname(path.dirname(process.execPath));
  cands.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try { cands.push(path.join(path.dirname(req.resolve('npm/package.json')), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')); } catch { /* no local npm */ }
  return cands.find((c) => c && exists(c)) ?? null;
}

export function build(pkgDir, binding) {
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

/** TensorFlow's start-up lines about CUDA and GPUs (its C++ log: `I0000 00:00:… file.cc:N] message`). */
export function tfGpuLines(stderr) {
  return stderr.split('\n')
    .map((l) => /^[IWEF]\d{4} [\d:. ]+\s+\d+ ([\w.]+:\d+)\] (.*)$/.exec(l.trim()))
    .filter((m) => m && /cuda|cuInit|gpu|GPU|device|dlopen|dynamic library/i.test(m[2]))
    .map((m) => `${m[1]}] ${m[2]}`);
}

/**
 * Loads the package in a clean child and runs one op. `gpu` (GPU flow only): `required` when this machine has an
 * NVIDIA GPU, so TensorFlow must register it; otherwise (the flow forced on a CPU-only machine) it reports
 * TensorFlow's own words for why it sees none, and the binding stays (auto-detection picks it only with a GPU).
 */
export function verify(pkg, gpu = null) {
  const code = `
    const tf = require(require.resolve(${JSON.stringify(pkg)}, { paths: [${JSON.stringify(ROOT)}] }));
    const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
    const b = tf.backend();
    console.log(JSON.stringify({ backend: tf.getBackend(), sum, tfVersion: b.binding && b.binding.TF_Version, gpu: !!b.isUsingGpuDevice }));`;
  const t = Date.now();
  const r = run(process.execPath, ['-e', code], { cwd: ROOT, env: childEnv(gpu ? { TF_CPP_MIN_LOG_LEVEL: '0' } : {}), timeout: 5 * 60_000 });
  const line = r.out.trim().split('\n').pop() ?? '';
  let res = null;
  try { res = JSON.parse(line); } catch { /* fallthrough */ }
  if (!r.ok || !res || res.backend !== 'tensorflow' || res.sum !== 3) {
    throw new StepError(`require('${pkg}') check failed`, tail(`${r.err}\n${r.out}`, 15) || `exit ${r.status}`);
  }
  const said = gpu ? tfGpuLines(r.err) : [];
  if (gpu?.required && !res.gpu) {
    throw new StepError(`${pkg} loaded but TensorFlow registered no GPU`, `${said.join('\n') || '(TensorFlow said nothing about CUDA)'}\ncheck the NVIDIA driver (nvidia-smi) and the libraries in deps/nvidia`);
  }
  log(`OK: require('${pkg}') -> backend '${res.backend}', TensorFlow ${res.tfVersion}${res.gpu ? ', GPU in use' : ''} (load ${secs(t)}, no LD_LIBRARY_PATH)`);
  if (gpu && !res.gpu) {
    log(`no GPU visible (expected: no NVIDIA GPU on this machine); TensorFlow said:`);
    for (const l of said.length ? said : ['(nothing about CUDA)']) log(`    ${l}`);
  } else if (gpu) {
    for (const l of said.filter((s) => /Created device/.test(s))) log(`    ${l}`);
  }
  return { ...res, said };
}

/** Builds the binding and checks it loads; removes it when either fails, so no broken binding is left. */
export function buildAndVerify(pkgDir, binding, pkg, gpu = null) {
  try {
    build(pkgDir, binding);
    return verify(pkg, gpu);
  } catch (e) {
    fs.rmSync(binding, { force: true });
    throw e;
  }
}

/** Written last, once the binding loads: its presence means deps/ is complete (read by staleReason, describeBackend). */
export function writeStamp(pkgDir, flow, extra) {
  const stamp = { tensorflow: TF_VERSION, layout: flow.layout, node: process.versions.node, napi: process.versions.napi, builtAt: new Date().toISOString(), ...extra };
  fs.writeFileSync(path.join(pkgDir, 'deps', STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

