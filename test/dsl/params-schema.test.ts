/** `resolveParamsSchema`: $ref dereferencing, closed objects, defaults and violation messages. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from '@sinclair/typebox';
import { ImageSize, Seed } from '../../src/dsl/definitions.js';
import { resolveParamsSchema } from '../../src/dsl/params-schema.js';

const resolve = suite('resolveParamsSchema');

const schema = Type.Object({
  size: Type.Ref(ImageSize),
  seed: Type.Ref(Seed),
  mode: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a' })),
  nested: Type.Optional(Type.Object({ depth: Type.Integer({ minimum: 1 }) })),
});

resolve('inlines shared $ref definitions and closes every object', async () => {
  const { schema: resolved } = await resolveParamsSchema(schema);
  const text = JSON.stringify(resolved);
  assert.not.match(text, /\$ref|\$id/);
  const props = resolved.properties as Record<string, Record<string, unknown>>;
  assert.is(props.size?.minimum, 1);
  assert.is(props.size?.type, 'integer');
  assert.is(resolved.additionalProperties, false);
  assert.is(props.nested?.additionalProperties, false, '~> nested objects are closed too');
});

resolve('applies defaults to a copy and leaves the input alone', async () => {
  const input = { size: 64, seed: 3 };
  const checked = (await resolveParamsSchema(schema)).check(input);
  assert.ok(checked.ok);
  if (checked.ok) assert.equal(checked.value, { size: 64, seed: 3, mode: 'a' });
  assert.equal(input, { size: 64, seed: 3 });
});

resolve('reports every violation with key, expectation and received value', async () => {
  const checked = (await resolveParamsSchema(schema)).check({ size: -1, mode: 'c', extra: true, nested: { depth: 0 } });
  assert.not.ok(checked.ok);
  if (checked.ok) return;
  const messages = checked.violations.map((v) => v.message);
  assert.ok(messages.includes("param 'size' must be >= 1, received -1 (number)"), messages.join('\n'));
  assert.ok(messages.includes("param 'seed' is required, received nothing"));
  assert.ok(messages.some((m) => /^unknown param 'extra', expected one of 'mode', 'nested', 'seed', 'size'$/.test(m)));
  assert.ok(messages.includes("param 'mode' expected one of 'a', 'b', received 'c' (string)"), '~> one message for a failed union');
  assert.is(messages.filter((m) => m.startsWith("param 'mode'")).length, 1);
  assert.ok(messages.includes("param 'nested.depth' must be >= 1, received 0 (number)"));
});

resolve('resolves each schema object once', async () => {
  assert.is(resolveParamsSchema(schema), resolveParamsSchema(schema));
});

resolve.run();
