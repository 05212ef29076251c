/** `repro schema`: prints the JSON Schema of params.yaml. */
import { findProjectRoot } from '../../runtime/project.js';
import { paramsFileSchema } from '../../runtime/compile/schema.js';

export async function schemaCommand(): Promise<number> {
  process.stdout.write(`${JSON.stringify(await paramsFileSchema(findProjectRoot()), null, 2)}\n`);
  return 0;
}
