/**
 * Tests for `openFileAnalysisCache`: a warm cache answers every file without parsing (and without loading
 * ts-morph at all, checked in a child process whose loader refuses it), entries die with a file's mtime or size,
 * and the cache file is written atomically, only when something changed, and survives corruption.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openFileAnalysisCache, serializeFingerprint } from '../../../../src/runtime/compile/fingerprint/index.js';
import { withProject, type TestProject } from './make-project.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);

const cache = suite('openFileAnalysisCache');

cache('a warm cache gives the same fingerprint with zero parses, in memory and from disk', () => withProject(async (p) => {
  const cold = await p.fingerprint();
  assert.is(p.cache.stats.misses, 5, '~> cold misses');
  await p.cache.save();
  const again = await p.fingerprint();
  assert.is(p.cache.stats.misses, 5, '~> no new misses in memory');
  const fromDisk = openFileAnalysisCache(p.cacheFile);
  const warm = await p.fingerprint(undefined, undefined, fromDisk);
  assert.is(fromDisk.stats.misses, 0, '~> misses from disk');
  assert.is(fromDisk.stats.hits, 5, '~> hits from disk');
  assert.is(serializeFingerprint(again), serializeFingerprint(cold), '~> same bytes in memory');
  assert.is(serializeFingerprint(warm), serializeFingerprint(cold), '~> same bytes from disk');
}));

cache('a change of mtime or size invalidates only that file', () => withProject(async (p) => {
  await p.fingerprint();
  const file = path.join(p.root, 'src/lib/util.ts');
  const later = new Date(Date.UTC(2030, 0, 1));
  await utimes(file, later, later);
  await p.fingerprint();
  assert.is(p.cache.stats.misses, 6, '~> mtime');
  const { mtime } = await stat(file);
  await writeFile(file, `${await readFile(file, 'utf8')}\n// longer\n`);
  await utimes(file, mtime, mtime); // same mtime, different size
  await p.fingerprint();
  assert.is(p.cache.stats.misses, 7, '~> size');
}));

cache('saves atomically, only when dirty, and ignores a corrupt file', () => withProject(async (p) => {
  await p.fingerprint();
  await p.cache.save();
  const dir = path.dirname(p.cacheFile);
  assert.equal(await readdir(dir), ['fingerprint-files.json'], '~> no temp files left');
  const written = (await stat(p.cacheFile)).mtimeMs;
  await new Promise((resolve) => setTimeout(resolve, 20));
  const warm = openFileAnalysisCache(p.cacheFile);
  await p.fingerprint(undefined, undefined, warm);
  await warm.save();
  assert.is((await stat(p.cacheFile)).mtimeMs, written, '~> untouched when clean');
  await writeFile(p.cacheFile, '{"format": 1, "files": ');
  const corrupt = openFileAnalysisCache(p.cacheFile);
  await p.fingerprint(undefined, undefined, corrupt);
  assert.is(corrupt.stats.misses, 5, '~> corrupt file reads as empty');
}));

cache('a warm run never loads ts-morph; a cold one does', () => withProject(async (p) => {
  await p.fingerprint();
  await p.cache.save();
  const warm = await runIsolated(p);
  assert.is(warm.error, undefined, '~> warm run succeeds without ts-morph');
  assert.is(warm.misses, 0, '~> warm misses');
  await writeFile(p.cacheFile, '{}');
  const cold = await runIsolated(p);
  assert.match(cold.error ?? '', /ts-morph refused/, '~> control: a cold run needs ts-morph');
}));

cache.run();

/** Fingerprints the resize stage in a child process whose module loader refuses to resolve 'ts-morph'. */
async function runIsolated(p: TestProject): Promise<{ misses?: number; error?: string }> {
  const hook = path.join(p.root, 'refuse-ts-morph.mjs');
  await writeFile(hook, [
    'export async function resolve(specifier, context, next) {',
    "  if (specifier === 'ts-morph') throw new Error('ts-morph refused');",
    '  return next(specifier, context);',
    '}',
  ].join('\n'));
  const register = path.join(p.root, 'register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const script = path.join(p.root, 'run.mts');
  const entry = pathToFileURL(path.join(REPO_ROOT, 'src/runtime/compile/fingerprint/index.ts')).href;
  await writeFile(script, `
    import { fingerprintStage, openFileAnalysisCache } from ${JSON.stringify(entry)};
    const [root, cacheFile] = process.argv.slice(2);
    const cache = openFileAnalysisCache(cacheFile);
    try {
      await fingerprintStage({ file: root + '/src/stages/resize.ts', exportName: 'resize' },
        { root, lockfile: null, backend: 'cpu', node: 'v20.0.0', cache });
      console.log(JSON.stringify({ misses: cache.stats.misses }));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err) }));
    }
  `);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', register, script, p.root, p.cacheFile], { cwd: REPO_ROOT });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { misses?: number; error?: string };
}
