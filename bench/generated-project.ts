/**
 * Generates a large project for the compile benchmark: `libs` library files that import each other
 * (each with functions and an import-time constant), `stages` stage files that each import a few
 * libraries, and one experiment chaining every stage. Deterministic: the same counts give the same files.
 */

export interface GeneratedProject {
  /** project-relative path → content */
  files: Record<string, string>;
  stageCount: number;
  sourceCount: number;
}

export function generateProject(stages = 30, libs = 170): GeneratedProject {
  const files: Record<string, string> = {};
  for (let i = 0; i < libs; i += 1) {
    const deps = [i - 1, Math.floor(i / 2) - 1].filter((d) => d >= 0 && d !== i);
    const imports = [...new Set(deps)].map((d) => `import { helper${d} } from './lib-${d}.js';`).join('\n');
    const uses = [...new Set(deps)].map((d) => ` + helper${d}(n)`).join('');
    files[`src/gen/lib-${i}.ts`] = `/** Generated library ${i}. */
${imports}

export const TABLE_${i} = Object.freeze([${i}, ${i + 1}, ${i + 2}]);

export function helper${i}(n: number): number {
  return (n * ${i + 1}) % 97${uses};
}

export function unused${i}(text: string): string {
  return text.repeat(${(i % 3) + 1});
}
`;
  }
  for (let s = 0; s < stages; s += 1) {
    const picks = [s * 5 % libs, (s * 7 + 3) % libs, (s * 11 + 5) % libs];
    files[`src/gen/stage-${s}.ts`] = `/** Generated stage ${s}. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, dir, Type } from '../dsl/index.js';
${picks.map((p) => `import { helper${p} } from './lib-${p}.js';`).join('\n')}

export const stage${s} = defineStage({
  id: 'stage-${s}',
  params: Type.Object({ factor: Type.Integer({ minimum: 1 }) }),
  inputs: { previous: dir() },
  outputs: { result: dir() },
  async run({ params, outputs }) {
    const value = ${picks.map((p) => `helper${p}(params.factor)`).join(' + ')};
    await writeFile(join(outputs.result, 'value.txt'), String(value) + '\\n');
  },
});
`;
  }
  const body = Array.from({ length: stages }, (_, s) => {
    const input = s === 0 ? "x.data('data/raw')" : `s${s - 1}.outputs.result`;
    return `  const s${s} = x.stage(stage${s}, { inputs: { previous: ${input} }, params: { factor: ${s + 1} } });`;
  }).join('\n');
  files['experiments/big.ts'] = `import { defineExperiment } from '../src/dsl/index.js';
${Array.from({ length: stages }, (_, s) => `import { stage${s} } from '../src/gen/stage-${s}.js';`).join('\n')}

export default defineExperiment('big', (x) => {
${body}
  void s${stages - 1};
});
`;
  files['data/raw/seed.txt'] = 'seed\n';
  return { files, stageCount: stages, sourceCount: libs + stages };
}
