/**
 * The fake WeCom itself against wecom-contract.md: what other tests rely on must be the contract's
 * behaviour, field by field, not the fake's convenience.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startFakeWeCom, type FakeWeCom } from '../../fakes/fake-wecom-server.js';

let fake: FakeWeCom;
let token: string;
beforeEach(async () => {
  fake = await startFakeWeCom();
  const r = (await (await fetch(`${fake.url}/cgi-bin/gettoken?corpid=ww0123456789abcdef&corpsecret=app-secret`)).json()) as { access_token: string };
  token = r.access_token;
});
afterEach(async () => {
  await fake.close();
});

async function call(api: string, body: Record<string, unknown>, query = `access_token=${token}`): Promise<Record<string, any>> {
  const res = await fetch(`${fake.url}/cgi-bin/${api}?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, any>;
}

const card = (over: Record<string, unknown> = {}) => ({
  card_type: 'button_interaction',
  main_title: { title: '新交办建议' },
  task_id: 'WZ2021-000001-fgw-1',
  button_list: [
    { text: '受理', style: 1, key: 'accept' },
    { text: '退回', style: 2, key: 'return' },
  ],
  ...over,
});

describe('the fake WeCom follows the contract', () => {
  test('§7.3 menus: miniprogram items are accepted within their byte limits', async () => {
    fake.customerSays('wk1', 'wm1', '你好');
    const menu = (appid: string) => ({
      touser: 'wm1',
      open_kfid: 'wk1',
      msgtype: 'msgmenu',
      msgmenu: { head_content: '请选择', list: [{ type: 'miniprogram', miniprogram: { appid, pagepath: 'pages/index', content: '小程序' } }] },
    });
    expect((await call('kf/send_msg', menu('wx123'))).errcode).toBe(0);
    expect((await call('kf/send_msg', menu('x'.repeat(33)))).errcode).toBe(40058);
  });

  test('§5 enable_duplicate_check: the identical request within the interval reaches the member once', async () => {
    const body = { touser: 'zhangsan', msgtype: 'text', agentid: 1000002, text: { content: '提醒' }, enable_duplicate_check: 1, duplicate_check_interval: 1800 };
    expect((await call('message/send', body)).errcode).toBe(0);
    expect((await call('message/send', body)).errcode).toBe(0);
    expect(fake.appDelivered).toHaveLength(1);
    expect(fake.appDuplicates).toHaveLength(1);
    // Without the check, WeCom delivers every copy.
    await call('message/send', { ...body, enable_duplicate_check: 0 });
    expect(fake.appDelivered).toHaveLength(2);
  });

  test('§5 text over 2048 bytes is cut, not refused: the member sees the first 2048 bytes', async () => {
    const r = await call('message/send', { touser: 'zhangsan', msgtype: 'text', agentid: 1000002, text: { content: '建'.repeat(700) } });
    expect(r.errcode).toBe(0);
    const seen = (fake.appDelivered[0]!.body.text as { content: string }).content;
    expect(Buffer.byteLength(seen)).toBe(2046); // 682 whole characters of 3 bytes
  });

  test('§5.1 button_interaction cards: task_id required and single-use, at most 6 buttons, 6 horizontal items', async () => {
    const send = (c: Record<string, unknown>) => call('message/send', { touser: 'lisi', msgtype: 'template_card', agentid: 1000002, template_card: c });
    expect((await send(card({ task_id: undefined }))).errcode).toBe(40058);
    expect((await send(card({ button_list: Array.from({ length: 7 }, (_, i) => ({ text: `b${i}`, key: `k${i}` })) }))).errcode).toBe(40058);
    expect((await send(card({ horizontal_content_list: Array.from({ length: 7 }, (_, i) => ({ keyname: `k${i}`, value: 'v' })) }))).errcode).toBe(40058);
    expect((await send(card({ task_id: 'bad task id' }))).errcode).toBe(40058);
    const ok = await send(card());
    expect(ok).toMatchObject({ errcode: 0, response_code: expect.any(String) });
    expect((await send(card())).errcode).toBe(40058); // the same task_id again
  });

  test('§6 update_template_card needs a recipient and a fresh response_code', async () => {
    const { response_code } = await call('message/send', { touser: 'lisi', msgtype: 'template_card', agentid: 1000002, template_card: card() });
    expect((await call('message/update_template_card', { agentid: 1000002, response_code, button: { replace_name: '已受理' } })).errcode).toBe(82001);
    expect((await call('message/update_template_card', { userids: ['lisi'], agentid: 1000002, response_code, button: { replace_name: '已受理' } })).errcode).toBe(0);
    expect((await call('message/update_template_card', { userids: ['lisi'], agentid: 1000002, response_code, button: { replace_name: '已受理' } })).errcode).toBe(40058);
  });

  test('§8 robots: an unknown msgtype is 40008; markdown over 4096 bytes is refused', async () => {
    fake.addRobot('robot-1');
    expect((await call('webhook/send', { msgtype: 'voice', voice: {} }, 'key=robot-1')).errcode).toBe(40008);
    expect((await call('webhook/send', { msgtype: 'markdown', markdown: { content: '字'.repeat(1366) } }, 'key=robot-1')).errcode).toBe(40058);
    expect((await call('webhook/send', { msgtype: 'markdown', markdown: { content: '### 新建议' } }, 'key=robot-1')).errcode).toBe(0);
  });

  test('§0 an injected sync_msg error keeps the list keys, empty, and a WeCom-style errmsg', async () => {
    fake.customerSays('wk1', 'wm1', '你好');
    fake.inject('kf/sync_msg', { errcode: -1 });
    const r = await call('kf/sync_msg', { open_kfid: 'wk1' });
    expect(r).toMatchObject({ errcode: -1, next_cursor: '', has_more: 0, msg_list: [] });
    expect(r.errmsg).toMatch(/hint: \[/);
  });

  test('§7.2 has_more may be 1 on an empty page; paging continues from next_cursor', async () => {
    fake.customerSays('wk1', 'wm1', '一');
    fake.customerSays('wk1', 'wm1', '二');
    fake.emptyPagesNext('wk1', 1);
    const p1 = await call('kf/sync_msg', { open_kfid: 'wk1', limit: 1 });
    expect(p1).toMatchObject({ errcode: 0, has_more: 1, msg_list: [] });
    const p2 = await call('kf/sync_msg', { open_kfid: 'wk1', limit: 1, cursor: p1.next_cursor });
    const p3 = await call('kf/sync_msg', { open_kfid: 'wk1', limit: 1, cursor: p2.next_cursor });
    expect([p2.msg_list[0].text.content, p2.has_more, p3.msg_list[0].text.content, p3.has_more]).toEqual(['一', 1, '二', 0]);
  });
});
