#!/usr/bin/env node
// The `repro` command. It runs the compiled CLI in dist/ when dist/ was built from the sources on disk
// (a few stat calls decide), and otherwise registers the TypeScript loader (tsx) and runs src/ directly —
// slower to start, never stale. Experiments and stages are always loaded from their .ts sources, which
// is also what the code fingerprints hash.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSources } from './sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function isBuildFresh() {
  try {
    const built = readFileSync(join(root, 'dist', '.sources.json'), 'utf8').trim();
    return built === JSON.stringify(listSources(root));
  } catch {
    return false;
  }
}

if (isBuildFresh()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
