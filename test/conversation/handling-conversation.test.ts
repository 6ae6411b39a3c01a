import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, test } from 'vitest';
import type { ChannelName, ConversationHandler, Role } from '../../src/conversation/message-port.js';
import { useHandlingWorld } from '../handling/handling-world.js';

const h = useHandlingWorld();
let chat: ConversationHandler;
beforeEach(() => {
  chat = h.w.handlingChat.wrap(h.w.engine);
});

/** One message in, the reply texts out. */
async function say(from: string, text: string, role: Role = 'unit', channel: ChannelName = 'wecom-app') {
  const r = await chat.handle({ channel, senderId: from, messageId: randomUUID(), text, role, receivedAt: h.w.clock.now() });
  return { texts: r.replies.map((x) => x.text), options: r.replies.flatMap((x) => x.options?.map((o) => o.label) ?? []), state: r.state };
}

describe('a unit member answers in the app conversation', () => {
  test('暂不采纳 requires a reason that acknowledges the good intent', async () => {
    const ref = await h.w.submit();
    let r = await say('unit_li', `答复 ${ref} 暂不采纳`);
    expect(r.state).toBe('reason');
    expect(r.texts[0]).toContain('请先肯定建议人建言献策的良好出发点');
    r = await say('unit_li', '不行');
    expect(r.texts[0]).toContain('原因写得太简短了');
    r = await say('unit_li', '感谢您的关心！该事项涉及两省市协调，目前区级暂无审批权限。');
    expect(r.state).toBe('text');
    r = await say('unit_li', '我们已将建议转报市发展改革委，供制定相关政策时参考。');
    expect(r.texts[0]).toContain('原因：感谢您的关心！');
    expect(r.options).toEqual(['确认', '取消']);
    r = await say('unit_li', '确认');
    expect(r.state).toBe('answered');
    const a = (await h.w.doc(ref)).assignments[0]!;
    expect(a.answer).toMatchObject({ outcome: 'not_adopted', reason: '感谢您的关心！该事项涉及两省市协调，目前区级暂无审批权限。', by: 'unit:fgw:unit_li' });
    expect(a.acceptedAt).toBeTruthy(); // answering implies accepting
  });

  test('待办 lists the unit\'s open suggestions; 受理 by text; another unit\'s suggestion is not found', async () => {
    const mine = await h.w.submit();
    const other = await h.w.submit({ theme: 'rural_revitalization' });
    let r = await say('unit_li', '待办');
    expect(r.texts[0]).toBe(`本单位待办建议：\n· ${mine}《推进万达开川渝统筹发展示范区建设》待受理，期限 2021-07-22`);
    r = await say('unit_li', `受理 ${mine}`);
    expect(r.state).toBe('accepted');
    expect((await h.w.doc(mine)).status).toBe('accepted');
    r = await say('unit_li', `答复 ${other}`);
    expect(r.texts[0]).toBe(`没有找到本单位承办的建议 ${other}，请核对编号。`);
    r = await say('unit_li', '答复');
    expect(r.texts[0]).toContain('请在“答复”后写上建议编号');
  });

  test('取消 drops a half-written answer; an unknown word shows the help', async () => {
    const ref = await h.w.submit();
    await say('unit_li', `答复 ${ref}`);
    expect((await say('unit_li', '取消')).state).toBe('cancelled');
    expect((await say('unit_li', '你好')).texts[0]).toContain('可用指令');
    expect((await h.w.doc(ref)).status).toBe('assigned');
  });

  test('a member of no unit is told so', async () => {
    expect((await say('stranger', '待办')).texts[0]).toContain('您不是任何承办单位的办理人员');
  });
});

describe('the citizen hears back on the dev chat and rates', () => {
  test('notices wait for the next message; then 满意 is stored and 满意 without a pending rating is an ordinary message', async () => {
    const ref = await h.w.submit({ citizen: { channel: 'dev', id: 'u1' } });
    await h.w.handling.accept(ref, { unit: 'fgw', by: { kind: 'unit', unit: 'fgw', userid: 'unit_li' } });
    await h.w.handling.answer(ref, { unit: 'fgw', outcome: 'adopted', text: '已纳入明年重点项目。', by: { kind: 'unit', unit: 'fgw', userid: 'unit_li' } });
    await h.w.dispatcher().runOnce();
    await h.w.dispatcher().runOnce(); // nothing is sent twice

    let r = await say('u1', '你好', 'citizen', 'dev');
    expect(r.texts).toEqual([
      `您的建议 ${ref} 已由区发展改革委受理，办理后会在这里告知您结果。`,
      `您的建议 ${ref} 已收到区发展改革委的答复：\n办理结果：采纳\n已纳入明年重点项目。`,
      `请您对建议 ${ref} 的办理答复进行评价：`,
      '收到：你好',
    ]);
    expect(r.options).toEqual(['满意', '基本满意', '不满意']);
    expect((await say('u1', '再问一下', 'citizen', 'dev')).texts).toEqual(['收到：再问一下']); // shown once

    r = await say('u1', '2', 'citizen', 'dev');
    expect((await h.w.doc(ref)).evaluation).toMatchObject({ rating: 'basically_satisfied' });
    r = await say('u1', '跳过', 'citizen', 'dev');
    expect(r.texts[0]).toContain('您的评价已记录');
    expect((await h.w.doc(ref)).evaluation?.comment).toBeUndefined();

    expect((await say('u1', '满意', 'citizen', 'dev')).texts).toEqual(['收到：满意']);
  });
});
