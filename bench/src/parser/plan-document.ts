import type { PlanDocument } from '@sluice/shared';

const focuses = [
  'Easy base — find the rhythm',
  'Tempo: "comfortably hard"',
  'Hills, strength and café stops ☕',
  'Taper, then race day 🏁',
];

const taskTitles = ['Easy run', 'Tempo run', 'Hill repeats', 'Mobility 🧘', 'Long run'];

/**
 * A plan-shaped JSON document of at least `targetLength` characters, pretty-printed the
 * way models write it, with escapes and multibyte text. Deterministic, so runs compare.
 */
export function generatePlanDocument(targetLength: number): string {
  const summarySentence =
    'Build from easy runs to a steady 10 km.\nWeek by week: base, "tempo", hills, taper — 日本語 notes kept. ';
  const plan: PlanDocument = {
    title: `A ${Math.round(targetLength / 1000)} kB training plan 🚀`,
    monthly_summary: summarySentence.repeat(Math.ceil(targetLength / 10 / summarySentence.length)),
    weeks: [],
  };
  let length = JSON.stringify(plan, null, 2).length;
  while (length < targetLength) {
    const week = generateWeek(plan.weeks.length + 1);
    plan.weeks.push(week);
    length += JSON.stringify(week, null, 2).length;
  }
  return JSON.stringify(plan, null, 2);
}

function generateWeek(number: number): PlanDocument['weeks'][number] {
  return {
    week: number,
    focus: focuses[number % focuses.length] ?? 'Rest',
    tasks: Array.from({ length: 3 + (number % 3) }, (_, index) => ({
      title: taskTitles[(number + index) % taskTitles.length] ?? 'Run',
      detail: `Session ${index + 1} of week ${number}: ${index + 2} × 8 min, jog back\\recover`,
      day: 1 + ((number + index * 2) % 7),
      minutes: 20 + ((number * 7 + index * 11) % 50) + 0.5,
    })),
  };
}
