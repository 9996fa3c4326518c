import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient, uniqueMessage, upstreamMessages } from './support/chat-api';
import { chatPage } from './support/chat-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

describe('session settings', () => {
  afterEach(async () => {
    // The admin's own pre- and post-system prompts: leave them as a fresh server has them.
    await createApiClient(environment.server.url).chat.updateSettings.mutate({
      preSystemPrompt: '',
      postSystemPrompt: '',
    });
  });

  it('sends the saved pre-system and system prompts upstream as the first message', async () => {
    const api = createApiClient(environment.server.url);
    const session = await api.chat.createSession.mutate({});
    const page = await environment.openPage('chat-settings');
    const chat = chatPage(page);

    // The user's own pre-system prompt is on the settings page.
    await page.goto('/settings');
    const pre = page.getByRole('textbox', { name: 'Pre-system prompt', exact: true });
    await expect.poll(() => pre.isEnabled()).toBe(true);
    await pre.fill('PRE');
    await page.getByRole('button', { name: 'Save prompts' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await environment.screenshot(page, 'chat-settings-prompts');

    await page.goto(`/chat/${session.id}`);
    await chat.composer.waitFor();

    await chat.settingsButton.click();
    const panel = chat.settingsPanel;
    await panel.waitFor({ state: 'visible' });
    await panel.getByRole('textbox', { name: 'System prompt', exact: true }).fill('You are terse.');
    await environment.screenshot(page, 'chat-settings-panel');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();

    // Saved on the server: the session's system prompt and the user's pre-system prompt.
    await expect
      .poll(async () => {
        const [saved, settings] = await Promise.all([
          api.chat.getSession.query({ sessionId: session.id }),
          api.chat.settings.query(),
        ]);
        return { systemPrompt: saved.session.systemPrompt, pre: settings.preSystemPrompt };
      })
      .toEqual({ systemPrompt: 'You are terse.', pre: 'PRE' });

    // A modal panel that stays open after Save is closed before writing the message.
    if (await page.getByRole('dialog', { name: 'Session settings' }).isVisible()) {
      await page.keyboard.press('Escape');
    }
    const content = uniqueMessage('Any tips for a first marathon?');
    await chat.send(content);
    expect(await chat.lastReply().waitForEnd(20_000)).toBe('completed');

    const requests = environment.server.requestsFor(content);
    expect(requests).toHaveLength(1);
    const messages = upstreamMessages(requests[0]);
    expect(messages[0]).toEqual({ role: 'system', content: 'PRE\n---\nYou are terse.' });
    expect(messages.at(-1)).toEqual({ role: 'user', content });
  });
});
