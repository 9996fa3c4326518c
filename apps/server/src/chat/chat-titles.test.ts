import { describe, expect, it } from 'vitest';
import { titleFromMessage } from './chat-titles';

describe('titleFromMessage', () => {
  it.each([
    ['How do tides work?', 'How do tides work?'],
    ['  First line\nsecond line', 'First line'],
    ['a   lot    of   space', 'a lot of space'],
    [
      'Could you explain in detail how the moon and the sun together make the tides rise and fall',
      'Could you explain in detail how the moon and the sun…',
    ],
    ['x'.repeat(80), `${'x'.repeat(60)}…`],
    ['   ', 'New chat'],
  ])('names a session after %j', (content, title) => {
    expect(titleFromMessage(content)).toBe(title);
  });
});
