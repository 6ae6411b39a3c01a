import { afterEach, describe, expect, test } from 'vitest';
import { fixedClock } from '../../../src/infra/clock.js';
import { loadTestConfig } from '../../../src/infra/config.js';
import { startFakeWeCom, type FakeWeCom } from '../../fakes/fake-wecom-server.js';
import { MemorySuggestions } from '../../fakes/memory-suggestions.js';
import { startBot, type BotWorker } from '../../fakes/wecom-harness.js';
import { memoryConversation } from '../../helpers/conversation.js';

const KF = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
const CITIZEN = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';

let fake: FakeWeCom;
let bot: BotWorker;
afterEach(async () => {
  await bot?.close();
  await fake?.close();
});

describe('a citizen makes a whole suggestion through 微信客服', () => {
  test('welcome, menus as msgmenu, every reply observed in WeCom, and the suggestion stored once', async () => {
    fake = await startFakeWeCom({ syncPageSize: 2 });
    const clock = fixedClock('2021-07-01T10:00:00+08:00');
    const suggestions = new MemorySuggestions(clock);
    const conversation = memoryConversation({
      config: loadTestConfig(),
      clock,
      suggestions,
    });
    bot = await startBot(fake, { conversation, clock });

    // The citizen scans the leaflet's QR code: enter_session with a welcome_code.
    fake.customerEnters(KF, CITIZEN);
    expect(await fake.notifyKf(KF)).toEqual({ status: 200, body: '' });
    await bot.wecom.drain();
    expect(fake.kfDelivered.at(-1)).toMatchObject({ via: 'on_event', touser: CITIZEN });

    const say = async (text: string, menuId?: string) => {
      const before = fake.kfMessagesTo(CITIZEN).length;
      fake.customerSays(KF, CITIZEN, text, menuId);
      const ack = await fake.notifyKf(KF);
      expect(ack).toEqual({ status: 200, body: '' });
      await bot.wecom.drain();
      return fake.kfMessagesTo(CITIZEN).slice(before);
    };
    const lastMenu = () => fake.kfMessagesTo(CITIZEN).filter((m) => m.msgtype === 'msgmenu').at(-1)!.menu!;

    const first = await say('我想提建议');
    expect(first.some((m) => m.msgtype === 'msgmenu')).toBe(true);
    const themes = lastMenu();
    expect(themes.head).toContain('主题');
    expect(themes.items.map((i) => i.content)).toContain('乡村振兴');

    // Clicking a menu item arrives as the item's content with its id (menu_id).
    const rural = themes.items.find((i) => i.content === '乡村振兴')!;
    const afterTheme = await say(rural.content, rural.id);
    expect(afterTheme.map((m) => m.text ?? m.menu?.head).join('\n')).toContain('标题');

    await say('关于在五桥片区增设早晚高峰公交班次的建议');
    const category = lastMenu().items.find((i) => i.content === '解决问题')!;
    await say(category.content, category.id);
    await say('五桥片区到江南新区的公交每30分钟一班，早晚高峰学生、上班族挤不上车。');
    await say('建议在7:00-9:00、17:00-19:00把班次加密到每10分钟一班，并在五桥中学站增设候车亭。');
    await say('完成');
    await say('可调用现有2辆备用车，不需新购车辆；候车亭约2万元。');
    await say('完成');
    const review = await say('张志刚，13812345678，万州区某某公司');
    expect(review.map((m) => m.text ?? m.menu?.head).join('\n')).toContain('请核对');
    const confirm = lastMenu().items.find((i) => i.content.includes('确认'))!;
    const done = await say(confirm.content, confirm.id);
    expect(done.map((m) => m.text ?? m.menu?.head).join('\n')).toMatch(/已提交，编号 WZ2021-000001/);

    expect(suggestions.stored).toHaveLength(1);
    expect(suggestions.stored[0]).toMatchObject({ title: '关于在五桥片区增设早晚高峰公交班次的建议', citizen: { channel: 'wecom-kf', id: CITIZEN } });
    // Every send respected the contract: no refusals, unique msgids, syncs always used the callback token.
    expect(fake.calls('kf/send_msg').every((c) => c.errcode === 0)).toBe(true);
    const ids = fake.kfDelivered.map((d) => d.msgid);
    expect(new Set(ids).size).toBe(ids.length);
    expect(fake.calls('kf/sync_msg').every((c) => typeof c.body?.token === 'string' && c.errcode === 0)).toBe(true);
    // The token was fetched once and shared by every call.
    expect(fake.calls('gettoken')).toHaveLength(1);
  });
});
