import type { PlanRow } from '@sluice/db';
import {
  createPlanStreamParser,
  type GenerationStatus,
  type PlanSemanticEvent,
} from '@sluice/shared';
import type { DocumentTracker, GenerationEvent } from '../generation/generation-engine';
import { appendStoredOutcome } from '../generation/generation-outcome';
import type { StoredStream } from '../generation/generation-store';
import { createStreamLog } from '../generation/stream-log';

/**
 * The plan parser as a generation's document layer: the structural events it
 * emits go on the wire; summary-deltas stay inside (clients get the raw text).
 */
export function createPlanDocumentTracker(): DocumentTracker<PlanSemanticEvent> {
  let completed: PlanSemanticEvent[] = [];
  const parser = createPlanStreamParser({
    onEvent(event) {
      if (event.type !== 'summary-delta') completed.push(event);
    },
  });
  return {
    feed(text) {
      parser.feed(text);
      if (completed.length === 0) return completed;
      const events = completed;
      completed = [];
      return events;
    },
    snapshot: () => structuredClone(parser.plan),
    finish() {
      const result = parser.end();
      return result.success
        ? { success: true, json: JSON.stringify(result.value) }
        : { success: false, message: result.error.message };
    },
  };
}

/**
 * Rebuilds a plan's event log from its saved row: the same text, the same semantic
 * events (the parser emits them identically for any chunking), then usage and end.
 * Event ids from a live stream therefore resume exactly against it, even after a restart.
 */
export function storedPlanStream(row: PlanRow): StoredStream<PlanSemanticEvent> {
  const content = row.content ?? row.partial_content;
  const log = createStreamLog<GenerationEvent<PlanSemanticEvent>>();
  const tracker = createPlanDocumentTracker();
  if (content.length > 0) log.appendText(content);
  for (const event of tracker.feed(content)) log.appendEvent(event);
  const status = row.status as GenerationStatus;
  appendStoredOutcome(log, status, row);

  const document = row.plan_json ? JSON.parse(row.plan_json) : tracker.snapshot();
  return { status, log, document };
}
