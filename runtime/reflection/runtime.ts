// What the generated reflection code (gen/) imports instead of "safestub" (buf.gen.reflection.yaml
// sets runtime_import to this module): the same neutral re-export the health service's code uses.
export * from "../health/runtime.js";
