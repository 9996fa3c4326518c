import type { PlanDocument } from '@sluice/shared';

/** A plan document like the simulator writes (non-ASCII included), for store tests. */
export const planDocument: PlanDocument = {
  title: 'Run a 10k – a four-week plan',
  monthly_summary:
    'Over the next weeks you’ll build up to 10 km. Week 1 lays the foundations; week 2 adds “tempo” runs.',
  weeks: [
    {
      week: 1,
      focus: 'Foundations',
      tasks: [
        { title: 'Easy run', detail: 'Keep it conversational.', day: 1, minutes: 30 },
        { title: 'Strength & mobility', day: 3, minutes: 15 },
      ],
    },
    {
      week: 2,
      focus: 'Build a routine 🏃',
      tasks: [{ title: 'Tempo run', detail: '15 min at a comfortably hard pace.', day: 2 }],
    },
  ],
};

export const planText = JSON.stringify(planDocument);
