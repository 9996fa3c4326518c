import { randomUUID } from 'node:crypto';
import type { GenerationStatus } from '@sluice/shared';
import type { Logger } from 'pino';
import type { EventBus } from './event-bus';
import type { GenerationCluster, RemoteGeneration } from './generation-cluster';
import type { GenerationEvent, GenerationMessage } from './generation-engine';
import type { GenerationStore } from './generation-store';
import { rebuildStreamLog } from './rebuild-stream-log';
import { createRedisChannelListener } from './redis-channel-listener';
import { createRedisConnections } from './redis-connections';
import { createRedisEventBus, type RedisEventBus } from './redis-event-bus';
import { createRedisGenerationControl, type GenerationCommand } from './redis-generation-control';
import { createRedisGenerationLeases, type GenerationLease } from './redis-generation-leases';
import { createRedisGenerationWatchers } from './redis-generation-watchers';
import type { LoggedEvent } from './stream-log';

export interface RedisClusterOptions {
  url: string;
  /** An instance silent this long has lost its generations (LEASE_TIMEOUT_MS). */
  leaseTimeoutMs: number;
  /** The longest a generation may run (a dead owner's history is dropped after this). */
  streamingTimeoutMs: number;
  logger: Logger;
  /** Shared by every instance of one deployment. */
  prefix?: string;
  instanceId?: string;
  /** How long a finished generation's history stays readable (the database has it all). */
  retainMs?: number;
}

/** What the cluster needs of a kind's engine on the instance that runs the generation. */
interface KindEngine {
  cancel(id: string): Promise<{ status: GenerationStatus; cancelled: boolean } | undefined>;
  abortAll(reason: 'instance-lost'): void;
}

interface RegisteredKind {
  bus: RedisEventBus<GenerationMessage<{ type: string }>>;
  store: GenerationStore<{ type: string }>;
  engine?: KindEngine;
}

type CancelOutcome = { status: GenerationStatus; cancelled: boolean } | undefined;

/**
 * One instance among several sharing Redis (and PostgreSQL): the event buses, the control
 * channel, watcher counts, and the leases with recovery of dead instances' generations.
 * Each kind of generation registers its store (`kind`), then its engine (`serve`), then
 * `start` takes over expired leases and begins heartbeats.
 */
export function createRedisCluster(options: RedisClusterOptions) {
  const { logger, leaseTimeoutMs } = options;
  const prefix = options.prefix ?? 'sluice:';
  const instanceId = options.instanceId ?? randomUUID();
  const log = logger.child({ instance: instanceId });
  const onError = (error: unknown) => log.error({ err: error }, 'Redis');
  const connections = createRedisConnections(options.url, `sluice-${instanceId}`);
  const channels = createRedisChannelListener(connections.subscriber, onError);
  const kinds = new Map<string, RegisteredKind>();
  const pendingCancels = new Map<string, (outcome: CancelOutcome) => void>();

  const watchers = createRedisGenerationWatchers({
    redis: connections.commands,
    prefix,
    instanceId,
    ttlMs: leaseTimeoutMs,
    onError,
  });

  const control = createRedisGenerationControl({
    publisher: connections.commands,
    channels,
    prefix,
    instanceId,
    onError,
    onCommand(command) {
      if (command.type === 'cancel-result') {
        pendingCancels.get(command.requestId)?.(command.outcome ?? undefined);
        return;
      }
      void answerCancel(command);
    },
  });

  async function answerCancel(command: Extract<GenerationCommand, { type: 'cancel' }>) {
    const engine = kinds.get(command.kind)?.engine;
    const outcome = engine
      ? await engine.cancel(command.generationId).catch(() => undefined)
      : undefined;
    await control
      .send(command.replyTo, {
        type: 'cancel-result',
        requestId: command.requestId,
        outcome: outcome ?? null,
      })
      .catch(onError);
  }

  /** Asks the owner to cancel; undefined when it did not answer (it died: recovery follows). */
  async function requestCancel(
    owner: string,
    kind: string,
    generationId: string,
  ): Promise<CancelOutcome> {
    const requestId = randomUUID();
    const answered = new Promise<CancelOutcome>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), leaseTimeoutMs);
      timer.unref();
      pendingCancels.set(requestId, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
    try {
      const delivered = await control.send(owner, {
        type: 'cancel',
        kind,
        generationId,
        replyTo: instanceId,
        requestId,
      });
      if (!delivered) return undefined;
      return await answered;
    } finally {
      pendingCancels.delete(requestId);
    }
  }

  /** Marks a dead instance's generations partial (instance-lost) and ends their subscribers. */
  async function recover(leases: GenerationLease[], deadInstanceId: string): Promise<void> {
    for (const [kindName, kind] of kinds) {
      const ofKind = leases.filter((lease) => lease.kind === kindName);
      if (ofKind.length === 0) continue;
      const recovered = new Set(
        await kind.store.recover(
          'instance-lost',
          ofKind.map((lease) => lease.generationId),
        ),
      );
      for (const lease of ofKind) {
        if (!recovered.has(lease.generationId) || !lease.topic) continue;
        await publishLostEnd(kind, lease.generationId, lease.topic);
      }
      log.warn(
        { kind: kindName, deadInstanceId, generations: [...recovered] },
        'generations of an instance that stopped answering were marked partial (instance-lost)',
      );
    }
  }

  /** Publishes `end` after everything the dead owner published, so every subscriber takes it. */
  async function publishLostEnd(kind: RegisteredKind, generationId: string, topic: string) {
    const history = await kind.bus.history(generationId);
    const rebuilt = history ? rebuildStreamLog<{ type: string }>(history) : null;
    const end = {
      type: 'end' as const,
      status: 'partial' as const,
      reason: 'instance-lost' as const,
    };
    if (rebuilt) {
      kind.bus.publish(topic, { ...rebuilt.appendEvent(end), generationId });
      return;
    }
    // No history: the saved row (now partial) rebuilt, whose last event is its end.
    const stored = await kind.store.loadStored(generationId);
    const replayed = stored?.log.replay({ offset: 0, count: 0 }) ?? [];
    const last = replayed.at(-1);
    if (last?.event.type === 'end') kind.bus.publish(topic, { ...last, generationId });
  }

  const leases = createRedisGenerationLeases({
    redis: connections.commands,
    prefix,
    instanceId,
    leaseTimeoutMs,
    recover,
    onLost() {
      log.error('this instance stalled past its lease; its generations were taken over');
      for (const kind of kinds.values()) kind.engine?.abortAll('instance-lost');
    },
    onError,
  });

  function createBus<TMessage>(name: string, history?: boolean): RedisEventBus<TMessage> {
    return createRedisEventBus<TMessage>({
      publisher: connections.commands,
      channels,
      prefix: `${prefix}${name}:`,
      onError,
      history: history
        ? {
            streamOf: (message) => (message as { generationId: string }).generationId,
            isLast: (message) => (message as { event: { type: string } }).event.type === 'end',
            lifetimeMs: options.streamingTimeoutMs + 2 * leaseTimeoutMs,
            retainMs: options.retainMs ?? 30_000,
          }
        : undefined,
    });
  }

  return {
    instanceId,
    /** A bus for live-only messages (session notices), delivered on every instance. */
    noticeBus<TMessage>(name: string): EventBus<TMessage> {
      return createBus<TMessage>(name);
    },
    /** Registers a kind of generation: its bus (with history) and its cluster view. */
    kind<TSemantic extends { type: string }>(name: string, store: GenerationStore<TSemantic>) {
      const bus = createBus<GenerationMessage<TSemantic>>(name, true);
      kinds.set(name, {
        bus: bus as unknown as RedisEventBus<GenerationMessage<{ type: string }>>,
        store: store as unknown as GenerationStore<{ type: string }>,
      });
      const held = new Map<string, GenerationLease>();
      const cluster: GenerationCluster<TSemantic> = {
        acquire(generationId, topic) {
          const lease = { kind: name, generationId, topic };
          held.set(generationId, lease);
          return leases.acquire(lease);
        },
        release(generationId) {
          const lease = held.get(generationId);
          held.delete(generationId);
          if (lease) leases.release(lease).catch(onError);
        },
        watchedElsewhere: (generationId) => watchers.watchedElsewhere(generationId),
        watch: (generationId) => watchers.watch(generationId),
        async cancelElsewhere(generationId) {
          const owner = await leases.ownerOf({ kind: name, generationId });
          if (!owner || owner.instanceId === instanceId) return undefined;
          const outcome = owner.alive
            ? await requestCancel(owner.instanceId, name, generationId)
            : undefined;
          // A dead owner's generations are recovered now rather than at the next sweep.
          if (!outcome) await leases.sweep();
          return outcome;
        },
        subscribed: (topic) => bus.subscribed(topic),
        async loadRemote(generationId): Promise<RemoteGeneration<TSemantic> | undefined> {
          const history = await bus.history(generationId);
          if (!history) return undefined;
          const rebuilt = rebuildStreamLog<GenerationEvent<TSemantic>>(
            history as Array<LoggedEvent<GenerationEvent<TSemantic>>>,
          );
          if (!rebuilt) return undefined;
          const end = rebuilt.marksFrom(0).find((event) => event.type === 'end') as
            | { status: GenerationStatus }
            | undefined;
          return { status: end?.status ?? 'generating', log: rebuilt };
        },
        record: (message) => bus.record(message as GenerationMessage<TSemantic>),
      };
      return { bus, cluster };
    },
    /** The engine running a kind's generations here (it answers cancels from other instances). */
    serve(name: string, engine: KindEngine): void {
      const kind = kinds.get(name);
      if (!kind) throw new Error(`Unknown generation kind ${name}`);
      kind.engine = engine;
    },
    /** Listens for commands, takes over expired leases, then keeps the heartbeat going. */
    async start(): Promise<GenerationLease[]> {
      await control.start();
      return leases.start();
    },
    ping: () => connections.ping(),
    /** After the engines have shut down (their generations ended and released). */
    async close(): Promise<void> {
      watchers.close();
      control.close();
      await leases.stop().catch(onError);
      await connections.close();
    },
  };
}

export type RedisCluster = ReturnType<typeof createRedisCluster>;
