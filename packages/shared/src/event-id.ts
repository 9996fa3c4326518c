/**
 * Event ids encode a stream position: how much of `content` the receiver has
 * (`offset`, in UTF-16 code units) and how many non-text events it has seen
 * (`count`). Every event advances one of the two, so `offset + count` strictly
 * increases along a stream, and a subscriber that passes its last id back can be
 * sent exactly what it is missing — even after a restart, from the saved content.
 */
export interface StreamPosition {
  offset: number;
  count: number;
}

export function formatEventId(position: StreamPosition): string {
  return `${position.offset}.${position.count}`;
}

const eventIdPattern = /^(\d{1,12})\.(\d{1,9})$/;

/** Returns null for anything that is not an id this server produced. */
export function parseEventId(id: string | null | undefined): StreamPosition | null {
  if (!id) return null;
  const match = eventIdPattern.exec(id);
  if (!match) return null;
  return { offset: Number(match[1]), count: Number(match[2]) };
}

/** A strictly increasing sequence number for a position. */
export function positionSequence(position: StreamPosition): number {
  return position.offset + position.count;
}

/** Chat events span replies: their ids name the assistant message, then the position in it. */
export function formatMessageEventId(messageId: string, position: StreamPosition): string {
  return `${messageId}:${formatEventId(position)}`;
}

export function parseMessageEventId(
  id: string | null | undefined,
): { messageId: string; position: StreamPosition } | null {
  if (!id) return null;
  const separator = id.lastIndexOf(':');
  if (separator <= 0) return null;
  const position = parseEventId(id.slice(separator + 1));
  return position ? { messageId: id.slice(0, separator), position } : null;
}
