/**
 * Coaching on a proposal's quality, after the seed: 避免"大、空、虚"，避免标题式，避免一句话；一事一议；
 * 解决问题类建议要提出思路举措；内容要符合党的路线、方针、政策. Returns the first problem found, or ok.
 * The reply texts live in flows/texts; this module only names the problem.
 */
import type { SuggestionCategory } from '../domain/suggestion-types.js';
import type { ProposalDomain, QualityProblem, QualityVerdict } from './judgement-types.js';
import { compactText, hanCount, normalizeText, splitSentences } from './text-normalize.js';

export interface QualityOptions {
  category?: SuggestionCategory;
  /** The suggestion's title, when already given: a proposal that only repeats it is title-only. */
  title?: string;
}

/** Problems the citizen may insist past once (the office sees them as quality flags). */
const SOFT: Record<QualityProblem, boolean> = {
  empty: false,
  title_only: false,
  one_sentence: true,
  vague: true,
  multiple_matters: true,
  no_measure: true,
  unlawful: true,
};

/** Slogans and stock phrases that carry no concrete measure (大、空、虚). */
const SLOGANS =
  /大力|全面|深入|切实|积极|进一步|高度重视|不断|努力|加快推进|全力|着力|稳步|持续|高质量发展|打造|营造|氛围|统筹|坚持|贯彻|落实|新发展理念|幸福感|获得感|安全感|美好生活|加强领导|形成合力|强化|全方位|多层次|宽领域|推动|助力|赋能|高地|新格局|新篇章|新局面|新征程|提质增效|重要讲话|精神|总体要求|顶层设计|久久为功|落地见效|行稳致远|守正创新|凝心聚力|齐抓共管|补齐短板|做大做强|做优做精|蓄势赋能|主动作为|担当作为|好事办实|实事办好|办实事|多关心|关心老百姓|重视民生|以人民为中心|急难愁盼|越来越好|越来越美|抓好|抓实|搞好|做好|办好|激发.{0,4}活力|优化营商环境|提升.{0,6}水平|提高.{0,6}水平|加大投入|改善民生|群众满意|战略|现代化|加快(推进|发展|建设)/g;

/** Signals of a concrete, actionable proposal: places, numbers, things, measures with objects, times. */
const CONCRETE: RegExp[] = [
  /[\p{Script=Han}]{1,8}(路|街|巷|村|社区|小区|镇|乡|街道|片区|广场|公园|码头|车站|站|桥|隧道|学校|中学|小学|幼儿园|医院|卫生院|菜市场|市场|园区|景区)(?![\p{Script=Han}]{0,1}(建设|发展|振兴))/gu,
  /\d+|[一二两三四五六七八九十百千万]+(个|条|所|处|台|辆|名|人|次|年|月|天|周|小时|分钟|公里|米|元|万元|亩|户|班|趟)/gu,
  /增设|安装|开通|设置|修建|新建|延长|配备|加装|拓宽|硬化|改造|更换|维修|修复|划设|开设|建立|成立|推行|实行|试点|设立|公示|补贴|减免|免费|错峰|限时|分时|每周|每月|每天|每年|早晚|高峰|周末|节假日|夜间|上下学|上下班/gu,
  /公交|路灯|红绿灯|信号灯|斑马线|人行道|停车位|充电桩|垃圾桶|公厕|厕所|护栏|减速带|监控|摄像头|电梯|座椅|窗口|热线|小程序|app|公众号|台账|清单|名录|网格员|专班|班车|冷链|仓储|物流|直播|电商|民宿|合作社|专线|班次|航线|铁路|高铁|码头|医保|社保|学位|食堂/gu,
];

const MEASURE =
  /建议|希望|应该|应当|可以|能否|能不能|请求|呼吁|提议|增设|安装|开通|设置|修建|新建|延长|配备|加装|拓宽|改造|建立|推行|实行|设立|开展|组织|出台|制定|完善|优化|改进|加强|提高|降低|减少|增加|取消|调整|整合|引进|鼓励|支持|推广|规范|利用|打通|对接|实现/;

/**
 * A measure stated as an instruction, without any 建议 or 希望 ("村道加宽到六米", "每十户放一个分类桶",
 * "把老旧厂房改成创业园"): a verb of doing with its object, an arrangement, or "…就可以了".
 */
const MEASURE_WITHOUT_ADVICE =
  /加宽|加密|加开|加设|加盖|加顶棚|多开|多修|多建|多设|多装|多派|统一|换成|换掉|改成|改为|改装|装上|装(一|个|两|几)|放(一|个|两|几)|设(一|个|两|几)|建(一|个|两|几)|开(一|个|两|几)趟|配(一|个|两|几)|派(城里)?(医生|人)|划(定|出|设|几)|贴(上|出)|标(出|注|明)|公布|公开|开放|免(租|费)|补贴|流转|预约|互认|联运|轮流|轮班|轮休|值守|试点|抽查|通报|按(亩|小时|度|月|次|户|表|比例|楼层)|每(周|月|季度|年|天|十户|隔).{0,8}(一次|一趟|一班|一个|一台|一盏)|先.{1,20}(再|然后)|(就|即)(可以|可|行|好)了?$|就可以了|就行了|就好了|不能被|要招|分(给|步|片)|(由|让).{1,8}(负责|牵头|运营|管理|打扫|值守)|连到|接入|安排|拿出|至少|也开|增开|分批|错峰|依次|按(年级|批|时段|区域|人头|季度|天|周|次)|(改|调|提前|延长|推迟|放|挪|移)到|贴在|发到|(一|每)(遍|次)|来一次|把[\p{Script=Han}]{1,12}(改|换|修|硬化|移|搬|挪|调|延长|提前|推迟|开放|公开|放|装|设|建|整)/u;

/** A verb of doing right before a concrete object ("公交站加遮雨棚", "路口装个红绿灯"). */
const VERB_WITH_OBJECT =
  /(加装|安装|装|加)(个|一个|一些|几个|上)?[\p{Script=Han}]{0,4}(锁|灯|棚|牌|屏|桶|柜|椅|栏|器|镜|带|网|杆|箱|机)|(加|装|修|建|设|换|配|增|添|搭|挖|铺)(个|一个|一些|几个|上|了)?(遮雨棚|雨棚|护栏|栏杆|路灯|座椅|长椅|红绿灯|信号灯|厕所|公厕|垃圾桶|分类桶|监控|摄像头|减速带|充电桩|充电口|电梯|停车场|车位|站台|斑马线|扶手|坡道|晒坝|错车道|会车道|台阶|围栏|报警器|窗口|班次|班车|线路|站点)/u;

/** A clause that is itself an instruction ("改到早上八点收", "再挂个牌子", "跟着航班时间发车"). */
const IMPERATIVE_CLAUSE =
  /^(再|也|就|还|最好)?(把|在|给|由|让|改|换|修|建|装|设|开设|开通|种上|种植|做成|挂|搞|派|请|加|多|跟着|按|统一|划|配|安排|组织|引进|培训|延长|缩短|增加|减少|取消|调整|硬化|拓宽|铺|贴|发放|免|补)/u;
const PROBLEM_IN_CLAUSE = /太|没有|没得|不够|不了|难|差|乱|脏|堵|坏/u;

/** A concrete measure stated as such (a fixture to install, an instruction), not merely 建议 or 希望. */
export function statesConcreteMeasure(text: string): boolean {
  const t = normalizeText(text);
  return MEASURE_WITHOUT_ADVICE.test(t) || VERB_WITH_OBJECT.test(t);
}

/** Whether a text proposes something to do (with or without the word 建议). */
export function statesMeasure(text: string): boolean {
  const t = withoutPreamble(normalizeText(text));
  if (MEASURE.test(t) || MEASURE_WITHOUT_ADVICE.test(t) || VERB_WITH_OBJECT.test(t)) return true;
  // Steps listed after the matter ("医院停车难：1.…；2.…；3.…"): people list measures, not complaints.
  if (/[:：]/u.test(t) && matterItems(t).length >= 2) return true;
  // A later clause that is an instruction: the first clause usually states the situation.
  const clauses = t.split(/[，,。；;！!]/u).map((c) => c.trim()).filter((c) => hanCount(c) >= 3);
  return clauses.slice(1).some((c) => IMPERATIVE_CLAUSE.test(c) && !PROBLEM_IN_CLAUSE.test(c));
}

/**
 * What a citizen says before (or after) the matter itself: a greeting, 建议 said as a heading or stuttered by
 * voice input (建议 建议 建议 …), the intent (想提个建议, 建意), "two things" announced (两个事). None of it is a
 * measure or a sentence of the proposal.
 */
const PREAMBLE_WORDS =
  /^(?:\s*(?:你好|您好|喂|领导|老师)[\s，,！!。]*)+|(?:我|俺)?(?:也)?(?:想|要|来)(?:给[\p{Script=Han}]{0,8}?)?(?:提|说)(?:一?[个条点]|几[个条点])?(?:小)?(?:建议|建意|意见)(?:哈|嘛|噻)?|(?:两|三|几)(?:个|件)事[\s，,：:]*/gu;
/** 建议 said as a heading, stuttered or mistyped (建议 建议 建议, 建意): kept once, as the word it means. */
const HEADING = /^\s*(?:(?:建议|建意|建义|建仪)(?:[\s，,：:。]+|(?=\p{Script=Han})))+/u;

/** The text without its preamble (see PREAMBLE_WORDS), a heading 建议 kept once. */
function withoutPreamble(text: string): string {
  const t = text.replace(PREAMBLE_WORDS, ' ').replace(/\s+/g, ' ').trim();
  return HEADING.test(t) ? t.replace(HEADING, '建议 ') : t;
}

/** Kept for callers that want the cue list; the check itself only needs the absence of a measure. */
export const PROBLEM_CUES =
  /问题|太|很|非常|特别|严重|经常|总是|老是|一直|没有|没人|不够|不足|难|差|乱|脏|堵|慢|贵|危险|隐患|不方便|不合理|困难|缺乏|缺少|滞后|落后|影响|导致|造成|反映/;

/** Patterns of proposals contrary to law or policy (the campaign accepts only what is lawful). */
const UNLAWFUL: Array<[RegExp, string]> = [
  [/(放开|允许|开放|恢复|取消).{0,8}(禁渔|禁捕|长江.{0,4}捕捞|电鱼)|(允许|放开).{0,6}(长江|江里).{0,6}(捕鱼|打鱼|电鱼)/u, 'yangtze_fishing_ban'],
  [/(基本农田|耕地|永久基本农田).{0,10}(建|盖|修|改作|改成|挖|开发)(房|厂|别墅|商品房|鱼塘|工厂)?|占用.{0,4}(耕地|基本农田).{0,6}(建|盖)/u, 'farmland_protection'],
  [/宅基地.{0,10}(自由买卖|随便买卖|卖给城里人|对外出售|自由交易|放开买卖)|(城里人|城镇居民).{0,8}(买|购买).{0,4}宅基地/u, 'homestead_rules'],
  [/(赌博|博彩|赌场|六合彩).{0,6}(合法|开放|放开)|(合法化|放开|开放|允许).{0,6}(赌博|博彩|赌场)/u, 'gambling'],
  [/(允许|放开|不查|取消).{0,8}(酒驾|醉驾|酒后驾驶)|(酒驾|醉驾).{0,6}(不罚|不处罚|不查|合法)/u, 'drink_driving'],
  [/(禁止|不准|不让|不许|限制).{0,8}(外地人|农村人|外来人口|女性|女的|残疾人|少数民族).{0,10}(进城|落户|就业|上学|入学|租房|务工|报名)/u, 'discrimination'],
  [/(把|对).{0,8}(上访|信访|访民|上访户|举报人).{0,8}(抓起来|关起来|拘留|打击|处理掉)|(禁止|不准|取消).{0,4}(上访|信访|举报)|(公开|曝光|公布).{0,6}举报人|举报人.{0,6}(名字|姓名|身份).{0,4}(公开|曝光|公布)/u, 'petition_rights'],
  [/(取消|停止|不要).{0,6}(义务教育|九年义务教育)|(童工|未成年人).{0,6}(打工|上班|务工).{0,6}(合法|允许)|(允许|放开).{0,8}(童工|雇佣未成年)/u, 'education_child_labour'],
  [/(公职人员|公务员|干部|村干部).{0,8}(可以|允许).{0,6}(经商|收礼|收红包|兼职取酬|办企业)|(允许|放开|鼓励).{0,4}(公职人员|公务员|干部|村干部).{0,6}(经商|收礼|收红包|兼职取酬|办企业)/u, 'officials_conduct'],
  [/(随意|自行|乱).{0,2}(砍伐|开采|采砂|挖砂)|(允许|放开).{0,8}(砍伐|采砂|挖砂|开采|烧秸秆|焚烧秸秆|燃放烟花)|(山林|林地|天然林).{0,6}(随便砍|自由砍)/u, 'environmental_law'],
  [/(私自|私人|民间).{0,4}(收费|设卡|收过路费)|(设卡|设立关卡).{0,6}收(费|钱)|收(取)?过路费/u, 'illegal_fees'],
  [/(毒品|大麻|吸毒).{0,8}(合法|放开|允许)|(允许|放开).{0,6}(种植大麻|吸毒)/u, 'drugs'],
];

function countMatches(text: string, re: RegExp): number {
  return text.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))?.length ?? 0;
}

/** How concrete a text is: one point per place, number, concrete object or measure-with-object found. */
export function concreteness(text: string): number {
  let n = 0;
  for (const re of CONCRETE) n += countMatches(text, re);
  return n;
}

/** Topic families, for telling several matters apart from several measures on one matter (一事一议). */
const DOMAINS: Array<[ProposalDomain, RegExp]> = [
  ['transport', /公交|交通|道路|停车|车位|红绿灯|斑马线|堵车|拥堵|车站|站台|班次|线路|轻轨|码头|航线|铁路|高铁|动车|换乘|进站|机场|航班|出租车|网约车|货车|公路|桥|路面|修路|村道|会车|车辆/u],
  ['education', /学校|教育|学生|老师|教师|课后|幼儿园|学位|中小学|作业|校车|托管|食堂/u],
  ['health', /医院|医保|看病|就医|挂号|卫生院|医生|药|体检|医疗|门诊/u],
  ['welfare', /低保|养老|老人|救助|互助|残疾|补贴标准|留守/u],
  ['housing', /房价|住房|公租房|物业|电梯|老旧小区|小区/u],
  ['energy', /充电桩|电动车|电网|停电|天然气|燃气/u],
  ['environment', /垃圾|污水|污染|噪音|环保|生态|绿化|种树|植树|长江|河道|空气|油烟|扬尘|禁渔/u],
  ['agriculture', /乡村振兴|农业|农产品|种植|养殖|柑橘|玫瑰香橙|古红桔|脆李|合作社|农民|耕地|土地流转|撂荒|中药材|田间|农机|电商|冷链/u],
  ['economy', /企业|营商|招商|产业|园区|就业|创业|贷款|融资|信用|税|物流|开放|投资|人才|科技|成果转化|出口|运费|招聘|工资|涨工资/u],
  ['governance', /社区|网格|治理|调解|办事|窗口|审批|政务|办证|通办/u],
  ['sanitation', /公厕|厕所/u],
  ['culture', /文化|旅游|景区|非遗|图书馆|体育|健身|广场舞|博物馆|民宿|公园|绿道/u],
  ['water', /自来水|供水|饮水|停水|水管|水池/u],
  ['safety', /消防|安全|监控|路灯|治安|防汛|地灾|滑坡|护栏|救生/u],
  ['market', /菜市场|农贸市场|摊位|夜市|商铺/u],
];

/** The first field a text is about, in the order of DOMAINS (undefined when none is recognisable). */
export function proposalDomain(text: string): ProposalDomain | undefined {
  for (const [d, re] of DOMAINS) if (re.test(text)) return d;
  return undefined;
}

function domainsOf(text: string): Set<ProposalDomain> {
  const found = new Set<ProposalDomain>();
  for (const [d, re] of DOMAINS) if (re.test(text)) found.add(d);
  return found;
}

/** Enumerated items ("一是…二是…", "1.…2.…", "第一…第二…") or appended matters ("另外…", "还有…"). */
function matterItems(text: string): string[] {
  const enumerated = text
    .split(/(?:^|[\s。；;，,:：])(?:[一二三四五六七八九十]是|(?:另)?一个是|第[一二三四五六七八九十](?:个|件|条|点)?是?[，,、:：]?|[（(]?[1-9一二三四五六七八九][)）.、．]|另外[，,]?|此外[，,]?|还有[，,]?|再者[，,]?|再就是|首先[，,]?|其次[，,]?|最后[，,]?|顺便(?:说|提)?一下[，,]?)/u)
    .map((s) => s.trim())
    .filter((s) => hanCount(s) >= 4);
  return enumerated;
}

/** Content bigrams of an item, without the stock words every proposal shares. */
function contentBigrams(text: string): Set<string> {
  const chars = [...text.replace(/关于|的建议|建议|希望|应该|可以|进一步|加强|推进|提高|增加|设立|建立|开展|实行|推行|政府|相关部门|有关部门|我们|群众|老百姓|方便|解决|问题|[^\p{Script=Han}]/gu, '|')];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) if (chars[i] !== '|' && chars[i + 1] !== '|') out.add(chars[i]! + chars[i + 1]!);
  return out;
}

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let n = 0;
  for (const g of a) if (b.has(g)) n++;
  return n / Math.min(a.size, b.size);
}

/** "One matter, then its steps": an intro naming the matter before the enumeration ("关于X：一是…"). */
const INTRO = /^(关于|针对|对于|就)?[^。；;]{2,30}(：|:|可以这样做|分(两|三|几)步|以下(几点)?建议|如下)/u;
/** An intro announcing several suggestions ("我有三个建议："), not one matter. */
const SEVERAL = /(几|两|三|四|五|多)(个|条|点|件)(建议|想法|事|问题|意见)/u;
/** An announcement of several matters on its own (建议 两个事, 我有三个建议). */
const SEVERAL_ANNOUNCED = /(几|两|三|四|五|多)(个|条|点|件)(建议|想法|事|问题|意见)/u;
/** Words that announce a further, separate matter. */
const ANOTHER_MATTER = /一起解决|一并解决|都是大问题|都要解决|还有(个|一个|一件)事|另外(一件|一个)事|另一件事|再说(个|一个)事|顺便(说|提)(个|一个)?(别的|其他)?事/u;

function multipleMatters(text: string): boolean {
  if (ANOTHER_MATTER.test(text) && domainsOf(text).size >= 2) return true;
  // A list of short demands on unrelated matters: "公厕要多建，电动车要管，房价要控制".
  const clauses = text.split(/[，,、；;。]/u).filter((c) => hanCount(c) >= 2);
  const demands = clauses.filter((c) => hanCount(c) <= 8 && /要|多|加|管|控制/u.test(c));
  if (demands.length >= 3 && new Set(demands.flatMap((c) => [...domainsOf(c)])).size >= 3) return true;
  // "我有三个建议：一是…二是…": several suggestions announced and listed.
  if (SEVERAL.test(text) && /[一二三1-9]是|一个是|第[一二三]|[1-9][.、．]|其次|另外/u.test(text)) return true;
  if (unrelated(adviceGroups(text))) return true;
  const items = matterItems(text);
  if (items.length < 2) return false;
  // Numbered steps after an intro that names the matter are steps of that one matter.
  if (INTRO.test(text) && !SEVERAL.test(text)) return false;
  // Several items on one matter are several measures of it; items on unrelated matters are several matters.
  const doms = items.map(domainsOf);
  const grams = items.map(contentBigrams);
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      // A step naming no domain of its own ("三是晚上十点后加开一班") continues the matter before it, unless
      // both items are whole proposals of their own (each starts with 建议/希望, or is long) sharing nothing.
      if (doms[i]!.size === 0 || doms[j]!.size === 0) {
        const whole = (x: string) => /^(建议|希望|要|应)/u.test(x) || hanCount(x) >= 18;
        if (whole(items[i]!) && whole(items[j]!) && overlap(grams[i]!, grams[j]!) < 0.08) return true;
        continue;
      }
      const sharedDomain = [...doms[i]!].some((d) => doms[j]!.has(d));
      if (!sharedDomain && overlap(grams[i]!, grams[j]!) < 0.12) return true;
    }
  }
  return false;
}

/**
 * A text written as several "situation, then 建议 …" groups (公交车挤不上 建议加开班次 公园厕所太少 建议每个
 * 公园至少两个): each group as written. A new group starts at a clause stating a situation (太少, 没有, 挤…)
 * after a 建议 clause, unless it continues the measure (由…负责, 解决…). [] when the text is one group.
 */
function adviceGroups(text: string): string[] {
  const SITUATION = /太|没有|没得|不够|很难|难找|难买|少了|很少|差|乱|脏|堵|坏了|挤|危险|不方便/u;
  const CONTINUES = /^(?:由|让|把|并|再|同时|和|以|来|解决|缓解|方便|提高|减少|避免|防止|这样|既|也|还|就|所需|费用|资金)/u;
  const groups: string[] = [];
  const advising: boolean[] = [];
  let current = '';
  let advised = false;
  // Clauses with the separator that ends each, so that every group is the citizen's own text.
  for (const m of text.matchAll(/[^\s，,。；;！!？?]+[\s，,。；;！!？?]*/gu)) {
    const clause = m[0];
    const advice = /^(?:建议|希望|最好|能不能|能否|应该)/u.test(clause.trim());
    if (advised && !advice && SITUATION.test(clause) && !CONTINUES.test(clause.trim())) {
      groups.push(current);
      advising.push(true);
      current = '';
      advised = false;
    }
    current += clause;
    if (advice) advised = true;
  }
  groups.push(current);
  advising.push(advised);
  // A group without advice of its own (…，方便学生上下学) goes on the one before: a reason, not a matter.
  for (let i = groups.length - 1; i > 0; i--) {
    if (!advising[i]) {
      groups[i - 1] += groups[i]!;
      groups.splice(i, 1);
      advising.splice(i, 1);
    }
  }
  const out = groups.map((g) => g.replace(/[\s，,。；;]+$/u, '').trim()).filter((g) => hanCount(g) >= 4);
  return out.length >= 2 ? out : [];
}

/** True when two of the pieces are about unrelated matters (no shared field, little shared wording). */
function unrelated(pieces: string[]): boolean {
  const doms = pieces.map(domainsOf);
  const grams = pieces.map(contentBigrams);
  for (let i = 0; i < pieces.length; i++) {
    for (let j = i + 1; j < pieces.length; j++) {
      if (doms[i]!.size === 0 || doms[j]!.size === 0) continue;
      if (![...doms[i]!].some((d) => doms[j]!.has(d)) && overlap(grams[i]!, grams[j]!) < 0.12) return true;
    }
  }
  return false;
}

/** The pieces of text that make each matter of a text found to hold several: [] when they cannot be told apart. */
function mattersOf(text: string): string[] {
  const tidy = (x: string) => x.replace(/^[\s，,、；;。：:]+|[\s，,、；;。：:！!]+$/gu, '').replace(/^(?:就是|然后|再就是|而且|并且)(?=\p{Script=Han}{4})/u, '');
  // "我有两个建议：" announces the list; it is no matter of its own.
  const items = matterItems(text)
    .flatMap((x) => x.split(/[，,；;]\s*同时(?=建议|希望|要)/u))
    .filter((x) => hanCount(x) >= 4 && !(SEVERAL.test(x) && hanCount(x) <= 12) && !(SEVERAL_ANNOUNCED.test(x) && hanCount(withoutPreamble(x)) < 4))
    .map(tidy);
  if (items.length >= 2 && items.length <= 5) return items;
  const groups = adviceGroups(text);
  if (groups.length >= 2 && groups.length <= 5 && unrelated(groups)) return groups;
  // A list of short demands: "公厕要多建，电动车要管，房价要控制".
  const clauses = text.split(/[，,、；;。]/u).map(tidy).filter((c) => hanCount(c) >= 2);
  return clauses.length >= 2 && clauses.length <= 5 ? clauses : [];
}

/** Abstract nouns of policy language: many of them and nothing concrete make a slogan. */
const ABSTRACT = /人民|群众|老百姓|发展|建设|水平|工作|服务|管理|理念|意识|机制|体系|能力|质量|环境|生活|幸福|美丽|民生|利益|人才|效率|导向|队伍|位置|实效|精细化|人性化/gu;

/** Words of a demand in a short message: more, less, fix, add, move, open, ban, hire… */
const SHORT_DEMAND = /多|一点|点$|一下|降|涨|改|修|装|加|开|搬|扩大|禁止|招|种|管|请|解决|起来|延长|增加|减少/u;

function looksLikeTitle(raw: string, compact: string): boolean {
  if (/[。！？!?；;]/.test(raw.replace(/[。！？!?]+\s*$/, ''))) return false;
  const han = hanCount(compact);
  if (han === 0) return false;
  if (/^关于.{2,40}(的)?(建议|意见|思考|对策|设想|提案|几点看法|想法)$/u.test(compact)) return true;
  if (/^关于/u.test(compact) && han <= 25 && !/[，,]/.test(raw)) return true;
  // A request ("建议解决停车难的问题", "希望重视…") is a sentence, however short: a one-liner, not a title.
  if (/^(建议|希望|请|要|能不能|能否|可不可以)/u.test(compact)) return false;
  if (han <= 20 && /(建议|意见|对策|设想|问题|思考|研究)$/u.test(compact) && !/[，,]/.test(raw)) return true;
  // A statement ("乡村振兴要抓好产业") or a demand ("公交车再多一点", "红绿灯修一下") is not a title.
  if (/要|应该|应当|必须|得|抓好|搞好|做好/u.test(compact)) return false;
  if (SHORT_DEMAND.test(compact) || /重视|关心/u.test(compact)) return false;
  // A bare noun phrase: short, no measure verb, no comma and no full stop (a statement ends with one).
  return han <= 12 && !/[，,。！!]/.test(raw) && !statesMeasure(compact) && !VERB_WITH_OBJECT.test(compact);
}

/**
 * Checks a proposal text and names its first problem. A short but concrete proposal passes; a long one
 * made of slogans does not.
 *
 * @example coachQuality('建议在五桥片区增设公交线路，方便学生上下学') // { ok: true }
 * @example coachQuality('大力推进乡村振兴，全面提升群众幸福感') // { ok: false, problem: 'vague', soft: true }
 */
export function coachQuality(text: string, opts: QualityOptions = {}): QualityVerdict {
  const raw = normalizeText(text);
  const compact = compactText(text);
  const domain = proposalDomain(raw);
  const fail = (problem: QualityProblem, detail?: string): QualityVerdict => ({
    ok: false,
    problem,
    soft: SOFT[problem],
    ...(detail === undefined ? {} : { detail }),
    ...(domain && (problem === 'one_sentence' || problem === 'vague' || problem === 'no_measure') ? { domain } : {}),
  });

  if (hanCount(compact) === 0 && compact.replace(/\d/g, '').length < 3) return fail('empty');
  // Written in English (a visitor, a student): the checks below read Chinese, so they cannot judge it; the
  // office reads it. Only a very short one is coached.
  const latinWords = (raw.match(/[A-Za-z]{2,}/g) ?? []).length;
  if (hanCount(compact) < 10 && latinWords >= 4) return latinWords >= 12 ? { ok: true } : fail('one_sentence');
  // The title typed again is title-only; a slogan typed as both title and proposal (乡村振兴要抓好产业) is
  // coached as 大、空、虚, which the citizen may insist past, rather than sent round the title loop.
  if (opts.title && compact === compactText(opts.title) && countMatches(raw, SLOGANS) === 0) return fail('title_only', 'same_as_title');

  for (const [re, law] of UNLAWFUL) if (re.test(raw)) return fail('unlawful', law);

  if (looksLikeTitle(raw, compact)) return fail('title_only');

  // The greeting, the stuttered 建议 and the intent to suggest are not part of what is judged.
  const body = withoutPreamble(raw);
  const han = hanCount(body);
  const slogans = countMatches(raw, SLOGANS);
  const concrete = concreteness(raw);
  const hasMeasure = statesMeasure(raw);

  if (multipleMatters(raw)) {
    // Shown to the citizen as they wrote them.
    const matters = mattersOf(text.trim());
    return { ...fail('multiple_matters'), ...(matters.length ? { matters } : {}) };
  }

  if (slogans >= 3 && concrete <= Math.max(1, slogans / 3)) return fail('vague', `slogans=${slogans}`);
  if (slogans >= 2 && concrete === 0) return fail('vague', `slogans=${slogans}`);
  if (slogans >= 2 && concrete <= 1 && han < 30) return fail('vague', `slogans=${slogans}`);
  if (slogans >= 1 && concrete === 0 && han < 15) return fail('vague', `slogans=${slogans}`);

  // Abstractions with nothing concrete ("要提高服务意识，让老百姓办事更舒心"): 大空虚 rather than merely short.
  if (concrete === 0 && countMatches(raw, ABSTRACT) >= 2) return fail('vague', 'abstract');
  // A short demand ("公交车再多一点", "红绿灯修一下"): a one-liner to flesh out, not a problem without a measure.
  if (han < 12 && SHORT_DEMAND.test(compactText(body))) return fail('one_sentence');
  // A description with no measure at all: the seed asks problem-type suggestions to propose 思路举措.
  if (!hasMeasure && han >= 6) return fail('no_measure');

  const sentences = splitSentences(body);
  const clauses = body.split(/[，,。；;！？!?\n]/).filter((c) => hanCount(c) >= 3).length;
  const oneSentence = sentences.length <= 1 && clauses <= 2;
  // A one-liner: short, or a single sentence without the specifics a unit needs. A long single sentence
  // with a concrete measure is a proposal (people rarely write in paragraphs on a phone).
  if (han < 12) return fail('one_sentence');
  // Short but specific (an object or place, a concrete measure, often a reason) is a proposal, not a one-liner.
  const specific = statesConcreteMeasure(raw) && clauses >= 2;
  if (oneSentence && han < 20 && concrete < 3 && !specific) return fail('one_sentence');
  // Typed or voiced without a single punctuation mark (建意 农村的留守儿童 没人管 周末可以搞个四点半课堂): one
  // sentence however many spaces it holds; coached unless it carries the specifics a unit needs.
  // A demand in it (多开几趟) with hardly a place, time or number is still one sentence.
  const bodyConcrete = concreteness(body);
  if (!/[，,。；;！？!?:：\n]/u.test(body) && han < 25 && (bodyConcrete < 2 || (bodyConcrete < 3 && !statesConcreteMeasure(body)))) return fail('one_sentence');
  return { ok: true };
}
