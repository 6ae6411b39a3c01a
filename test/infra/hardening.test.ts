/**
 * Issue 17's findings against the whole service as `npm start` runs it (embedded engine, real HTTP): slow
 * clients are cut off, production refuses weak tokens and serves no dev chat, failed sign-ins are
 * throttled, security headers are on every route, the generated admin token never reaches the log, and
 * every write through the API leaves a hash-chained audit entry under the authenticated identity.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock } from '../../src/infra/clock.js';
import { ConfigError, loadConfig, loadTestConfig } from '../../src/infra/config.js';
import type { Logger } from '../../src/infra/logger.js';
import { startService, type RunningService } from '../../src/main.js';
import { IN_CAMPAIGN } from '../helpers/conversation.js';
import { startTestRedis } from '../helpers/redis-server.js';
import { startFakeWeCom } from '../fakes/fake-wecom-server.js';
import YAML from 'yaml';

const ADMIN_TOKEN = 'hardening-office-token-0123456789';
const FGW_TOKEN = 'hardening-fgw-unit-token-0123456789';
const dirs: string[] = [];
const services: RunningService[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'jy-hard-'));
  dirs.push(d);
  return d;
}

function captureLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return pino({ level: 'info' }, sink) as unknown as Logger;
}

/** A config file: the default one with a unit token for 区发展改革委. */
function configFileWithUnitToken(dir: string): string {
  const file = path.join(dir, 'config.yaml');
  const yaml = readFileSync(path.resolve('config/default.yaml'), 'utf8');
  writeFileSync(file, yaml.replace(/^ {2}unitTokens: \[\]$/m, `  unitTokens:\n    - { unit: fgw, token: "${FGW_TOKEN}" }`));
  return file;
}

async function start(env: Record<string, string>, logs: string[] = []): Promise<{ svc: RunningService; base: string }> {
  const config = loadTestConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(tempDir(), 'data'), ...env });
  const svc = await startService({ config, clock: fixedClock(IN_CAMPAIGN), logger: captureLogger(logs) });
  services.push(svc);
  const addr = svc.app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('not listening');
  return { svc, base: `http://127.0.0.1:${addr.port}` };
}

/** A whole citizen conversation over /dev/chat; returns the reference. */
async function submitByChat(base: string, user: string, title: string): Promise<string> {
  const say = async (text: string) =>
    (await (await fetch(`${base}/dev/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) })).json()) as { state: string; reference?: string };
  await say('我想提建议');
  await say('1');
  await say(title);
  await say('改进工作');
  await say('孙家镇到城区的班车每天只有两班，村民早晚出行很不方便，看病上学都要等很久。');
  await say('建议每天早晚各增开一班往返城区的公交，并在镇卫生院门口设站。');
  await say('完成');
  await say('可以调用公交公司现有的备用车辆，不需要新购车辆，成本较低。');
  await say('完成');
  await say('张志刚，13812345678，万州区某某公司');
  const done = await say('确认');
  if (!done.reference) throw new Error(`not submitted: ${done.state}`);
  return done.reference;
}

afterAll(async () => {
  for (const s of services) await s.close().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('slow clients', () => {
  test('a client that sends headers and then withholds the body is answered 408 and disconnected', async () => {
    const { base } = await start({ ADMIN_TOKEN, HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '1000' });
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (b) => (answer += b.toString()));
    socket.write('POST /dev/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user":');
    // Closed by the server (the test's own timeout is the bound): nothing more is ever sent.
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);
});

describe('production', () => {
  test('ADMIN_TOKEN=1 (or a short unit token) stops the start with a message naming the key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: '1' })).toThrow(/ADMIN_TOKEN: must be at least 24 characters/);
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(40) })).toThrow(/ADMIN_TOKEN: must not be a repetitive string/);
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN }).env.ADMIN_TOKEN).toBe(ADMIN_TOKEN);
  });

  test('the default config carries no demo agent in production; outside production it comes from config/demo.yaml', () => {
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN }).agents.map((a) => a.id)).toEqual([]);
    expect(loadConfig({}).agents.map((a) => a.id)).toContain('daili-lisi');
  });

  test('without DEV_CHAT=1 there is no dev chat; /metrics and /docs need the office token; HSTS is sent', async () => {
    const { base } = await start({ NODE_ENV: 'production', ADMIN_TOKEN, EMBEDDED_MONGO_ALLOW_PRODUCTION: '1' });
    const chat = await fetch(`${base}/dev/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'x', text: '我想提建议' }) });
    expect(chat.status).toBe(404);
    for (const url of ['/metrics', '/docs/json', '/docs']) {
      expect((await fetch(`${base}${url}`)).status, url).toBe(401);
      expect((await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, url).toBe(200);
    }
    expect((await fetch(`${base}/healthz`)).headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  test('DEV_CHAT=1 in production serves the dev chat, with a warning in the log', async () => {
    const logs: string[] = [];
    const { base } = await start({ NODE_ENV: 'production', ADMIN_TOKEN, EMBEDDED_MONGO_ALLOW_PRODUCTION: '1', DEV_CHAT: '1' }, logs);
    const chat = await fetch(`${base}/dev/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'x', text: '你好' }) });
    expect(chat.status).toBe(200);
    expect(logs.join('')).toContain('DEV_CHAT=1 in production');
  });
});

describe('drafts on embedded defaults', () => {
  test('a half-written suggestion survives a restart of the service, and is then submitted', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const env = { ADMIN_TOKEN, DATA_DIR: dataDir, DEV_CHAT: '1' };
    const say = (base: string) => async (text: string) =>
      (await (await fetch(`${base}/dev/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'restart', text }) })).json()) as { state: string; reference?: string; replies: { text: string }[] };
    const first = await start(env);
    const before = say(first.base);
    await before('我想提建议');
    await before('1');
    await before('关于增开孙家镇往返城区公交班次的建议');
    expect((await before('改进工作')).state).toBe('proposal');
    await first.svc.close();
    services.splice(services.indexOf(first.svc), 1);

    const second = await start(env);
    const after = say(second.base);
    // The conversation carries on at the proposal, the title still there.
    await after('孙家镇到城区的班车每天只有两班，村民早晚出行很不方便，看病上学都要等很久。');
    await after('建议每天早晚各增开一班往返城区的公交，并在镇卫生院门口设站。');
    expect((await after('完成')).state).toBe('feasibility');
    await after('可以调用公交公司现有的备用车辆，不需要新购车辆，成本较低。');
    await after('完成');
    const review = await after('张志刚，13812345678，万州区某某公司');
    expect(review.replies.map((r) => r.text).join('\n')).toContain('关于增开孙家镇往返城区公交班次的建议');
    expect((await after('确认')).reference).toMatch(/^WZ2021-\d{6}$/);

    // The engine's files (it accepts unauthenticated loopback connections) are its owner's only.
    const files = readdirSync(path.join(dataDir, 'mongo'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(statSync(path.join(dataDir, 'mongo', f)).mode & 0o077, f).toBe(0);
    expect(statSync(path.join(dataDir, 'mongo')).mode & 0o077).toBe(0);
  }, 60_000);
});

describe('X-Forwarded-For', () => {
  const failures = async (base: string, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${base}/api/suggestions`, { headers: { authorization: 'Bearer wrong-token-guess-000000000', 'x-forwarded-for': `203.0.113.${i + 1}` } });
      statuses.push(res.status);
    }
    return statuses;
  };

  test('is not believed by default: a client cannot dodge the sign-in throttle by claiming other addresses', async () => {
    const { base } = await start({ ADMIN_TOKEN });
    expect((await failures(base, 11)).at(-1)).toBe(429);
  });

  test('with Redis the failed sign-ins are counted across workers: the 11th over two workers is throttled', async () => {
    const redis = await startTestRedis();
    try {
      const one = await start({ ADMIN_TOKEN, REDIS_URL: redis.url });
      const two = await start({ ADMIN_TOKEN, REDIS_URL: redis.url });
      expect(await failures(one.base, 6)).toEqual(Array(6).fill(401));
      expect(await failures(two.base, 5)).toEqual([401, 401, 401, 401, 429]);
      for (const s of [one.svc, two.svc]) {
        await s.close();
        services.splice(services.indexOf(s), 1);
      }
    } finally {
      await redis.stop();
    }
  });

  test('is believed from a configured proxy (TRUST_PROXY=loopback): each forwarded client has its own count', async () => {
    const { base } = await start({ ADMIN_TOKEN, TRUST_PROXY: 'loopback' });
    expect(await failures(base, 11)).toEqual(Array(11).fill(401));
  });
});

describe('writes through the WeCom app', () => {
  test("a unit member's 受理 on the card is audited under the member's WeCom identity", async () => {
    const fake = await startFakeWeCom();
    try {
      const dir = tempDir();
      const cfg = YAML.parse(readFileSync(path.resolve('config/default.yaml'), 'utf8')) as Record<string, any>;
      cfg.units = cfg.units.map((u: Record<string, unknown>) => (u.id === 'fgw' ? { ...u, wecomUserIds: ['unit_li'] } : u));
      cfg.members = [{ userid: 'unit_li', name: '李科员', role: 'unit', unit: 'fgw' }];
      const configFile = path.join(dir, 'config.yaml');
      writeFileSync(configFile, YAML.stringify(cfg));
      const { base } = await start({ ADMIN_TOKEN, CONFIG_FILE: configFile, DEV_CHAT: '1', ...fake.botEnv() });
      fake.setBot(base);
      const reference = await submitByChat(base, 'wecom-audit', '关于增开孙家镇往返城区公交班次的建议');
      const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
      expect((await fetch(`${base}/api/suggestions/${reference}/reassign`, { method: 'POST', headers, body: JSON.stringify({ units: ['fgw'] }) })).status).toBe(200);
      const card = async () => fake.appDelivered.find((d) => d.touser === 'unit_li' && d.body.msgtype === 'template_card' && String((d.body.template_card as { task_id: string }).task_id).startsWith(`${reference}-fgw`));
      await expect.poll(card, { timeout: 15_000 }).toBeDefined();
      const taskId = ((await card())!.body.template_card as { task_id: string }).task_id;
      expect((await fake.memberClicksCard('unit_li', taskId, 'accept')).status).toBe(200);
      const audit = async () => ((await (await fetch(`${base}/api/audit?target=${reference}`, { headers })).json()) as { items: Array<Record<string, any>> }).items;
      await expect.poll(async () => (await audit()).map((e) => e.action), { timeout: 15_000 }).toContain('accept');
      const accepted = (await audit()).find((e) => e.action === 'accept')!;
      expect(accepted).toMatchObject({ actor: { kind: 'wecom-member', id: 'unit_li', name: '李科员' }, after: { status: 'accepted' } });
      expect(((await (await fetch(`${base}/api/audit/verify`, { headers })).json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      await fake.close();
    }
  }, 60_000);
});

describe('the generated admin token', () => {
  test('is written to a file only its owner can read, and never into the log', async () => {
    const logs: string[] = [];
    const dataDir = path.join(tempDir(), 'data');
    const config = loadTestConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    const svc = await startService({ config, clock: fixedClock(IN_CAMPAIGN), logger: captureLogger(logs) });
    services.push(svc);
    const file = path.join(dataDir, 'admin-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(svc.adminToken);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logs.join('')).toContain('generated an admin token');
    expect(logs.join('')).not.toContain(svc.adminToken);
  });
});

describe('the office API', () => {
  let base = '';
  let svc: RunningService;
  const logs: string[] = [];
  const api = (method: string, url: string, body?: unknown, token = ADMIN_TOKEN, headers: Record<string, string> = {}) =>
    fetch(`${base}/api${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    const dir = tempDir();
    ({ svc, base } = await start({ ADMIN_TOKEN, CONFIG_FILE: configFileWithUnitToken(dir), DEV_CHAT: '1' }, logs));
  });

  test('security headers are on /api answers as on the console', async () => {
    const res = await api('GET', '/me');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // The API documentation's page keeps a policy that lets its own scripts run.
    const docs = await fetch(`${base}/docs/static/index.html`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });

  test('the 11th failed sign-in within a minute is throttled; the right token still works; the log has no token', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await api('GET', '/suggestions', undefined, `guess-${i}-not-the-token`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect((await api('GET', '/suggestions')).status).toBe(200);
    const text = logs.join('');
    expect(text).toContain('admin sign-in failed');
    expect(text).not.toContain('guess-3-not-the-token');
  });

  test('every write route leaves one audit entry under the authenticated identity, never a name the client sends', async () => {
    const submit = (user: string, title: string) => submitByChat(base, user, title);
    const a = await submit('audit-a', '关于增开孙家镇往返城区公交班次的建议');
    const b = await submit('audit-b', '关于在孙家镇卫生院门口增设公交站点的建议');
    const operator = { 'x-operator': encodeURIComponent('冒名者') };
    const writes: Array<[string, string, unknown, string?]> = [
      ['POST', `/suggestions/${a}/valuable`, { valuable: true }],
      ['POST', `/suggestions/${a}/escalate`, { note: '涉及全镇出行' }],
      ['POST', `/suggestions/${a}/instruction`, { leader: '李区长', text: '请研究', assignTo: ['fgw'] }],
      ['POST', `/suggestions/${a}/reassign`, { units: ['fgw', 'jw'], by: '冒名者' }],
      ['POST', `/suggestions/${a}/answer`, { unit: 'fgw', outcome: 'adopted', text: '已纳入明年计划。', by: '冒名者' }, FGW_TOKEN],
      ['POST', `/suggestions/${b}/assign`, { units: ['fgw'], by: '冒名者' }],
      ['POST', `/suggestions/${b}/reject`, { reason: '属于信访投诉事项', by: '冒名者' }],
      ['PUT', '/agents/wangwu', { name: '王五', unit: 'nyncw', wecomUserId: 'wangwu' }],
      ['DELETE', '/agents/wangwu', undefined],
    ];
    const before = (await (await api('GET', '/audit?pageSize=200')).json()).total as number;
    for (const [method, url, body, token] of writes) {
      const res = await api(method, url, body, token ?? ADMIN_TOKEN, operator);
      expect(res.status, `${method} ${url}: ${await res.clone().text()}`).toBe(200);
    }
    const audit = (await (await api('GET', '/audit?pageSize=200')).json()) as { total: number; items: Array<Record<string, any>> };
    expect(audit.total - before).toBe(writes.length);
    const mine = audit.items.slice(0, writes.length).reverse();
    expect(mine.map((e) => [e.action, e.target, e.actor.kind, e.actor.id])).toEqual([
      ['mark_valuable', a, 'office', 'admin-token'],
      ['escalate_to_leaders', a, 'office', 'admin-token'],
      ['leader_instruction', a, 'office', 'admin-token'],
      ['reassign', a, 'office', 'admin-token'],
      ['answer', a, 'unit', 'unit-token:fgw'],
      ['assign', b, 'office', 'admin-token'],
      ['reject', b, 'office', 'admin-token'],
      ['put_agent', 'agent:wangwu', 'office', 'admin-token'],
      ['remove_agent', 'agent:wangwu', 'office', 'admin-token'],
    ]);
    expect(mine[6]).toMatchObject({ before: { status: 'assigned' }, after: { status: 'rejected' }, requestId: expect.any(String) });
    expect(mine[7]).toMatchObject({ before: null, after: { name: '王五', unit: 'nyncw' } });
    expect(((await (await api('GET', '/audit?target=agent:wangwu')).json()) as { items: unknown[] }).items).toHaveLength(2);
    // Neither the audit nor the suggestion's history carries the name the client sent.
    expect(JSON.stringify(audit.items)).not.toContain('冒名者');
    expect(JSON.stringify(await (await api('GET', `/suggestions/${a}`)).json())).not.toContain('冒名者');
    // A unit token sees what handling needs: not the citizen's account, nor delivery records.
    const asUnit = (await (await api('GET', `/suggestions/${a}`, undefined, FGW_TOKEN)).json()) as Record<string, unknown>;
    expect(asUnit.proposer).toMatchObject({ name: '张志刚' });
    expect(asUnit).not.toHaveProperty('citizen');
    expect(asUnit).not.toHaveProperty('outbox');
    expect(JSON.stringify(asUnit)).not.toContain('audit-a');
    // A refused write (403) leaves no entry.
    expect((await api('POST', `/suggestions/${a}/valuable`, { valuable: false }, FGW_TOKEN)).status).toBe(403);
    expect(((await (await api('GET', '/audit')).json()) as { total: number }).total).toBe(audit.total);
  });

  test('the chain verifies; editing or deleting an entry in the database is detected by the route and by npm run audit:verify', async () => {
    const ok = await api('GET', '/audit/verify');
    expect(ok.status).toBe(200);
    const good = (await ok.json()) as { ok: boolean; entries: number };
    expect(good).toMatchObject({ ok: true });
    expect(good.entries).toBeGreaterThanOrEqual(9);

    // Edit entry 3 in the database as an insider with database access would: who did it.
    await svc.connection.collection('audit_log').updateOne({ seq: 3 }, { $set: { 'actor.id': 'someone-else' } });
    const bad = await api('GET', '/audit/verify');
    expect(bad.status).toBe(409);
    expect(await bad.json()).toMatchObject({ ok: false, seq: 3, problem: 'edited' });

    // The command line says the same (the embedded engine allows one process: stop the service first).
    const dataDir = svc.config.env.DATA_DIR;
    await svc.close();
    services.splice(services.indexOf(svc), 1);
    const run = promisify(execFile);
    const r = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('entry 3 was changed after it was written');
  }, 60_000);
});
