/**
 * 转人工 on 微信客服 (contract §7.5): within the office's hours the session goes to a receiving servicer,
 * the citizen is told, and the bot stays silent until the servicer ends the session; outside the hours
 * the citizen gets the contact and can go on with the draft.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { fixedClock } from '../../../src/infra/clock.js';
import { loadTestConfig, type AppConfig } from '../../../src/infra/config.js';
import { startFakeWeCom, type FakeWeCom } from '../../fakes/fake-wecom-server.js';
import { MemorySuggestions } from '../../fakes/memory-suggestions.js';
import { startBot, type BotWorker } from '../../fakes/wecom-harness.js';
import { memoryConversation } from '../../helpers/conversation.js';

const KF = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
const CITIZEN = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';
const withServicers = (c: AppConfig): AppConfig => ({ ...c, service: { ...c.service, handoff: { ...c.service.handoff, servicerUserIds: ['zhangsan', 'lisi'] } } });

let fake: FakeWeCom;
let bot: BotWorker;
afterEach(async () => {
  await bot?.close();
  await fake?.close();
});

async function world(now: string) {
  fake = await startFakeWeCom();
  const clock = fixedClock(now);
  const config = withServicers(loadTestConfig());
  const conversation = memoryConversation({
    config,
    clock,
    suggestions: new MemorySuggestions(clock),
    handoff: { request: (c) => bot.wecom.kfHandoff.request(c) },
  });
  bot = await startBot(fake, { conversation, clock, configure: withServicers });
  const say = async (text: string) => {
    const before = fake.kfMessagesTo(CITIZEN).length;
    fake.customerSays(KF, CITIZEN, text);
    await fake.notifyKf(KF);
    await bot.wecom.drain();
    return fake
      .kfMessagesTo(CITIZEN)
      .slice(before)
      .map((m) => m.text ?? m.menu?.head ?? '')
      .join('\n');
  };
  return { say };
}

describe('转人工 on 微信客服', () => {
  test('within office hours the session goes to the first receiving servicer; the bot is silent until it ends', async () => {
    const { say } = await world('2021-07-01T10:00:00+08:00'); // a Thursday morning
    fake.addServicer(KF, 'zhangsan', 1); // stopped receiving
    fake.addServicer(KF, 'lisi', 0);
    await say('我想提建议');
    await say('1');
    expect(await say('我要找真人说')).toContain('已为您转接人工服务');
    const trans = fake.calls('kf/service_state/trans');
    expect(trans.map((c) => [c.body?.servicer_userid, c.body?.service_state, c.errcode])).toEqual([
      ['zhangsan', 3, 40058],
      ['lisi', 3, 0],
    ]);
    expect(fake.serviceStateOf(KF, CITIZEN)).toBe(3);
    // The notice went out with the hand-over's greeting code, since send_msg is refused once a person has it.
    expect(fake.kfDelivered.at(-1)).toMatchObject({ via: 'on_event', touser: CITIZEN });

    // The person answers from the WeCom client; the bot says nothing.
    expect(await say('你好，我想问下路灯的事')).toBe('');
    expect(fake.calls('kf/send_msg').filter((c) => c.errcode === 95018)).toEqual([]);

    // The servicer ends the session: the next message is the bot's again, with the draft kept.
    fake.servicerEnds(KF, CITIZEN);
    await fake.notifyKf(KF);
    await bot.wecom.drain();
    const back = await say('继续');
    expect(back).toContain('标题');
  });

  test('outside office hours the citizen gets the contact and the draft is kept', async () => {
    const { say } = await world('2021-07-03T20:00:00+08:00'); // a Saturday evening
    fake.addServicer(KF, 'zhangsan', 0);
    await say('我想提建议');
    const reply = await say('转人工');
    expect(reply).toContain('17723966166');
    expect(reply).toContain('信访代理员');
    expect(fake.calls('kf/service_state/trans')).toEqual([]);
    expect(await say('1')).toContain('标题');
  });
});
