/**
 * The whole service as `npm start` runs it, for the abuse suites: `startService` from src/main.ts on the
 * embedded engine, Redis sessions on a real redis-server, WeCom configured against the fake WeCom, the dev
 * chat on, and two unit tokens from a CONFIG_FILE written next to the data directory. A fixed clock inside
 * the 2021 campaign; WeCom's callback timestamps use real time (as WeCom does).
 *
 * `snapshot()` captures everything a refused request must leave alone: the stored suggestions (count and
 * every document's revision), the audit log, the session of every sender in Redis, and what the fake
 * WeCom was asked to send. `expectUnchanged(before)` compares it afterwards.
 *
 * @example
 *   const w = await startAbuseWorld();
 *   const before = await w.snapshot();
 *   expect((await w.post('/dev/chat', 'not json')).status).toBe(400);
 *   await w.expectUnchanged(before);
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect } from 'vitest';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import type { Logger } from '../../src/infra/logger.js';
import { startService, type RunningService } from '../../src/main.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { IN_CAMPAIGN } from '../helpers/conversation.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { createCitizen, type CitizenAnswers } from './citizen-driver.js';

export const ADMIN_TOKEN = 'abuse-office-token-0123456789abcdef';
/** 区发展改革委 and 区经信委 (units of config/default.yaml). */
export const FGW_TOKEN = 'abuse-fgw-unit-token-0123456789abcdef';
export const JW_TOKEN = 'abuse-jw-unit-token-0123456789abcdef';

export interface ChatAnswer {
  status: number;
  replies: { text: string; options: { id: string; label: string }[] }[];
  state: string;
  reference?: string;
  /** The raw JSON body (errors carry `error` and `message`). */
  body: Record<string, unknown>;
}

export interface Snapshot {
  suggestions: number;
  revisions: string;
  audit: number;
  sessions: Record<string, string>;
  sent: number;
}

export interface AbuseWorld {
  base: string;
  service: RunningService;
  fake: FakeWeCom;
  redis: TestRedis;
  /** Warn-level and above log lines of the service (the reasons of refused callbacks). */
  logs: Array<Record<string, unknown>>;
  chat(user: string, text: string): Promise<ChatAnswer>;
  /** A raw request; `body` as given (a string is sent verbatim). */
  request(method: string, url: string, opts?: { body?: string; token?: string; contentType?: string }): Promise<{ status: number; text: string; json: () => any }>;
  api(url: string, token?: string): Promise<{ status: number; body: any }>;
  apiPost(url: string, payload: unknown, token?: string): Promise<{ status: number; body: any }>;
  /** Walks a citizen through the whole flow (following whatever the bot asks) and returns the reference. */
  submit(user: string, answers: CitizenAnswers): Promise<{ reference: string; transcript: ChatAnswer[] }>;
  snapshot(): Promise<Snapshot>;
  /**
   * Waits (bounded) until background work after a submission is done: the dispatcher has delivered the
   * units' cards, so the documents and the fake's records stop changing. Call before taking snapshots.
   */
  settle(): Promise<void>;
  expectUnchanged(before: Snapshot): Promise<void>;
  close(): Promise<void>;
}


function captureLogger(lines: Array<Record<string, unknown>>): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'warn' }, sink) as unknown as Logger;
}

export async function startAbuseWorld(): Promise<AbuseWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jy-abuse-'));
  const configFile = path.join(dir, 'config.yaml');
  const yaml = readFileSync(path.resolve('config/default.yaml'), 'utf8');
  if (!/^ {2}unitTokens: \[\]$/m.test(yaml)) throw new Error('config/default.yaml no longer has `  unitTokens: []` to replace');
  writeFileSync(
    configFile,
    yaml.replace(/^ {2}unitTokens: \[\]$/m, `  unitTokens:\n    - { unit: fgw, token: "${FGW_TOKEN}" }\n    - { unit: jw, token: "${JW_TOKEN}" }`),
  );
  const fake = await startFakeWeCom();
  const redis = await startTestRedis();
  const logs: Array<Record<string, unknown>> = [];
  const config = loadTestConfig({
    CONFIG_FILE: configFile,
    DATA_DIR: path.join(dir, 'data'),
    ADMIN_TOKEN,
    PORT: '0',
    HOST: '127.0.0.1',
    DEV_CHAT: '1',
    REDIS_URL: redis.url,
    ...fake.botEnv(),
  });
  const service = await startService({ config, clock: fixedClock(IN_CAMPAIGN), logger: captureLogger(logs) });
  const addr = service.app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('service is not listening');
  const base = `http://127.0.0.1:${addr.port}`;
  fake.setBot(base);
  const sessionsClient = redis.client();

  const request: AbuseWorld['request'] = async (method, url, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const res = await fetch(`${base}${url}`, { method, headers, ...(o.body !== undefined ? { body: o.body } : {}), signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };

  const chat: AbuseWorld['chat'] = async (user, text) => {
    const r = await request('POST', '/dev/chat', { body: JSON.stringify({ user, text }) });
    const body = JSON.parse(r.text) as Record<string, unknown>;
    return {
      status: r.status,
      replies: (body.replies as ChatAnswer['replies'] | undefined) ?? [],
      state: (body.state as string | undefined) ?? '',
      ...(typeof body.reference === 'string' ? { reference: body.reference } : {}),
      body,
    };
  };

  const api: AbuseWorld['api'] = async (url, token = ADMIN_TOKEN) => {
    const r = await request('GET', `/api${url}`, { token });
    return { status: r.status, body: r.text.startsWith('{') || r.text.startsWith('[') ? r.json() : r.text };
  };
  const apiPost: AbuseWorld['apiPost'] = async (url, payload, token = ADMIN_TOKEN) => {
    const r = await request('POST', `/api${url}`, { token, body: JSON.stringify(payload) });
    return { status: r.status, body: r.text ? r.json() : undefined };
  };

  const world: AbuseWorld = {
    base,
    service,
    fake,
    redis,
    logs,
    chat,
    request,
    api,
    apiPost,
    async submit(user, a) {
      const transcript: ChatAnswer[] = [];
      const say = async (text: string) => {
        const r = await chat(user, text);
        if (r.status !== 200) throw new Error(`dev chat answered ${r.status}: ${JSON.stringify(r.body)}`);
        transcript.push(r);
        return r;
      };
      const citizen = createCitizen(a);
      let r = await say('我想提建议');
      for (let i = 0; i < 30 && r.state !== 'submitted'; i++) {
        const text = citizen.next(r);
        if (citizen.stuck() || text === undefined) throw new Error(`stuck at ${r.state}: ${JSON.stringify(transcript.map((t) => [t.state, t.replies.map((x) => x.text)]))}`);
        r = await say(text);
      }
      if (r.state !== 'submitted' || !r.reference) throw new Error(`not submitted: ${JSON.stringify(transcript.map((t) => [t.state, t.replies.map((x) => x.text)]))}`);
      return { reference: r.reference, transcript };
    },
    async snapshot() {
      const list = await api('/suggestions?pageSize=200');
      const audit = await api('/audit?pageSize=1');
      const sessions: Record<string, string> = {};
      let cursor = '0';
      for (let i = 0; i < 1000; i++) {
        const [next, keys] = await sessionsClient.scan(cursor, 'MATCH', '*session:*', 'COUNT', 500);
        for (const k of keys) {
          // The kept-notice markers are a cache in front of MongoDB ("nothing unseen as of version V"), not
          // conversation state: any message may refresh them.
          if (k.includes('session:notices:')) continue;
          const dump = await sessionsClient.dump(k);
          sessions[k] = dump ? createHash('sha256').update(dump).digest('hex') : '';
        }
        cursor = next;
        if (cursor === '0') break;
      }
      const items = (list.body.items ?? []) as Array<Record<string, unknown>>;
      return {
        suggestions: list.body.total as number,
        // Each whole document except the outbox's delivery bookkeeping.
        revisions: items
          .map(({ outbox: _o, updatedAt: _u, ...doc }) => `${String(doc.reference)}:${createHash('sha256').update(JSON.stringify(doc)).digest('hex')}`)
          .sort()
          .join(','),
        audit: audit.body.total as number,
        sessions,
        sent: fake.received.filter((r) => r.api !== 'gettoken').length,
      };
    },
    async settle() {
      let last = JSON.stringify(await world.snapshot());
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const list = await api('/suggestions?pageSize=200');
        const pending = ((list.body.items ?? []) as Array<{ outbox?: Array<{ state: string }> }>).some((s) => s.outbox?.some((o) => o.state === 'pending'));
        const now = JSON.stringify(await world.snapshot());
        if (!pending && now === last) return;
        last = now;
      }
      throw new Error('background work did not settle');
    },
    async expectUnchanged(before) {
      await service.app.inject({ url: '/healthz' });
      expect(await world.snapshot()).toEqual(before);
    },
    async close() {
      await service.close();
      await fake.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
