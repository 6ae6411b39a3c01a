/**
 * Parsers for the proposer's identity: phone numbers and the name / phone / work-unit fields that citizens
 * (and agents forwarding chat records) type as free text. Every parser is pure and returns a value or a
 * reason, never throws.
 */
import type { IdentityFields, PhoneResult } from './judgement-types.js';

/** Chongqing's area code; an 8-digit number without one is taken as a local (Wanzhou) landline. */
const LOCAL_AREA_CODE = '023';

/** Three-digit area codes (the rest of China uses four-digit ones starting with 03–09). */
const THREE_DIGIT_AREA = /^(010|02\d)/;

const PHONE_LABEL = /^(?:联系电话|联系方式|手机号码|手机号|电话号码|电话|手机|座机|号码|tel|phone|mobile)\s*[:：]?\s*/i;

/**
 * Normalises a phone number: `+86`/`0086` prefixes, spaces, dashes, brackets and full-width digits are
 * accepted. Mobiles become 11 digits (`13812345678`); landlines become `area-number` (`023-58123456`),
 * an 8-digit number without area code being a Chongqing landline.
 *
 * @example parsePhone('+86 138-1234-5678') // { ok: true, value: '13812345678', kind: 'mobile' }
 * @example parsePhone('（023）5812 3456') // { ok: true, value: '023-58123456', kind: 'landline' }
 */
export function parsePhone(text: string): PhoneResult {
  let s = text.normalize('NFKC').trim().replace(PHONE_LABEL, '');
  if (s.length === 0) return { ok: false, reason: 'empty' };
  if (!/^[0-9+\-\s().·]+$/.test(s)) return { ok: false, reason: 'bad_chars' };
  const hadPlus = s.startsWith('+');
  if ((s.match(/\+/g) ?? []).length > 1 || (s.includes('+') && !hadPlus)) return { ok: false, reason: 'bad_chars' };
  let digits = s.replace(/[^0-9]/g, '');
  if (digits.length === 0) return { ok: false, reason: 'empty' };

  // Country code: +86 / 0086 always; a bare 86 only when what follows is a full mobile or landline.
  let hadCountryCode = false;
  if (hadPlus) {
    if (!digits.startsWith('86')) return { ok: false, reason: 'bad_prefix' };
    digits = digits.slice(2);
    hadCountryCode = true;
  } else if (digits.startsWith('0086')) {
    digits = digits.slice(4);
    hadCountryCode = true;
  } else if (digits.startsWith('86') && digits.length === 13 && digits[2] === '1') {
    digits = digits.slice(2);
    hadCountryCode = true;
  }
  // After a country code the trunk 0 of an area code is dropped: +86 23 58123456 → 023-58123456.
  if (hadCountryCode && /^[2-9]/.test(digits) && (digits.length === 10 || digits.length === 11)) {
    digits = '0' + digits;
  }

  if (digits.startsWith('1')) {
    if (digits.length !== 11) return { ok: false, reason: 'wrong_length' };
    if (!/^1[3-9]/.test(digits)) return { ok: false, reason: 'bad_prefix' };
    return { ok: true, value: digits, kind: 'mobile' };
  }
  if (digits.startsWith('0')) {
    if (digits.startsWith('00')) return { ok: false, reason: 'bad_prefix' };
    const areaLen = THREE_DIGIT_AREA.test(digits) ? 3 : 4;
    const area = digits.slice(0, areaLen);
    const local = digits.slice(areaLen);
    const okLength = areaLen === 3 ? local.length === 8 : local.length === 7 || local.length === 8;
    if (!okLength) return { ok: false, reason: 'wrong_length' };
    if (!/^[2-9]/.test(local)) return { ok: false, reason: 'bad_prefix' };
    return { ok: true, value: `${area}-${local}`, kind: 'landline' };
  }
  // No area code: a Chongqing local number has 8 digits and starts with 2–9 (not 400/800 service lines).
  if (digits.length === 8) return { ok: true, value: `${LOCAL_AREA_CODE}-${digits}`, kind: 'landline' };
  if (/^[48]00/.test(digits) && digits.length === 10) return { ok: false, reason: 'bad_prefix' };
  return { ok: false, reason: 'wrong_length' };
}

/** Common surnames, single and compound, for telling a bare name from other short segments. */
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤牟冉税母幸文易向庞颜倪洪樊兰殷施甘游蓝左晏柏谯';
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '令狐', '慕容', '尉迟', '长孙'];

/** Endings that mark a work unit (or the lack of one: 退休、个体…). */
const UNIT_MARKERS =
  /(办事处|街道|社区|居委会|村委会|村|镇|乡|政府|委员会|委|局|办|厅|院|所|站|中心|学校|中学|小学|幼儿园|大学|学院|[一二三四五六七八九十\d]+中|医院|卫生院|公司|集团|厂|银行|支行|合作社|协会|商会|门市|超市|店|部|队|处|科|馆|退休|离休|无业|务农|个体|自由职业|农民|学生|在读)/;

const NAME_LABEL = /(?:姓名|名字|建议人|联系人|本人|真实姓名|称呼)\s*[:：是为]?\s*/;
const PHONE_LABEL_IN_TEXT = /(?:联系电话|联系方式|手机号码|手机号|电话号码|电话|手机|座机|tel|phone)\s*[:：是为]?\s*/i;
const UNIT_LABEL = /(?:工作单位|所在单位|所属单位|单位名称|单位|工作地点|就职于|任职于)\s*[:：是为]?\s*/;

/** Loose phone pattern inside free text: mobiles with optional separators, landlines with area code. */
const PHONE_IN_TEXT =
  /(?:(?:\+|00)?86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d){8}|[（(]?0\d{2,3}[)）]?[\s-]?\d{3,4}[\s-]?\d{4}|(?<![\d])[2-9]\d{3}[\s-]?\d{4}(?![\d]))/;

function cleanSegment(s: string): string {
  return s.replace(/^[\s，,；;、：:。.|/\\-]+|[\s，,；;、：:。.|/\\-]+$/g, '').trim();
}

function looksLikeName(s: string): boolean {
  if (!/^\p{Script=Han}{2,4}$/u.test(s) && !/^[a-z][a-z .'-]{1,29}$/i.test(s)) return false;
  if (UNIT_MARKERS.test(s) && !/^.{2,3}$/.test(s)) return false;
  if (/^(你好|您好|谢谢|姓名|电话|单位|手机|建议|联系|我是|我叫|本人|先生|女士|万州|重庆|退休|无业|务农|个体|农民|学生)/.test(s)) return false;
  if (/^\p{Script=Han}/u.test(s)) {
    if (COMPOUND_SURNAMES.some((c) => s.startsWith(c))) return true;
    return SURNAMES.includes(s[0] ?? '') && !UNIT_MARKERS.test(s.slice(1));
  }
  return true;
}

function looksLikeUnit(s: string): boolean {
  return s.length >= 2 && s.length <= 60 && UNIT_MARKERS.test(s) && !/\d{5,}/.test(s);
}

/**
 * Pulls the proposer's name, phone (normalised by {@link parsePhone}) and work unit out of free text:
 * labelled (`姓名：李四 电话 023-58123456 单位：万州二中`), comma-separated (`张三，13812345678，万州区高笋塘街道办事处`),
 * or sentences (`我叫王五，在万州区教委上班，电话13900001111`). Fields not found are absent.
 */
export function extractIdentity(text: string): IdentityFields {
  const out: IdentityFields = {};
  let rest = text.normalize('NFKC').replace(/\r/g, '');

  // Phone first: its digits would otherwise be mistaken for parts of other fields.
  const phoneMatch = PHONE_IN_TEXT.exec(rest);
  if (phoneMatch) {
    const parsed = parsePhone(phoneMatch[0]);
    if (parsed.ok) {
      out.phone = parsed.value;
      rest = rest.slice(0, phoneMatch.index) + '，' + rest.slice(phoneMatch.index + phoneMatch[0].length);
    }
  }
  rest = rest.replace(new RegExp(PHONE_LABEL_IN_TEXT.source + '(?=[，,；;\\s]|$)', 'gi'), '，');

  // Labelled fields: the value runs to the next separator or label.
  const stop = /[，,；;\n|/]|(?:姓名|名字|建议人|联系人|联系电话|联系方式|电话|手机|工作单位|所在单位|单位)\s*[:：]/;
  const takeLabelled = (label: RegExp): string | undefined => {
    const m = label.exec(rest);
    if (!m) return undefined;
    const after = rest.slice(m.index + m[0].length);
    const end = after.search(stop);
    const value = cleanSegment(end < 0 ? after : after.slice(0, end));
    rest = rest.slice(0, m.index) + '，' + (end < 0 ? '' : after.slice(end));
    return value || undefined;
  };
  const labelledName = takeLabelled(NAME_LABEL);
  if (labelledName) out.name = labelledName.split(/\s+/)[0];
  const labelledUnit = takeLabelled(UNIT_LABEL);
  if (labelledUnit) out.unit = labelledUnit;

  // Sentence forms: 我叫X / 我是X, 在X工作/上班.
  if (!out.name) {
    const m = /(?:我叫|我是|我姓名是)\s*(\p{Script=Han}{2,4}?)(?=[，,。；;\s]|$|在|来自|电话|手机|，)/u.exec(rest);
    if (m?.[1] && looksLikeName(m[1])) {
      out.name = m[1];
      rest = rest.replace(m[0], '，');
    }
  }
  if (!out.unit) {
    const m = /(?:在|来自|就职于|任职于)\s*([^，,。；;\s]{2,40}?)(?:工作|上班|任职|就职|上学|读书)?(?=[，,。；;\s]|$)/u.exec(rest);
    if (m?.[1] && looksLikeUnit(m[1])) {
      out.unit = m[1];
      rest = rest.replace(m[0], '，');
    }
  }

  // Bare segments: a 2–4 character name with a known surname, a segment with a unit ending.
  const segments = rest
    .split(/[，,；;、\n|/]+|\s{1,}/)
    .map(cleanSegment)
    .filter((s) => s.length > 0);
  for (const seg of segments) {
    if (!out.name && looksLikeName(seg)) {
      out.name = seg;
      continue;
    }
    if (!out.unit && looksLikeUnit(seg)) out.unit = seg;
  }
  return out;
}
