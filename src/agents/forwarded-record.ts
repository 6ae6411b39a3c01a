/**
 * Reading a forwarded chat record (微信客服 `merged_msg`, the dev chat's `forwarded`) or a pasted 代录
 * message: whose lines are the agent's and whose the citizen's, what the citizen said, and which
 * proposer details the record mentions. Pure functions; the agents' flow (flows/agent-proxy.flow.ts)
 * calls them.
 *
 * @example
 *   const r = readRecord(record, { name: '李四', id: 'lisi' });
 *   r.candidates        // ['王五']: the senders who are not the agent
 *   citizenWords(r, '王五') // the citizen's lines, one per line
 */
import { proxyEntryWords } from '../../flows/texts/agent.js';
import { agentTexts } from '../../flows/texts/agent.js';
import type { ForwardedRecord } from '../domain/messages.js';

/** One usable line of a record. */
export interface RecordLine {
  sender: string;
  time: number;
  text: string;
}

/** A record as the agents' flow uses it. */
export interface RecordReading {
  title?: string;
  lines: RecordLine[];
  /** Every sender, in order of first appearance. */
  senders: string[];
  /** Senders recognised as the agent (their name or id). */
  agentSenders: string[];
  /** The others: who the citizen may be. */
  candidates: string[];
  /** Non-text items (images, voice…) that could not be read. */
  skipped: number;
}


const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
}

/** A placeholder the channel puts for a non-text item, e.g. `[image]`. */
const isPlaceholder = (text: string) => /^\[[a-z_]+\]$/i.test(text);

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

/**
 * True when `sender` is the agent: the same name or id, or a name decorated with it
 * (`李四（区农业农村委）`, `区农业农村委-李四`). A two-character name must match whole.
 */
export function isAgentSender(sender: string, agent: { name: string; id?: string }): boolean {
  const s = norm(sender);
  const name = norm(agent.name);
  if (!s) return false;
  if (s === name || (agent.id && s === norm(agent.id))) return true;
  if (name.length < 2) return false;
  const i = s.indexOf(name);
  if (i < 0) return false;
  // The name must not be part of a longer name: what is around it is punctuation or a unit.
  const before = s.slice(0, i);
  const after = s.slice(i + name.length);
  const around = /^$|^[\p{P}\p{S}]|[\p{P}\p{S}]$/u;
  return (around.test(before) || /(委|局|办|街道|镇|乡|政府|中心)[\p{P}\p{S}]*$/u.test(before)) && (after === '' || around.test(after));
}

/** Reads a record; `agent` identifies the agent's own lines. */
export function readRecord(record: ForwardedRecord, agent?: { name: string; id?: string }): RecordReading {
  const lines: RecordLine[] = [];
  let skipped = 0;
  for (const item of record.items) {
    const text = clean(item.text ?? '');
    if (!text) continue;
    if (isPlaceholder(text)) {
      skipped++;
      continue;
    }
    lines.push({ sender: clean(item.sender ?? '') || agentTexts.unknownSender, time: Number(item.time) || 0, text });
  }
  const senders = [...new Set(lines.map((l) => l.sender))];
  const agentSenders = agent ? senders.filter((s) => isAgentSender(s, agent)) : [];
  const candidates = senders.filter((s) => !agentSenders.includes(s));
  const title = record.title ? clean(record.title) : '';
  return { ...(title ? { title } : {}), lines, senders, agentSenders, candidates, skipped };
}

/**
 * A line that only gives contact details (a phone number, no proposal words). It is used for the proposer's
 * details, never copied into the proposal, which goes to units and, in excerpts, to group robots.
 */
const contactOnly = (text: string) =>
  /(?<!\d)(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)/.test(text) && !/建议|希望|应该|可以|需要|措施/.test(text);

/** The citizen's own lines, in order, one per line (the agent's questions and remarks, and contact-only lines, left out). */
export function citizenWords(reading: Pick<RecordReading, 'lines'>, citizen: string): string {
  return reading.lines
    .filter((l) => l.sender === citizen && !contactOnly(l.text))
    .map((l) => l.text)
    .join('\n');
}

/** Everything said in the record, the citizen's lines first (where proposer details are looked for). */
export function allWords(reading: Pick<RecordReading, 'lines'>, citizen?: string): string {
  const mine = citizen ? reading.lines.filter((l) => l.sender === citizen) : [];
  const others = reading.lines.filter((l) => l.sender !== citizen);
  return [...mine, ...others].map((l) => l.text).join('\n');
}

/** Where someone lives or works by a sentence: `是龙驹镇玉合村的村民`, `家住白土镇`, `我在分水镇人民政府上班`. */
const PLACE = String.raw`((?:重庆市?)?(?:万州区?)?\p{Script=Han}{1,16}?(?:街道办事处|街道|镇人民政府|乡人民政府|镇政府|乡政府|镇|乡|村|社区|居委会|村委会))(?:[一二三四五六七八九十\d]+组)?`;
const RESIDENCE = [
  // 是… needs the noun (是白土镇的问题 is not where someone lives).
  new RegExp(String.raw`(?:我是|是)\s*${PLACE}的?(?:村民|居民|群众|住户|人|工作人员)`, 'u'),
  new RegExp(String.raw`(?:家住|住在|来自|我在)\s*${PLACE}(?:的)?(?:村民|居民|住户|人|工作人员)?(?=[，,。；;！!\s]|$|上班|工作)`, 'u'),
];

/** The words a work unit ends with (a person's unit, or what stands for one: 退休, 务农…). */
const UNIT_END =
  /(办事处|街道|社区|居委会|村委会|村|组|镇|乡|政府|委员会|委|局|办|厅|院|所|站|中心|学校|中学|小学|幼儿园|大学|学院|[一二三四五六七八九十\d]+中|医院|卫生院|公司|集团|厂|银行|支行|合作社|协会|商会|门市|超市|店|部|队|处|科|馆|退休|离休|无业|务农|个体|自由职业|农民|学生|在读)$/;

/** Words a sentence of a proposal starts with; a unit never does. */
const PROPOSAL_START = /^(?:建议|希望|应该|应当|请|要|需要|可以|能否|能不能|各|把|在|对|给|让|由|将|加强|增加|设立|划出)/;

/**
 * The proposer's work unit a record's line gives, or undefined: a residence sentence (`是龙驹镇玉合村的村民`
 * → 龙驹镇玉合村), else what the identity parser found if it reads like a unit (ends like one and is not a
 * piece of the proposal such as `各镇农贸市场划出农产品直销区`).
 */
export function recordUnit(text: string, parsed: string | undefined): string | undefined {
  const t = text.normalize('NFKC');
  for (const re of RESIDENCE) {
    const m = re.exec(t);
    if (m?.[1] && !PROPOSAL_START.test(m[1])) return m[1];
  }
  if (!parsed) return undefined;
  const u = parsed.trim();
  return u.length <= 40 && UNIT_END.test(u) && !PROPOSAL_START.test(u) ? u : undefined;
}

/** True when a sender name looks like a person's Chinese name (2-4 Han characters), e.g. `王五`. */
export function looksLikeName(sender: string): boolean {
  return (
    /^\p{Script=Han}{2,4}$/u.test(sender) &&
    // 老王, 小李, 阿姨: forms of address, not names.
    !/^[老小阿][\p{Script=Han}]$/u.test(sender) &&
    !/(群|委|局|办|街道|镇|乡|村|社区|公司|用户|客服|大爷|大妈|阿姨|师傅|未署名|群众)/.test(sender)
  );
}

const PROXY_PASTE = new RegExp(`^\\s*(?:${proxyEntryWords.join('|')})(?:\\s*[:：，,。]?\\s*)([\\s\\S]*)$`);

/** The words after `代录` in a pasted proxy entry (`代录：王五说…`); undefined when it is not one. */
export function proxyPaste(text: string): string | undefined {
  const m = PROXY_PASTE.exec(text);
  return m ? clean(m[1] ?? '') : undefined;
}

/**
 * A chat pasted as text after 代录, one `sender：words` per line (what copying a WeChat chat gives), read
 * as a record — but only when the agent is one of the senders, so that `建议：… 理由：…` stays plain text.
 */
export function pastedRecord(text: string, agent: { name: string; id?: string } | undefined): ForwardedRecord | undefined {
  if (!agent) return undefined;
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2) return undefined;
  const items: ForwardedRecord['items'] = [];
  for (const l of lines) {
    const m = /^([^:：\d]{1,16})[:：]\s*(.+)$/.exec(l);
    if (!m) return undefined;
    items.push({ sender: m[1]!.trim(), time: 0, text: m[2]! });
  }
  const senders = new Set(items.map((i) => i.sender));
  return senders.size >= 2 && [...senders].some((s) => isAgentSender(s, agent)) ? { items } : undefined;
}
