import type { EventBus } from './event-bus';

type Listener<TMessage> = (message: TMessage) => void;

interface Topic<TMessage> {
  listeners: Set<Listener<TMessage>>;
  unsubscribe: () => void;
}

const sharedByBus = new WeakMap<object, Map<string, Topic<never>>>();

/**
 * Subscribes to a topic through one bus listener shared by every subscriber of that topic
 * in this process: 10,000 subscribers of one generation cost one bus subscription (one
 * message decoded, on a bus that carries them between processes), and each event reaches
 * them in one loop. The bus subscription ends with the topic's last subscriber.
 */
export function subscribeShared<TMessage>(
  bus: EventBus<TMessage>,
  topic: string,
  listener: Listener<TMessage>,
): () => void {
  let topics = sharedByBus.get(bus) as Map<string, Topic<TMessage>> | undefined;
  if (!topics) {
    topics = new Map();
    sharedByBus.set(bus, topics as Map<string, Topic<never>>);
  }
  let shared = topics.get(topic);
  if (!shared) {
    const listeners = new Set<Listener<TMessage>>();
    shared = {
      listeners,
      unsubscribe: bus.subscribe(topic, (message) => {
        for (const each of listeners) each(message);
      }),
    };
    topics.set(topic, shared);
  }
  // Each subscriber passes its own closure (the same function twice would be one entry).
  const entry = listener;
  shared.listeners.add(entry);
  const current = shared;
  const sharedTopics = topics;
  return () => {
    if (!current.listeners.delete(entry)) return;
    if (current.listeners.size === 0 && sharedTopics.get(topic) === current) {
      sharedTopics.delete(topic);
      current.unsubscribe();
    }
  };
}
