/** The built-in stage registry: file name, stage id, registry key and export name agree. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILT_IN_STAGES } from '../../src/stages/index.js';
import { PROJECT_ROOT } from '../helpers/tmp-repo.js';

const registry = suite('BUILT_IN_STAGES');

const camel = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

registry('lists every stage file, keyed by id, exported under the camel-cased id', async () => {
  const files = (await readdir(join(PROJECT_ROOT, 'src', 'stages'))).filter((f) => f.endsWith('.ts') && f !== 'index.ts').sort();
  assert.equal(Object.keys(BUILT_IN_STAGES).sort(), files.map((f) => f.replace(/\.ts$/, '')));
  for (const [key, stage] of Object.entries(BUILT_IN_STAGES)) {
    assert.is(stage.id, key, `~> id of ${key}`);
    assert.ok(stage.module?.endsWith(`/src/stages/${key}.ts`), `~> module of ${key}`);
    const module = (await import(join(PROJECT_ROOT, 'src', 'stages', `${key}.ts`))) as Record<string, unknown>;
    assert.is(module[camel(key)], stage, `~> export ${camel(key)}`);
  }
});

registry.run();
