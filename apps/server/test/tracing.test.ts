import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fastRetryPolicy, startTestStack, type TestStack } from './support/test-stack';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: OtlpAttribute[];
  events?: Array<{ name: string }>;
}

/** A collector on 127.0.0.1:0 that keeps the spans it receives over OTLP/HTTP (JSON). */
async function startCollector(): Promise<{
  url: string;
  spans: OtlpSpan[];
  requests: Array<{ path: string | undefined; key: string | string[] | undefined }>;
  server: Server;
}> {
  const spans: OtlpSpan[] = [];
  const requests: Array<{ path: string | undefined; key: string | string[] | undefined }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ path: request.url, key: request.headers['x-collector-key'] });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const resource of body.resourceSpans) {
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, requests, server };
}

const attribute = (span: OtlpSpan | undefined, key: string) => {
  const value = span?.attributes.find((entry) => entry.key === key)?.value;
  return (
    value?.stringValue ??
    (value?.intValue === undefined ? value?.doubleValue : Number(value.intValue))
  );
};

let stack: TestStack | undefined;
let collector: Server | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  collector?.close();
  collector = undefined;
});

describe('OpenTelemetry traces', () => {
  it('exports a span per generation with its upstream attempts, first token and save', async () => {
    const started = await startCollector();
    collector = started.server;
    stack = await startTestStack({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: started.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=secret%20value',
      },
    });
    // The first two attempts answer 503; the third streams the plan.
    const { planId } = await stack.client.plan.create.mutate({
      goals: 'Learn to juggle',
      model: 'sluice/simulator@status-503x2',
    });
    await stack.app.engines.plans.get(planId)?.done;
    // Closing the server exports what is still buffered.
    await stack.close();
    stack = undefined;

    expect(started.requests.length).toBeGreaterThan(0);
    for (const request of started.requests) {
      expect(request).toEqual({ path: '/v1/traces', key: 'secret value' });
    }
    const generation = started.spans.find(
      (span) =>
        span.name === 'sluice.generation' && attribute(span, 'sluice.generation.id') === planId,
    );
    expect(generation).toBeDefined();
    expect(attribute(generation, 'sluice.generation.kind')).toBe('plan');
    expect(attribute(generation, 'sluice.generation.status')).toBe('completed');
    expect(attribute(generation, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
    expect(generation?.events?.map((event) => event.name)).toEqual(['sluice.first_token']);
    const children = started.spans.filter((span) => span.parentSpanId === generation?.spanId);
    expect(children.every((span) => span.traceId === generation?.traceId)).toBe(true);
    const attempts = children.filter((span) => span.name === 'sluice.upstream_attempt');
    expect(
      attempts.map((span) => [
        attribute(span, 'sluice.attempt'),
        attribute(span, 'sluice.attempt.outcome'),
      ]),
    ).toEqual([
      [1, 'retried'],
      [2, 'retried'],
      [3, 'success'],
    ]);
    expect(fastRetryPolicy.maxAttempts).toBe(3);
    expect(children.filter((span) => span.name === 'sluice.save')).toHaveLength(1);
  });
});
