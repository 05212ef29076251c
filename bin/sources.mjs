// Lists repro's own source files (src/cli, src/runtime, src/dsl, src/errors.ts) with mtime and size, so
// bin/repro.mjs can tell in a few milliseconds whether dist/ was built from the sources on disk.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_ROOTS = ['src/cli', 'src/runtime', 'src/dsl', 'src/errors.ts'];

/** `{ 'src/cli/main.ts': [mtimeMs, size], ... }`, sorted by path. */
export function listSources(root) {
  const found = {};
  const visit = (rel) => {
    let info;
    try {
      info = statSync(join(root, rel));
    } catch {
      return;
    }
    if (info.isDirectory()) {
      for (const entry of readdirSync(join(root, rel)).sort()) visit(`${rel}/${entry}`);
    } else if (rel.endsWith('.ts')) {
      found[rel] = [info.mtimeMs, info.size];
    }
  };
  for (const rel of SOURCE_ROOTS) visit(rel);
  return found;
}
