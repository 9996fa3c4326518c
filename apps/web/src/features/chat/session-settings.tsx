import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { FormField } from '../../components/form-field';
import { ModelOptions } from '../../components/model-options';
import { fieldErrorsOf } from '../../lib/describe-request-error';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import type { ChatSessionView } from './chat-types';
import { describeChatRequestError } from './describe-chat-error';

interface SessionSettingsProps {
  session: ChatSessionView;
  onClose(): void;
}

interface Draft {
  title: string;
  model: string;
  systemPrompt: string;
  character: string;
  userProfile: string;
  experiment: boolean;
}

function draftOf(session: ChatSessionView): Draft {
  return {
    title: session.title,
    model: session.model,
    systemPrompt: session.systemPrompt,
    character: session.character,
    userProfile: session.userProfile,
    experiment: session.experiment,
  };
}

/** This session's prompts and model (the user's prompts around every chat are in Settings). */
export function SessionSettings({ session, onClose }: SessionSettingsProps) {
  const utils = trpc.useUtils();
  const updateSession = trpc.chat.updateSession.useMutation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(session));
  const [saved, setSaved] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const fieldErrors = fieldErrorsOf(updateSession.error);
  const error = updateSession.error;
  const saving = updateSession.isPending;

  function change<K extends keyof Draft>(key: K, value: Draft[K]) {
    setSaved(false);
    setDraft((current) => ({ ...current, [key]: value }));
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (saving) return;
    setSaved(false);
    try {
      const nextSession = await updateSession.mutateAsync({ sessionId: session.id, ...draft });
      utils.chat.getSession.setData({ sessionId: session.id }, (current) =>
        current ? { ...current, session: nextSession } : current,
      );
      void utils.chat.listSessions.invalidate();
      setDraft(draftOf(nextSession));
      setSaved(true);
    } catch {
      // Shown from the mutations' errors.
    }
  }

  return (
    <section className="session-settings" aria-labelledby={`${id}-heading`}>
      <div className="session-settings-header">
        <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
          Session settings
        </h2>
        <button type="button" className="button button-small" onClick={onClose}>
          Close
        </button>
      </div>
      <form onSubmit={onSubmit} noValidate>
        <FormField id={`${id}-title`} path="title" label="Title" errors={fieldErrors?.title}>
          {(control) => (
            <input
              {...control}
              type="text"
              value={draft.title}
              onChange={(event) => change('title', event.target.value)}
              maxLength={200}
            />
          )}
        </FormField>
        <FormField
          id={`${id}-model`}
          path="model"
          label="Model"
          hint="An OpenRouter model id (e.g. openai/gpt-4o-mini), or anthropic:<model> / openai:<model> to go direct."
          errors={fieldErrors?.model}
        >
          {(control) => (
            <input
              {...control}
              type="text"
              list={`${id}-model-options`}
              value={draft.model}
              onChange={(event) => change('model', event.target.value)}
              spellCheck={false}
              autoCapitalize="off"
            />
          )}
        </FormField>
        <ModelOptions id={`${id}-model-options`} />
        <FormField
          id={`${id}-system`}
          path="systemPrompt"
          label="System prompt"
          errors={fieldErrors?.systemPrompt}
        >
          {(control) => (
            <textarea
              {...control}
              value={draft.systemPrompt}
              onChange={(event) => change('systemPrompt', event.target.value)}
              rows={3}
            />
          )}
        </FormField>
        <div className="field-row">
          <FormField
            id={`${id}-character`}
            path="character"
            label="Character"
            hint="Who the assistant plays."
            errors={fieldErrors?.character}
          >
            {(control) => (
              <textarea
                {...control}
                value={draft.character}
                onChange={(event) => change('character', event.target.value)}
                rows={2}
              />
            )}
          </FormField>
          <FormField
            id={`${id}-profile`}
            path="userProfile"
            label="User profile"
            hint="What the assistant should know about you."
            errors={fieldErrors?.userProfile}
          >
            {(control) => (
              <textarea
                {...control}
                value={draft.userProfile}
                onChange={(event) => change('userProfile', event.target.value)}
                rows={2}
              />
            )}
          </FormField>
        </div>
        <div className="field field-checkbox">
          <input
            id={`${id}-experiment`}
            type="checkbox"
            checked={draft.experiment}
            onChange={(event) => change('experiment', event.target.checked)}
            aria-describedby={`${id}-experiment-hint`}
          />
          <label htmlFor={`${id}-experiment`}>Experiment session</label>
          <p className="field-hint" id={`${id}-experiment-hint`}>
            The first replies come with a small interactive HTML experiment.
          </p>
        </div>
        <p className="muted">
          Your pre- and post-system prompts, around every chat, are on the{' '}
          <Link to="/settings">Settings</Link> page.
        </p>
        {error && !fieldErrors ? (
          <p className="form-error" role="alert">
            {describeChatRequestError(error)}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" aria-disabled={saving}>
            Save
          </button>
          <p className="form-progress" role="status">
            {saving ? 'Saving…' : saved ? 'Saved.' : ''}
          </p>
        </div>
      </form>
    </section>
  );
}
