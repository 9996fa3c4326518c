import { type FormEvent, useEffect, useId, useState } from 'react';
import { FormField } from '../../components/form-field';
import { describeRequestError, fieldErrorsOf } from '../../lib/describe-request-error';
import { trpc } from '../../lib/trpc';

interface Prompts {
  preSystemPrompt: string;
  postSystemPrompt: string;
}

interface ChatPromptsFormProps {
  heading: string;
  description: string;
  current: Prompts | undefined;
  loadError: unknown;
  saving: boolean;
  saveError: unknown;
  save(prompts: Prompts): Promise<unknown>;
}

function ChatPromptsForm(props: ChatPromptsFormProps) {
  const id = useId();
  const [draft, setDraft] = useState<Prompts | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (props.current && draft === null) setDraft(props.current);
  }, [props.current, draft]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!draft || props.saving) return;
    setSaved(false);
    try {
      await props.save(draft);
      setSaved(true);
    } catch {
      // Shown from saveError.
    }
  }

  const change = (key: keyof Prompts, value: string) => {
    setSaved(false);
    setDraft((current) => ({
      ...(current ?? { preSystemPrompt: '', postSystemPrompt: '' }),
      [key]: value,
    }));
  };
  const fieldErrors = fieldErrorsOf(props.saveError);
  const failure = props.loadError ?? (fieldErrors ? null : props.saveError);
  return (
    <section className="settings-section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{props.heading}</h2>
      <p className="muted">{props.description}</p>
      <form onSubmit={onSubmit} noValidate>
        <FormField
          id={`${id}-pre`}
          path="preSystemPrompt"
          label="Pre-system prompt"
          hint="Put before every session's system prompt."
          errors={fieldErrors?.preSystemPrompt}
        >
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={draft?.preSystemPrompt ?? ''}
              disabled={draft === null}
              onChange={(event) => change('preSystemPrompt', event.target.value)}
            />
          )}
        </FormField>
        <FormField
          id={`${id}-post`}
          path="postSystemPrompt"
          label="Post-system prompt"
          hint="Sent after the conversation, before the new message."
          errors={fieldErrors?.postSystemPrompt}
        >
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={draft?.postSystemPrompt ?? ''}
              disabled={draft === null}
              onChange={(event) => change('postSystemPrompt', event.target.value)}
            />
          )}
        </FormField>
        {failure ? (
          <p className="form-error" role="alert">
            {describeRequestError(failure)}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" aria-disabled={props.saving}>
            Save prompts
          </button>
          <p className="form-progress" role="status">
            {props.saving ? 'Saving…' : saved ? 'Saved.' : ''}
          </p>
        </div>
      </form>
    </section>
  );
}

/** The signed-in user's own pre- and post-system prompts, used by every chat of theirs. */
export function ChatPromptsSection() {
  const utils = trpc.useUtils();
  const settings = trpc.chat.settings.useQuery();
  const update = trpc.chat.updateSettings.useMutation({
    onSuccess: (next) => utils.chat.settings.setData(undefined, next),
  });
  return (
    <ChatPromptsForm
      heading="Chat prompts"
      description="Around every chat of yours. Until you change them, the admin's defaults apply."
      current={settings.data}
      loadError={settings.error}
      saving={update.isPending}
      saveError={update.error}
      save={(prompts) => update.mutateAsync(prompts)}
    />
  );
}

/** (Admin) The prompts of every user who has not set their own. */
export function ChatDefaultsSection() {
  const utils = trpc.useUtils();
  const defaults = trpc.admin.chatDefaults.useQuery();
  const update = trpc.admin.updateChatDefaults.useMutation({
    onSuccess: (next) => utils.admin.chatDefaults.setData(undefined, next),
  });
  return (
    <ChatPromptsForm
      heading="Default chat prompts"
      description="For every user who has not set their own."
      current={defaults.data}
      loadError={defaults.error}
      saving={update.isPending}
      saveError={update.error}
      save={(prompts) => update.mutateAsync(prompts)}
    />
  );
}
