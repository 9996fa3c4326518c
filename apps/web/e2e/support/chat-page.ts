import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';

/** Every status an assistant message can end in (docs/web-ui-contract.md, "Conversation"). */
const endStatuses = ['completed', 'failed', 'cancelled', 'partial'];

const chatPathPattern = /^\/chat\/([^/?#]+)$/;

/** The session id of a `/chat/:sessionId` URL, or undefined for any other page. */
export function sessionIdFromUrl(url: string): string | undefined {
  return chatPathPattern.exec(new URL(url).pathname)?.[1];
}

/** Waits for the app to show a session page (`/chat/:sessionId`); returns its id. */
export async function waitForSessionPage(page: Page): Promise<string> {
  await page.waitForURL((url) => sessionIdFromUrl(url.href) !== undefined);
  const sessionId = sessionIdFromUrl(page.url());
  if (!sessionId) throw new Error(`Expected a /chat/:sessionId URL, got ${page.url()}`);
  return sessionId;
}

/** One message of the conversation log, by the hooks of docs/web-ui-contract.md. */
export function chatMessage(article: Locator) {
  const raw = article.getByTestId('message-raw');
  return {
    article,
    body: article.getByTestId('message-body'),
    raw,
    usage: article.getByTestId('message-usage'),
    streamingBadge: article.getByTestId('streaming-badge'),
    alert: article.getByRole('alert'),
    retryButton: article.getByRole('button', { name: 'Retry' }),

    status: () => article.getAttribute('data-status', { timeout: 5000 }),
    messageId: () => article.getAttribute('data-message-id', { timeout: 5000 }),

    /** The exact assembled content: the text of the raw element, shown or collapsed. */
    async readRaw(): Promise<string> {
      return (await raw.textContent({ timeout: 5000 })) ?? '';
    },

    /** Waits until the message has left `generating` for an end status, then returns it. */
    async waitForEnd(timeoutMs = 30_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status =
          (await article.count()) > 0 ? await article.getAttribute('data-status') : null;
        if (status !== null && endStatuses.includes(status)) return status;
        if (Date.now() > deadline) {
          throw new Error(`The message did not end within ${timeoutMs} ms (status ${status})`);
        }
        await sleep(50);
      }
    },
  };
}

/** What the conversation shows at one instant (the last assistant message and the composer). */
export interface ConversationSample {
  /** The last assistant message's `data-status`, or null when there is none yet. */
  status: string | null;
  streamingBadgeVisible: boolean;
  rawLength: number;
  composerDisabled: boolean;
  /** True when Send is disabled or not shown. */
  sendUnavailable: boolean;
  stopVisible: boolean;
}

/** The part of a sample read from the last assistant message, in one evaluation. */
type ReplySample = Pick<ConversationSample, 'status' | 'streamingBadgeVisible' | 'rawLength'>;

const assistantSelector = '[data-testid="chat-message"][data-role="assistant"]';
const userSelector = '[data-testid="chat-message"][data-role="user"]';

/** The chat screens `/chat` and `/chat/:sessionId`, by the hooks of docs/web-ui-contract.md. */
export function chatPage(page: Page) {
  const conversation = page.getByRole('log', { name: 'Conversation' });
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  const sendButton = page.getByRole('button', { name: 'Send', exact: true });
  const stopButton = page.getByRole('button', { name: 'Stop', exact: true });
  const assistantMessages = conversation.locator(assistantSelector);

  const readArticle = (): Promise<ReplySample> =>
    page.evaluate((selector) => {
      const articles = document.querySelectorAll(selector);
      const last = articles[articles.length - 1];
      const badge = last?.querySelector('[data-testid="streaming-badge"]');
      return {
        status: last?.getAttribute('data-status') ?? null,
        streamingBadgeVisible: badge?.checkVisibility() ?? false,
        rawLength: last?.querySelector('[data-testid="message-raw"]')?.textContent?.length ?? 0,
      };
    }, assistantSelector);

  /**
   * One sample. The composer is read between two reads of the message; when the status
   * changed in between, the sample says `changing` so that no assertion pairs the composer
   * with the wrong status.
   */
  const sample = async (): Promise<ConversationSample> => {
    const before = await readArticle();
    const composerDisabled = await composer.isDisabled({ timeout: 5000 });
    const sendUnavailable =
      (await sendButton.count()) === 0 || (await sendButton.isDisabled({ timeout: 5000 }));
    const stopVisible = await stopButton.isVisible();
    const after = await readArticle();
    return {
      ...after,
      status: before.status === after.status ? after.status : 'changing',
      composerDisabled,
      sendUnavailable,
      stopVisible,
    };
  };

  return {
    newChatButton: page.getByRole('button', { name: 'New chat' }),
    sessionListItems: page.getByTestId('session-list-item'),
    conversation,
    userMessages: conversation.locator(userSelector),
    assistantMessages,
    /** The last assistant message (the reply being written, or the latest one). */
    lastReply: () => chatMessage(assistantMessages.last()),
    composer,
    sendButton,
    stopButton,
    settingsButton: page.getByRole('button', { name: 'Session settings' }),
    /** The settings panel: a `dialog` or a `region` labelled **Session settings**. */
    settingsPanel: page
      .getByRole('dialog', { name: 'Session settings' })
      .or(page.getByRole('region', { name: 'Session settings' })),
    artifactPanel: page.getByTestId('artifact-panel'),
    openExperimentButton: page.getByRole('button', { name: 'Open experiment' }),

    /** Types a message in the composer and sends it with Enter. */
    async send(content: string): Promise<void> {
      await composer.fill(content);
      await composer.press('Enter');
    },

    sample,

    /**
     * Records in the page, from the next navigation on (reloads included), every length the
     * last reply's text takes while it is being written: a MutationObserver sees each render,
     * however slowly a loaded machine lets the test poll. Call before `page.goto`.
     */
    async recordReplyGrowth(): Promise<void> {
      await page.addInitScript((selector) => {
        const lengths: number[] = [];
        (window as unknown as { __replyGrowth: number[] }).__replyGrowth = lengths;
        const record = () => {
          const articles = document.querySelectorAll(selector);
          const last = articles[articles.length - 1];
          if (last?.getAttribute('data-status') !== 'generating') return;
          const length = last.querySelector('[data-testid="message-raw"]')?.textContent?.length;
          if (length !== undefined && lengths.at(-1) !== length) lengths.push(length);
        };
        new MutationObserver(record).observe(document, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
      }, assistantSelector);
    },

    /** The lengths `recordReplyGrowth` saw on the current page, in order. */
    replyGrowth(): Promise<number[]> {
      return page.evaluate(
        () => (window as unknown as { __replyGrowth?: number[] }).__replyGrowth ?? [],
      );
    },

    /** Samples every `intervalMs` until the last reply ends (or the time runs out). */
    async sampleUntilEnd(intervalMs = 50, timeoutMs = 30_000): Promise<ConversationSample[]> {
      const samples: ConversationSample[] = [];
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const current = await sample();
        samples.push(current);
        if (current.status !== null && endStatuses.includes(current.status)) break;
        await sleep(intervalMs);
      }
      return samples;
    },
  };
}
