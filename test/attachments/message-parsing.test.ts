/** What WeCom's non-text messages become on their way to the attachments (contract §3 and §7.2). */
import { afterEach, describe, expect, test } from 'vitest';
import type { InboundMessage } from '../../src/conversation/message-port.js';
import { parseAppCallback, parseKfItem } from '../../src/channels/wecom/message-parser.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { startBot, type BotWorker } from '../fakes/wecom-harness.js';

let fake: FakeWeCom | undefined;
let bot: BotWorker | undefined;
afterEach(async () => {
  await bot?.close();
  await fake?.close();
});

describe('微信客服 items', () => {
  const base = { msgid: 'm1', open_kfid: 'wk1', external_userid: 'wm1', send_time: 1_700_000_000, origin: 3 };
  test('image, voice, video and file carry their media id; a location its place', () => {
    for (const t of ['image', 'voice', 'video', 'file'] as const) {
      expect(parseKfItem({ ...base, msgtype: t, [t]: { media_id: `MEDIA_${t}` } })).toMatchObject({ kind: 'customer_attachment', attachment: { kind: t, mediaId: `MEDIA_${t}` } });
    }
    expect(parseKfItem({ ...base, msgtype: 'location', location: { latitude: 30.8, longitude: 108.4, name: '万州区政府', address: '重庆市万州区江南大道2号' } })).toMatchObject({
      kind: 'customer_attachment',
      attachment: { kind: 'location', latitude: 30.8, longitude: 108.4, name: '万州区政府', address: '重庆市万州区江南大道2号' },
    });
    // Still refused politely: a business card is no attachment.
    expect(parseKfItem({ ...base, msgtype: 'business_card' })).toMatchObject({ kind: 'customer_other' });
  });

  test('a forwarded chat record keeps the media ids of its images and files', () => {
    const item = parseKfItem({
      ...base,
      msgtype: 'merged_msg',
      merged_msg: {
        title: '王五的聊天记录',
        item: [
          { send_time: 1, msgtype: 'text', sender_name: '王五', msg_content: JSON.stringify({ msgtype: 'text', text: { content: '路面塌了一个坑' } }) },
          { send_time: 2, msgtype: 'image', sender_name: '王五', msg_content: JSON.stringify({ msgtype: 'image', image: { media_id: 'MEDIA_pothole' } }) },
        ],
      },
    });
    expect(item).toMatchObject({ kind: 'customer_forward' });
    const items = (item as { forwarded: { items: unknown[] } }).forwarded.items;
    expect(items[1]).toEqual({ sender: '王五', time: 2, text: '[image]', attachment: { kind: 'image', mediaId: 'MEDIA_pothole' } });
  });
});

describe('the self-built app', () => {
  test('an image and a location parse as attachments', () => {
    expect(parseAppCallback({ MsgType: 'image', FromUserName: 'lisi', CreateTime: '1', MsgId: '9', MediaId: 'MEDIA_x', PicUrl: 'https://x' })).toMatchObject({
      kind: 'attachment',
      attachment: { kind: 'image', mediaId: 'MEDIA_x' },
    });
    expect(parseAppCallback({ MsgType: 'location', FromUserName: 'lisi', CreateTime: '1', MsgId: '10', Location_X: '30.80', Location_Y: '108.40', Label: '万州区龙驹镇' })).toMatchObject({
      kind: 'attachment',
      attachment: { kind: 'location', latitude: 30.8, longitude: 108.4, address: '万州区龙驹镇' },
    });
  });

  test("a member's photo reaches the conversation as an attachment, not as text", async () => {
    fake = await startFakeWeCom();
    const seen: InboundMessage[] = [];
    bot = await startBot(fake, { conversation: { handle: async (m) => (seen.push(m), { replies: [{ text: '已收到图片1张，会随建议一并提交。' }], state: 'attachment' }) } });
    await fake.memberSendsImage('agent_wang', 'MEDIA_app_1');
    await bot.wecom.drain();
    expect(seen).toEqual([expect.objectContaining({ channel: 'wecom-app', senderId: 'agent_wang', role: 'agent', text: '', attachment: { kind: 'image', mediaId: 'MEDIA_app_1' } })]);
    expect(fake.appDelivered.map((d) => (d.body.text as { content: string }).content)).toEqual(['已收到图片1张，会随建议一并提交。']);
  });
});
