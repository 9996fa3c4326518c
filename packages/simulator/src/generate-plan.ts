import type { PlanDocument, PlanTask, PlanWeek } from '@sluice/shared';
import type { Random } from './create-random';
import { extractTopics } from './extract-topics';

interface TaskIdea {
  title: string;
  detail: string;
  minutes: number;
}

interface Domain {
  pattern: RegExp;
  ideas: readonly TaskIdea[];
}

const domains: readonly Domain[] = [
  {
    pattern: /\b(run|runs|running|jog|jogging|5k|10k|marathon|half-marathon)\b/i,
    ideas: [
      {
        title: 'Easy run',
        detail: 'Keep it conversational – you should be able to talk the whole way.',
        minutes: 30,
      },
      {
        title: 'Intervals: 6 × 400 m',
        detail: 'Warm up for 10 minutes, then run each 400 m hard with a 90-second jog between.',
        minutes: 45,
      },
      {
        title: 'Long slow run',
        detail: 'Add about 10% to last week’s longest run; walk breaks are fine.',
        minutes: 60,
      },
      {
        title: 'Strength & mobility',
        detail: 'Squats, lunges, calf raises and hip openers, two rounds each.',
        minutes: 25,
      },
      {
        title: 'Tempo run',
        detail: '15 minutes at a comfortably hard pace between an easy warm-up and cool-down.',
        minutes: 40,
      },
    ],
  },
  {
    pattern:
      /\b(spanish|french|german|italian|japanese|portuguese|language|vocabulary|speak|speaking)\b/i,
    ideas: [
      {
        title: 'Vocabulary sprint',
        detail: 'Learn 20 new words with spaced-repetition flashcards.',
        minutes: 20,
      },
      {
        title: 'Listening practice',
        detail: 'Watch a short episode or podcast with subtitles in the target language.',
        minutes: 30,
      },
      {
        title: 'Speaking session',
        detail: 'Book a conversation exchange, or shadow a native speaker out loud.',
        minutes: 30,
      },
      {
        title: 'Grammar focus',
        detail: 'Work through one grammar topic and write five example sentences.',
        minutes: 25,
      },
      {
        title: 'Read a short article',
        detail: 'Pick a news story you already know about and read it slowly.',
        minutes: 20,
      },
    ],
  },
  {
    pattern:
      /\b(code|coding|program|programming|typescript|javascript|python|rust|app|software|developer)\b/i,
    ideas: [
      {
        title: 'Build a small feature',
        detail: 'Pick one tiny, finishable feature and ship it end to end.',
        minutes: 60,
      },
      {
        title: 'Read good code',
        detail: 'Study a well-regarded open-source module and note three patterns.',
        minutes: 30,
      },
      {
        title: 'Practice kata',
        detail: 'Solve one exercise, then solve it again test-first.',
        minutes: 45,
      },
      {
        title: 'Write it up',
        detail: 'Explain what you built in a short README or blog post.',
        minutes: 30,
      },
      {
        title: 'Debugging drill',
        detail: 'Reproduce an old bug from scratch and fix it without looking.',
        minutes: 40,
      },
    ],
  },
];

const generalIdeas: readonly TaskIdea[] = [
  {
    title: 'Focused session: {topic}',
    detail: 'Block out distraction-free time and work on the next smallest step.',
    minutes: 45,
  },
  {
    title: 'Research resources for “{topic}”',
    detail: 'Collect two or three trusted guides, courses or mentors.',
    minutes: 30,
  },
  {
    title: 'Practice block – {topic}',
    detail: 'Repeat the core skill deliberately and note what felt hard.',
    minutes: 40,
  },
  {
    title: 'Weekly check-in',
    detail: 'Review what went well, what didn’t, and adjust next week’s plan.',
    minutes: 15,
  },
  {
    title: 'Share your progress',
    detail: 'Tell a friend how “{topic}” is going – accountability helps.',
    minutes: 10,
  },
  {
    title: 'Define success for “{topic}”',
    detail: 'Write down one concrete, measurable outcome and why it matters to you.',
    minutes: 20,
  },
];

const reviewTask: TaskIdea = {
  title: 'Month review at your favourite café',
  detail: 'Look back at what worked, note what you’d change, and pick next month’s focus.',
  minutes: 45,
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function weekFocuses(topics: readonly string[]): string[] {
  const first = topics[0] ?? 'your goal';
  const second = topics[1] ?? first;
  return [
    `Foundations – ${first}`,
    `Build a steady routine: ${second}`,
    `Stretch week – ${first}, one step further`,
    'Consolidate & celebrate 🎉',
  ];
}

function toTask(idea: TaskIdea, day: number, topic: string, random: Random): PlanTask {
  const task: PlanTask = { title: idea.title.replaceAll('{topic}', topic) };
  if (random.next() < 0.9) task.detail = idea.detail.replaceAll('{topic}', topic);
  task.day = day;
  task.minutes = Math.max(5, idea.minutes + 5 * random.integer(-2, 2));
  return task;
}

function planWeek(
  week: number,
  focus: string,
  ideas: readonly TaskIdea[],
  topics: readonly string[],
  random: Random,
): PlanWeek {
  const count = random.integer(3, 5);
  const weekIdeas =
    week === 4 ? [...random.sample(ideas, count - 1), reviewTask] : random.sample(ideas, count);
  const days = random
    .sample([1, 2, 3, 4, 5, 6, 7], weekIdeas.length)
    .sort((left, right) => left - right);
  const tasks = weekIdeas.map((idea, index) =>
    toTask(idea, days[index] ?? 7, random.pick(topics), random),
  );
  return { week, focus, tasks };
}

/**
 * A plausible four-week plan built from the user's goals: week focuses and tasks reuse
 * phrases from the goals, with domain-specific tasks for a few recognisable goals
 * (running, languages, programming). Always contains é, –, ’ and one emoji.
 */
export function generatePlan(goals: string, random: Random): PlanDocument {
  const topics = extractTopics(goals);
  const domainIdeas = domains
    .filter((domain) => domain.pattern.test(goals))
    .flatMap((domain) => domain.ideas);
  const ideas = [...domainIdeas, ...generalIdeas];
  return {
    title: `${capitalize(topics[0] ?? 'your goal')} – a four-week plan`,
    monthly_summary:
      `Over the next four weeks you’ll make steady progress on ${listInWords(topics)}. ` +
      'Week 1 lays the foundations, week 2 turns them into a steady routine, week 3 stretches you a little ' +
      'and week 4 consolidates what you’ve gained. Sessions are short and spread across the week so progress stays sustainable; ' +
      'if life gets busy, drop one session rather than skipping a whole week.',
    weeks: weekFocuses(topics).map((focus, index) =>
      planWeek(index + 1, focus, ideas, topics, random),
    ),
  };
}
