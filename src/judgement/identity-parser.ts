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
  let s = chineseDigits(text.normalize('NFKC').trim()).replace(PHONE_LABEL, '');
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

  // 13800000000, 11111111111: a number typed to get past the question, not one anyone answers.
  if (/(\d)\1{6,}/.test(digits)) return { ok: false, reason: 'placeholder' };
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

/** Digits written in Chinese (一三八…, 幺 for 1, 零/〇 for 0) as they are said and voice-typed. */
const CN_DIGITS: Record<string, string> = { 零: '0', 〇: '0', 洞: '0', 一: '1', 幺: '1', 么: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
const CN_DIGIT_RUN = /[零〇洞一幺么二两三四五六七八九][零〇洞一幺么二两三四五六七八九\s-]{5,}[零〇洞一幺么二两三四五六七八九]/g;

/** Runs of seven or more Chinese digits become ASCII digits: 一三八一二三四五六七八 → 13812345678. */
export function chineseDigits(text: string): string {
  return text.replace(CN_DIGIT_RUN, (run) => {
    const digits = run.replace(/[\s-]/g, '');
    if (digits.length < 7) return run;
    // A mobile number is eleven digits: what follows them (一三八…九 五桥街道) is words, not more digits.
    if (digits.length > 11 && /^[一幺么]/u.test(digits)) {
      let seen = 0;
      let cut = 0;
      while (cut < run.length && seen < 11) if (!/[\s-]/.test(run[cut++]!)) seen++;
      return [...digits.slice(0, 11)].map((c) => CN_DIGITS[c] ?? c).join('') + run.slice(cut);
    }
    return [...digits].map((c) => CN_DIGITS[c] ?? c).join('');
  });
}

/** Why a name is not taken as the proposer's real name. */
export type NameProblem = 'surname_only' | 'title' | 'placeholder' | 'refers_back' | 'invalid';

/** Forms of address that are not names: 何总, 冯医生, 王老师, 张师傅, 李哥. */
const TITLE_ENDINGS = /(总|医生|大夫|老师|书记|主任|师傅|经理|局长|镇长|村长|校长|院长|律师|老板|哥|姐|叔|姨|婆|爷|大爷|阿姨|先生|女士|同志|同学|小朋友|老乡|大妈|大娘|嬢嬢|孃孃|幺妹|老汉|工)$/u;

/**
 * Checks that a name is a real full name, as the seed asks (注明真实姓名): not a surname alone (我姓王),
 * a title (何总, 冯医生, 老张), a placeholder (匿名, 热心市民) or a reference to earlier (跟上次一样).
 * Labels (我叫, 姓名：) and trailing particles are removed; English names are kept whole.
 *
 * @example checkName('我叫王建国') // { ok: true, value: '王建国' }
 * @example checkName('何总') // { ok: false, reason: 'title' }
 */
export function checkName(text: string): { ok: true; value: string } | { ok: false; reason: NameProblem } {
  const t = text
    .normalize('NFKC')
    .trim()
    .replace(/^(?:我的名字(?:叫|是)?|我叫|我是|姓名[:：是]?|名字[:：是叫]?|本人)\s*/u, '')
    .replace(/[。.!！~～,，]+$/u, '')
    .trim();
  // A name said again with a remark (陈小军噻 我刚才说了的嘛, 要得嘛 杨帆): the name is what is kept.
  const spoken = nameInRemark(t);
  if (spoken !== undefined) return checkName(spoken);
  if (/(跟|和|同)(上次|上回|刚才|以前|之前|上面|前面).*(一样|相同)|^同上$|上次(的|填过)|你们(有|知道)/u.test(t)) return { ok: false, reason: 'refers_back' };
  if (/匿名|无名|不愿透露|不想说|不告诉|保密|路人|热心|群众|老百姓|市民|网友|某某|^x+$|^(不写|不填|不留)/iu.test(t)) return { ok: false, reason: 'placeholder' };
  // A sentence is not a name (张 电话就不留了嘛 怕打扰): talk words in a run of more than four characters.
  if ([...t.replace(/\s/g, '')].length > 4 && /电话|手机|号码|嘛|吧|呢|怕|不想|不留|不要|不给|打扰|等我|找一下/u.test(t)) return { ok: false, reason: 'invalid' };
  // The name forms use as their example (张三) and a name written with ×× are no one's real name.
  if (/^张三$|^\p{Script=Han}{1,2}[×＊*xX]{1,3}$/u.test(t)) return { ok: false, reason: 'placeholder' };
  if (/^(?:我|本人)?(?:免贵)?姓\p{Script=Han}{1,2}(?:[，,].*)?$/u.test(t) || /^\p{Script=Han}$/u.test(t)) return { ok: false, reason: 'surname_only' };
  if (/^[老小阿]\p{Script=Han}$/u.test(t)) return { ok: false, reason: 'title' };
  if (/^\p{Script=Han}{2,4}$/u.test(t) && TITLE_ENDINGS.test(t) && (SURNAMES.includes(t[0]!) || COMPOUND_SURNAMES.some((c) => t.startsWith(c)))) {
    const given = t.replace(TITLE_ENDINGS, '');
    if ([...given].length <= 2) return { ok: false, reason: 'title' };
  }
  if (!/^[\p{Script=Han}A-Za-z·•.' -]{2,30}$/u.test(t) || (t.match(/[\p{Script=Han}A-Za-z]/gu) ?? []).length < 2) return { ok: false, reason: 'invalid' };
  return { ok: true, value: t.replace(/\s+/g, /\p{Script=Han}/u.test(t) ? '' : ' ') };
}

/** Dialect particles and fillers said right after a name (陈小军噻, 刘洋嘛, 张伟哈). */
const NAME_PARTICLE = /(?<=^\p{Script=Han}{2,4})(?:的嘛|噻|嘛|哈|哦|啊|呀|撒|哒|啦|嘞|咯|哟|噢|唦|呢)$/u;
/** Remarks said with a name: 我刚才说了的嘛, 前面说了, 要得嘛, 好嘛, 就是, 对. */
const NAME_REMARK =
  /^(?:(?:我)?(?:刚才|前面|上面|之前|早就|都)?(?:已经)?(?:说|讲|写|发|填)(?:过|了)(?:的)?(?:嘛|噻|撒|哦|啊|呀|哈|的嘛)?|要得(?:嘛|噻)?|好(?:嘛|的|吧|噻)?|行(?:嘛|吧)?|可以(?:嘛|噻)?|嗯|哦|对(?:的|头)?|就是|是)$/u;

/**
 * The name in a message that is a name and a remark (陈小军噻 我刚才说了的嘛, 要得嘛 杨帆), with its particle
 * removed (陈小军噻 → 陈小军); undefined when the message is not that.
 */
function nameInRemark(t: string): string | undefined {
  const parts = t.split(/[\s，,。！!～~]+/u).filter(Boolean);
  const bare = (p: string) => p.replace(NAME_PARTICLE, '');
  if (parts.length === 1) {
    const b = bare(parts[0]!);
    return b !== parts[0] && isSurnameFirst(b) ? b : undefined;
  }
  const names = parts.filter((p) => isSurnameFirst(bare(p)) && !NAME_REMARK.test(p));
  if (names.length !== 1 || !parts.every((p) => names.includes(p) || NAME_REMARK.test(p))) return undefined;
  return bare(names[0]!);
}

/** 2 to 4 Chinese characters starting with a common surname (a single or a compound one). */
function isSurnameFirst(t: string): boolean {
  if (!/^\p{Script=Han}{2,4}$/u.test(t)) return false;
  return SURNAMES.includes(t[0]!) || COMPOUND_SURNAMES.some((c) => t.startsWith(c) && t.length > c.length);
}

/**
 * True for a plain full name: 2 to 4 Chinese characters starting with a common surname (刘洋, 欧阳娜娜) —
 * what a person types when asked their name, as opposed to 等一下 or 好的.
 */
export function looksLikeFullName(text: string): boolean {
  const t = text.normalize('NFKC').trim().replace(/[。.!！~～,，]+$/u, '');
  const spoken = nameInRemark(t) ?? t;
  return isSurnameFirst(spoken) && checkName(spoken).ok;
}

/** Common surnames, single and compound, for telling a bare name from other short segments. */
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤牟冉税母幸文易向庞颜倪洪樊兰殷施甘游蓝左晏柏谯';
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '令狐', '慕容', '尉迟', '长孙'];

/** Endings that mark a work unit (or the lack of one: 退休、个体…). */
const UNIT_MARKERS =
  /(办事处|街道|社区|居委会|村委会|村|镇|乡|政府|委员会|委|局|办|厅|院|所|站|中心|学校|中学|小学|幼儿园|大学|学院|[一二三四五六七八九十\d]+中|医院|卫生院|公司|集团|厂|银行|支行|合作社|旅行社|报社|杂志社|出版社|协会|商会|门市|超市|商场|市场|联合会|残联|妇联|工会|团委|全职妈妈|家庭主妇|宝妈|待业|酒店|宾馆|饭店|餐馆|物业|农场|果园|工地|种植户|养殖户|专业户|店|部|队|处|科|馆|退休|离休|无业|务农|种地|个体|自由职业|农民|村民|居民|学生|在读|导游|司机|教师|护士|职工|员工|工人|保安|厨师|会计|打工|务工)/;
/** A sentence, not a unit: words of talk (这个建议是村民提的, 填他的名字吧) around a unit-like word. */
const TALK = /这个|那个|建议|提的|填|写|吧|嘛|噻|说了|说的|告诉|他的|她的|你们|我们|是不是|可以|不想/u;
/** Working at home (在家务农, 在屋头种地): an occupation, kept whole as the unit. */
const AT_HOME = /(?:在家|在屋头|在屋里|在老家|在村里)(?:务农|种地|种田|养殖|带孩子|带娃儿?|照顾老人|待业|休养)/u;

const NAME_LABEL = /(?:姓名|名字|建议人|联系人|本人|真实姓名|称呼)(?:\s*[:：]\s*|\s*(?:是|为|叫)\s*|\s+|(?=\p{Script=Han}{2,4}(?:$|[\s，,；;])))/u;
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
  if (LATIN_UNIT_MARKERS.test(s)) return false;
  if (UNIT_MARKERS.test(s) && !/^.{2,3}$/.test(s)) return false;
  if (/^(你好|您好|谢谢|姓名|电话|单位|手机|建议|联系|我是|我叫|本人|先生|女士|万州|重庆|退休|无业|务农|个体|农民|学生)/.test(s)) return false;
  if (/^\p{Script=Han}/u.test(s)) {
    if (COMPOUND_SURNAMES.some((c) => s.startsWith(c))) return true;
    return SURNAMES.includes(s[0] ?? '') && !UNIT_MARKERS.test(s.slice(1));
  }
  return true;
}

/** Work units named in English. */
const LATIN_UNIT_MARKERS = /\b(university|college|school|hospital|company|co\.|ltd|inc|bank|bureau|committee|government|office|factory|institute|retired|farmer|student)\b/i;

/** Ways of saying there is no work unit. */
const NO_UNIT = /^(无|没有|没得|暂无|无单位|没有单位|没得单位|没单位|无工作单位|没有工作单位)$/u;

/**
 * A segment given in the name's place that is no name (老张, 我姓王, 匿名, 热心市民, 跟上次一样): taken as the
 * name so that its refusal says why, rather than the name being asked for as if nothing had been said.
 */
function refusedNameSaid(s: string): boolean {
  if ([...s].length > 8 || looksLikeUnit(s) || NO_UNIT.test(s) || !/^\p{Script=Han}+$/u.test(s)) return false;
  const v = checkName(s);
  return !v.ok && (v.reason === 'title' || v.reason === 'placeholder' || v.reason === 'refers_back' || (v.reason === 'surname_only' && /姓/u.test(s)));
}

function looksLikeUnit(s: string): boolean {
  return s.length >= 2 && s.length <= 60 && (UNIT_MARKERS.test(s) || LATIN_UNIT_MARKERS.test(s)) && !/\d{5,}/.test(s);
}

/**
 * Pulls the proposer's name, phone (normalised by {@link parsePhone}) and work unit out of free text:
 * labelled (`姓名：李四 电话 023-58123456 单位：万州二中`), comma-separated (`张三，13812345678，万州区高笋塘街道办事处`),
 * or sentences (`我叫王五，在万州区教委上班，电话13900001111`). Fields not found are absent.
 */
export function extractIdentity(text: string): IdentityFields {
  const out: IdentityFields = {};
  let rest = chineseDigits(text.normalize('NFKC').replace(/\r/g, ''));

  // Phone first: its digits would otherwise be mistaken for parts of other fields.
  const phoneMatch = PHONE_IN_TEXT.exec(rest);
  if (phoneMatch) {
    const parsed = parsePhone(phoneMatch[0]);
    if (parsed.ok) {
      out.phone = parsed.value;
      rest = rest.slice(0, phoneMatch.index) + '，' + rest.slice(phoneMatch.index + phoneMatch[0].length);
    }
  }
  // "No mobile" (没得手机, 座机也没得) says nothing about a work unit: dropped before 没得 could read as "no unit".
  rest = rest.replace(/(?:没得|没有|无|没)(?:手机|座机|电话)|(?:手机|座机|电话)(?:也|都)?(?:没得|没有|没)/gu, '，');
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
    // Every such phrase is tried: in 我是龙驹镇的 叫蒋德华 the first (我是龙驹镇的) is no name.
    const said = /(?:我叫|我是|我姓名是|(?:他|她|村民|居民|老人家?|建议人|提建议的人?|这个人|本人)?(?:名叫|叫做|叫))\s*(\p{Script=Han}{2,4}?)(?=[，,。；;\s]|$|在|来自|电话|手机|，)/gu;
    const m = [...rest.matchAll(said)].find((x) => x[1] && looksLikeName(x[1]));
    if (m?.[1]) {
      out.name = m[1];
      rest = rest.replace(m[0], '，');
    }
  }
  const home = AT_HOME.exec(rest);
  if (!out.unit && home) {
    out.unit = home[0].replace(/^在屋头|^在屋里/u, '在家');
    rest = rest.replace(home[0], '，');
  }
  if (!out.unit) {
    const m = /(?:在|来自|就职于|任职于)\s*([^，,。；;\s]{2,40}?)(?:工作|上班|任职|就职|上学|读书)?(?=[，,。；;\s]|$)/u.exec(rest);
    if (m?.[1] && looksLikeUnit(m[1])) {
      out.unit = m[1];
      rest = rest.replace(m[0], '，');
    }
  }

  // Bare segments: a 2–4 character name with a known surname, a segment with a unit ending.
  // A chunk between separators stays whole when it is one unit or one English name ("重庆三峡学院 Chongqing
  // Three Gorges University", "万州区某某小学 语文教研组", "John Smith"); otherwise spaces separate fields too.
  const segments = rest
    .split(/[，,；;、\n|/]+/)
    .map(cleanSegment)
    .filter((s) => s.length > 0)
    .flatMap((chunk) => {
      const parts = chunk.split(/\s+/);
      if (parts.length === 1) return parts;
      if (/^[a-z][a-z .'-]*$/i.test(chunk)) return [chunk];
      if (!looksLikeName(parts[0]!) && looksLikeUnit(parts[0]!) && !parts.some((p) => /\p{Script=Han}/u.test(p) && looksLikeName(p) && !looksLikeUnit(p))) return [chunk];
      return parts;
    });
  const unitCandidates: string[] = [];
  for (const seg of segments) {
    const bare = seg.replace(/(?<=^\p{Script=Han}{2,4})(?:噻|嘛|哈|哦|啊|呀|撒|哒|啦|嘞|咯|哟)$/u, '');
    if (!out.name && (looksLikeName(bare) || refusedNameSaid(seg))) {
      out.name = bare;
      continue;
    }
    if (looksLikeUnit(seg) && !TALK.test(seg)) unitCandidates.push(seg);
  }
  // Of several unit-like segments (甘宁镇 … 甘宁镇某合作社), the fullest one is the unit; a place said with an
  // occupation at home (孙家镇 … 在家务农) goes with it.
  if (!out.unit && unitCandidates.length) out.unit = unitCandidates.reduce((a, b) => (b.length > a.length ? b : a));
  else if (out.unit && home && unitCandidates.length) {
    const place = unitCandidates.find((c) => /(镇|乡|村|街道|社区)$/u.test(c));
    if (place) out.unit = `${place} ${out.unit}`;
  }
  // "No unit" said in words is an answer too (the prompt says 没有单位可填写“无”).
  if (!out.unit && segments.some((seg) => NO_UNIT.test(seg))) out.unit = '无';
  return out;
}
