import { describe, expect, it } from 'vitest';
import { createApiClient, uniqueMessage, upstreamMessages } from './support/chat-api';
import { chatPage } from './support/chat-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

/** A session with `model`, opened in a new page; resolves when the composer is there. */
async function openSessionWithModel(flowName: string, model: string) {
  const api = createApiClient(environment.server.url);
  const session = await api.chat.createSession.mutate({ model });
  const page = await environment.openPage(flowName);
  await page.goto(`/chat/${session.id}`);
  const chat = chatPage(page);
  await chat.composer.waitFor();
  return { api, session, page, chat };
}

describe('controlling a chat reply', () => {
  it('stops a reply: cancelled, the partial text kept, the upstream request aborted', async () => {
    const { page, chat } = await openSessionWithModel('chat-stop', 'sluice/simulator@slow');
    const content = uniqueMessage('How do I keep a sourdough starter alive?');
    await chat.send(content);
    const reply = chat.lastReply();

    // Stop once some of the reply is on the page.
    await expect
      .poll(async () => (await reply.readRaw()).length, { timeout: 15_000 })
      .toBeGreaterThan(20);
    const stoppedAt = Date.now();
    await chat.stopButton.click();

    expect(await reply.waitForEnd(10_000)).toBe('cancelled');
    expect(await reply.streamingBadge.isVisible()).toBe(false);
    const partial = await reply.readRaw();
    expect(partial.length).toBeGreaterThan(0);
    expect(((await reply.body.textContent()) ?? '').trim()).not.toBe('');

    // The upstream request was really aborted, within 2 s of the click, and the kept text is
    // a prefix of what it streamed.
    const requests = environment.server.requestsFor(content);
    expect(requests).toHaveLength(1);
    const upstream = requests[0];
    await expect.poll(() => upstream?.clientAborted, { timeout: 2000, interval: 50 }).toBe(true);
    expect((upstream?.endedAt ?? Number.POSITIVE_INFINITY) - stoppedAt).toBeLessThan(2000);
    expect(upstream?.text.startsWith(partial)).toBe(true);

    // The composer is open again; Stop is gone (or disabled).
    await expect.poll(() => chat.composer.isEnabled()).toBe(true);
    expect((await chat.stopButton.count()) === 0 || (await chat.stopButton.isDisabled())).toBe(
      true,
    );

    // The partial is saved: a fresh load shows the same text and status.
    await page.reload();
    await chat.lastReply().article.waitFor();
    expect(await chat.lastReply().status()).toBe('cancelled');
    await expect.poll(() => chat.lastReply().readRaw()).toBe(partial);
  });

  it('shows an upstream failure in plain words, and a Retry that sends the message again', async () => {
    // The simulator sends an error chunk after 25 pieces of every reply for this model.
    const model = 'sluice/simulator@error-after-25';
    const { page, chat } = await openSessionWithModel('chat-error-and-retry', model);
    const content = uniqueMessage('What should I plant in a shady garden?');
    await chat.send(content);
    const failed = chat.lastReply();

    expect(await failed.waitForEnd(20_000)).toBe('failed');
    const [firstRequest] = environment.server.requestsFor(content);
    expect(firstRequest?.fault).toBe('error-after-25');
    // The partial content stays, exactly what the upstream sent before its error.
    expect(await failed.readRaw()).toBe(firstRequest?.text);
    await failed.alert.waitFor();
    const alertText = ((await failed.alert.textContent()) ?? '').trim();
    expect(alertText.length).toBeGreaterThan(0);
    // Plain words, not a raw payload or a stack.
    expect(alertText).not.toMatch(/^[{[]|\bat .+:\d+:\d+/);
    await failed.retryButton.waitFor();
    expect(await chat.composer.isEnabled()).toBe(true);
    const failedMessageId = await failed.messageId();
    expect(failedMessageId).toBeTruthy();

    await environment.screenshot(page, 'chat-error-and-retry-failed');
    await failed.retryButton.click();

    // Retry sends the same message upstream again; with this model it fails again, as a new
    // reply with its own alert and Retry.
    await expect
      .poll(() => environment.server.requestsFor(content).length, { timeout: 5000 })
      .toBe(2);
    const retried = environment.server.requestsFor(content)[1];
    expect(retried?.model).toBe(model);
    expect(upstreamMessages(retried).at(-1)).toEqual({ role: 'user', content });

    const retriedReply = chat.lastReply();
    await expect
      .poll(async () => {
        const messageId = await retriedReply.messageId();
        return messageId !== null && messageId !== failedMessageId;
      })
      .toBe(true);
    expect(await retriedReply.waitForEnd(20_000)).toBe('failed');
    await retriedReply.alert.waitFor();
    await retriedReply.retryButton.waitFor();
    await expect.poll(() => retriedReply.readRaw()).toBe(retried?.text);
  });
});
