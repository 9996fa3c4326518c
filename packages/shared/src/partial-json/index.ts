export type { ParseError, ParseResult } from './parse-result';
export {
  createPartialJsonParser,
  type JsonContainer,
  type JsonPath,
  type JsonPrimitive,
  type PartialJsonEvent,
  type PartialJsonParser,
  type PartialJsonParserOptions,
} from './partial-json-parser';
export {
  createPlanStreamParser,
  type PlanParseEvent,
  type PlanStreamParser,
  type PlanStreamParserOptions,
} from './plan-stream-parser';
