import type { z } from 'zod';
import { environmentSchema } from '../../../envs/schema';
import { fieldPath } from '../../../envs/field-path';

/**
 * An ignored key is a setting someone believes in and nothing applies (a misspelt
 * `expectedCaKey` would leave the pins they meant unwritten). Every object of the env
 * schema is strict, so an unknown key is refused naming the file and field. Found by
 * walking the schema, so an object added later is covered the day it is added.
 */

type Path = Array<string | number>;

/** Every object of a schema with whether it refuses unknown keys (zod's catchall `never`). */
function objects(schema: z.ZodType, path: Path = [], depth = 0): Array<{ path: Path; strict: boolean }> {
  const def = (schema as any)._zod.def;
  if (depth > 40) throw new Error(`schema deeper than 40 at ${fieldPath(path)}`);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return objects(def.innerType, path, depth + 1);
    case 'pipe':
      return objects(def.in, path, depth + 1);
    case 'array':
      return objects(def.element, [...path, 0], depth + 1);
    case 'record':
      return objects(def.valueType, [...path, '*'], depth + 1);
    case 'union':
      return def.options.flatMap((o: z.ZodType) => objects(o, path, depth + 1));
    case 'object':
      return [
        { path, strict: def.catchall?._zod?.def?.type === 'never' },
        ...Object.entries(def.shape).flatMap(([k, v]) => objects(v as z.ZodType, [...path, k], depth + 1)),
      ];
    default:
      return [];
  }
}

it('every object of the env schema refuses unknown keys', () => {
  const all = objects(environmentSchema as unknown as z.ZodType);
  expect(all.length).toBeGreaterThan(30);
  expect(all.filter((o) => !o.strict).map((o) => fieldPath(o.path) || '(top level)')).toEqual([]);
});
