/**
 * A fake WeCom (企业微信) that holds the bot to wecom-contract.md: a real HTTP server on 127.0.0.1 serving
 * gettoken, 微信客服 sync_msg / send_msg / send_msg_on_event, message/send, update_template_card and the group
 * robot webhook with the contract's fields, limits and errcodes; fault injection (-1, 45009, 45033, 5xx,
 * time-outs); and encrypted callbacks to the bot built with `@wecom/crypto` exactly as WeCom sends them.
 * Everything it receives is recorded, so tests assert what a citizen or member would actually have seen.
 *
 * Also modelled: enable_duplicate_check (identical JSON within the interval is not delivered again), text and
 * markdown cut at 2048 bytes, template_card field rules (§5.1), single-use task_id and response_code.
 *
 * Points the contract marks UNCONFIRMED are modelled with a plausible errcode and named so in `errmsg`
 * (duplicate kf msgid, bad send_msg_on_event code); tests must not treat those codes as facts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sealCallback, type CallbackSecrets } from '../../src/channels/wecom/callback-crypto.js';
import { getSignature, encrypt } from '@wecom/crypto';

export interface FakeLimits {
  memberPerMinute: number;
  memberPerHour: number;
  robotPerMinute: number;
  kfSyncNoTokenPerMinute: number;
  kfSyncConcurrent: number;
  /** Per corp, per single API (§0.2); app messages (message/send) do not count. */
  apiPerMinute: number;
  apiPerHour: number;
  minuteMs: number;
  hourMs: number;
  /** How long a breached minute-level limit blocks the scope. */
  blockMs: number;
  kfWindowMessages: number;
  kfWindowMs: number;
  welcomeCodeMs: number;
  syncTokenMs: number;
  historyMs: number;
  tokenTtlSeconds: number;
}

const CONTRACT: FakeLimits = {
  memberPerMinute: 30,
  memberPerHour: 1000,
  robotPerMinute: 20,
  kfSyncNoTokenPerMinute: 10,
  kfSyncConcurrent: 5,
  apiPerMinute: 10_000,
  apiPerHour: 150_000,
  minuteMs: 60_000,
  hourMs: 3_600_000,
  blockMs: 60_000,
  kfWindowMessages: 5,
  kfWindowMs: 48 * 3_600_000,
  welcomeCodeMs: 20_000,
  syncTokenMs: 10 * 60_000,
  historyMs: 3 * 24 * 3_600_000,
  tokenTtlSeconds: 7200,
};

export interface FakeWeComOptions extends CallbackSecrets {
  agentId: number;
  /** Valid secrets (the app's, the 微信客服 one). */
  secrets: string[];
  /** The fake's clock in ms (defaults to real time). Callback timestamps use it too. */
  now?: () => number;
  limits?: Partial<FakeLimits>;
  /** What happens to app messages over the per-member limit: silently dropped (doc) or 45009 (staff). */
  memberOverflow?: 'drop' | 'error';
  /** Max items per sync_msg page (WeCom: up to 1000; smaller forces paging). */
  syncPageSize?: number;
  /** Known members (message/send marks others as invaliduser). Unset: everyone is known. */
  members?: string[];
}

/** One request the fake received, with what it answered. */
export interface Received {
  api: string;
  method: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  errcode: number | undefined;
  status: number;
  at: number;
}

export type Fault = { errcode: number } | { status: number } | { hangMs: number };

interface KfCustomer {
  lastCustomerAt?: number;
  sentSince: number;
  serviceState: number;
  /** The person who has the session (state 3). */
  servicer?: string;
}

type KfRecord = Record<string, unknown> & { send_time: number };

export class FakeWeCom {
  readonly received: Received[] = [];
  /** Temporary media served by media/get, by media id. */
  private readonly media = new Map<string, { bytes: Buffer; contentType: string; filename: string; expiresAt: number }>();
  /** Media ids media/get answered with bytes, in order. */
  readonly mediaServed: string[] = [];
  /** kf messages the customers actually got: accepted send_msg and send_msg_on_event bodies. */
  readonly kfDelivered: { touser: string; open_kfid: string; msgid: string; via: 'send_msg' | 'on_event'; body: Record<string, unknown> }[] = [];
  /** App messages members actually got (after per-member limits). */
  readonly appDelivered: { touser: string; body: Record<string, unknown> }[] = [];
  readonly appDropped: { touser: string; body: Record<string, unknown> }[] = [];
  readonly robotDelivered: { key: string; body: Record<string, unknown> }[] = [];
  readonly cardUpdates: Record<string, unknown>[] = [];
  /** App messages WeCom's duplicate check held back (identical JSON within the interval): nobody got them. */
  readonly appDuplicates: Record<string, unknown>[] = [];
  /** Calls that arrived while their scope was blocked after a 45009: a well-behaved client makes none. */
  callsWhileBlocked = 0;
  /** Breaches of a limit (each answered 45009 or dropped). */
  limitBreaches = 0;
  peakSyncConcurrency = 0;

  private server: Server;
  private base = '';
  private botBase = '';
  private readonly limits: FakeLimits;
  private readonly now: () => number;
  private tokens = new Map<string, { secret: string; expiresAt: number }>();
  private tokenBySecret = new Map<string, string>();
  private kfLog = new Map<string, KfRecord[]>();
  private customers = new Map<string, KfCustomer>();
  private kfMsgids = new Map<string, Set<string>>();
  private syncTokens = new Map<string, { openKfId: string; expiresAt: number }>();
  private eventCodes = new Map<string, { expiresAt: number; used: boolean; touser: string; openKfId: string }>();
  private responseCodes = new Map<string, { expiresAt: number; used: boolean }>();
  private windows = new Map<string, number[]>();
  private blocks = new Map<string, number>();
  private faults = new Map<string, Fault[]>();
  private emptyPages = new Map<string, number>();
  private syncInFlight = 0;
  private seq = 0;
  private robots = new Set<string>();
  private sentBodies = new Map<string, number>();
  private taskIds = new Set<string>();
  private pendingSignIn: { userid: string } | { openid: string } | undefined;
  private signInCodes = new Map<string, { who: { userid: string } | { openid: string }; expiresAt: number; used: boolean }>();
  /** Sign-in codes minted (each single use, 5 minutes). */
  readonly signInRedirects: { redirectUri: string; state: string; code: string }[] = [];
  /** Servicers per kf account: userid → receiving (status 0) or stopped (1) (§7.5 servicer/list). */
  private servicers = new Map<string, Map<string, 0 | 1>>();

  constructor(private readonly opts: FakeWeComOptions) {
    this.limits = { ...CONTRACT, ...opts.limits };
    this.now = opts.now ?? Date.now;
    this.server = createServer((req, res) => void this.route(req, res));
  }

  /** Starts on a free loopback port; `url` is then the `WECOM_API_BASE`. */
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  get url(): string {
    return this.base;
  }
  /**
   * The environment a bot deployment pointed at this fake needs: the corp's id, callback token and AES key,
   * the app's agent id and secrets, and `WECOM_API_BASE` = this server.
   */
  botEnv(): Record<string, string> {
    return {
      WECOM_CORP_ID: this.opts.corpId,
      WECOM_TOKEN: this.opts.token,
      WECOM_AES_KEY: this.opts.aesKey,
      WECOM_AGENT_ID: String(this.opts.agentId),
      WECOM_SECRET: 'app-secret',
      WECOM_KF_SECRET: 'kf-secret',
      WECOM_API_BASE: this.base,
      WECOM_LOGIN_URL: `${this.base}/wwlogin/sso/login`,
      WECOM_OAUTH_URL: `${this.base}/connect/oauth2/authorize`,
    };
  }

  // ---- staff web sign-in (§7.7) ---------------------------------------------------------------------

  /**
   * Who scans the QR code (or opens the in-client OAuth page) next: a member's userid, or a WeChat user
   * who is not a member (auth/getuserinfo then answers `openid` instead of `userid`). Unset: the page
   * waits (200, no redirect), as WeCom's QR page does until someone scans.
   */
  signInAs(who: { userid: string } | { openid: string } | undefined): void {
    this.pendingSignIn = who;
  }
  /** Where callbacks go (the bot's base URL, e.g. http://127.0.0.1:PORT). */
  setBot(baseUrl: string): void {
    this.botBase = baseUrl.replace(/\/+$/, '');
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ---- control -------------------------------------------------------------------------------------

  /** The next `times` calls to `api` (e.g. `message/send`) fail this way. */
  inject(api: string, fault: Fault, times = 1): void {
    const list = this.faults.get(api) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(api, list);
  }
  /** Every access token issued so far stops working (WeCom may invalidate tokens early). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
    this.tokenBySecret.clear();
  }
  /** The next sync_msg of this kf account returns `n` empty pages with has_more = 1 first. */
  emptyPagesNext(openKfId: string, n: number): void {
    this.emptyPages.set(openKfId, n);
  }
  addRobot(key: string): void {
    this.robots.add(key);
  }
  /**
   * Moves a customer's session to another service_state (§7.5: 0 new, 1 bot, 2 queued, 3 a person, 4 ended;
   * send_msg works only in 0 and 1, else 95018).
   */
  setServiceState(openKfId: string, externalUserId: string, state: number): void {
    this.customer(openKfId, externalUserId).serviceState = state;
  }
  /** Calls of an API (in arrival order). */
  calls(api: string): Received[] {
    return this.received.filter((r) => r.api === api);
  }
  /** What one customer received, in order, as plain summaries. */
  kfMessagesTo(externalUserId: string): { msgtype: string; text?: string; menu?: { head?: string; items: { id: string; content: string }[] } }[] {
    return this.kfDelivered
      .filter((d) => d.touser === externalUserId)
      .map((d) => {
        const b = d.body;
        if (b.msgtype === 'text') return { msgtype: 'text', text: (b.text as { content: string }).content };
        const m = b.msgmenu as { head_content?: string; list: { type: string; click?: { id: string; content: string } }[] };
        return {
          msgtype: 'msgmenu',
          menu: { head: m.head_content, items: m.list.filter((i) => i.type === 'click').map((i) => i.click!) },
        };
      });
  }

  // ---- citizens and members act ----------------------------------------------------------------------

  /** A WeChat customer writes to the kf account (origin 3); returns the sync_msg msgid. */
  customerSays(openKfId: string, externalUserId: string, content: string, menuId?: string): string {
    const c = this.customer(openKfId, externalUserId);
    c.lastCustomerAt = this.now();
    c.sentSince = 0;
    // After a person ended the session (4) the next customer message starts a new one (0).
    if (c.serviceState === 4) c.serviceState = 0;
    const msgid = this.newId('from_msgid_');
    this.append(openKfId, {
      msgid,
      open_kfid: openKfId,
      external_userid: externalUserId,
      send_time: Math.floor(this.now() / 1000),
      origin: 3,
      msgtype: 'text',
      text: { content, ...(menuId ? { menu_id: menuId } : {}) },
    });
    return msgid;
  }
  /** The customer opens the kf chat; returns the welcome_code when one is issued. */
  customerEnters(openKfId: string, externalUserId: string, withWelcomeCode = true): string | undefined {
    this.customer(openKfId, externalUserId);
    const code = withWelcomeCode ? this.newId('WELCOME_') : undefined;
    if (code) this.eventCodes.set(code, { expiresAt: this.now() + this.limits.welcomeCodeMs, used: false, touser: externalUserId, openKfId });
    this.append(openKfId, {
      msgid: this.newId('ev_'),
      send_time: Math.floor(this.now() / 1000),
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'enter_session', open_kfid: openKfId, external_userid: externalUserId, scene: 'qrcode', ...(code ? { welcome_code: code } : {}) },
    });
    return code;
  }
  /** A servicer writes from the WeCom client (origin 5): must be logged by the bot, not answered. */
  servicerSays(openKfId: string, externalUserId: string, content: string): void {
    this.append(openKfId, {
      msgid: this.newId('svc_'),
      open_kfid: openKfId,
      external_userid: externalUserId,
      servicer_userid: 'servicer1',
      send_time: Math.floor(this.now() / 1000),
      origin: 5,
      msgtype: 'text',
      text: { content },
    });
  }
  /** Makes `userid` a servicer of the kf account, receiving (0) or stopped (1). */
  addServicer(openKfId: string, userid: string, status: 0 | 1 = 0): void {
    if (!this.servicers.has(openKfId)) this.servicers.set(openKfId, new Map());
    this.servicers.get(openKfId)!.set(userid, status);
  }
  /** A customer's service_state now (§7.5). */
  serviceStateOf(openKfId: string, externalUserId: string): number {
    return this.customer(openKfId, externalUserId).serviceState;
  }
  /**
   * The servicer ends the session in the WeCom client: state 4 and a session_status_change event
   * (change_type 3, with a 20-second msg_code) in sync_msg.
   */
  servicerEnds(openKfId: string, externalUserId: string): void {
    const c = this.customer(openKfId, externalUserId);
    const old = c.servicer ?? '';
    c.serviceState = 4;
    delete c.servicer;
    const code = this.newId('END_');
    this.eventCodes.set(code, { expiresAt: this.now() + this.limits.welcomeCodeMs, used: false, touser: externalUserId, openKfId });
    this.append(openKfId, {
      msgid: this.newId('ev_'),
      send_time: Math.floor(this.now() / 1000),
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'session_status_change', open_kfid: openKfId, external_userid: externalUserId, change_type: 3, old_servicer_userid: old, msg_code: code },
    });
  }
  /** Appends a raw sync_msg item (for shapes the helpers do not cover). */
  appendKfItem(openKfId: string, item: KfRecord): void {
    this.append(openKfId, item);
  }

  /** Sends the kf_msg_or_event notification for an account (a fresh 10-minute sync token each time). */
  async notifyKf(openKfId: string, opts: { path?: string; bot?: string } = {}): Promise<{ status: number; body: string }> {
    const token = this.newId('ENCA');
    this.syncTokens.set(token, { openKfId, expiresAt: this.now() + this.limits.syncTokenMs });
    const ts = Math.floor(this.now() / 1000);
    const inner = `<xml><ToUserName><![CDATA[${this.opts.corpId}]]></ToUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${token}]]></Token><OpenKfId><![CDATA[${openKfId}]]></OpenKfId></xml>`;
    return this.callback(opts.path ?? '/wecom/kf/callback', inner, { bot: opts.bot });
  }
  /** A member sends a text to the self-built app; returns the MsgId. */
  async memberSays(userid: string, content: string, msgId = String(7290000000000000000n + BigInt(++this.seq))): Promise<{ status: number; body: string; msgId: string }> {
    const ts = Math.floor(this.now() / 1000);
    const inner = `<xml><ToUserName><![CDATA[${this.opts.corpId}]]></ToUserName><FromUserName><![CDATA[${userid}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>${this.opts.agentId}</AgentID></xml>`;
    return { ...(await this.callback('/wecom/callback', inner)), msgId };
  }
  /** A member clicks a custom-menu item of the app. */
  async memberClicksMenu(userid: string, key: string): Promise<{ status: number; body: string }> {
    const ts = Math.floor(this.now() / 1000);
    const inner = `<xml><ToUserName><![CDATA[${this.opts.corpId}]]></ToUserName><FromUserName><![CDATA[${userid}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[click]]></Event><EventKey><![CDATA[${key}]]></EventKey><AgentID>${this.opts.agentId}</AgentID></xml>`;
    return this.callback('/wecom/callback', inner);
  }
  /** A member clicks a template-card button; returns the fresh response_code handed to the bot. */
  async memberClicksCard(userid: string, taskId: string, key: string): Promise<{ status: number; responseCode: string }> {
    const ts = Math.floor(this.now() / 1000);
    const rc = this.newId('RC_');
    this.responseCodes.set(rc, { expiresAt: this.now() + 72 * 3_600_000, used: false });
    const inner = `<xml><ToUserName><![CDATA[${this.opts.corpId}]]></ToUserName><FromUserName><![CDATA[${userid}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${key}]]></EventKey><TaskId><![CDATA[${taskId}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[${rc}]]></ResponseCode><AgentID>${this.opts.agentId}</AgentID></xml>`;
    const r = await this.callback('/wecom/callback', inner);
    return { status: r.status, responseCode: rc };
  }

  /**
   * POSTs an encrypted callback to the bot exactly as WeCom does (§2.5). `tamper` builds broken ones:
   * a wrong signature, another corp's receive id, or a replayed old timestamp.
   */
  async callback(
    path: string,
    innerXml: string,
    tamper: { signature?: boolean; corpId?: string; timestamp?: number; body?: string; bot?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const ts = String(tamper.timestamp ?? Math.floor(this.now() / 1000));
    const nonce = String(randomBytes(4).readUInt32BE());
    const secrets = { ...this.opts, corpId: tamper.corpId ?? this.opts.corpId };
    const sealed = sealCallback(secrets, innerXml, { timestamp: ts, nonce, agentId: this.opts.agentId });
    const sig = tamper.signature ? sealed.query.msg_signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : sealed.query.msg_signature;
    const qs = new URLSearchParams({ msg_signature: sig, timestamp: ts, nonce });
    const res = await fetch(`${tamper.bot ?? this.botBase}${path}?${qs.toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: tamper.body ?? sealed.body,
    });
    return { status: res.status, body: await res.text() };
  }
  /** The GET URL verification WeCom runs when an admin saves the callback settings (§2.4). */
  async verifyUrl(path: string, plain = String(Date.now()) + '1234'): Promise<{ status: number; body: string; expected: string }> {
    const ts = String(Math.floor(this.now() / 1000));
    const nonce = String(randomBytes(4).readUInt32BE());
    const echostr = encrypt(this.opts.aesKey, plain, this.opts.corpId);
    const sig = getSignature(this.opts.token, ts, nonce, echostr);
    const qs = new URLSearchParams({ msg_signature: sig, timestamp: ts, nonce, echostr });
    const res = await fetch(`${this.botBase}${path}?${qs.toString()}`);
    return { status: res.status, body: await res.text(), expected: plain };
  }

  // ---- HTTP ------------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/wwlogin/sso/login' || url.pathname === '/connect/oauth2/authorize') return this.signInPage(url, res);
    const api = url.pathname.replace(/^\/cgi-bin\//, '');
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    const rec: Received = { api, method: req.method ?? 'GET', query, body: undefined, errcode: undefined, status: 200, at: this.now() };
    this.received.push(rec);
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
        rec.body = body;
      } catch {
        return this.reply(res, rec, { errcode: 40058, errmsg: 'invalid parameter: body is not JSON' });
      }
    }
    // After a 45009 WeCom blocks the API for the window; calls meanwhile are refused and counted.
    if ((this.blocks.get(`api:${api}`) ?? 0) > this.now()) {
      this.callsWhileBlocked++;
      return this.reply(res, rec, err(45009, 'api freq out of limit, blocked'));
    }
    const fault = this.faults.get(api)?.shift();
    if (fault && 'errcode' in fault && fault.errcode === 45009) this.blocks.set(`api:${api}`, this.now() + this.limits.blockMs);
    if (fault) {
      if ('hangMs' in fault) {
        await new Promise((r) => setTimeout(r, fault.hangMs));
        if (res.destroyed) return;
      } else if ('status' in fault) {
        rec.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
        return;
      } else {
        // List-style APIs keep their keys, empty, in error bodies (contract §0).
        return this.reply(res, rec, { ...err(fault.errcode, `injected ${fault.errcode}`), ...(api === 'kf/sync_msg' ? { next_cursor: '', has_more: 0, msg_list: [] } : {}) });
      }
    }
    if (api === 'media/get') return this.mediaGet(res, rec, query);
    const answer = await this.handle(api, req.method ?? 'GET', query, body ?? {});
    this.reply(res, rec, answer);
  }

  /**
   * media/get (§7.6): the bytes with their Content-Type and Content-disposition, or a JSON error body
   * (`Content-Type: application/json`): 40007 for an unknown or expired media id.
   */
  private mediaGet(res: ServerResponse, rec: Received, q: Record<string, string>): void {
    const tokenCheck = this.checkToken(q.access_token);
    if (tokenCheck) return this.reply(res, rec, tokenCheck);
    const m = this.media.get(q.media_id ?? '');
    if (!m || m.expiresAt <= this.now()) return this.reply(res, rec, err(40007, 'invalid media_id'));
    rec.errcode = 0;
    this.mediaServed.push(q.media_id!);
    res
      .writeHead(200, { 'content-type': m.contentType, 'content-disposition': `attachment; filename="${encodeURIComponent(m.filename)}"`, 'content-length': String(m.bytes.length) })
      .end(m.bytes);
  }

  /** Temporary media a citizen or member sent (media/get serves them until they expire, 3 days by default). */
  addMedia(bytes: Buffer, opts: { contentType: string; filename: string; ttlMs?: number }): string {
    const id = this.newId('MEDIA_') + randomBytes(6).toString('hex');
    this.media.set(id, { bytes, contentType: opts.contentType, filename: opts.filename, expiresAt: this.now() + (opts.ttlMs ?? 3 * 24 * 3600 * 1000) });
    return id;
  }
  /** The media id runs out (as after three days). */
  expireMedia(id: string): void {
    const m = this.media.get(id);
    if (m) m.expiresAt = 0;
  }
  /** A customer sends an image, voice, video or file (media already added with addMedia). */
  customerSendsMedia(openKfId: string, externalUserId: string, msgtype: 'image' | 'voice' | 'video' | 'file', mediaId: string): string {
    return this.customerItem(openKfId, externalUserId, { msgtype, [msgtype]: { media_id: mediaId } });
  }
  /** A customer shares a location. */
  customerSendsLocation(openKfId: string, externalUserId: string, loc: { latitude: number; longitude: number; name: string; address: string }): string {
    return this.customerItem(openKfId, externalUserId, { msgtype: 'location', location: loc });
  }
  private customerItem(openKfId: string, externalUserId: string, item: Record<string, unknown>): string {
    const c = this.customer(openKfId, externalUserId);
    c.lastCustomerAt = this.now();
    c.sentSince = 0;
    if (c.serviceState === 3) c.serviceState = 0;
    const msgid = this.newId('from_msgid_');
    this.append(openKfId, { msgid, open_kfid: openKfId, external_userid: externalUserId, send_time: Math.floor(this.now() / 1000), origin: 3, ...item } as never);
    return msgid;
  }
  /** A member sends an image from the app (callback XML with PicUrl and MediaId). */
  async memberSendsImage(userid: string, mediaId: string, msgId = String(7290000000000000000n + BigInt(++this.seq))): Promise<{ status: number; body: string }> {
    const ts = Math.floor(this.now() / 1000);
    const inner = `<xml><ToUserName><![CDATA[${this.opts.corpId}]]></ToUserName><FromUserName><![CDATA[${userid}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[https://wework.qpic.cn/${mediaId}]]></PicUrl><MediaId><![CDATA[${mediaId}]]></MediaId><MsgId>${msgId}</MsgId><AgentID>${this.opts.agentId}</AgentID></xml>`;
    return this.callback('/wecom/callback', inner);
  }

  private reply(res: ServerResponse, rec: Received, answer: Record<string, unknown>): void {
    rec.errcode = answer.errcode as number;
    if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  private async handle(api: string, method: string, q: Record<string, string>, b: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (api === 'gettoken') return this.gettoken(q);
    if (api === 'auth/getuserinfo') return this.getUserInfo(q);
    if (api === 'webhook/send') return this.webhook(q, b);
    if (method !== 'POST') return err(40058, 'invalid parameter: POST expected');
    const tokenCheck = this.checkToken(q.access_token);
    if (tokenCheck) return tokenCheck;
    // Per corp, per single API (§0.2): "message sends do not count toward the base API frequency".
    if (api !== 'message/send') {
      const limited =
        this.limit(`corp-min:${api}`, this.limits.apiPerMinute, this.limits.minuteMs) ??
        this.limit(`corp-hour:${api}`, this.limits.apiPerHour, this.limits.hourMs);
      if (limited) return limited;
    }
    switch (api) {
      case 'kf/sync_msg':
        return this.syncMsg(b);
      case 'kf/send_msg':
        return this.kfSend(b);
      case 'kf/send_msg_on_event':
        return this.kfSendOnEvent(b);
      case 'kf/service_state/get':
        return this.serviceStateGet(b);
      case 'kf/service_state/trans':
        return this.serviceStateTrans(b);
      case 'message/send':
        return this.messageSend(b);
      case 'message/update_template_card':
        return this.updateCard(b);
      default:
        return err(40058, `unknown api ${api}`);
    }
  }

  private gettoken(q: Record<string, string>) {
    if (!q.corpid) return err(41002, 'corpid missing');
    if (q.corpid !== this.opts.corpId) return err(40013, 'invalid corpid');
    if (!q.corpsecret) return err(41004, 'corpsecret missing');
    if (!this.opts.secrets.includes(q.corpsecret)) return err(40001, 'invalid credential');
    let token = this.tokenBySecret.get(q.corpsecret);
    const cur = token ? this.tokens.get(token) : undefined;
    if (!token || !cur || cur.expiresAt <= this.now()) {
      token = this.newId('tok_') + randomBytes(8).toString('hex');
      this.tokens.set(token, { secret: q.corpsecret, expiresAt: this.now() + this.limits.tokenTtlSeconds * 1000 });
      this.tokenBySecret.set(q.corpsecret, token);
    }
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.limits.tokenTtlSeconds };
  }

  /**
   * WeCom's sign-in pages (§7.7): the QR page (`login_type=CorpApp&appid&agentid&redirect_uri&state`) and the
   * in-client OAuth page (`appid&redirect_uri&response_type=code&scope&state&agentid`). Once someone
   * "scans", 302 to `redirect_uri?code=CODE&state=STATE`. A wrong appid/agentid is refused on the page.
   */
  private signInPage(url: URL, res: ServerResponse): void {
    const q = Object.fromEntries(url.searchParams);
    this.received.push({ api: url.pathname.slice(1), method: 'GET', query: q, body: undefined, errcode: undefined, status: 200, at: this.now() });
    const qr = url.pathname === '/wwlogin/sso/login';
    const problem =
      q.appid !== this.opts.corpId ? 'appid' :
      !q.redirect_uri ? 'redirect_uri' :
      // WeCom's OAuth documentation allows a-zA-Z0-9 only, ≤ 128 bytes (not in the contract: UNCONFIRMED here).
      !/^[A-Za-z0-9]{0,128}$/.test(q.state ?? '') ? 'state' :
      qr && q.login_type !== 'CorpApp' ? 'login_type' :
      (qr || q.agentid !== undefined) && q.agentid !== String(this.opts.agentId) ? 'agentid' :
      !qr && (q.response_type !== 'code' || !q.scope) ? 'response_type/scope' : undefined;
    if (problem) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<html><body>参数错误：${problem}</body></html>`);
      return;
    }
    const who = this.pendingSignIn;
    if (!who) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>请使用企业微信扫描二维码登录</body></html>');
      return;
    }
    const code = randomBytes(16).toString('hex');
    this.signInCodes.set(code, { who, expiresAt: this.now() + 5 * 60_000, used: false });
    const back = new URL(q.redirect_uri!);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.state ?? '');
    this.signInRedirects.push({ redirectUri: q.redirect_uri!, state: q.state ?? '', code });
    res.writeHead(302, { location: back.toString() }).end();
  }

  /**
   * GET auth/getuserinfo (§7.7): a member's `userid`, or `openid` for a non-member. An unknown, used or
   * expired code is answered 40029 "invalid code" (the errcode is UNCONFIRMED for this API: it is the
   * one WeCom's OAuth uses for a bad code elsewhere).
   */
  private getUserInfo(q: Record<string, string>): Record<string, unknown> {
    const tokenCheck = this.checkToken(q.access_token);
    if (tokenCheck) return tokenCheck;
    const entry = q.code ? this.signInCodes.get(q.code) : undefined;
    if (!entry || entry.used || entry.expiresAt <= this.now()) return err(40029, 'invalid code (UNCONFIRMED errcode)');
    entry.used = true;
    return { errcode: 0, errmsg: 'ok', ...entry.who };
  }

  private checkToken(t: string | undefined): Record<string, unknown> | undefined {
    if (!t) return err(41001, 'access_token missing');
    const tok = this.tokens.get(t);
    if (!tok) return err(40014, 'invalid access_token');
    if (tok.expiresAt <= this.now()) return err(42001, 'access_token expired');
    return undefined;
  }

  private syncMsg(b: Record<string, unknown>): Record<string, unknown> | Promise<Record<string, unknown>> {
    const empty = { next_cursor: '', has_more: 0, msg_list: [] };
    const openKfId = typeof b.open_kfid === 'string' ? b.open_kfid : '';
    const token = typeof b.token === 'string' ? b.token : undefined;
    if (token !== undefined) {
      const t = this.syncTokens.get(token);
      if (!t || t.expiresAt <= this.now()) return { ...err(95007, 'invalid msg token'), ...empty };
    } else {
      const limited = this.limit('kfsync-notoken', this.limits.kfSyncNoTokenPerMinute, this.limits.minuteMs);
      if (limited) return { ...limited, ...empty };
    }
    if (!this.kfLog.has(openKfId)) return { ...err(95000, 'invalid open_kfid'), ...empty };
    if (this.syncInFlight >= this.limits.kfSyncConcurrent) return { ...err(45033, 'api concurrent out of limit'), ...empty };
    this.syncInFlight++;
    this.peakSyncConcurrency = Math.max(this.peakSyncConcurrency, this.syncInFlight);
    return new Promise((resolve) =>
      setTimeout(() => {
        this.syncInFlight--;
        resolve(this.page(openKfId, b));
      }, 5),
    );
  }

  private page(openKfId: string, b: Record<string, unknown>): Record<string, unknown> {
    const log = this.kfLog.get(openKfId) ?? [];
    const limit = Math.min(Number(b.limit ?? 1000) || 1000, 1000, this.opts.syncPageSize ?? 1000);
    let start: number;
    if (typeof b.cursor === 'string' && b.cursor) {
      const m = /^c_(\d+)$/.exec(Buffer.from(b.cursor, 'base64url').toString());
      if (!m) return err(40058, 'invalid cursor');
      start = Number(m[1]);
    } else {
      // No cursor: from the oldest message of the last 3 days.
      const horizon = (this.now() - this.limits.historyMs) / 1000;
      start = log.findIndex((r) => r.send_time >= horizon);
      if (start < 0) start = log.length;
    }
    const cursorAt = (i: number) => Buffer.from(`c_${i}`).toString('base64url');
    const pendingEmpty = this.emptyPages.get(openKfId) ?? 0;
    if (pendingEmpty > 0) {
      this.emptyPages.set(openKfId, pendingEmpty - 1);
      return { errcode: 0, errmsg: 'ok', next_cursor: cursorAt(start), has_more: 1, msg_list: [] };
    }
    const items = log.slice(start, start + limit);
    const next = start + items.length;
    return { errcode: 0, errmsg: 'ok', next_cursor: cursorAt(next), has_more: next < log.length ? 1 : 0, msg_list: items };
  }

  private validateKfBody(b: Record<string, unknown>): Record<string, unknown> | undefined {
    const bytes = (s: unknown) => Buffer.byteLength(typeof s === 'string' ? s : '', 'utf8');
    if (b.msgtype === 'text') {
      const content = (b.text as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || !content) return err(44004, 'text content empty');
      if (bytes(content) > 2048) return err(45002, 'content size out of limit');
      return undefined;
    }
    if (b.msgtype === 'msgmenu') {
      const m = b.msgmenu as { head_content?: unknown; tail_content?: unknown; list?: unknown } | undefined;
      if (!m || !Array.isArray(m.list)) return err(40058, 'invalid msgmenu');
      if (m.list.length > 10) return err(95008, 'menu item count exceeds 10');
      if (bytes(m.head_content) > 1024 || bytes(m.tail_content) > 1024) return err(40058, 'head/tail content over 1024 bytes');
      for (const it of m.list as { type?: string; click?: { id?: unknown; content?: unknown }; text?: { content?: unknown }; view?: { url?: unknown; content?: unknown }; miniprogram?: { appid?: unknown; pagepath?: unknown; content?: unknown } }[]) {
        if (it.type === 'click') {
          const id = bytes(it.click?.id);
          const c = bytes(it.click?.content);
          if (id < 1 || id > 64 || c < 1 || c > 128) return err(40058, 'click item id 1-64 bytes, content 1-128 bytes');
        } else if (it.type === 'text') {
          const c = bytes(it.text?.content);
          if (c < 1 || c > 256) return err(40058, 'text item content 1-256 bytes');
        } else if (it.type === 'view') {
          if (bytes(it.view?.url) > 2048 || bytes(it.view?.content) > 1024) return err(40058, 'view item over limit');
        } else if (it.type === 'miniprogram') {
          const mp = it.miniprogram;
          if (bytes(mp?.appid) > 32 || bytes(mp?.pagepath) > 1024 || bytes(mp?.content) > 1024) return err(40058, 'miniprogram item over limit');
        } else {
          return err(40058, `unsupported menu item type ${String(it.type)}`);
        }
      }
      return undefined;
    }
    return err(40008, 'invalid message type');
  }

  private checkMsgid(openKfId: string, msgid: unknown): Record<string, unknown> | undefined {
    if (msgid === undefined) return undefined;
    if (typeof msgid !== 'string' || Buffer.byteLength(msgid) > 32 || !/^[0-9a-zA-Z_-]*$/.test(msgid)) return err(40058, 'invalid msgid');
    const seen = this.kfMsgids.get(openKfId) ?? new Set<string>();
    this.kfMsgids.set(openKfId, seen);
    // The real errcode for a duplicate msgid is UNCONFIRMED (contract §11); modelled as 40058.
    if (seen.has(msgid)) return err(40058, 'duplicate msgid (modelled; real errcode unconfirmed)');
    return undefined;
  }

  private kfSend(b: Record<string, unknown>): Record<string, unknown> {
    const openKfId = String(b.open_kfid ?? '');
    const touser = String(b.touser ?? '');
    if (!this.kfLog.has(openKfId)) return err(95000, 'invalid open_kfid');
    const invalid = this.validateKfBody(b) ?? this.checkMsgid(openKfId, b.msgid);
    if (invalid) return invalid;
    const c = this.customers.get(`${openKfId}|${touser}`);
    if (!c || c.lastCustomerAt === undefined) return err(95018, 'session state does not allow sending');
    if (c.serviceState !== 0 && c.serviceState !== 1) return err(95018, 'session state does not allow sending');
    if (this.now() - c.lastCustomerAt > this.limits.kfWindowMs) return err(95002, 'reply window (48h) expired');
    if (c.sentSince >= this.limits.kfWindowMessages) return err(95001, 'over the 5-message reply limit');
    c.sentSince++;
    const msgid = typeof b.msgid === 'string' ? b.msgid : this.newId('auto_');
    this.kfMsgids.get(openKfId)?.add(msgid);
    this.kfDelivered.push({ touser, open_kfid: openKfId, msgid, via: 'send_msg', body: b });
    return { errcode: 0, errmsg: 'ok', msgid };
  }

  private serviceStateGet(b: Record<string, unknown>): Record<string, unknown> {
    const openKfId = String(b.open_kfid ?? '');
    const user = String(b.external_userid ?? '');
    if (!this.kfLog.has(openKfId)) return err(95000, 'invalid open_kfid');
    if (!this.customers.has(`${openKfId}|${user}`)) return err(95000, 'invalid external_userid (modelled; real errcode unconfirmed)');
    const c = this.customer(openKfId, user);
    return { errcode: 0, errmsg: 'ok', service_state: c.serviceState, ...(c.serviceState === 3 && c.servicer ? { servicer_userid: c.servicer } : {}) };
  }

  private serviceStateTrans(b: Record<string, unknown>): Record<string, unknown> {
    const openKfId = String(b.open_kfid ?? '');
    const user = String(b.external_userid ?? '');
    const state = Number(b.service_state);
    if (!this.kfLog.has(openKfId)) return err(95000, 'invalid open_kfid');
    if (!this.customers.has(`${openKfId}|${user}`)) return err(95000, 'invalid external_userid (modelled; real errcode unconfirmed)');
    if (![0, 1, 2, 3, 4].includes(state)) return err(40058, 'invalid service_state');
    const servicer = typeof b.servicer_userid === 'string' ? b.servicer_userid : '';
    // The errcodes below are not in the contract: modelled as 40058 (invalid parameter).
    if (state === 3 && !servicer) return err(40058, 'servicer_userid required for state 3 (modelled)');
    if (state === 3 && this.servicers.get(openKfId)?.get(servicer) !== 0) return err(40058, 'servicer is not receiving (modelled)');
    const c = this.customer(openKfId, user);
    const before = c.serviceState;
    c.serviceState = state;
    if (state === 3) c.servicer = servicer;
    else delete c.servicer;
    // msg_code when the state first becomes 2 or 3 (a greeting) or 4 (closing), usable once (§7.4, 48 h / 20 s).
    if (before !== state && (state === 2 || state === 3 || state === 4)) {
      const code = this.newId('MSGCODE_');
      const ttl = state === 4 ? this.limits.welcomeCodeMs : 48 * 3600 * 1000;
      this.eventCodes.set(code, { expiresAt: this.now() + ttl, used: false, touser: user, openKfId });
      return { errcode: 0, errmsg: 'ok', msg_code: code };
    }
    return { errcode: 0, errmsg: 'ok' };
  }

  private kfSendOnEvent(b: Record<string, unknown>): Record<string, unknown> {
    const code = this.eventCodes.get(String(b.code ?? ''));
    // The real errcode for a used/expired code is UNCONFIRMED; modelled as 40058.
    if (!code || code.used || code.expiresAt <= this.now()) return err(40058, 'invalid code (modelled; real errcode unconfirmed)');
    const invalid = this.validateKfBody(b) ?? this.checkMsgid(code.openKfId, b.msgid);
    if (invalid) return invalid;
    code.used = true;
    const msgid = typeof b.msgid === 'string' ? b.msgid : this.newId('auto_');
    this.kfMsgids.get(code.openKfId)?.add(msgid);
    this.kfDelivered.push({ touser: code.touser, open_kfid: code.openKfId, msgid, via: 'on_event', body: b });
    return { errcode: 0, errmsg: 'ok', msgid };
  }

  private messageSend(body: Record<string, unknown>): Record<string, unknown> {
    let b = body;
    if (Number(b.agentid) !== this.opts.agentId) return err(40056, 'invalid agentid');
    const touser = typeof b.touser === 'string' ? b.touser : '';
    if (!touser && !b.toparty && !b.totag) return err(82001, 'all touser/toparty/totag empty');
    const type = b.msgtype;
    if (!['text', 'markdown', 'textcard', 'template_card'].includes(String(type))) return err(40008, 'invalid message type');
    if (type === 'text' || type === 'markdown') {
      const content = (b[String(type)] as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' || !content) return err(44004, 'content empty');
    }
    const users = touser.split('|').filter(Boolean);
    const bars = (v: unknown) => (typeof v === 'string' ? v.split('|').filter(Boolean).length : 0);
    // Recipient caps (§5); the errcode for exceeding them is not documented: modelled as 40058.
    if (users.length > 1000 || bars(b.toparty) > 100 || bars(b.totag) > 100) return err(40058, 'too many recipients (modelled; real errcode unconfirmed)');
    if (type === 'template_card') {
      const bad = this.checkTemplateCard(b.template_card);
      if (bad) return bad;
    }
    const dupKey = b.enable_duplicate_check === 1 ? JSON.stringify(b) : undefined;
    if (dupKey !== undefined) {
      // Identical request JSON within the interval (default 1800 s, at most 4 h) is not delivered twice (§5).
      const interval = Math.min(Number(b.duplicate_check_interval ?? 1800) || 1800, 4 * 3600) * 1000;
      const last = this.sentBodies.get(dupKey);
      if (last !== undefined && this.now() - last < interval) {
        this.appDuplicates.push(b);
        return { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: this.newId('MSGID_') };
      }
    }
    const taskId = type === 'template_card' ? String((b.template_card as { task_id?: unknown }).task_id ?? '') : '';
    if (taskId && this.taskIds.has(taskId)) return err(40058, 'task_id already used (modelled; real errcode unconfirmed)');
    if (type === 'text' || type === 'markdown') {
      // Over-long content is cut at 2048 bytes, not refused (§5): members see the cut text.
      const content = (b[String(type)] as { content: string }).content;
      if (Buffer.byteLength(content) > 2048) b = { ...b, [String(type)]: { ...(b[String(type)] as object), content: cutBytes(content, 2048) } };
    }
    const known = this.opts.members ? users.filter((u) => this.opts.members!.includes(u)) : users;
    const invalid = users.filter((u) => !known.includes(u));
    if (users.length > 0 && known.length === 0) return { ...err(81013, 'user & party & tag all invalid'), invaliduser: invalid.join('|') };
    for (const u of known) {
      const minute = this.limit(`member-min:${u}`, this.limits.memberPerMinute, this.limits.minuteMs, this.opts.memberOverflow === 'error');
      const hour = minute ? undefined : this.limit(`member-hour:${u}`, this.limits.memberPerHour, this.limits.hourMs, this.opts.memberOverflow === 'error');
      const breach = minute ?? hour;
      if (breach && this.opts.memberOverflow === 'error') return breach;
      if (breach) this.appDropped.push({ touser: u, body: b });
      else this.appDelivered.push({ touser: u, body: b });
    }
    // Only an accepted request counts for the duplicate check and uses up its task_id.
    if (dupKey !== undefined) this.sentBodies.set(dupKey, this.now());
    if (taskId) this.taskIds.add(taskId);
    const out: Record<string, unknown> = { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid: this.newId('MSGID_') };
    if (type === 'template_card') {
      const rc = this.newId('RC_');
      this.responseCodes.set(rc, { expiresAt: this.now() + 72 * 3_600_000, used: false });
      out.response_code = rc;
    }
    return out;
  }

  /** template_card field rules of §5.1 (errcodes undocumented: modelled as 40058). */
  private checkTemplateCard(card: unknown): Record<string, unknown> | undefined {
    const c = (card ?? {}) as { card_type?: unknown; task_id?: unknown; button_list?: unknown; horizontal_content_list?: unknown };
    const bad = (why: string) => err(40058, `template_card: ${why} (modelled; real errcode unconfirmed)`);
    if (typeof c.card_type !== 'string') return bad('card_type missing');
    if (c.task_id !== undefined && (typeof c.task_id !== 'string' || Buffer.byteLength(c.task_id) > 128 || !/^[0-9a-zA-Z_\-@]+$/.test(c.task_id))) return bad('task_id must be 1-128 bytes of [0-9a-zA-Z_-@]');
    if (c.card_type === 'button_interaction') {
      if (c.task_id === undefined) return bad('task_id is required for button_interaction');
      const buttons = Array.isArray(c.button_list) ? (c.button_list as { type?: number; key?: unknown; url?: unknown; style?: unknown }[]) : [];
      if (buttons.length < 1 || buttons.length > 6) return bad('button_list needs 1-6 buttons');
      const keys = buttons.filter((x) => (x.type ?? 0) === 0).map((x) => x.key);
      if (keys.some((k) => typeof k !== 'string' || !k || Buffer.byteLength(k) > 1024) || new Set(keys).size !== keys.length) return bad('button keys must be unique, 1-1024 bytes');
      if (buttons.some((x) => x.type === 1 && typeof x.url !== 'string')) return bad('a url button needs url');
      if (buttons.some((x) => x.style !== undefined && (typeof x.style !== 'number' || x.style < 1 || x.style > 4))) return bad('button style is 1-4');
    }
    if (Array.isArray(c.horizontal_content_list) && c.horizontal_content_list.length > 6) return bad('horizontal_content_list holds at most 6 items');
    return undefined;
  }

  private updateCard(b: Record<string, unknown>): Record<string, unknown> {
    if (Number(b.agentid) !== this.opts.agentId) return err(40056, 'invalid agentid');
    const rc = this.responseCodes.get(String(b.response_code ?? ''));
    if (!rc || rc.used || rc.expiresAt <= this.now()) return err(40058, 'invalid response_code (modelled; real errcode unconfirmed)');
    const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    if (count(b.userids) > 1000 || count(b.partyids) > 100 || count(b.tagids) > 100) return err(40058, 'too many recipients (modelled; real errcode unconfirmed)');
    if (!count(b.userids) && !count(b.partyids) && !count(b.tagids) && b.atall !== 1) return err(82001, 'userids/partyids/tagids all empty');
    rc.used = true;
    this.cardUpdates.push(b);
    return { errcode: 0, errmsg: 'ok', invaliduser: [] };
  }

  private webhook(q: Record<string, string>, b: Record<string, unknown>): Record<string, unknown> {
    const key = q.key ?? '';
    if (!this.robots.has(key)) return err(93000, 'invalid webhook url');
    const limited = this.limit(`robot:${key}`, this.limits.robotPerMinute, this.limits.minuteMs);
    if (limited) return limited;
    const t = b.msgtype;
    if (!['text', 'markdown', 'image', 'news', 'file', 'template_card'].includes(String(t))) return err(40008, 'invalid message type');
    const content = (b[String(t)] as { content?: unknown } | undefined)?.content;
    if (t === 'text' && (typeof content !== 'string' || Buffer.byteLength(content) > 2048)) return err(40058, 'text content invalid');
    if (t === 'markdown' && (typeof content !== 'string' || Buffer.byteLength(content) > 4096)) return err(40058, 'markdown content invalid');
    this.robotDelivered.push({ key, body: b });
    return { errcode: 0, errmsg: 'ok' };
  }

  /**
   * Sliding-window limit with a block after a breach (§0.2): returns a 45009 answer when over the limit
   * (`answer` false: the caller drops silently but the breach still counts).
   */
  private limit(scope: string, max: number, windowMs: number, answer = true): Record<string, unknown> | undefined {
    const now = this.now();
    const blockedUntil = this.blocks.get(scope) ?? 0;
    if (blockedUntil > now) {
      this.callsWhileBlocked++;
      return err(45009, 'api freq out of limit, blocked');
    }
    // The scope's calls in time order (the clock never goes back); those older than the window are cut off
    // in one splice, so a limit of 10,000 per minute costs a binary search per call, not a scan.
    let hits = this.windows.get(scope);
    if (!hits) this.windows.set(scope, (hits = []));
    let lo = 0;
    for (let hi = hits.length; lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if (hits[mid]! > now - windowMs) hi = mid;
      else lo = mid + 1;
    }
    if (lo > 0) hits.splice(0, lo);
    if (hits.length >= max) {
      this.limitBreaches++;
      if (answer) this.blocks.set(scope, now + this.limits.blockMs);
      return err(45009, 'api freq out of limit');
    }
    hits.push(now);
    return undefined;
  }

  private customer(openKfId: string, externalUserId: string): KfCustomer {
    if (!this.kfLog.has(openKfId)) this.kfLog.set(openKfId, []);
    const key = `${openKfId}|${externalUserId}`;
    let c = this.customers.get(key);
    if (!c) this.customers.set(key, (c = { sentSince: 0, serviceState: 0 }));
    return c;
  }
  private append(openKfId: string, item: KfRecord): void {
    const log = this.kfLog.get(openKfId) ?? [];
    log.push(item);
    this.kfLog.set(openKfId, log);
  }
  private newId(prefix: string): string {
    return `${prefix}${(++this.seq).toString(36)}${randomBytes(3).toString('hex')}`;
  }
}

/** The longest prefix of `s` within `max` UTF-8 bytes, never splitting a character. */
function cutBytes(s: string, max: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    used += Buffer.byteLength(ch);
    if (used > max) break;
    out += ch;
  }
  return out;
}

function err(errcode: number, errmsg: string): Record<string, unknown> {
  return { errcode, errmsg: `${errmsg}, hint: [fake], more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}` };
}

/** Starts a fake WeCom with fresh secrets; `secrets.app` / `secrets.kf` are the valid app and kf secrets. */
export async function startFakeWeCom(over: Partial<FakeWeComOptions> = {}): Promise<FakeWeCom> {
  const aesKey = over.aesKey ?? randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'A');
  return new FakeWeCom({
    corpId: 'ww0123456789abcdef',
    token: 'QDG6eKtoken',
    aesKey,
    agentId: 1000002,
    secrets: ['app-secret', 'kf-secret'],
    ...over,
  }).start();
}
