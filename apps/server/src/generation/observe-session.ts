import { parseMessageEventId, type SnapshotEvent } from '@sluice/shared';
import type { EventBus } from './event-bus';
import type { GenerationCluster } from './generation-cluster';
import type { GenerationEvent, GenerationMessage, LiveGeneration } from './generation-engine';
import {
  catchUpEvents,
  createSentSequences,
  type ReplayedEvent,
  snapshotEvents,
} from './generation-replay';
import type { StoredStream } from './generation-store';
import { createPushStream, type PushSink, type PushStream } from './push-stream';
import { createSubscriberQueue } from './subscriber-queue';
import { subscribeShared } from './topic-listeners';

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
  /** Several instances: a reply running on another one is followed from its history. */
  cluster?: GenerationCluster<TSemantic>;
  lastEventId?: string | null;
  signal: AbortSignal;
}

/** What the session's topic carries: a reply's event, or a notice (no generation, sequence -1). */
type TopicMessage<TSemantic extends { type: string }, TNotice extends { type: string }> =
  | GenerationMessage<TSemantic>
  | { id: string; sequence: number; event: TNotice };

/**
 * Follows every reply of one chat session for one subscriber: what it missed since
 * `lastEventId` (the rest of that reply, then every later reply in full), or a snapshot
 * of the reply being written, then the live tail of every reply, de-duplicated per reply.
 * It does not end: replies come and go while the session is open.
 *
 * It subscribes to the live events when called, not when first read: once a client has
 * been told that its subscription is connected, it gets every later event (live-only
 * notices too). Piped, a caught-up subscriber gets each live event in the bus's publish
 * call (see PushStream).
 */
export function observeSession<
  TSemantic extends { type: string },
  TNotice extends { type: string } = never,
>(
  options: ObserveSessionOptions<TSemantic, TNotice>,
): PushStream<SessionMessage<TSemantic, TNotice>> {
  /** Live messages that arrive before the subscriber has caught up (or started reading). */
  let waiting: Array<TopicMessage<TSemantic, TNotice>> | undefined = [];
  let onLive: ((message: TopicMessage<TSemantic, TNotice>) => void) | undefined;
  const receive = (message: TopicMessage<TSemantic, TNotice>) => {
    if (waiting) waiting.push(message);
    else onLive?.(message);
  };
  const unsubscribeReplies = subscribeShared(options.bus, options.topic, receive);
  // Notices travel in the same buffer, so they keep their order with the replies' events.
  const unsubscribeNotices = options.notices
    ? subscribeShared(options.notices, options.topic, (notice) =>
        receive({ id: noPositionEventId, sequence: -1, event: notice }),
      )
    : undefined;
  let subscribed = true;
  const unsubscribe = () => {
    if (!subscribed) return;
    subscribed = false;
    waiting = undefined;
    unsubscribeReplies();
    unsubscribeNotices?.();
    options.signal.removeEventListener('abort', unsubscribe);
  };
  // A subscriber that leaves before its stream is first read never starts following it.
  if (options.signal.aborted) unsubscribe();
  else options.signal.addEventListener('abort', unsubscribe, { once: true });

  let started = false;
  return createPushStream<SessionMessage<TSemantic, TNotice>>(
    (sink) => {
      if (started) throw new Error('A session stream is read once');
      started = true;
      return followSession(options, sink, {
        unsubscribe,
        takeWaiting() {
          const taken = waiting ?? [];
          waiting = undefined;
          return taken;
        },
        setLive(listener) {
          onLive = listener;
        },
        get subscribed() {
          return subscribed;
        },
      });
    },
    () =>
      createSubscriberQueue<
        SessionMessage<TSemantic, TNotice>['event'],
        SessionMessage<TSemantic, TNotice>
      >(options.signal),
  );
}

interface SessionSubscription<
  TSemantic extends { type: string },
  TNotice extends { type: string },
> {
  unsubscribe(): void;
  /** The live messages buffered so far; from now on they go to the live listener. */
  takeWaiting(): Array<TopicMessage<TSemantic, TNotice>>;
  setLive(listener: (message: TopicMessage<TSemantic, TNotice>) => void): void;
  readonly subscribed: boolean;
}

function followSession<TSemantic extends { type: string }, TNotice extends { type: string }>(
  options: ObserveSessionOptions<TSemantic, TNotice>,
  sink: PushSink<SessionMessage<TSemantic, TNotice>>,
  subscription: SessionSubscription<TSemantic, TNotice>,
): () => void {
  /** The id of the last reply event sent: where a resume from a notice's id continues. */
  let lastSentId = parseMessageEventId(options.lastEventId) ? options.lastEventId : null;
  /** The replies this subscriber keeps alive, each until it ends (or the subscriber leaves). */
  const watching = new Map<string, () => void>();
  const sent = createSentSequences();
  let stopped = false;
  /** Replies running on other instances this subscriber watches, until their `end`. */
  const watchingElsewhere = new Map<string, () => void>();

  function watchElsewhere(messageId: string): void {
    if (!options.cluster || stopped || watchingElsewhere.has(messageId)) return;
    watchingElsewhere.set(messageId, options.cluster.watch(messageId));
  }

  function stopWatchingElsewhere(messageId: string): void {
    watchingElsewhere.get(messageId)?.();
    watchingElsewhere.delete(messageId);
  }

  function stop(): void {
    if (stopped) return;
    stopped = true;
    subscription.unsubscribe();
    options.signal.removeEventListener('abort', stop);
    for (const release of watching.values()) release();
    watching.clear();
    for (const release of watchingElsewhere.values()) release();
    watchingElsewhere.clear();
  }
  if (!subscription.subscribed || options.signal.aborted) {
    stop();
    return stop;
  }
  options.signal.addEventListener('abort', stop, { once: true });

  /** Counts this subscriber as a watcher of a running reply, until that reply has finished. */
  function watch(generation: LiveGeneration<TSemantic>): void {
    if (stopped || watching.has(generation.id)) return;
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
    const stored = await options.loadStored(messageId);
    if (stored?.status !== 'generating' || !options.cluster) return stored;
    // Written by another instance: its history is ahead of the database.
    const remote = await options.cluster.loadRemote(messageId);
    if (remote?.status === 'generating') watchElsewhere(messageId);
    return remote ?? stored;
  }

  function message(messageId: string, logged: ReplayedEvent<TSemantic>) {
    return {
      id: `${messageId}:${logged.id}`,
      messageId,
      event: logged.event,
      sequence: logged.sequence,
      /** The id within the reply (`<offset>.<count>`). */
      position: logged.id,
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

  function onLive(logged: TopicMessage<TSemantic, TNotice>): void {
    if (stopped) return;
    if (!('generationId' in logged)) {
      sink.next({
        id: lastSentId ?? noPositionEventId,
        messageId: null,
        event: logged.event as TNotice,
      });
      return;
    }
    const messageId = logged.generationId;
    if (!sent.has(messageId)) {
      // A reply that started after this subscriber joined: watch it while it runs.
      const generation = options.live(messageId);
      if (generation) watch(generation);
      else if (logged.event.type !== 'end') watchElsewhere(messageId);
    }
    if (logged.event.type === 'end') stopWatchingElsewhere(messageId);
    if (!sent.advance(messageId, logged.sequence)) return;
    const id = `${messageId}:${logged.id}`;
    lastSentId = id;
    sink.next({ id, messageId, event: logged.event });
  }

  // A shared bus subscribes asynchronously: catch up only once live events are sure to arrive.
  const caughtUp = options.cluster
    ? options.cluster.subscribed(options.topic).then(catchUp)
    : catchUp();
  caughtUp.then(
    (items) => {
      if (stopped) return;
      for (const item of items) {
        sent.advance(item.messageId, item.sequence);
        lastSentId = item.id;
        sink.next({ id: item.id, messageId: item.messageId, event: item.event });
        if (stopped) return;
      }
      for (const logged of subscription.takeWaiting()) {
        onLive(logged);
        if (stopped) return;
      }
      subscription.setLive(onLive);
    },
    (error: unknown) => {
      if (stopped) return;
      stop();
      sink.error(error);
    },
  );
  return stop;
}
