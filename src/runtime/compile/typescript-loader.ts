/**
 * Makes `import()` of .ts files work: experiment files and stage modules are TypeScript, loaded from
 * source. When repro itself runs from its .ts sources a loader is already active; when it runs from
 * dist/, tsx is registered on first use, so commands that never load an experiment never pay for it.
 */
let registered = import.meta.url.endsWith('.ts');

/** Registers tsx once per process, unless a TypeScript loader already runs this module. */
export async function ensureTypeScriptLoader(): Promise<void> {
  if (registered) return;
  const { register } = await import('tsx/esm/api');
  register();
  registered = true;
}
