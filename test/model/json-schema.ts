// A JSON Schema checker for the keywords schema/custseg-model-1.schema.json uses (type, const,
// enum, required, properties, items, minItems, minimum, maximum, exclusiveMinimum, pattern), so the
// published schema itself is tested against written models without a schema library.

type Schema = Record<string, unknown>;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Every violation as "path: message"; empty when `value` conforms. */
export function schemaErrors(schema: Schema, value: unknown, path = "$"): string[] {
  const errors: string[] = [];
  const types = schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  const actual = typeOf(value);
  if (types && !types.some((t) => t === actual || (t === "number" && actual === "integer"))) {
    return [`${path}: expected ${types.join(" or ")}, got ${actual}`];
  }
  if ("const" in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === "number" && !(value > schema.exclusiveMinimum)) errors.push(`${path}: not above ${schema.exclusiveMinimum}`);
  }
  if (typeof value === "string" && typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
    errors.push(`${path}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) {
      value.forEach((item, i) => {
        errors.push(...schemaErrors(schema.items as Schema, item, `${path}[${i}]`));
      });
    }
  }
  if (actual === "object") {
    const o = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in o)) errors.push(`${path}: missing ${key}`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) if (key in o) errors.push(...schemaErrors(sub, o[key], `${path}.${key}`));
  }
  return errors;
}
