import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { installRequestLog, redactUrl } from './request-log.js';

function appWith(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const metrics = createMetrics(false);
  const app = express();
  installRequestLog(app, pino({ level }, sink), metrics, (url) => url === '/healthz');
  app.get('/things/:id', (req, res) => {
    req.log.info({ thing: req.params.id }, 'inside');
    res.json({ id: req.id });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/missing', (_req, res) => {
    res.status(404).json({});
  });
  return { app, lines, metrics };
}

describe('requestLog', () => {
  it('keeps a plain caller request id, logs one line per request with it, and times the route template', async () => {
    const { app, lines, metrics } = appWith('info');
    const res = await supertest(app).get('/things/7').set('X-Request-Id', 'order-42');
    expect(res.headers['x-request-id']).toBe('order-42');
    expect(res.body).toEqual({ id: 'order-42' });
    expect(lines.map((l) => l.msg)).toEqual(['inside', 'request completed']);
    expect(lines[0]).toMatchObject({ reqId: 'order-42', thing: '7' });
    expect(lines[1]).toMatchObject({ req: { id: 'order-42', method: 'GET', url: '/things/7' }, res: { statusCode: 200 } });
    expect(typeof lines[1]!.responseTime).toBe('number');
    const histogram = await metrics.httpDuration.get();
    expect(histogram.values.find((v) => v.labels.route === '/things/:id' && v.metricName?.endsWith('_count'))?.value).toBe(1);
  });

  it('replaces an id that is not a plain token, and logs nothing for quiet routes or levels that are off', async () => {
    const { app, lines } = appWith('info');
    const res = await supertest(app).get('/healthz').set('X-Request-Id', 'bad id\twith spaces');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await supertest(app).get('/missing'); // 4xx logs at debug, which is off
    expect(lines).toEqual([]);
  });
});

describe('redactUrl', () => {
  it.each([
    'api_key', 'API_KEY', 'api_key[]', 'api_key%00', 'api%5Fkey', 'apiKey', 'apikey', 'key', 'token', 'access_token', 'accessToken',
    'jwt', 'JWT', 'secret', 'client_secret', 'password', 'Password', 'passwd', 'credentials', 'credential', 'session', 'sessionid',
    'session_id', 'auth', 'authorization', 'signature', 'sig', 'a[token]', 'user[password]', 'api_key%ZZ', 'x-api-key', 'bearer',
  ])('the value of %s is never logged', (name) => {
    expect(redactUrl(`/v1/things?${name}=S3CR3T&q=visible`)).toBe(`/v1/things?${name}=[REDACTED]&q=visible`);
  });

  it.each(['q', 'customer', 'status', 'cursor', 'limit', 'monkey', 'sort', 'owner'])('an ordinary parameter (%s) stays readable', (name) => {
    expect(redactUrl(`/v1/things?${name}=visible`)).toBe(`/v1/things?${name}=visible`);
  });
});
