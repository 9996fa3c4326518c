import { planDocumentSchema } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { createRandom } from './create-random';
import { generatePlan } from './generate-plan';

describe('generatePlan', () => {
  it.each([
    'I want to run a 10k and learn Spanish this month',
    'Get better at TypeScript',
    'Goals: read 4 books\nHours per week: 5\nConstraints: evenings only',
    '',
  ])('builds a four-week plan of 2–4 kB from %j', (goals) => {
    for (let seed = 0; seed < 50; seed += 1) {
      const plan = planDocumentSchema.parse(generatePlan(goals, createRandom(seed)));
      const text = JSON.stringify(plan);

      expect(plan.weeks).toHaveLength(4);
      for (const week of plan.weeks) expect(week.tasks.length).toBeGreaterThanOrEqual(3);
      for (const week of plan.weeks) expect(week.tasks.length).toBeLessThanOrEqual(5);
      expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(1900);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
      for (const character of ['é', '–', '’']) expect(text).toContain(character);
      expect(text.match(/\p{Extended_Pictographic}/gu)).toHaveLength(1);
    }
  });

  it('uses phrases and domain tasks from the goals', () => {
    const plan = generatePlan('I want to run a 10k and learn Spanish', createRandom(1));
    const text = JSON.stringify(plan);

    expect(plan.title).toBe('Run a 10k – a four-week plan');
    expect(plan.weeks[1]?.focus).toContain('learn Spanish');
    expect(text).toMatch(/run|Vocabulary|Grammar|Listening|Speaking/);
  });

  it('keeps the days of a week distinct and in order', () => {
    for (const week of generatePlan('Learn to knit', createRandom(3)).weeks) {
      const days = week.tasks.map((task) => task.day ?? 0);
      expect(days).toEqual([...new Set(days)].sort((left, right) => left - right));
    }
  });
});
