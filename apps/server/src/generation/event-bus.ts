/**
 * Carries a generation's events to its subscribers. In-process today; a Redis
 * implementation of the same interface lets any instance serve any subscriber.
 */
export interface EventBus<TMessage> {
  publish(topic: string, message: TMessage): void;
  /** Returns the function that unsubscribes. */
  subscribe(topic: string, listener: (message: TMessage) => void): () => void;
}

export function createInProcessEventBus<TMessage>(): EventBus<TMessage> {
  const listeners = new Map<string, Set<(message: TMessage) => void>>();
  return {
    publish(topic, message) {
      const topicListeners = listeners.get(topic);
      if (!topicListeners) return;
      for (const listener of topicListeners) listener(message);
    },
    subscribe(topic, listener) {
      let topicListeners = listeners.get(topic);
      if (!topicListeners) {
        topicListeners = new Set();
        listeners.set(topic, topicListeners);
      }
      topicListeners.add(listener);
      return () => {
        topicListeners.delete(listener);
        if (topicListeners.size === 0) listeners.delete(topic);
      };
    },
  };
}
