// Lists repro's own source files (src/cli, src/runtime, src/kit, src/dsl, src/errors.ts) with a hash of their
// content, so bin/repro.mjs can tell in a few milliseconds whether dist/ was built from the sources on
// disk. Content, not mtimes: copies and checkouts change mtimes without changing the code.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_ROOTS = ['src/cli', 'src/runtime', 'src/kit', 'src/dsl', 'src/errors.ts'];

/** `{ 'src/cli/main.ts': '<sha1 of the bytes>', ... }`, sorted by path. */
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
      found[rel] = createHash('sha1').update(readFileSync(join(root, rel))).digest('hex');
    }
  };
  for (const rel of SOURCE_ROOTS) visit(rel);
  return found;
}
