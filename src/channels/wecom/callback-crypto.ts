/**
 * Callback security (contract §2): signature check in constant time, AES decryption with the official
 * `@wecom/crypto`, receive-id check against the corp id, and XML parsing with fast-xml-parser.
 * Every function returns a Result; a rejected callback says why (for logs) without echoing its payload.
 */
import { timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type CallbackResult<T> = { ok: true; value: T } | { ok: false; reason: CallbackRejection };

/** Why a callback was refused; each maps to a 4xx and a log line without the payload. */
export type CallbackRejection =
  | 'missing_params'
  | 'duplicate_params'
  | 'stale_timestamp'
  | 'bad_signature'
  | 'malformed_body'
  | 'undecryptable'
  | 'wrong_receiver';

/** The callback settings of one self-built app ("接收消息 → 设置API接收"). */
export interface CallbackSecrets {
  token: string;
  /** The 43-character EncodingAESKey. */
  aesKey: string;
  /** The CorpID: the receive id every decrypted message must carry. */
  corpId: string;
}

export interface SignedQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

const xml = new XMLParser({
  ignoreAttributes: true,
  // Keep every value a string: MsgId is a 64-bit integer and must not become a lossy JS number.
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

/** Parses an XML document into plain objects (CDATA becomes text). Never throws. */
export function parseXml(text: string): CallbackResult<Record<string, unknown>> {
  // WeCom never sends a DOCTYPE; refusing it rules out entity-expansion tricks.
  if (/<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) return { ok: false, reason: 'malformed_body' };
  try {
    const doc = xml.parse(text) as Record<string, unknown>;
    const root = doc.xml;
    if (!root || typeof root !== 'object') return { ok: false, reason: 'malformed_body' };
    return { ok: true, value: root as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'malformed_body' };
  }
}

/** Constant-time comparison of the expected and received signature (both lowercase hex). */
export function signatureMatches(secrets: Pick<CallbackSecrets, 'token'>, q: Required<Pick<SignedQuery, 'timestamp' | 'nonce' | 'msg_signature'>>, encrypted: string): boolean {
  const expected = Buffer.from(getSignature(secrets.token, q.timestamp, q.nonce, encrypted), 'utf8');
  const got = Buffer.from(q.msg_signature.toLowerCase(), 'utf8');
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** Decrypts a verified ciphertext and checks that it was meant for this corp. */
export function openCiphertext(secrets: CallbackSecrets, encrypted: string): CallbackResult<string> {
  let out: { message: string; id: string };
  try {
    out = decrypt(secrets.aesKey, encrypted);
  } catch {
    return { ok: false, reason: 'undecryptable' };
  }
  // A wrong key does not throw: it yields garbage whose receive id is not ours.
  if (out.id !== secrets.corpId) return { ok: false, reason: 'wrong_receiver' };
  return { ok: true, value: out.message };
}

export interface VerifyOptions {
  /** Now, in unix seconds. */
  nowSeconds: number;
  /** Callbacks whose timestamp is further than this from now are refused (replay protection). */
  maxSkewSeconds: number;
}

function checkQuery(q: SignedQuery, opts: VerifyOptions): CallbackResult<Required<Pick<SignedQuery, 'timestamp' | 'nonce' | 'msg_signature'>>> {
  // A parameter given twice arrives as an array: refused, never guessed at.
  for (const k of ['msg_signature', 'timestamp', 'nonce', 'echostr'] as const) {
    if (q[k] !== undefined && typeof q[k] !== 'string') return { ok: false, reason: 'duplicate_params' };
  }
  const { msg_signature, timestamp, nonce } = q;
  if (!msg_signature || !timestamp || !nonce || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing_params' };
  if (Math.abs(opts.nowSeconds - Number(timestamp)) > opts.maxSkewSeconds) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true, value: { msg_signature, timestamp, nonce } };
}

/** GET URL verification (§2.4): returns the plaintext to send back as the whole response body. */
export function verifyUrl(secrets: CallbackSecrets, q: SignedQuery, opts: VerifyOptions): CallbackResult<string> {
  const checked = checkQuery(q, opts);
  if (!checked.ok) return checked;
  // Some proxies turn '+' into ' ' when decoding; echostr is standard base64 and never holds spaces.
  const echostr = q.echostr?.replace(/ /g, '+');
  if (!echostr) return { ok: false, reason: 'missing_params' };
  if (!signatureMatches(secrets, checked.value, echostr)) return { ok: false, reason: 'bad_signature' };
  return openCiphertext(secrets, echostr);
}

/** The one `<Encrypt>` element of an envelope (base64, with or without CDATA), found without parsing XML. */
const encryptElement = /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))\s*<\/Encrypt>/g;

/** The ciphertext of an envelope, or undefined unless there is exactly one well-formed Encrypt element. */
export function envelopeCiphertext(body: string): string | undefined {
  const found = [...body.matchAll(encryptElement)];
  if (found.length !== 1) return undefined;
  return found[0]?.[1] ?? found[0]?.[2];
}

/**
 * POST callback (§2.5): the signature is checked first, over the ciphertext picked out of the envelope
 * without an XML parser; only a signed envelope is then parsed, decrypted and its inner XML parsed. An
 * unsigned body costs one regular-expression scan and one SHA-1, whatever it holds.
 */
export function openCallback(secrets: CallbackSecrets, q: SignedQuery, body: string, opts: VerifyOptions): CallbackResult<Record<string, unknown>> {
  const checked = checkQuery(q, opts);
  if (!checked.ok) return checked;
  const enc = envelopeCiphertext(body);
  if (!enc) return { ok: false, reason: 'malformed_body' };
  if (!signatureMatches(secrets, checked.value, enc)) return { ok: false, reason: 'bad_signature' };
  const outer = parseXml(body);
  if (!outer.ok) return outer;
  if (outer.value.Encrypt !== enc) return { ok: false, reason: 'malformed_body' };
  const plain = openCiphertext(secrets, enc);
  if (!plain.ok) return plain;
  return parseXml(plain.value);
}

/** Builds an encrypted, signed callback envelope exactly as WeCom sends it (used by the fake WeCom). */
export function sealCallback(
  secrets: CallbackSecrets,
  innerXml: string,
  opts: { timestamp: string; nonce: string; agentId?: number | string; random?: Buffer },
): { query: Required<Pick<SignedQuery, 'msg_signature' | 'timestamp' | 'nonce'>>; body: string } {
  const enc = encrypt(secrets.aesKey, innerXml, secrets.corpId, opts.random);
  const sig = getSignature(secrets.token, opts.timestamp, opts.nonce, enc);
  const agent = opts.agentId === undefined ? '' : `<AgentID><![CDATA[${opts.agentId}]]></AgentID>`;
  return {
    query: { msg_signature: sig, timestamp: opts.timestamp, nonce: opts.nonce },
    body: `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName>${agent}<Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  };
}
