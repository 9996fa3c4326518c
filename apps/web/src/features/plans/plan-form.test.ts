import { describe, expect, it } from 'vitest';
import { buildCreatePlanInput } from './plan-form';

const empty = { goals: '', hoursPerWeek: '', startDate: '', constraints: '', model: '' };

describe('buildCreatePlanInput', () => {
  it('leaves out the optional fields left empty (the server applies its defaults)', () => {
    expect(buildCreatePlanInput({ ...empty, goals: 'Learn Spanish' })).toEqual({
      goals: 'Learn Spanish',
    });
  });

  it('sends the preferences and the model that were filled in', () => {
    expect(
      buildCreatePlanInput({
        goals: 'Run a 10k',
        hoursPerWeek: '5',
        startDate: '2026-12-01',
        constraints: '  no gym  ',
        model: ' sluice/simulator@slow ',
      }),
    ).toEqual({
      goals: 'Run a 10k',
      preferences: { hoursPerWeek: 5, startDate: '2026-12-01', constraints: 'no gym' },
      model: 'sluice/simulator@slow',
    });
  });

  it('sends an out-of-range number as typed, for the server to explain', () => {
    expect(buildCreatePlanInput({ ...empty, goals: 'x', hoursPerWeek: '90' }).preferences).toEqual({
      hoursPerWeek: 90,
    });
  });

  it('sends empty goals too: the server answers with a field error', () => {
    expect(buildCreatePlanInput(empty)).toEqual({ goals: '' });
  });
});
