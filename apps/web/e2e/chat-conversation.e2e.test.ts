import { describe, expect, it } from 'vitest';
import { createApiClient, uniqueMessage } from './support/chat-api';
import { chatPage, waitForSessionPage } from './support/chat-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

/** The single upstream request of the reply to `content`, once the simulator has finished it. */
async function finishedRequestFor(content: string) {
  const requests = environment.server.requestsFor(content);
  expect(requests).toHaveLength(1);
  const request = requests[0];
  if (!request) throw new Error('no upstream request');
  // The simulator marks its record right after the last write; the page may be a moment quicker.
  await expect.poll(() => request.status, { timeout: 2000, interval: 50 }).toBe('completed');
  return request;
}

async function createSession() {
  return createApiClient(environment.server.url).chat.createSession.mutate({});
}

describe('a chat conversation', () => {
  it('sends a message and streams the reply as rendered markdown, ending completed with the upstream text', async () => {
    const page = await environment.openPage('chat-send-and-reply');
    const chat = chatPage(page);
    await chat.recordReplyGrowth();
    await page.goto('/');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Chat' })
      .click();
    await page.waitForURL((url) => url.pathname === '/chat');
    await chat.newChatButton.click();
    const sessionId = await waitForSessionPage(page);
    await chat.composer.waitFor();

    // Hold `chat.send` in the network until the page has shown the message: it must appear at
    // once (optimistic, pending), not when the server answers.
    let releaseSend = () => {};
    const sendHeld = new Promise<void>((resolve) => {
      releaseSend = resolve;
    });
    await page.route(
      (url) => url.pathname.includes('chat.send'),
      async (route) => {
        await sendHeld;
        await route.continue();
      },
    );
    const content = uniqueMessage('How do I get better at playing the cello?');
    await chat.send(content);
    const userMessage = chat.userMessages.filter({ hasText: content });
    try {
      await userMessage.waitFor({ timeout: 2000 });
      expect(await userMessage.getAttribute('data-pending')).toBe('true');
      expect(environment.server.requestsFor(content)).toHaveLength(0);
    } finally {
      releaseSend();
    }
    const reply = chat.lastReply();
    await reply.streamingBadge.waitFor({ state: 'visible' });

    const samples = await chat.sampleUntilEnd();
    const streaming = samples.filter((sample) => sample.status === 'generating');
    expect(streaming.length).toBeGreaterThan(0);
    // While the reply streams: the badge shows, the composer is locked, Stop is offered…
    for (const sample of streaming) {
      expect(sample).toMatchObject({
        streamingBadgeVisible: true,
        composerDisabled: true,
        sendUnavailable: true,
        stopVisible: true,
      });
    }
    // …and the text grows in front of the reader, not all at once at the end.
    expect(new Set(await chat.replyGrowth()).size).toBeGreaterThanOrEqual(2);

    expect(await reply.status()).toBe('completed');
    expect(await reply.streamingBadge.isVisible()).toBe(false);
    const request = await finishedRequestFor(content);
    expect(await reply.readRaw()).toBe(request.text);

    // The markdown is rendered: the simulator's "## A simple way to start" and its list of
    // "- **Bold** – text" items become elements, with no markdown syntax left in the text.
    const listLines = request.text.split('\n').filter((line) => line.startsWith('- '));
    expect(listLines.length).toBeGreaterThanOrEqual(3);
    await expect
      .poll(() => reply.body.getByRole('heading', { name: 'A simple way to start' }).count())
      .toBe(1);
    expect(await reply.body.locator('li').count()).toBe(listLines.length);
    expect(await reply.body.locator('strong').count()).toBeGreaterThanOrEqual(listLines.length);
    const bodyText = (await reply.body.textContent()) ?? '';
    expect(bodyText).not.toContain('**');
    expect(bodyText).not.toContain('## ');
    // Curly quotes and dashes (multibyte characters) come through intact.
    const firstLine = request.text.split('\n')[0] ?? '';
    expect(firstLine).toMatch(/^Here’s how I’d approach “.+”\.$/);
    expect(bodyText).toContain(firstLine);

    // Usage under the finished reply.
    await reply.usage.waitFor({ state: 'visible' });
    const usageText = (await reply.usage.textContent()) ?? '';
    expect(usageText).toMatch(/token/i);
    expect(usageText).toMatch(/\d/);

    // The composer is open again.
    expect(await chat.composer.isEnabled()).toBe(true);
    expect(await chat.stopButton.isVisible()).toBe(false);
    await chat.composer.fill('And after that?');
    expect(await chat.sendButton.isEnabled()).toBe(true);

    // One user message (the optimistic one reconciled with the saved one) and one reply, with
    // the ids the server saved.
    const saved = await createApiClient(environment.server.url).chat.getSession.query({
      sessionId,
    });
    expect(saved.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(await chat.userMessages.count()).toBe(1);
    expect(await chat.assistantMessages.count()).toBe(1);
    await expect
      .poll(() => chat.userMessages.first().getAttribute('data-pending'))
      .not.toBe('true');
    expect(await chat.userMessages.first().getAttribute('data-message-id')).toBe(
      saved.messages[0]?.id,
    );
    expect(await reply.messageId()).toBe(saved.messages[1]?.id);
    // The new session is listed and marked as the current one.
    const listed = chat.sessionListItems.filter({
      has: page.locator(`a[href$="/chat/${sessionId}"]`),
    });
    expect(await listed.count()).toBe(1);
    expect(await listed.getByRole('link').getAttribute('aria-current')).toBe('page');
  });

  it('shows the same reply streaming in two tabs, both ending with the identical upstream text', async () => {
    const session = await createSession();
    const firstTab = await environment.openPage('chat-two-tabs');
    const secondTab = await firstTab.context().newPage();
    await Promise.all([
      firstTab.goto(`/chat/${session.id}`),
      secondTab.goto(`/chat/${session.id}`),
    ]);
    const first = chatPage(firstTab);
    const second = chatPage(secondTab);
    await Promise.all([first.composer.waitFor(), second.composer.waitFor()]);

    const content = uniqueMessage('What is a good way to start journaling?');
    // Watch the second tab for the reply streaming before anything is sent.
    const secondTabStreamed = second
      .lastReply()
      .streamingBadge.waitFor({ state: 'visible', timeout: 15_000 })
      .then(() => true);
    await first.send(content);
    expect(await secondTabStreamed).toBe(true);
    await second.userMessages.filter({ hasText: content }).waitFor();

    expect(
      await Promise.all([first.lastReply().waitForEnd(), second.lastReply().waitForEnd()]),
    ).toEqual(['completed', 'completed']);
    const request = await finishedRequestFor(content);
    expect(await first.lastReply().readRaw()).toBe(request.text);
    expect(await second.lastReply().readRaw()).toBe(request.text);
    for (const chat of [first, second]) {
      expect(await chat.userMessages.count()).toBe(1);
      expect(await chat.assistantMessages.count()).toBe(1);
    }
  });

  it('resumes a reply after a reload mid-stream, with nothing missing and nothing doubled', async () => {
    const session = await createSession();
    const page = await environment.openPage('chat-reload-mid-reply');
    const chat = chatPage(page);
    await chat.recordReplyGrowth();
    await page.goto(`/chat/${session.id}`);
    await chat.composer.waitFor();

    const content = uniqueMessage('How can I sleep better?');
    await chat.send(content);
    await expect
      .poll(async () => (await chat.lastReply().readRaw()).length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const [upstream] = environment.server.requestsFor(content);
    expect(upstream?.status).toBe('streaming');
    await page.reload();
    expect(page.url()).toContain(`/chat/${session.id}`);
    await chat.assistantMessages.first().waitFor();

    const samples = await chat.sampleUntilEnd();
    // The reloaded page rejoined the live reply: it saw it still being written, and growing.
    const streaming = samples.filter((sample) => sample.status === 'generating');
    expect(streaming.length).toBeGreaterThan(0);
    expect(streaming.some((sample) => sample.streamingBadgeVisible)).toBe(true);
    // The recorder starts again with the reloaded page: these are the lengths it rendered.
    expect(new Set(await chat.replyGrowth()).size).toBeGreaterThanOrEqual(2);

    expect(await chat.lastReply().status()).toBe('completed');
    const request = await finishedRequestFor(content);
    expect(await chat.lastReply().readRaw()).toBe(request.text);
    expect(await chat.userMessages.count()).toBe(1);
    expect(await chat.assistantMessages.count()).toBe(1);
  });
});
