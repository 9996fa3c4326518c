import { describe, expect, it } from 'vitest';
import { extractTopics } from './extract-topics';

describe('extractTopics', () => {
  it.each([
    ['I want to run a 10k and learn Spanish this month', ['run a 10k', 'learn Spanish']],
    ['How do I get better at public speaking?', ['get better at public speaking']],
    ['Goals: ship my app\nHours per week: 5\nConstraints: mornings only', ['ship my app']],
    [
      'Goals:\nLearn Spanish basics\n\nPreferences:\n- Hours per week: 4\n- Constraints: evenings',
      ['Learn Spanish basics'],
    ],
    [
      'Write a novel, read 4 books; sleep 8 hours. Meditate daily',
      ['Write a novel', 'read 4 books', 'sleep 8 hours'],
    ],
    ['', ['your goal']],
    ['ok', ['your goal']],
  ])('picks phrases out of %j', (text, topics) => {
    expect(extractTopics(text)).toEqual(topics);
  });
});
