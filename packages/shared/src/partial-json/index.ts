// Filled in by the partial-JSON parser work: createPartialJsonParser, createPlanStreamParser.
export {};
