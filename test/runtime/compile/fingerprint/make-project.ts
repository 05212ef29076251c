/**
 * Builds a tiny project in a fresh temp dir for fingerprint tests: a stage module that imports a shared util file
 * through a re-export barrel (one reached and one unreached function, a comment, types), a second stage using
 * another package, a stub `sharp` import, and a fake lockfile. Nothing is executed; the files only need to parse.
 * `edit` rewrites a file and moves its mtime forward, so the analysis cache sees the change.
 */
import { mkdtemp, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fingerprintStage, openFileAnalysisCache, type FileAnalysisCache, type LockfileV3, type StageFingerprint,
} from '../../../../src/runtime/compile/fingerprint/index.js';

/** The files of the default fixture, relative path -> text. */
export const PROJECT_FILES: Record<string, string> = {
  'src/dsl.ts': `
/** Identity helper, like the real defineStage. */
export function defineStage<T>(definition: T): T {
  return definition;
}
`,
  'src/stages/resize.ts': `
/** Resize images: the stage under test. */
import sharp from 'sharp';
import { defineStage } from '../dsl.js';
import { scale, type Size } from '../lib/index.js';
import type { Options } from '../lib/types.js';

export const resize = defineStage({
  id: 'resize',
  run(size: Size, options?: Options) {
    return sharp().resize(scale(size.width), scale(size.height));
  },
});
`,
  'src/stages/other.ts': `
/** Another stage: uses kleur, which resize never touches. */
import kleur from 'kleur';
import { defineStage } from '../dsl.js';
import { unreached } from '../lib/util.js';

export const other = defineStage({ id: 'other', run: () => kleur.red(unreached()) });
`,
  'src/lib/index.ts': `
// the barrel
export { scale, unreached } from './util.js';
export * from './more.js';
`,
  'src/lib/more.ts': `
export function more(): number {
  return 1;
}
`,
  'src/lib/types.ts': `
export interface Options { quality: number }
`,
  'src/lib/util.ts': `
// shared helpers
import yaml from 'yaml';

/** A size in pixels. */
export interface Size { width: number; height: number }
export type Mode = 'fast' | 'slow';

const FACTOR = 2;

/** Scales one dimension. */
export function scale(x: number): number {
  return double(x) * FACTOR;
}

function double(x: number): number {
  return x + x;
}

export function unreached(): string {
  return yaml.stringify({ a: 1 });
}
`,
};

/** A lockfile v3 with the packages the fixture imports; sharp has two dependencies, one nested. */
export function makeLockfile(): LockfileV3 {
  return {
    lockfileVersion: 3,
    packages: {
      '': { dependencies: { sharp: '^0.34.4', yaml: '^2.0.0', kleur: '^4.0.0' } },
      'node_modules/sharp': {
        version: '0.34.4', integrity: 'sha512-sharp4',
        dependencies: { 'detect-libc': '^2.0.0', semver: '^7.0.0' },
        optionalDependencies: { '@img/sharp-linux-x64': '0.34.4', '@img/sharp-wasm32': '0.34.4' },
      },
      'node_modules/detect-libc': { version: '2.1.2', integrity: 'sha512-libc' },
      'node_modules/semver': { version: '6.3.1', integrity: 'sha512-semver6' },
      'node_modules/sharp/node_modules/semver': { version: '7.7.3', integrity: 'sha512-semver7' },
      'node_modules/@img/sharp-linux-x64': { version: '0.34.4', integrity: 'sha512-linux' },
      'node_modules/yaml': { version: '2.9.1', integrity: 'sha512-yaml' },
      'node_modules/kleur': { version: '4.1.5', integrity: 'sha512-kleur' },
    },
  };
}

/** A temp project plus helpers to edit it and fingerprint its stages. */
export interface TestProject {
  root: string;
  cacheFile: string;
  cache: FileAnalysisCache;
  lockfile: LockfileV3;
  /** rewrites a file with `change(oldText)` and bumps its mtime */
  edit(rel: string, change: (text: string) => string): Promise<void>;
  write(rel: string, text: string): Promise<void>;
  /** fingerprints `exportName` of `rel` (default: the resize stage) */
  fingerprint(rel?: string, exportName?: string, cache?: FileAnalysisCache): Promise<StageFingerprint>;
  remove(): Promise<void>;
}

let tick = 0;

/** Creates the fixture project (overridden or extra files in `files`) in a new temp dir. */
export async function makeProject(files: Record<string, string> = {}): Promise<TestProject> {
  const root = await mkdtemp(path.join(tmpdir(), 'repro-fingerprint-'));
  const cacheFile = path.join(root, '.repro/cache/fingerprint-files.json');
  const project: TestProject = {
    root,
    cacheFile,
    cache: openFileAnalysisCache(cacheFile),
    lockfile: makeLockfile(),
    async write(rel, text) {
      const file = path.join(root, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      const time = new Date(Date.UTC(2024, 0, 1) + 1000 * ++tick); // distinct, increasing mtimes
      await utimes(file, time, time);
    },
    async edit(rel, change) {
      await project.write(rel, change(await readFile(path.join(root, rel), 'utf8')));
    },
    fingerprint(rel = 'src/stages/resize.ts', exportName = 'resize', cache = project.cache) {
      return fingerprintStage(
        { file: path.join(root, rel), exportName },
        { root, lockfile: project.lockfile, backend: 'cpu', node: 'v20.0.0', cache },
      );
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  for (const [rel, text] of Object.entries({ ...PROJECT_FILES, ...files })) await project.write(rel, text);
  return project;
}

/** Runs `fn` on a fresh project and removes it afterwards. */
export async function withProject(fn: (project: TestProject) => Promise<void>, files: Record<string, string> = {}): Promise<void> {
  const project = await makeProject(files);
  try {
    await fn(project);
  } finally {
    await project.remove();
  }
}
