/**
 * The seeds a run used: every param named `seed` in params.yaml, by its dotted key (e.g.
 * `demo.warp.seed`), found at any depth so nested settings (a phase's noise seed) count too.
 */
import { parse as parseYaml } from 'yaml';

/** `{ 'demo.warp.seed': 1, … }` from params.yaml's text, keys sorted. */
export function collectSeeds(paramsText: string | undefined): Record<string, string | number | boolean | null> {
  const seeds: Record<string, string | number | boolean | null> = {};
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${key}.${index}`));
    else if (typeof value === 'object' && value !== null) {
      for (const [name, child] of Object.entries(value)) {
        const path = key ? `${key}.${name}` : name;
        if (name === 'seed' && (child === null || typeof child !== 'object')) seeds[path] = child as string | number | boolean | null;
        else visit(child, path);
      }
    }
  };
  visit(paramsText === undefined ? {} : parseYaml(paramsText), '');
  return Object.fromEntries(Object.entries(seeds).sort(([a], [b]) => (a < b ? -1 : 1)));
}
