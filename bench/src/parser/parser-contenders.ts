import { createPartialJsonParser, createPlanStreamParser } from '@sluice/shared';
import JSONParser from '@streamparser/json/jsonparser.js';
import { parse } from 'partial-json';

/** A way of streaming a document: feeds every chunk and reads the partial document after each one. */
export interface ParserContender {
  name: string;
  streamDocument(chunks: readonly string[]): unknown;
}

export const parserContenders: ParserContender[] = [
  { name: 'sluice createPartialJsonParser', streamDocument: streamWithSluice },
  { name: 'sluice createPlanStreamParser', streamDocument: streamWithSluicePlan },
  { name: 'partial-json parse(prefix)', streamDocument: streamWithPartialJson },
  { name: '@streamparser/json JSONParser', streamDocument: streamWithStreamparser },
];

function streamWithSluice(chunks: readonly string[]): unknown {
  const parser = createPartialJsonParser();
  let partial: unknown;
  for (const chunk of chunks) {
    parser.feed(chunk);
    partial = parser.value;
  }
  return parser.end().success ? partial : undefined;
}

/** The server's path: plan events, each week validated with zod as it closes. */
function streamWithSluicePlan(chunks: readonly string[]): unknown {
  let eventCount = 0;
  const parser = createPlanStreamParser({
    onEvent: () => {
      eventCount += 1;
    },
  });
  let partial: unknown;
  for (const chunk of chunks) {
    parser.feed(chunk);
    partial = parser.plan;
  }
  return parser.end().success && eventCount > 0 ? partial : undefined;
}

/** partial-json has no streaming state: it re-parses the whole text received so far. */
function streamWithPartialJson(chunks: readonly string[]): unknown {
  let text = '';
  let partial: unknown;
  for (const chunk of chunks) {
    text += chunk;
    if (text.trim() !== '') partial = parse(text);
  }
  return partial;
}

/**
 * @streamparser/json keeps the containers it is building on its stack; with partial
 * values enabled it calls `onValue` for every token, so the root can be read from there.
 * Strings in progress reach only the callback, not the tree.
 */
function streamWithStreamparser(chunks: readonly string[]): unknown {
  const parser = new JSONParser({ emitPartialTokens: true, emitPartialValues: true });
  let root: unknown;
  parser.onValue = ({ value, parent, stack }) => {
    root = stack[1]?.value ?? parent ?? value;
  };
  let partial: unknown;
  for (const chunk of chunks) {
    parser.write(chunk);
    partial = root;
  }
  return partial;
}
