#!/usr/bin/env node
// `npm run build` (also run by postinstall): compiles repro's own code — src/cli, src/runtime, src/kit, src/dsl,
// src/errors.ts — to dist/ with tsc, then records a hash of each source file in
// dist/.sources.json. bin/repro.mjs runs dist/ only while that record still matches the sources, and
// otherwise runs the sources through tsx, so a stale build can never run.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSources } from '../bin/sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
writeFileSync(join(root, 'dist', '.sources.json'), `${JSON.stringify(listSources(root))}\n`);
process.stderr.write('repro build: compiled src/ to dist/\n');
