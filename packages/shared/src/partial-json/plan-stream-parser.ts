import type { z } from 'zod';
import type { SummaryEndEvent, WeekEndEvent, WeekStartEvent } from '../events';
import {
  type PartialPlanDocument,
  type PlanDocument,
  planDocumentSchema,
  planWeekSchema,
} from '../schemas/plan';
import type { ParseResult } from './parse-result';
import {
  createPartialJsonParser,
  type JsonPath,
  type PartialJsonEvent,
} from './partial-json-parser';

/**
 * What the plan parser reports while the document streams. The structural events
 * (`summary-end`, `week-start`, `week-end`) come out the same for every chunking of the
 * same text; only the way the summary is cut into `summary-delta`s depends on it.
 */
export type PlanParseEvent =
  | SummaryEndEvent
  | WeekStartEvent
  | WeekEndEvent
  | { type: 'summary-delta'; text: string };

export interface PlanStreamParserOptions {
  onEvent: (event: PlanParseEvent) => void;
}

export interface PlanStreamParser {
  /** Parses the next piece of the document, emitting the events it completes. */
  feed(chunk: string): void;
  /** Ends the input: the plan if the document is complete JSON that matches the plan schema. */
  end(): ParseResult<PlanDocument>;
  /**
   * The plan so far, as a live view that later input keeps changing (copy it to keep it).
   * Fields are not validated until `week-end` or `end()`.
   */
  readonly plan: PartialPlanDocument;
}

const maxReportedIssues = 3;

/** Streams a plan document (pure JSON, as the model is asked to produce) into plan events. */
export function createPlanStreamParser({ onEvent }: PlanStreamParserOptions): PlanStreamParser {
  const json = createPartialJsonParser({ onEvent: translate });
  let length = 0;

  function translate(event: PartialJsonEvent): void {
    switch (event.type) {
      case 'string-delta':
        if (isSummaryPath(event.path)) onEvent({ type: 'summary-delta', text: event.text });
        break;
      case 'primitive':
        if (isSummaryPath(event.path) && typeof event.value === 'string') {
          onEvent({ type: 'summary-end', summary: event.value });
        }
        break;
      case 'container-start':
        if (isWeekPath(event.path) && !Array.isArray(event.value)) {
          onEvent({ type: 'week-start', index: event.path[1] });
        }
        break;
      case 'container-end':
        if (isWeekPath(event.path) && !Array.isArray(event.value)) {
          onEvent(weekEndEvent(event.path[1], event.value));
        }
        break;
    }
  }

  return {
    feed(chunk) {
      length += chunk.length;
      json.feed(chunk);
    },
    end() {
      const result = json.end();
      if (!result.success) return result;
      const parsed = planDocumentSchema.safeParse(result.value);
      if (parsed.success) return { success: true, value: parsed.data };
      const message = `The document does not match the plan schema: ${summarizeIssues(parsed.error)}`;
      return { success: false, error: { message, offset: length } };
    },
    get plan() {
      return asPartialPlan(json.value);
    },
  };
}

function weekEndEvent(index: number, value: unknown): WeekEndEvent {
  const parsed = planWeekSchema.safeParse(value);
  return parsed.success
    ? { type: 'week-end', index, week: parsed.data, valid: true }
    : { type: 'week-end', index, valid: false };
}

function isSummaryPath(path: JsonPath): boolean {
  return path.length === 1 && path[0] === 'monthly_summary';
}

function isWeekPath(path: JsonPath): path is readonly ['weeks', number] {
  return path.length === 2 && path[0] === 'weeks' && typeof path[1] === 'number';
}

/** The streamed value, which is only a plan-shaped object once it starts with "{". */
function asPartialPlan(value: unknown): PartialPlanDocument {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

function summarizeIssues({ issues }: z.ZodError): string {
  const described = issues
    .slice(0, maxReportedIssues)
    .map((issue) => `${issue.path.map(String).join('.') || 'document'}: ${issue.message}`);
  const hidden = issues.length - described.length;
  return hidden > 0 ? `${described.join('; ')} (and ${hidden} more)` : described.join('; ');
}
