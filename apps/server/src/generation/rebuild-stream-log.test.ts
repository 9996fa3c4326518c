import { describe, expect, it } from 'vitest';
import { rebuildStreamLog, unseenPart } from './rebuild-stream-log';
import { createStreamLog, type LoggedEvent } from './stream-log';

type Event = { type: 'week-start'; week: number } | { type: 'end'; status: 'completed' };
type Message = LoggedEvent<Event | { type: 'text-delta'; text: string }>;

function ownerLog() {
  const log = createStreamLog<Event>();
  const published: Message[] = [
    log.appendText('{"weeks":['),
    log.appendEvent({ type: 'week-start', week: 1 }),
    log.appendText('{"days":'),
    log.appendText('[]}'),
    log.appendEvent({ type: 'week-start', week: 2 }),
    log.appendText(']}'),
    log.appendEvent({ type: 'end', status: 'completed' }),
  ];
  return { log, published };
}

describe('rebuilding a log from what its owner published', () => {
  it('replays on another instance exactly as on the owner, from every position', () => {
    const { log, published } = ownerLog();
    const rebuilt = rebuildStreamLog<Event>(published);
    expect(rebuilt?.content()).toBe(log.content());
    for (let offset = 0; offset <= log.length; offset++) {
      for (let count = 0; count <= log.markCount; count++) {
        expect(rebuilt?.replay({ offset, count })).toEqual(log.replay({ offset, count }));
      }
    }
  });

  it('refuses messages that do not fit together (one missing)', () => {
    const { published } = ownerLog();
    expect(rebuildStreamLog<Event>(published.filter((_, index) => index !== 2))).toBeNull();
  });
});

describe('the unseen part of a live message', () => {
  const delta = (id: string, text: string): Message => ({
    id,
    sequence: 0,
    event: { type: 'text-delta', text },
  });

  it('drops what was sent, keeps what was not, and cuts a delta that straddles the position', () => {
    expect(unseenPart(delta('10.1', 'abcd'), { offset: 10, count: 1 })).toBeUndefined();
    expect(unseenPart(delta('10.1', 'abcd'), { offset: 12, count: 2 })).toBeUndefined();
    expect(unseenPart(delta('10.1', 'abcd'), { offset: 6, count: 1 })).toEqual(
      delta('10.1', 'abcd'),
    );
    expect(unseenPart(delta('10.1', 'abcd'), { offset: 8, count: 1 })).toEqual(delta('10.1', 'cd'));
    const mark: Message = { id: '10.2', sequence: 12, event: { type: 'week-start', week: 1 } };
    expect(unseenPart(mark, { offset: 10, count: 1 })).toEqual(mark);
    expect(unseenPart(mark, { offset: 10, count: 2 })).toBeUndefined();
  });
});
