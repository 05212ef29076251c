#!/usr/bin/env node
// The `repro` command. It registers the TypeScript loader (tsx) and starts the CLI from source, so
// experiments, stages and the code fingerprints all see the exact .ts files that execute — there is no
// build step whose output could drift from the source.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
