import type { ChatMessageRow } from '@sluice/db';
import {
  type ChatSemanticEvent,
  createHtmlArtifactExtractor,
  type ExtractedArtifact,
  type GenerationStatus,
  type HtmlBlockEvent,
  type MessageStartEvent,
} from '@sluice/shared';
import type { DocumentTracker, GenerationEvent } from '../generation/generation-engine';
import { appendStoredOutcome } from '../generation/generation-outcome';
import { createStreamLog, type StreamLog } from '../generation/stream-log';

/**
 * A reply's document: the experiment's artifact id provisioned with the turn (or null), and
 * the artifact extracted so far. The engine hands it to the store as the result's JSON.
 */
export interface ChatDocument {
  artifactId: string | null;
  artifact: ExtractedArtifact | null;
}

export type ChatDocumentTracker = DocumentTracker<ChatSemanticEvent> & {
  artifact(): ExtractedArtifact | null;
};

/** A reply's document layer: the first ```html block, when the reply may carry an experiment. */
export function createChatDocumentTracker(artifactId: string | null): ChatDocumentTracker {
  const extractor = createHtmlArtifactExtractor();
  const toEvents = (events: HtmlBlockEvent[]): ChatSemanticEvent[] =>
    artifactId === null
      ? []
      : events.map((event) =>
          event.type === 'block-start'
            ? { type: 'artifact-start', artifactId }
            : { type: 'artifact-end', artifactId, title: extractor.artifact()?.title ?? '' },
        );
  const artifact = () => (artifactId === null ? null : extractor.artifact());
  const document = (): ChatDocument => ({ artifactId, artifact: artifact() });
  return {
    feed: (text) => toEvents(extractor.feed(text)),
    end: () => toEvents(extractor.end()),
    snapshot: () => document(),
    finish: () => ({ success: true, json: JSON.stringify(document()) }),
    artifact,
  };
}

export function messageStartEvent(
  userMessage: Pick<ChatMessageRow, 'id' | 'content' | 'created_at'>,
  artifactId: string | null,
): MessageStartEvent {
  return {
    type: 'message-start',
    userMessage: {
      id: userMessage.id,
      content: userMessage.content,
      createdAt: userMessage.created_at,
    },
    ...(artifactId ? { artifactId } : {}),
  };
}

/**
 * Rebuilds a reply's log from its saved row, with the same events the live one had:
 * message-start, the text and its artifact events, then usage and end.
 */
export function storedMessageLog(
  reply: ChatMessageRow,
  userMessage: ChatMessageRow | undefined,
  artifactId: string | null,
): StreamLog<GenerationEvent<ChatSemanticEvent>> {
  const log = createStreamLog<GenerationEvent<ChatSemanticEvent>>();
  if (userMessage) log.appendEvent(messageStartEvent(userMessage, artifactId));
  const tracker = createChatDocumentTracker(artifactId);
  if (reply.content.length > 0) log.appendText(reply.content);
  for (const event of [...tracker.feed(reply.content), ...(tracker.end?.() ?? [])])
    log.appendEvent(event);
  const status = (reply.status ?? 'completed') as GenerationStatus;
  appendStoredOutcome(log, status, reply);

  return log;
}
