// JSON Schemas of the request bodies, compiled once by fastify's validator when the routes are
// registered. They check shape and types; names and counts depend on the loaded model (which a
// reload may change) and are checked by the instance readers.

/** An instance: an object of numbers or an array of numbers (the two keywords apply to one type each). */
const instance = {
  type: ["object", "array"],
  items: { type: "number" },
  additionalProperties: { type: "number" },
  maxItems: 256,
  maxProperties: 256,
};

export function vertexBodySchema(maxInstances: number) {
  return {
    type: "object",
    required: ["instances"],
    properties: {
      instances: { type: "array", minItems: 1, maxItems: maxInstances, items: instance },
      // Vertex AI passes request-wide parameters here; this model takes none, so they are accepted and ignored.
      parameters: {},
    },
    additionalProperties: false,
  };
}

export function mlflowBodySchema(maxInstances: number) {
  const rows = { type: "array", maxItems: maxInstances };
  return {
    type: "object",
    properties: {
      dataframe_split: {
        type: "object",
        required: ["columns", "data"],
        properties: {
          columns: { type: "array", items: { type: "string" }, maxItems: 256 },
          data: { ...rows, items: { type: "array", items: { type: "number" }, maxItems: 256 } },
          index: { type: "array" },
        },
      },
      dataframe_records: { ...rows, items: { type: "object", additionalProperties: { type: "number" }, maxProperties: 256 } },
      instances: { type: ["array", "object"], maxItems: maxInstances, items: instance, maxProperties: 256 },
      inputs: { type: ["array", "object"], maxItems: maxInstances, items: instance, maxProperties: 256 },
      params: { type: "object" },
    },
    additionalProperties: false,
  };
}
