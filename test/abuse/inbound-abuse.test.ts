/**
 * Abuse at the two front doors of the whole service (issue 9: "every case gets a clear answer and changes
 * nothing it should not"): the WeCom callback and the dev chat. Each case asserts the HTTP answer (for
 * WeCom, a 4xx with an empty body as WeCom expects, and the reason in the log), and that nothing changed:
 * no suggestion stored, no session advanced, nothing sent through the fake WeCom, no audit entry.
 *
 * In depth elsewhere (not repeated here): the crypto itself and its Result reasons in
 * test/channels/wecom/callback-crypto.test.ts; a callback another corp sealed, and retries of the same
 * MsgId, in test/channels/wecom/wecom-channels.test.ts; over-long answers step by step in
 * test/conversation/runtime.test.ts; a flood from one sender in ./sender-flood.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sealCallback } from '../../src/channels/wecom/callback-crypto.js';
import { startAbuseWorld, type AbuseWorld } from './abuse-world.js';

let w: AbuseWorld;
beforeAll(async () => {
  w = await startAbuseWorld();
  // A citizen mid-conversation, whose session must not move while others misbehave.
  expect((await w.chat('bystander', '我想提建议')).state).toBe('theme');
  expect((await w.chat('bystander', '1')).state).toBe('title');
  // The snapshot sees that session (so a moved session would show).
  expect(Object.keys((await w.snapshot()).sessions)).toEqual([expect.stringContaining('dev:bystander')]);
});
afterAll(async () => {
  await w?.close();
});

const AGENT = 'agent_wang';
const memberText = (content: string, msgId: string) =>
  `<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[${AGENT}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;

/** Seals `inner` with the real secrets, so the signature over its Encrypt element is valid. */
function sealed(inner: string): { query: string; body: string } {
  const secrets = w.fake['opts'];
  const s = sealCallback(secrets, inner, { timestamp: String(Math.floor(Date.now() / 1000)), nonce: '12345', agentId: secrets.agentId });
  return { query: new URLSearchParams(s.query).toString(), body: s.body };
}

const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>`;

describe('the WeCom callback', () => {
  type Case = [what: string, send: () => Promise<{ status: number; body: string }>, status: number, reason: string];
  const cases: Case[] = [
    ['a wrong msg_signature', () => w.fake.callback('/wecom/callback', memberText('我想提建议', '9001'), { signature: true }), 403, 'bad_signature'],
    ['a timestamp one hour old (a replay)', () => w.fake.callback('/wecom/callback', memberText('我想提建议', '9002'), { timestamp: Math.floor(Date.now() / 1000) - 3600 }), 403, 'stale_timestamp'],
    ['a timestamp one hour ahead', () => w.fake.callback('/wecom/kf/callback', memberText('我想提建议', '9003'), { timestamp: Math.floor(Date.now() / 1000) + 3600 }), 403, 'stale_timestamp'],
    ['no signature parameters at all', () => w.request('POST', '/wecom/callback', { body: '<xml/>', contentType: 'text/xml' }).then((r) => ({ status: r.status, body: r.text })), 400, 'missing_params'],
    [
      'a valid signature, a body that is not XML',
      async () => {
        const s = sealed(memberText('我想提建议', '9004'));
        const r = await w.request('POST', `/wecom/callback?${s.query}`, { body: '{"Encrypt": "not xml at all"}', contentType: 'text/xml' });
        return { status: r.status, body: r.text };
      },
      400,
      'malformed_body',
    ],
    [
      'a valid signature, truncated XML',
      async () => {
        const s = sealed(memberText('我想提建议', '9005'));
        const r = await w.request('POST', `/wecom/callback?${s.query}`, { body: s.body.slice(0, s.body.length - 20), contentType: 'text/xml' });
        return { status: r.status, body: r.text };
      },
      400,
      'malformed_body',
    ],
    [
      'an entity-expansion envelope (billion laughs) around a validly signed Encrypt',
      async () => {
        const s = sealed(memberText('我想提建议', '9006'));
        const r = await w.request('POST', `/wecom/callback?${s.query}`, { body: `${laughs}${s.body.replace('<ToUserName>', '<Lol>&lol4;</Lol><ToUserName>')}`, contentType: 'text/xml' });
        return { status: r.status, body: r.text };
      },
      400,
      'malformed_body',
    ],
    [
      'a validly signed and encrypted message whose inner XML expands entities (billion laughs)',
      () => {
        const s = sealed(`${laughs}${memberText('&lol4;', '9007')}`);
        return w.request('POST', `/wecom/callback?${s.query}`, { body: s.body, contentType: 'text/xml' }).then((r) => ({ status: r.status, body: r.text }));
      },
      400,
      'malformed_body',
    ],
    [
      'a query parameter given twice (msg_signature)',
      async () => {
        const s = sealed(memberText('我想提建议', '9010'));
        const r = await w.request('POST', `/wecom/callback?${s.query}&msg_signature=0123456789abcdef`, { body: s.body, contentType: 'text/xml' });
        return { status: r.status, body: r.text };
      },
      400,
      'duplicate_params',
    ],
    [
      'a query parameter given twice on the URL check (echostr)',
      async () => {
        const s = sealed(memberText('我想提建议', '9011'));
        const r = await w.request('GET', `/wecom/callback?${s.query}&echostr=a&echostr=b`);
        return { status: r.status, body: r.text };
      },
      400,
      'duplicate_params',
    ],
    [
      'an unsigned envelope that is not even XML: refused on the signature before any parsing',
      async () => {
        const s = sealed(memberText('我想提建议', '9012'));
        const forged = `<xml><<Broken ${'<a>'.repeat(1000)}<Encrypt><![CDATA[${Buffer.from('forged').toString('base64')}]]></Encrypt>`;
        const r = await w.request('POST', `/wecom/callback?${s.query}`, { body: forged, contentType: 'text/xml' });
        return { status: r.status, body: r.text };
      },
      403,
      'bad_signature',
    ],
    [
      'a validly signed body over 64 KB',
      () => {
        const s = sealed(memberText('建'.repeat(30_000), '9008'));
        expect(s.body.length).toBeGreaterThan(64 * 1024);
        return w.request('POST', `/wecom/callback?${s.query}`, { body: s.body, contentType: 'text/xml' }).then((r) => ({ status: r.status, body: r.text }));
      },
      413,
      '',
    ],
  ];

  test.each(cases)('%s: refused with a 4xx and an empty body, the reason logged, nothing changed', async (_what, send, status, reason) => {
    const before = await w.snapshot();
    const logged = w.logs.length;
    const r = await send();
    expect(r).toEqual({ status, body: status === 413 ? expect.any(String) : '' });
    if (reason) expect(w.logs.slice(logged)).toContainEqual(expect.objectContaining({ msg: 'WeCom callback rejected', reason }));
    // The log line never carries the payload or the query.
    expect(JSON.stringify(w.logs.slice(logged))).not.toContain('我想提建议');
    // A refused callback is never queued, so there is nothing to wait for before comparing.
    await w.expectUnchanged(before);
  });

  test('a flood of forged callbacks writes a few log lines a minute, the next one counting those left out', async () => {
    const logged = w.logs.length;
    for (let i = 0; i < 40; i++) {
      const r = await w.fake.callback('/wecom/kf/callback', memberText('我想提建议', `95${i}`), { signature: true });
      expect(r.status).toBe(403);
    }
    const lines = w.logs.slice(logged).filter((l) => l.msg === 'WeCom callback rejected');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(10);
  });

  test('control: a properly sealed member message is answered through the fake WeCom, and the snapshot shows it', async () => {
    const before = await w.snapshot();
    const delivered = w.fake.appDelivered.length;
    expect(await w.fake.memberSays(AGENT, '你好')).toMatchObject({ status: 200, body: '' });
    await expect.poll(() => w.fake.appDelivered.length, { timeout: 10_000 }).toBeGreaterThan(delivered);
    expect(w.fake.appDelivered.at(-1)!.touser).toBe(AGENT);
    const after = await w.snapshot();
    expect(after.sent).toBeGreaterThan(before.sent);
    expect(after).not.toEqual(before);
  });
});

describe('the dev chat', () => {
  type Case = [what: string, body: string, status: number, message: RegExp];
  const cases: Case[] = [
    ['a body that is not JSON', 'user=a&text=hello', 400, /JSON/i],
    ['truncated JSON', '{"user": "x", "text": "我想', 400, /JSON/i],
    ['a JSON body over the 256 KB limit', JSON.stringify({ user: 'big', text: 'a'.repeat(300 * 1024) }), 413, /too large/i],
    ['unknown fields', JSON.stringify({ user: 'u1', text: '我想提建议', admin: true }), 400, /invalid request/],
    ['a text over the 50,000-character request cap', JSON.stringify({ user: 'u2', text: '字'.repeat(50_001) }), 400, /invalid request/],
    ['an operator object as the text', JSON.stringify({ user: 'u3', text: { $ne: '' } }), 400, /invalid request/],
    ['a missing user', JSON.stringify({ text: '我想提建议' }), 400, /invalid request/],
    ['an array instead of an object', JSON.stringify([{ user: 'u4', text: '我想提建议' }]), 400, /invalid request/],
  ];

  test.each(cases)('%s: a 4xx with the reason, nothing changed', async (_what, body, status, message) => {
    const before = await w.snapshot();
    const r = await w.request('POST', '/dev/chat', { body });
    expect(r.status).toBe(status);
    expect(r.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(message) });
    await w.expectUnchanged(before);
  });

  test('a message over the 20,000-character ceiling gets a polite refusal stating the limit; the session stays where it was, nothing is stored', async () => {
    const before = await w.snapshot();
    const r = await w.chat('bystander', '很'.repeat(20_001));
    expect(r.status).toBe(200);
    expect(r.state).toBe('title');
    const said = r.replies.map((x) => x.text).join('\n');
    expect(said).toContain('20000');
    expect(said).toContain('20001');
    await w.expectUnchanged(before);
    // The conversation carries on from the same question.
    expect((await w.chat('bystander', '关于在五桥片区增设早晚高峰公交班次的建议')).state).toBe('category');
  });

  test('control and zero-width characters are cleaned and the conversation proceeds', async () => {
    const user = 'zero-width';
    expect((await w.chat(user, '我\u200b想\u0007提\ufeff建\u202e议\u0000')).state).toBe('theme');
    expect((await w.chat(user, '\u200b1\u200d')).state).toBe('title');
    const title = '关于\u200b在五桥\u0008片区增设早晚高峰\u2060公交班次的建议\u001b';
    const r = await w.chat(user, title);
    expect(r.state).toBe('category');
    // The review shows the cleaned title, without any of the invisible characters.
    expect(JSON.stringify(r.replies)).not.toMatch(/[\u0000-\u0008\u200b-\u200f\u2060\ufeff]/);
  });
});
