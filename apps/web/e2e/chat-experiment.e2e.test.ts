import { describe, expect, it } from 'vitest';
import { createApiClient, htmlBlockOf, uniqueMessage } from './support/chat-api';
import { chatPage } from './support/chat-page';
import { useBrowserEnvironment } from './support/use-browser-environment';

const environment = useBrowserEnvironment();

describe('an experiment session', () => {
  it('runs the HTML experiment of a reply in a sandboxed iframe that cannot reach the app', async () => {
    const api = createApiClient(environment.server.url);
    const session = await api.chat.createSession.mutate({ experiment: true });
    const page = await environment.openPage('chat-experiment');
    const chat = chatPage(page);
    await page.goto(`/chat/${session.id}`);
    await chat.composer.waitFor();

    const content = uniqueMessage('a bouncing ball');
    await chat.send(content);
    const reply = chat.lastReply();
    expect(await reply.waitForEnd(30_000)).toBe('completed');
    const [request] = environment.server.requestsFor(content);
    await expect.poll(() => request?.status, { timeout: 2000, interval: 50 }).toBe('completed');
    const text = request?.text ?? '';
    expect(await reply.readRaw()).toBe(text);
    // The simulator's reply holds exactly one ```html block, titled after the request.
    expect(text.match(/^```html$/gm)).toHaveLength(1);
    const html = htmlBlockOf(text);
    if (html === undefined) throw new Error(`No html block in the reply:\n${text}`);
    const title = /<title>([^<]*)<\/title>/.exec(html)?.[1];
    if (title === undefined) throw new Error(`No <title> in the experiment:\n${html}`);
    expect(title).toBe('A bouncing ball – a tiny experiment');

    // The panel opens by itself when the artifact ends, or from "Open experiment".
    await chat.openExperimentButton.or(chat.artifactPanel).first().waitFor();
    if (!(await chat.artifactPanel.isVisible())) await chat.openExperimentButton.click();
    await chat.artifactPanel.waitFor({ state: 'visible' });
    expect(await page.getByRole('region', { name: title }).count()).toBeGreaterThanOrEqual(1);

    const iframe = chat.artifactPanel.locator('iframe');
    expect(await iframe.count()).toBe(1);
    expect(await iframe.getAttribute('title')).toBe(title);
    const sandbox = await iframe.getAttribute('sandbox');
    expect(sandbox).toBe('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    // Not srcdoc: that would inherit the app's content security policy, which blocks the
    // experiment's inline scripts. The frame page has its own and receives the HTML.
    expect(await iframe.getAttribute('src')).toBe('/experiment-frame.html');
    expect(await iframe.getAttribute('srcdoc')).toBeNull();

    // Its script ran: the document rendered, and a click on the canvas adds a ball.
    const frame = page.frameLocator('[data-testid="artifact-panel"] iframe');
    await frame.getByRole('heading', { level: 1, name: title }).waitFor({ state: 'visible' });
    const status = frame.locator('#status');
    expect(await status.textContent()).toBe('Click the canvas to add a ball.');
    await frame.locator('#stage').click({ position: { x: 50, y: 50 } });
    await expect.poll(() => status.textContent()).toMatch(/^\d+ balls$/);

    // Its origin is opaque: it cannot read the app's document, storage or cookies.
    const artifactFrame = await iframe.elementHandle().then((handle) => handle?.contentFrame());
    if (!artifactFrame) throw new Error('The artifact iframe has no frame');
    const isolation = await artifactFrame.evaluate(() => {
      let parentDocument: string;
      try {
        parentDocument = typeof window.parent.document.title;
      } catch {
        parentDocument = 'blocked';
      }
      return { origin: window.origin, parentDocument };
    });
    expect(isolation).toEqual({ origin: 'null', parentDocument: 'blocked' });
  });
});
