// The Vertex AI body `{"instances":[…],"parameters":…}` read into a Batch without running the JSON
// Schema validator on bodies that are fine. The instance readers check every value as they copy it;
// whatever they accept, the schema (schemas.ts) accepts too, so the validator only runs once
// something is wrong — and then, as before, its error comes first and the readers' error second,
// so a client reads the same 400 as when the validator ran on every request.
import { batchFromInstances, InputError, type InputSchema } from "./instances.js";
import type { Batch } from "./served-model.js";

/** The schema's per-instance caps (maxItems, maxProperties): a model wider than this always takes the validator's path. */
const MAX_INSTANCE_VALUES = 256;

/**
 * `validate` runs the route's JSON Schema on the body and throws the validator's error when it
 * fails; it is called only for a body the fast path does not accept.
 */
export function batchFromVertexBody(body: unknown, schema: InputSchema, maxInstances: number, validate: (body: unknown) => void): Batch {
  let readerError: InputError | null = null;
  const instances = wellFormedInstances(body, maxInstances);
  if (instances !== null && schema.features.length <= MAX_INSTANCE_VALUES && schema.components.length <= MAX_INSTANCE_VALUES) {
    try {
      return batchFromInstances(instances, schema);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      readerError = err;
    }
  }
  // The schema's error, where it has one, names the first problem in the body's order.
  validate(body);
  if (readerError !== null) throw readerError;
  return batchFromInstances((body as { instances: unknown[] }).instances, schema);
}

/** The body's `instances` when the body's top level is what the schema asks for, else null. */
function wellFormedInstances(body: unknown, maxInstances: number): unknown[] | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  for (const key in body) if (key !== "instances" && key !== "parameters") return null;
  const instances = (body as { instances?: unknown }).instances;
  if (!Array.isArray(instances) || instances.length === 0 || instances.length > maxInstances) return null;
  return instances;
}
