import type { Random } from './create-random';
import { extractTopics } from './extract-topics';

const maximumSubjectLength = 80;

const openings = [
  'Good question. The short answer is that steady, small steps beat occasional big pushes, and that is especially true for “{topic}”.',
  'Let’s break this down. Most of the progress on “{topic}” comes from a clear first step and a routine you can keep.',
  'Happy to help with this. Before diving in, it’s worth deciding what “done” looks like here – it makes every later choice easier.',
];

const steps = [
  '**Start small** – pick a first step you can finish in under 30 minutes.',
  '**Make it regular** – the same time each day matters more than the amount.',
  '**Write things down** – a short note after each session shows your progress.',
  '**Ask for feedback** – a friend, a mentor or a community will spot blind spots early.',
  '**Review weekly** – keep what works, drop what doesn’t.',
  '**Protect rest** – a day off is part of the plan, not a failure of it.',
];

const closings = [
  'If you tell me a bit more about your constraints, I can turn this into a concrete schedule.',
  'Want me to turn this into a week-by-week plan? I can adapt it to the time you have.',
  'None of this needs to be perfect on day one – momentum is the goal, and you can refine as you go.',
];

function subjectOf(message: string): string {
  const firstSentence = message.trim().split(/(?<=[.!?])\s|\n/)[0] ?? '';
  const subject =
    firstSentence.length > maximumSubjectLength
      ? `${firstSentence.slice(0, maximumSubjectLength - 1)}…`
      : firstSentence;
  return subject === '' ? 'your question' : subject;
}

/**
 * A plausible markdown reply to the last user message: a quote of it, a few paragraphs
 * and a list, with curly quotes and dashes so multibyte characters are exercised.
 */
export function generateProse(message: string, random: Random): string {
  const topic = extractTopics(message, 1)[0] ?? 'this';
  const fill = (template: string) => template.replaceAll('{topic}', topic);
  const listItems = random.sample(steps, random.integer(3, 5));
  return [
    `Here’s how I’d approach “${subjectOf(message)}”.`,
    fill(random.pick(openings)),
    '## A simple way to start',
    listItems.map((item) => `- ${item}`).join('\n'),
    `Over the next few days, try one session focused on “${topic}” and note how it felt. ` +
      'Small, repeatable wins compound faster than you’d expect.',
    random.pick(closings),
  ].join('\n\n');
}
