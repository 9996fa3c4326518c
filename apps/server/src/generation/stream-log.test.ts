import { parseEventId } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { createStreamLog, type LoggedEvent } from './stream-log';

type Event = { type: 'text-delta'; text: string } | { type: 'mark'; name: string };

/** A log of text pieces with marks between them, and everything it published. */
function buildLog(script: Array<string | { mark: string }>) {
  const log = createStreamLog<Event>();
  const published: Array<LoggedEvent<Event>> = [];
  for (const step of script) {
    published.push(
      typeof step === 'string'
        ? log.appendText(step)
        : log.appendEvent({ type: 'mark', name: step.mark }),
    );
  }
  return { log, published };
}

function textOf(events: ReadonlyArray<LoggedEvent<Event>>): string {
  return events.map(({ event }) => (event.type === 'text-delta' ? event.text : '')).join('');
}

function marksOf(events: ReadonlyArray<LoggedEvent<Event>>): string[] {
  return events.flatMap(({ event }) => (event.type === 'mark' ? [event.name] : []));
}

const script = [
  '{"ti',
  'tle":"é',
  '😀"',
  { mark: 'a' },
  ',"x":',
  { mark: 'b' },
  { mark: 'c' },
  '1}',
  { mark: 'end' },
];

describe('stream log', () => {
  it('gives every published event a strictly increasing sequence and a parseable id', () => {
    const { published } = buildLog(script);
    const sequences = published.map((event) => event.sequence);
    expect(sequences).toEqual([...sequences].sort((left, right) => left - right));
    expect(new Set(sequences).size).toBe(sequences.length);
    for (const event of published) {
      const position = parseEventId(event.id);
      expect(position && position.offset + position.count).toBe(event.sequence);
    }
  });

  it.each(script.map((_, index) => index))(
    'resumes after published event %i with exactly the rest of the text and marks',
    (index) => {
      const { log, published } = buildLog(script);
      const seen = published.slice(0, index + 1);
      const position = parseEventId(published[index]?.id);
      if (!position) throw new Error('unparseable id');
      const replay = log.replay(position) ?? [];
      expect(textOf(seen) + textOf(replay)).toBe(log.content());
      expect([...marksOf(seen), ...marksOf(replay)]).toEqual(['a', 'b', 'c', 'end']);
      // Replayed ids continue the sequence.
      for (const event of replay)
        expect(event.sequence).toBeGreaterThan(published[index]?.sequence ?? 0);
    },
  );

  it('replays from the start and from the very end', () => {
    const { log } = buildLog(script);
    expect(textOf(log.replay({ offset: 0, count: 0 }) ?? [])).toBe(log.content());
    expect(log.replay(log.position())).toEqual([]);
  });

  it('refuses positions it cannot continue exactly', () => {
    const { log } = buildLog(script);
    expect(log.replay({ offset: log.length + 1, count: 0 })).toBeNull();
    expect(log.replay({ offset: 0, count: log.markCount + 1 })).toBeNull();
  });

  it('continues a log rebuilt from saved text with the ids the live log gave', () => {
    const { published } = buildLog(script);
    // Rebuilt as after a restart: all text at once, then the marks.
    const { log: rebuilt } = buildLog([
      script.filter((step) => typeof step === 'string').join(''),
      { mark: 'a' },
      { mark: 'b' },
      { mark: 'c' },
      { mark: 'end' },
    ]);
    for (const [index, event] of published.entries()) {
      const position = parseEventId(event.id);
      if (!position) throw new Error('unparseable id');
      const replay = rebuilt.replay(position) ?? [];
      const seen = published.slice(0, index + 1);
      expect(textOf(seen) + textOf(replay)).toBe(rebuilt.content());
      expect([...marksOf(seen), ...marksOf(replay)]).toEqual(['a', 'b', 'c', 'end']);
    }
  });
});
