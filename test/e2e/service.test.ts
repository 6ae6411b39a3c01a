/**
 * Issue 2's "done means", against the whole service as `npm start` runs it: embedded MongoDB-compatible
 * engine on a data directory, in-memory sessions, the dev chat over real HTTP, the admin API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadTestConfig } from '../../src/infra/config.js';
import { fixedClock } from '../../src/infra/clock.js';
import { startService, type RunningService } from '../../src/main.js';
import { good, IN_CAMPAIGN } from '../helpers/conversation.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'jy-e2e-'));
const config = loadTestConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: 'e2e-admin-token', PORT: '0', HOST: '127.0.0.1' });
const clock = fixedClock(IN_CAMPAIGN);
let service: RunningService | undefined;

afterAll(async () => {
  await service?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ base: string }> {
  service = await startService({ config, clock });
  const addr = service.app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('not listening');
  return { base: `http://127.0.0.1:${addr.port}` };
}

type ChatReply = { replies: { text: string; options: { id: string; label: string }[] }[]; state: string; reference?: string };

function chatter(base: string, user: string) {
  return async (text: string): Promise<ChatReply> => {
    const res = await fetch(`${base}/dev/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) });
    expect(res.status).toBe(200);
    return (await res.json()) as ChatReply;
  };
}

describe('the service on embedded defaults', () => {
  let reference = '';

  test('a whole conversation over /dev/chat ends submitted with a reference', async () => {
    const { base } = await start();
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const say = chatter(base, 'e2e-citizen');

    const first = await say('我想提建议');
    expect(first.state).toBe('theme');
    expect(first.replies.at(-1)?.options.map((o) => o.label)).toEqual(['乡村振兴', '成渝地区双城经济圈建设', '日常建议']);
    expect((await say('1')).state).toBe('title');
    expect((await say(good.title)).state).toBe('category');
    expect((await say('解决问题')).state).toBe('proposal');
    await say(good.proposal[0]);
    await say(good.proposal[1]);
    expect((await say('完成')).state).toBe('feasibility');
    await say(good.feasibility);
    expect((await say('完成')).state).toBe('identity');
    const review = await say(good.identity);
    expect(review.state).toBe('confirm');
    const done = await say('确认提交');
    expect(done.state).toBe('submitted');
    expect(done.reference).toMatch(/^WZ2021-\d{6}$/);
    reference = done.reference!;
  });

  test('the admin API returns the stored document with every field, and refuses without the token', async () => {
    const { app } = service!;
    const denied = await app.inject({ url: `/api/suggestions/${reference}` });
    expect(denied.statusCode).toBe(401);
    const res = await app.inject({ url: `/api/suggestions/${reference}`, headers: { authorization: 'Bearer e2e-admin-token' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      reference,
      campaign: 'wz2021',
      theme: 'rural_revitalization',
      themeName: '乡村振兴',
      category: 'problem',
      title: good.title,
      proposal: `${good.proposal[0]}\n${good.proposal[1]}`,
      feasibility: good.feasibility,
      proposer: { name: '张志刚', phone: '13812345678', unit: '万州区某某公司' },
      citizen: { channel: 'dev', id: 'e2e-citizen' },
      // Routing assigns a 乡村振兴 suggestion at once to the theme's units (config routing.mode: auto).
      status: 'assigned',
      level: 'district',
      history: [
        expect.objectContaining({ action: 'submit', to: 'submitted' }),
        expect.objectContaining({ action: 'route', from: 'submitted', to: 'assigned' }),
      ],
      assignments: [expect.objectContaining({ unit: 'nyncw' }), expect.objectContaining({ unit: 'xczxj' })],
    });
    const list = await app.inject({ url: '/api/suggestions?status=assigned', headers: { authorization: 'Bearer e2e-admin-token' } });
    expect(list.json().items.map((i: { reference: string }) => i.reference)).toContain(reference);
  });

  test('/metrics counts the conversation: messages in and out, the outcome and the stored suggestion', async () => {
    const res = await service!.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    const text = res.body;
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1]);
    expect(value('jianyan_messages_in_total{channel="dev"}')).toBe(11);
    expect(value('jianyan_messages_out_total{channel="dev"}')).toBeGreaterThanOrEqual(11);
    expect(value('jianyan_conversation_outcomes_total{outcome="submitted"}')).toBe(1);
    expect(value('jianyan_submissions_total{channel="dev",entered_by="citizen"}')).toBe(1);
  });

  test('a restart keeps the suggestion, and the citizen can still look it up', async () => {
    await service!.close();
    service = undefined;
    const { base } = await start();
    const res = await service!.app.inject({ url: `/api/suggestions/${reference}`, headers: { authorization: 'Bearer e2e-admin-token' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().title).toBe(good.title);
    const status = await chatter(base, 'e2e-citizen')(`查询 ${reference}`);
    expect(status.replies.map((r) => r.text).join('\n')).toContain(reference);
    const stranger = await chatter(base, 'someone-else')(`查询 ${reference}`);
    expect(stranger.replies.map((r) => r.text).join('\n')).not.toContain(good.title);
  });

  test('a wage-arrears complaint as a first message ends out_of_scope with the 12333 referral (wages and social insurance)', async () => {
    const say = chatter(`http://127.0.0.1:${(service!.app.server.address() as { port: number }).port}`, 'worker');
    const reply = await say('我们公司拖欠工资三个月了，老板跑路了，怎么办');
    expect(reply.state).toBe('out_of_scope');
    expect(reply.replies.map((r) => r.text).join('\n')).toContain('12333');
  });
});
