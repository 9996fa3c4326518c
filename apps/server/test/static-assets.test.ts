import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeWebDist, type FakeWebDist } from './support/fake-web-dist';
import { rawRequest } from './support/raw-http';
import { startTestStack, type TestStack } from './support/test-stack';

describe('the web app assets', () => {
  let stack: TestStack;
  let dist: FakeWebDist;
  const script = () => dist.files['assets/index-abc123.js'] ?? '';

  beforeAll(async () => {
    dist = createFakeWebDist();
    stack = await startTestStack({ env: { WEB_DIST_DIR: dist.directory } });
  });
  afterAll(async () => {
    await stack.close();
    dist.remove();
  });

  it('sends brotli when accepted, whatever the order of the header', async () => {
    const response = await rawRequest(stack.url, '/assets/index-abc123.js', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(response.headers['content-length'])).toBe(response.body.length);
    expect(response.body.length).toBeLessThan(script().length / 10);
    expect(brotliDecompressSync(response.body).toString('utf8')).toBe(script());
  });

  it('sends gzip to a client without brotli, and the file as it is to one without either', async () => {
    const gzip = await rawRequest(stack.url, '/assets/index-abc123.js', {
      headers: { 'accept-encoding': 'gzip;q=1, br;q=0' },
    });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString('utf8')).toBe(script());

    const plain = await rawRequest(stack.url, '/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(script());
  });

  it('caches hashed assets for a year, makes the page revalidate, and 404s a missing asset', async () => {
    const asset = await rawRequest(stack.url, '/assets/index-abc123.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const path of ['/', '/chat/some-session']) {
      const page = await rawRequest(stack.url, path);
      expect(page.headers['cache-control'], path).toBe('no-cache');
      expect(page.text, path).toBe(dist.files['index.html']);
    }
    // A missing hashed file (an old build's chunk) is not answered with the page.
    const missing = await rawRequest(stack.url, '/assets/index-old999.js');
    expect(missing.status).toBe(404);
  });

  it('answers HEAD with the headers only, and a matching If-None-Match with 304', async () => {
    const headers = { 'accept-encoding': 'br' };
    const full = await rawRequest(stack.url, '/assets/index-abc123.js', { headers });
    const head = await rawRequest(stack.url, '/assets/index-abc123.js', {
      method: 'HEAD',
      headers,
    });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(full.headers['content-length']);
    expect(head.headers.etag).toBe(full.headers.etag);

    const etag = String(full.headers.etag);
    const revalidated = await rawRequest(stack.url, '/assets/index-abc123.js', {
      headers: { ...headers, 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    // Another encoding is another representation: its tag differs.
    const gzip = await rawRequest(stack.url, '/assets/index-abc123.js', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': etag },
    });
    expect(gzip.status).toBe(200);
  });

  it('refuses other methods on the web app without reading the body', async () => {
    const response = await rawRequest(stack.url, '/', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});
