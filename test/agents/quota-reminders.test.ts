import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildAgents, type Agents } from '../../src/agents/index.js';
import { fixedClock } from '../../src/infra/clock.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createSuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService } from '../../src/suggestions/suggestion-service.js';
import type { SuggestionSubmission } from '../../src/domain/suggestion-types.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { echoHandler, startBot, type BotWorker } from '../fakes/wecom-harness.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { quotaConfig } from './quota-config.js';

let mongo: TestMongo;
let fake: FakeWeCom;
let bot: BotWorker;
let conn: Connection;
const config = quotaConfig();
const clock = fixedClock('2021-07-01T00:05:00+08:00');

beforeAll(async () => {
  mongo = await startTestMongo();
  conn = mongoose.createConnection(`${mongo.uri}q${randomUUID().slice(0, 8)}`);
  await conn.asPromise();
  fake = await startFakeWeCom();
  bot = await startBot(fake, { conversation: echoHandler().handler, clock });
});
afterAll(async () => {
  await bot?.close();
  await fake?.close();
  await conn?.close();
  await mongo?.close();
});

const worker = (): Agents => buildAgents({ config, connection: conn, clock, logger: silentLogger, appSender: () => bot.wecom.appClient });
const texts = (touser: string) => fake.appDelivered.filter((m) => m.touser === touser).map((m) => (m.body.text as { content: string }).content);

async function enter(at: string, over: Partial<SuggestionSubmission>) {
  clock.set(at);
  const models = createSuggestionModels(conn);
  await models.Suggestion.init();
  const service = createSuggestionService({ models, clock, config });
  return service.submit({
    submissionKey: randomUUID(),
    campaign: 'general',
    theme: 'general',
    title: '关于增设公交班次的建议',
    proposal: '建议在早晚高峰把五桥到江南新区的公交班次加密到每10分钟一班。',
    feasibility: '可调用现有备用车辆。',
    proposer: { name: '王五', phone: '13812345678', unit: '某公司' },
    citizen: { channel: 'wecom-app', id: 'qian' },
    ...over,
  });
}

describe('quota reminders over WeCom, once per unit and month', () => {
  test('before the reminder day nothing is sent; from it, only units with no entry are reminded, once', async () => {
    // 高笋塘街道 entered one on July 1 just after local midnight (still June 30 in UTC).
    await enter('2021-07-01T00:05:00+08:00', { enteredBy: { agent: 'qian', unit: 'gaosun', consentAt: new Date('2021-07-01T00:04:00+08:00') } });
    // 龙驹镇 entered one on June 30 — the previous quarter.
    await enter('2021-06-30T23:50:00+08:00', { enteredBy: { agent: 'zhao', unit: 'longju', consentAt: new Date('2021-06-30T23:49:00+08:00') } });

    const a = worker();
    clock.set('2021-07-19T09:00:00+08:00');
    expect(await a.runQuotaReminders(clock.now())).toMatchObject({ month: '2021-07', due: false });
    expect(fake.appDelivered).toEqual([]);

    clock.set('2021-07-20T09:00:00+08:00');
    const run = await a.runQuotaReminders(clock.now());
    // July is the first month of Q3: towns and streets only; 高笋塘街道 has its entry.
    expect(run.behind).toEqual([{ unit: 'longju', unitName: '龙驹镇', agents: ['赵六'] }]);
    expect(texts('zhao')).toEqual([expect.stringContaining('龙驹镇在2021年7月（第3季度的考核月份）尚未代理录入建议')]);
    expect(texts('office_chen')).toEqual(['【人民建议代理录入进度】2021年7月尚未代理录入的单位（1个）：\n1. 龙驹镇（代理员：赵六）']);

    // Every later run that month — the same worker, another one, the next day — sends nothing more.
    await a.runQuotaReminders(clock.now());
    clock.set('2021-07-25T09:00:00+08:00');
    await worker().runQuotaReminders(clock.now());
    expect(texts('zhao')).toHaveLength(1);
    expect(texts('office_chen')).toHaveLength(1);
  });

  test('the middle month reminds departments; two workers at once still send each message once', async () => {
    const before = fake.appDelivered.length;
    // 区发展改革委's August entry keeps it off the list.
    await enter('2021-08-02T10:00:00+08:00', { enteredBy: { agent: 'fgw-agent', unit: 'fgw', consentAt: new Date('2021-08-02T09:59:00+08:00') } });
    clock.set('2021-08-20T09:00:00+08:00');
    const [r1, r2] = await Promise.all([worker().runQuotaReminders(clock.now()), worker().runQuotaReminders(clock.now())]);
    expect(r1.behind.map((b) => b.unit)).toEqual(['nyncw', 'jw', 'gzw', 'xczxj']);
    expect([...r1.reminded, ...r2.reminded]).toEqual(['nyncw']);
    expect([r1.officeNotified, r2.officeNotified].filter(Boolean)).toHaveLength(1);
    const sent = fake.appDelivered.slice(before);
    expect(sent.map((m) => m.touser).sort()).toEqual(['lisi', 'office_chen']);
    expect(texts('office_chen').at(-1)).toBe(
      '【人民建议代理录入进度】2021年8月尚未代理录入的单位（4个）：\n1. 区农业农村委（代理员：李四）\n2. 区教委（未设代理员）\n3. 区国资委（未设代理员）\n4. 区乡村振兴局（未设代理员）',
    );
  });

  test('a reminder WeCom refused is sent by the next run', async () => {
    clock.set('2021-09-20T09:00:00+08:00');
    fake.inject('message/send', { errcode: 60020 }, 10);
    const failed = await worker().runQuotaReminders(clock.now());
    expect(failed.behind.map((b) => b.unit)).toEqual(['longju', 'gaosun']);
    expect(failed.reminded).toEqual([]);
    expect(texts('zhao').filter((t) => t.includes('9月'))).toEqual([]);

    fake['faults'].delete('message/send');
    clock.set('2021-09-20T10:00:00+08:00');
    const retried = await worker().runQuotaReminders(clock.now());
    expect(retried.reminded).toEqual(['longju']);
    expect(texts('zhao').filter((t) => t.includes('9月'))).toHaveLength(1);
    expect(texts('office_chen').filter((t) => t.includes('9月'))).toEqual(['【人民建议代理录入进度】2021年9月尚未代理录入的单位（2个）：\n1. 龙驹镇（代理员：赵六）\n2. 高笋塘街道（未设代理员）']);
  });
});
