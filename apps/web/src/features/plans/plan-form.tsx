import { type CreatePlanInput, planLimits } from '@sluice/shared';
import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { FormField } from '../../components/form-field';
import { ModelOptions } from '../../components/model-options';
import {
  describeRequestError,
  type FieldErrors,
  fieldErrorsOf,
} from '../../lib/describe-request-error';
import { navigate, planPath } from '../../lib/router';
import { trpc } from '../../lib/trpc';

/** The API field each control edits, in the order they appear (first error gets focus). */
const controlIds: Record<string, string> = {
  goals: 'goals',
  'preferences.hoursPerWeek': 'hours-per-week',
  'preferences.startDate': 'start-date',
  'preferences.constraints': 'constraints',
  model: 'model',
};

const hostedModelSuggestions = [
  'openai/gpt-4o-mini',
  'anthropic/claude-sonnet-4',
  'google/gemini-2.5-flash',
];
const simulatorModelSuggestions = [
  'sluice/simulator',
  'sluice/simulator@slow',
  'sluice/simulator@error-after-25',
  'sluice/simulator@no-finish',
  'sluice/simulator@status-503',
];

interface FormValues {
  goals: string;
  hoursPerWeek: string;
  startDate: string;
  constraints: string;
  model: string;
}

/** Empty optional fields are left out, so the server applies its defaults. */
export function buildCreatePlanInput(values: FormValues): CreatePlanInput {
  const preferences: NonNullable<CreatePlanInput['preferences']> = {};
  if (values.hoursPerWeek.trim() !== '') preferences.hoursPerWeek = Number(values.hoursPerWeek);
  if (values.startDate !== '') preferences.startDate = values.startDate;
  if (values.constraints.trim() !== '') preferences.constraints = values.constraints.trim();
  const input: CreatePlanInput = { goals: values.goals };
  if (Object.keys(preferences).length > 0) input.preferences = preferences;
  if (values.model.trim() !== '') input.model = values.model.trim();
  return input;
}

function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
}

export function PlanForm() {
  const info = trpc.system.info.useQuery(undefined, { staleTime: Number.POSITIVE_INFINITY });
  const utils = trpc.useUtils();
  const create = trpc.plan.create.useMutation();
  const [goals, setGoals] = useState('');
  const [hoursPerWeek, setHoursPerWeek] = useState('');
  const [startDate, setStartDate] = useState('');
  const [constraints, setConstraints] = useState('');
  /** Null until the person edits it: then the server's default model shows. */
  const [model, setModel] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});

  const modelValue = model ?? info.data?.defaultModel ?? '';
  const modelSuggestions = [
    ...new Set([
      ...(info.data ? [info.data.defaultModel] : []),
      ...(info.data?.simulated ? simulatorModelSuggestions : []),
      ...hostedModelSuggestions,
      ...(info.data?.simulated ? [] : ['sluice/simulator']),
    ]),
  ];
  const unplacedErrors = Object.entries(fieldErrors)
    .filter(([path]) => !(path in controlIds))
    .flatMap(([, messages]) => messages);
  const formError =
    create.isError && (Object.keys(fieldErrors).length === 0 || unplacedErrors.length > 0)
      ? unplacedErrors.length > 0
        ? unplacedErrors.join(' ')
        : describeRequestError(create.error)
      : null;

  function clearError(path: string): void {
    if (!(path in fieldErrors)) return;
    const { [path]: _cleared, ...rest } = fieldErrors;
    setFieldErrors(rest);
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (create.isPending) return;
    setFieldErrors({});
    const input = buildCreatePlanInput({
      goals,
      hoursPerWeek,
      startDate,
      constraints,
      model: modelValue,
    });
    create.mutate(input, {
      onSuccess({ planId }) {
        void utils.plan.list.invalidate();
        navigate(planPath(planId));
      },
      onError(error) {
        const errors = fieldErrorsOf(error) ?? {};
        setFieldErrors(errors);
        const first = Object.keys(controlIds).find((path) => path in errors);
        if (first) document.getElementById(controlIds[first] ?? '')?.focus();
      },
    });
  }

  function submitOnModifierEnter(event: KeyboardEvent<HTMLTextAreaElement>): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  }

  return (
    <form className="plan-form" onSubmit={submit} noValidate aria-labelledby="plan-form-heading">
      <h2 id="plan-form-heading">Ask for a plan</h2>
      <FormField
        id="goals"
        path="goals"
        label="Your goals"
        errors={fieldErrors.goals}
        hint={
          <>
            <span className="character-count" aria-hidden="true">
              {goals.length} / {planLimits.goalsMaxLength}
            </span>
            What you want to achieve this month, in your own words.{' '}
            <kbd>{isMac() ? '⌘' : 'Ctrl'}</kbd>+<kbd>Enter</kbd> writes the plan.
          </>
        }
      >
        {(control) => (
          <textarea
            {...control}
            name="goals"
            rows={4}
            value={goals}
            placeholder="Run a 10k in under 55 minutes; cook at home four nights a week"
            onChange={(event) => {
              setGoals(event.target.value);
              clearError('goals');
            }}
            onKeyDown={submitOnModifierEnter}
          />
        )}
      </FormField>

      <div className="field-row">
        <FormField
          id="hours-per-week"
          path="preferences.hoursPerWeek"
          label="Hours per week"
          errors={fieldErrors['preferences.hoursPerWeek']}
          hint={`1 to ${planLimits.hoursPerWeekMax}, optional`}
        >
          {(control) => (
            <input
              {...control}
              name="hoursPerWeek"
              type="number"
              inputMode="numeric"
              min={1}
              max={planLimits.hoursPerWeekMax}
              step={1}
              value={hoursPerWeek}
              onChange={(event) => {
                setHoursPerWeek(event.target.value);
                clearError('preferences.hoursPerWeek');
              }}
            />
          )}
        </FormField>
        <FormField
          id="start-date"
          path="preferences.startDate"
          label="Start date"
          errors={fieldErrors['preferences.startDate']}
          hint="Optional"
        >
          {(control) => (
            <input
              {...control}
              name="startDate"
              type="date"
              value={startDate}
              onChange={(event) => {
                setStartDate(event.target.value);
                clearError('preferences.startDate');
              }}
            />
          )}
        </FormField>
      </div>

      <FormField
        id="constraints"
        path="preferences.constraints"
        label="Constraints"
        errors={fieldErrors['preferences.constraints']}
        hint="Optional: e.g. no gym, weekday evenings only"
      >
        {(control) => (
          <input
            {...control}
            name="constraints"
            type="text"
            value={constraints}
            onChange={(event) => {
              setConstraints(event.target.value);
              clearError('preferences.constraints');
            }}
          />
        )}
      </FormField>

      <FormField
        id="model"
        path="model"
        label="Model"
        errors={fieldErrors.model}
        hint={
          info.data?.simulated
            ? 'Any OpenRouter model id, or anthropic:<model> / openai:<model> to go direct. Offline, the bundled simulator answers; its @variants show faults.'
            : 'Any OpenRouter model id, or anthropic:<model> / openai:<model> to go direct.'
        }
      >
        {(control) => (
          <input
            {...control}
            name="model"
            type="text"
            list="model-suggestions"
            autoComplete="off"
            spellCheck={false}
            value={modelValue}
            onChange={(event) => {
              setModel(event.target.value);
              clearError('model');
            }}
          />
        )}
      </FormField>
      <ModelOptions id="model-suggestions" extra={modelSuggestions} />

      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}

      <div className="form-actions">
        <button type="submit" className="button button-primary" aria-disabled={create.isPending}>
          Write my plan
        </button>
        <span className="form-progress" role="status">
          {create.isPending ? 'Starting your plan…' : ''}
        </span>
      </div>
    </form>
  );
}
