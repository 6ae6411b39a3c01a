import { describe, expect, test } from 'vitest';
import { encrypt, decrypt } from '@wecom/crypto';
import { openCallback, sealCallback, verifyUrl } from '../../../src/channels/wecom/callback-crypto.js';
import { parseAppCallback } from '../../../src/channels/wecom/message-parser.js';

// wecom-contract.md §10: verified test vectors.
const A = {
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
};
const encA =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const C = { token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo', aesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt', corpId: 'ww1436e0e65a779aee' };
const encD =
  'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+';

const at = (ts: string) => ({ nowSeconds: Number(ts), maxSkewSeconds: 300 });
const envelope = (enc: string) => `<xml><ToUserName><![CDATA[x]]></ToUserName><AgentID><![CDATA[218]]></AgentID><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;

describe('WeCom callback security against the contract vectors', () => {
  test('vector A: the documented POST callback verifies, decrypts and parses to the text "hello" from mycreate', () => {
    const q = { msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149' };
    const r = openCallback(A, q, envelope(encA), at(q.timestamp));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(parseAppCallback(r.value)).toMatchObject({ kind: 'text', from: 'mycreate', content: 'hello', msgId: '4561255354251345929', createTime: 1409659813 });
    // Deterministic given the same 16 random bytes.
    const d = decrypt(A.aesKey, encA);
    expect(encrypt(A.aesKey, d.message, d.id, d.random)).toBe(encA);
  });

  test('vector B: URL verification returns the decrypted echostr, also from its URL-encoded form', () => {
    const q = {
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: decodeURIComponent('P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D'),
    };
    expect(verifyUrl(A, q, at(q.timestamp))).toEqual({ ok: true, value: '1616140317555161061' });
    // A proxy that decoded '+' as a space still verifies.
    expect(verifyUrl(A, { ...q, echostr: q.echostr.replace(/\+/g, ' ') }, at(q.timestamp))).toEqual({ ok: true, value: '1616140317555161061' });
  });

  test('vector C: the official Python SDK URL verification sample', () => {
    const q = {
      msg_signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
      timestamp: '1476416373',
      nonce: '47744683',
      echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
    };
    expect(verifyUrl(C, q, at(q.timestamp))).toEqual({ ok: true, value: '1288432023552776189' });
  });

  test('vector D: a callback without CDATA parses the same way', () => {
    const q = { msg_signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e', timestamp: '1476422779', nonce: '1597212914' };
    const r = openCallback(C, q, envelope(encD), at(q.timestamp));
    expect(r.ok && parseAppCallback(r.value)).toMatchObject({ kind: 'text', from: 'ChenJiaShun', content: '你好', msgId: '1456453720', agentId: '1000002' });
  });

  test('a wrong signature, another corp, a replayed timestamp and garbage are each refused with a reason', () => {
    const q = { msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149' };
    expect(openCallback(A, { ...q, msg_signature: '0'.repeat(40) }, envelope(encA), at(q.timestamp))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(openCallback({ ...A, corpId: 'wwsomeoneelse' }, q, envelope(encA), at(q.timestamp))).toEqual({ ok: false, reason: 'wrong_receiver' });
    expect(openCallback(A, q, envelope(encA), { nowSeconds: 1409659813 + 3600, maxSkewSeconds: 300 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(openCallback(A, q, '<xml><Encrypt>', at(q.timestamp))).toEqual({ ok: false, reason: 'malformed_body' });
    expect(openCallback(A, { timestamp: q.timestamp }, envelope(encA), at(q.timestamp))).toEqual({ ok: false, reason: 'missing_params' });
    // A wrong AES key does not throw in @wecom/crypto: the receive-id check must catch it.
    expect(openCallback({ ...A, aesKey: C.aesKey }, q, envelope(encA), at(q.timestamp)).ok).toBe(false);
  });

  test('a sealed round trip with Chinese text survives, and its ciphertext is padded to 32-byte blocks', () => {
    const secrets = { token: 'tok', aesKey: C.aesKey, corpId: 'wwcorp' };
    const inner = '<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[已收到您的建议，谢谢！]]></Content><MsgId>7290000000000000001</MsgId></xml>';
    const sealed = sealCallback(secrets, inner, { timestamp: '1700000000', nonce: 'n0nce' });
    const enc = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(sealed.body)![1]!;
    expect(Buffer.from(enc, 'base64').length % 32).toBe(0);
    const r = openCallback(secrets, sealed.query, sealed.body, at('1700000000'));
    expect(r.ok && parseAppCallback(r.value)).toMatchObject({ kind: 'text', content: '已收到您的建议，谢谢！', msgId: '7290000000000000001' });
  });
});
