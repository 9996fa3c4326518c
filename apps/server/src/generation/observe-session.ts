import { formatMessageEventId, parseMessageEventId, type SnapshotEvent } from '@sluice/shared';
import type { EventBus } from './event-bus';
import type { GenerationEvent, GenerationMessage, LiveGeneration } from './generation-engine';
import {
  catchUpEvents,
  createSentSequences,
  type ReplayedEvent,
  snapshotEvents,
} from './generation-replay';
import type { StoredStream } from './generation-store';
import { createSubscriberQueue } from './subscriber-queue';

/** A reply to follow: its status and log (a session's snapshots carry no document). */
export type SessionStream<TSemantic extends { type: string }> = Pick<
  StoredStream<TSemantic>,
  'status' | 'log'
>;

export type SessionMessage<
  TSemantic extends { type: string },
  TNotice extends { type: string } = never,
> =
  | {
      /** `<messageId>:<offset>.<count>` */
      id: string;
      messageId: string;
      event: GenerationEvent<TSemantic> | SnapshotEvent;
    }
  | {
      /** The subscriber's position in the replies when the notice came (or `start`). */
      id: string;
      messageId: null;
      event: TNotice;
    };

/** The id of a notice sent before any reply event: resuming from it is resuming from nothing. */
export const noPositionEventId = 'start';

export interface ObserveSessionOptions<
  TSemantic extends { type: string },
  TNotice extends { type: string } = never,
> {
  bus: EventBus<GenerationMessage<TSemantic>>;
  topic: string;
  /** Session-level notices on the same topic (live only: never replayed). */
  notices?: EventBus<TNotice>;
  live: (messageId: string) => LiveGeneration<TSemantic> | undefined;
  /** The reply being written in the session now, if any (from the database). */
  activeMessageId: () => Promise<string | undefined>;
  /** A finished (or orphaned) reply of this session, rebuilt from the database. */
  loadStored: (messageId: string) => Promise<SessionStream<TSemantic> | undefined>;
  /** The session's replies written after this one, oldest first. */
  repliesAfter: (messageId: string) => Promise<string[]>;
  lastEventId?: string | null;
  signal: AbortSignal;
}

type SessionQueue<
  TSemantic extends { type: string },
  TNotice extends { type: string },
> = ReturnType<typeof createSubscriberQueue<GenerationEvent<TSemantic> | TNotice>>;

/**
 * Follows every reply of one chat session for one subscriber: what it missed since
 * `lastEventId` (the rest of that reply, then every later reply in full), or a snapshot
 * of the reply being written, then the live tail of every reply, de-duplicated per reply.
 * It does not end: replies come and go while the session is open.
 *
 * It subscribes to the live events when called, not when first read: once a client has
 * been told that its subscription is connected, it gets every later event (live-only
 * notices too).
 */
export function observeSession<
  TSemantic extends { type: string },
  TNotice extends { type: string } = never,
>(
  options: ObserveSessionOptions<TSemantic, TNotice>,
): AsyncGenerator<SessionMessage<TSemantic, TNotice>> {
  const queue = createSubscriberQueue<GenerationEvent<TSemantic> | TNotice>(options.signal);
  const unsubscribeReplies = options.bus.subscribe(options.topic, queue.push);
  // Notices travel in the same queue, so they keep their order with the replies' events.
  const unsubscribeNotices = options.notices?.subscribe(options.topic, (notice) =>
    queue.push({ id: noPositionEventId, sequence: -1, event: notice }),
  );
  let subscribed = true;
  const unsubscribe = () => {
    if (!subscribed) return;
    subscribed = false;
    unsubscribeReplies();
    unsubscribeNotices?.();
    options.signal.removeEventListener('abort', unsubscribe);
  };
  // A subscriber that leaves before its stream is first read never runs the generator.
  if (options.signal.aborted) unsubscribe();
  else options.signal.addEventListener('abort', unsubscribe, { once: true });
  return followSession(options, queue, unsubscribe);
}

async function* followSession<TSemantic extends { type: string }, TNotice extends { type: string }>(
  options: ObserveSessionOptions<TSemantic, TNotice>,
  queue: SessionQueue<TSemantic, TNotice>,
  unsubscribe: () => void,
): AsyncGenerator<SessionMessage<TSemantic, TNotice>> {
  /** The id of the last reply event sent: where a resume from a notice's id continues. */
  let lastSentId = parseMessageEventId(options.lastEventId) ? options.lastEventId : null;
  /** The replies this subscriber keeps alive, each until it ends (or the subscriber leaves). */
  const watching = new Map<string, () => void>();
  const sent = createSentSequences();

  /** Counts this subscriber as a watcher of a running reply, until that reply has finished. */
  function watch(generation: LiveGeneration<TSemantic>): void {
    if (watching.has(generation.id)) return;
    const release = generation.attach();
    watching.set(generation.id, release);
    void generation.done.finally(() => {
      release();
      watching.delete(generation.id);
    });
  }

  async function source(messageId: string): Promise<SessionStream<TSemantic> | undefined> {
    const generation = options.live(messageId);
    if (generation) {
      watch(generation);
      return { status: 'generating', log: generation.log };
    }
    return options.loadStored(messageId);
  }

  function message(messageId: string, logged: ReplayedEvent<TSemantic>) {
    const position = logged.id.split('.');
    return {
      id: formatMessageEventId(messageId, {
        offset: Number(position[0]),
        count: Number(position[1]),
      }),
      messageId,
      event: logged.event,
      sequence: logged.sequence,
    };
  }

  function snapshotOf(messageId: string, stream: SessionStream<TSemantic>) {
    return snapshotEvents(stream.log, stream.status).map((logged) => message(messageId, logged));
  }

  async function catchUp(): Promise<Array<ReturnType<typeof message>>> {
    const resumeFrom = parseMessageEventId(options.lastEventId);
    if (resumeFrom) {
      const resumed = await source(resumeFrom.messageId);
      if (resumed) {
        const missed = catchUpEvents(resumed.log, resumed.status, resumeFrom.position).map(
          (logged) => message(resumeFrom.messageId, logged),
        );
        for (const laterId of await options.repliesAfter(resumeFrom.messageId)) {
          const later = await source(laterId);
          const all = later?.log.replay({ offset: 0, count: 0 }) ?? [];
          missed.push(...all.map((logged) => message(laterId, logged)));
        }
        return missed;
      }
    }
    const activeId = await options.activeMessageId();
    const active = activeId ? await source(activeId) : undefined;
    return activeId && active ? snapshotOf(activeId, active) : [];
  }

  try {
    for (const item of await catchUp()) {
      sent.advance(item.messageId, item.sequence);
      lastSentId = item.id;
      yield { id: item.id, messageId: item.messageId, event: item.event };
    }
    for await (const logged of queue.drain()) {
      if (!('generationId' in logged)) {
        yield {
          id: lastSentId ?? noPositionEventId,
          messageId: null,
          event: logged.event as TNotice,
        };
        continue;
      }
      const messageId = (logged as GenerationMessage<TSemantic>).generationId;
      if (!sent.has(messageId)) {
        // A reply that started after this subscriber joined: watch it while it runs.
        const generation = options.live(messageId);
        if (generation) watch(generation);
      }
      if (!sent.advance(messageId, logged.sequence)) continue;
      const item = message(messageId, logged as GenerationMessage<TSemantic>);
      lastSentId = item.id;
      yield { id: item.id, messageId, event: item.event };
    }
  } finally {
    unsubscribe();
    for (const release of watching.values()) release();
    watching.clear();
  }
}
