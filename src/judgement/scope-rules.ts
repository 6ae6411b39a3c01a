/**
 * Rules for the scope judgement that are sure enough to override the statistical model: abuse, spam,
 * emergencies, bare greetings and "I want to make a suggestion" intents, unpaid wages, and tip-offs. Each returns a
 * label or undefined (no opinion).
 */
import type { OutOfScopeKind } from './judgement-types.js';
import { chineseDigits } from './identity-parser.js';
import { compactText, hanCount, normalizeText } from './text-normalize.js';

/**
 * Every label the scope judgement knows: the two in-scope ones, the out-of-scope kinds, and `public` — a
 * public matter stated without a proposal and not clearly personal ("我家门口的路灯坏了"). `public` is a
 * class of the model, never a verdict: the classifier asks about it (`unsure`) rather than refuse.
 */
export type ScopeLabel = 'suggestion' | 'start' | 'public' | OutOfScopeKind;

export const SCOPE_LABELS: readonly ScopeLabel[] = [
  'suggestion',
  'start',
  'public',
  'complaint',
  'petition',
  'consultation',
  'tipoff',
  'help',
  'chitchat',
  'spam',
  'abuse',
] as const;

const ABUSE =
  /傻[逼b比屄]|煞笔|沙雕政府|sb政府|操你|草你|艹你|日你|草泥马|尼玛的|你妈[的逼死]|他妈的|(?<![我你他她咱俺娘])妈的|去死|滚[蛋犊开]|狗官|狗东西|狗日的|废物|脑残|智障|nmsl|cnm|tmd|王八蛋|混蛋|贱人|畜生|人渣|垃圾政府|垃圾机器人|垃圾东西|蠢货|白痴|死全家|妈卖批|妈卖麻批|仙人板板|瓜娃子|龟儿子|狗屁|吃屎|饭桶|蛀虫|猪都不如|你是猪|像猪一样|脑壳有包|脑子(被门夹|进水|有病)|神经病|有病吧|爬开|滚远|^滚[!！。]*$|不得好死|吃干饭|臭不要脸|不要脸的|^sb|傻子|瓜兮兮|去你的/iu;

const SPAM =
  /(加|\+)\s*(v|vx|微信|威信|薇信|qq|扣扣)|vx[:：]?\s*[a-z0-9_]{5,}|兼职.{0,6}(日结|日赚|刷单)|刷单|日赚|月入.{0,3}[万w]|代开.{0,4}发票|发票代开|网贷|秒批|秒到账|无抵押贷款|彩票.{0,4}(计划|群)|博彩|百家乐|棋牌.{0,4}(平台|下载)|招(代理|学员)|点击链接|https?:\/\/|www\.|\.com\b|\.cn\b|优惠券|免费领取|特价|清仓|低价出售|回收.{0,4}(二手|旧)|代办.{0,4}(驾照|证件|学历)|办证|私家侦探|高仿|祛斑|减肥药|壮阳|半价|买一送一|大酬宾|全场.{0,2}折|欢迎(光临|咨询|进店|到店|品尝|选购|订购)|价格(实惠|面议|公道|优惠|好商量)|高价(回收|收购)|上门(回收|服务)|包过|包教包会|招生|招商|免费试听|私聊|联系(我|电话)|量大从优|批发零售|包邮|一比一|稳赚|返息|保本保息|年化收益|代还|代写|代考|代练|陪玩|加盟|开业/iu;

/** Someone is in danger now: the first reply must carry 110/119/120/122, whatever step the citizen is at. */
const EMERGENCY =
  /救命|救救|快救|救人|着火|失火|火灾|起火|烧起来|冒黑烟|有人落水|落水了|溺水|掉(到|进)?(河|江|水|井|塘|沟|坑)里|被(水)?冲走|被打了|被人打|打人|打架|动刀|持刀|砍人|抢劫|撬门|绑了|跳楼|跳河|跳江|跳下去|要自杀|想轻生|不想活|喝农药|快报警|急救|救护车|晕倒|昏倒|倒在地上|倒在路|躺在(马路|路)|抽搐|喘不过气|心脏病(犯|发)|中风|脑溢血|车祸|撞了人|被车撞|撞到人|翻到沟|侧翻|追尾|被困|困在|出不去|被埋|走失|走丢|(孩子|娃儿|小孩|老人|爷爷|奶奶|外婆|外公|妈|爸|儿子|女儿|老伴).{0,6}(不见了|没回来|找不到了)|被拐|煤气泄漏|燃气泄漏|漏气了|煤气中毒|触电|爆炸|地震|决堤|(堤坝|大坝|水库).{0,6}(垮|渗水|漫)|山洪|泥石流|(?<!尽)快派人|快来人|快点来人|快叫|埋了|往下滑|抽筋|往下跳|烫伤|烧伤|骤停|心肺复苏|被人.{0,6}(带走|拉走|抢走)|打我|要打死|(痴呆|老人|孩子|娃儿).{0,6}跑出去|威胁我|吹垮|吹掉/u;
/** A collapse or landslide is an emergency with some urgency or someone at risk in the same message. */
const COLLAPSE = /塌方|塌了|垮了|滑坡|塌陷|(路|桥)断了|冲断|冲垮/u;
const URGENCY = /快|救|有人|被埋|被困|压(到|着|住)|掉下|陷进|车子|来人|派人|撤离|流血|受伤|危险|现在|刚才|刚刚|马上|赶紧|！/u;
/** A measure or a wish for the future: the message talks about preventing danger, not about one now. */
const PREVENTIVE = /建议|应该|应当|希望|能不能|能否|可以|提议|呼吁|最好|经常|容易|隐患|以前|去年|上次|上个月|前几天|之前|曾经|那次|前年|几年前|每到|每逢|每年|多次|天天|每天|老是|总是|一直|有视频|有证据|有照片|拍下来|拿不出钱|没钱|救助|补助|医药费|没地方住/u;

/**
 * An emergency: someone in danger now (fire, drowning, collapse with people at risk, violence, medical).
 * False for messages that propose how to prevent one ("建议在河边装护栏，经常有人落水").
 */
/**
 * 打 meaning "call" (打电话, 打这个号, 打我儿子的嘛 13098761234, 电话打我儿子那个): never an assault. Removed
 * before the emergency words are looked for, so that "有人打我 快打电话" still finds 打我.
 */
const CALLING: RegExp[] = [
  // 打电话, 打我儿子的电话, 打这个号, 打给我儿子, 打个电话: 打 and the line, with no clause break between.
  /打(?:个|一个|一下)?(?:给)?[^打，,。；;！!？?\s\d]{0,6}?(?:电话|手机|座机|号码|这个号|那个号)/gu,
  /打给[^打，,。；;！!？?\s\d]{1,6}/gu,
  // 电话打我儿子那个, 座机就打村委会的.
  /(?:电话|手机|座机|号码)(?:就|可以|请|你们|要)?打(?:给)?[^，,。；;！!？?\s\d]{0,8}/gu,
];
/** 打 + whose line (打我儿子的嘛, 打他那个) when the message carries a phone number: a number to call. */
const CALLING_WHOSE = /打(?:给)?(?:我|他|她)?(?:家)?(?:儿子|女儿|儿媳|媳妇|女婿|老伴|老公|老婆|爱人|孙子|孙女|侄儿|侄女|外孙|妈|爸|哥|姐|弟|妹|邻居|村委会|村上|社区)?(?:的|那个|这个)(?:嘛|吧|噻|哈|呢|哦)?(?=$|[\s，,。\d])/gu;
const PHONE_DIGITS = /\d{7,}/u;

/** The text without 打 in the sense of calling someone. */
function withoutCalling(norm: string): string {
  let t = norm;
  for (const re of CALLING) t = t.replace(re, ' ');
  if (PHONE_DIGITS.test(chineseDigits(norm).replace(/[\s-]/g, ''))) t = t.replace(CALLING_WHOSE, ' ');
  return t;
}

export function isEmergency(text: string): boolean {
  const norm = withoutCalling(normalizeText(text));
  if (PREVENTIVE.test(norm)) return false;
  return EMERGENCY.test(norm) || (COLLAPSE.test(norm) && URGENCY.test(norm));
}

const GREETING =
  /^(你好|您好|你们好|大家好|哈喽|哈啰|哈罗|嗨|hi|hello|hey|在吗|在不在|在不在嘛|在没|有人吗|有人在吗|有没有人|有人没得|有人没|有没得人|有人不|早|早上好|上午好|中午好|下午好|晚上好|早安|喂|在|嗯|哦|好的|好|ok|收到|小助手|助手|机器人|领导|领导好|同志|同志你好|老师|老师好|打扰了|打扰一下|我来了|在的话回个话|开始|开始吧|现在开始|开始填写|开始提|重新开始|重来|呀|啊|嘛|哈|噻|哟|嗯嗯)+[!！。.~～?？,，]*$/iu;

const START_INTENT =
  /(我|俺|本人)?(想|要|准备|打算|希望|可以|能不能|能否|怎么|如何|咋个?|在哪里?|哪里)(给政府|向政府|给你们|向你们|跟你们)?(提|提交|提出|写|留|反馈|说|讲|报)(一?[个条点份些]|几[个条点])?(建议|意见建议|合理化建议|想法|金点子|建言|点子)|建言献策|我有(一?[个条点份些]|几[个条点])?(建议|想法|金点子|点子)|(参加|参与)(一下)?(建议征集|征集活动|人民建议)|人民建议(征集)?$|征集活动|提建议|^建议$|^我有建议$/u;

const TIPOFF =
  /举报|检举|揭发|实名反映.{0,10}(贪污|受贿|违纪)|(贪污|受贿|索贿|吃拿卡要|涉黑|涉恶|黑社会|保护伞|传销|非法集资|赌博窝点|卖淫|吸毒|偷排|私设小金库|违规吃喝|公车私用)/u;

/** Unpaid wages: a complaint for labour inspection (劳动监察) via 12345, whatever the phrasing. */
const WAGE_ARREARS =
  /欠薪|讨薪|(拖欠|欠了?|克扣|扣了?|不发|没发|不给|没给|不结|没结|讨要|讨回|要回).{0,8}(工资|工钱|薪水|薪资|血汗钱|劳务费)|(工资|工钱|薪水|薪资|劳务费).{0,8}(拖欠|没发|不发|没给|不给|没结|不结|要不到|讨不回|拿不到)/u;
const OWN_INSURANCE = /(没|不|未|停)(给我|帮我|跟我)?(交|缴|买|办).{0,4}(社保|五险|养老保险|医保|工伤保险|失业保险)|(社保|五险|养老保险).{0,6}(断了|断缴|没交|没缴|不交|不缴|停了)/u;
/** A measure against wage arrears in general is a suggestion, not a complaint. */
const WAGE_MEASURE = /建议|应该|应当|提议|(建立|出台|完善|推行|实行|设立).{0,12}(制度|机制|平台|办法|黑名单|保证金|专户)|黑名单|保证金|工资专户/u;

/** Words naming a public matter: places, facilities and services everyone shares. */
const PUBLIC_MATTER =
  /路|桥|灯|公交|班车|车站|站台|公厕|厕所|树|车位|地铁|高铁|停车|红绿灯|斑马线|人行道|学校|幼儿园|学位|医院|卫生院|医生|小区|社区|村|镇|乡|街|广场|公园|厕所|垃圾|污水|下水道|自来水|停水|停电|信号|网络|菜市场|市场|江边|河|滨江|护栏|绿化|噪音|油烟|充电桩|电梯|政务|办事|窗口|政策|老年人|老人|孩子们|学生/u;

/** True when a message names a shared public matter (used to prefer asking over refusing). */
export function mentionsPublicMatter(text: string): boolean {
  return PUBLIC_MATTER.test(normalizeText(text));
}

/** "I would like to make a suggestion (about …)": the intent, not yet the suggestion. */
const ENGLISH_INTENT = /\b(i|we)\s*(would like|'d like|want|wish|am going|hope)\s+to\s+(make|give|submit|offer|share|send|put forward)\b/i;

/** English advertising and scams. */
const ENGLISH_SPAM = /https?:\/\/|www\.|\b(buy|sale|discount|cheap|casino|loan|crypto|bitcoin|earn|profit|click|free gift|investment|whatsapp|telegram)\b/i;

/** English words that say the writer wants to suggest or propose something. */
const ENGLISH_SUGGESTION = /\b(suggest(ion|ions|ed)?|propos(e|al|als)|recommend(ation)?|advice|advise|idea)\b/i;

/**
 * A question about the writer's own earlier suggestion (我去年提的那个建议 … 到现在都没人给我打电话, 编号
 * WZ2021-000001 现在有结果没有): a progress query, never a petition, whatever grievance it voices.
 */
export const PROGRESS_QUERY =
  /(?:(?:我|我们|俺)(?:去年|前年|上个?月|上周|前段时间|前几天|之前|以前|上次|早就|年初|几个月前)?|去年|前年|上个?月|上周|前段时间|前几天|之前|以前|上次|年初|几个月前)(?:提|交|提交|反映|写|发)(?:的|过的?|了的?)(?:那个|那条|一条|一个|这条|这个)?(?:建议|意见|金点子)[\s\S]{0,40}?(?:进度|结果|回复|答复|回音|消息|下文|没人|没得人|有没有|有人管|咋样|怎么样|咋个样|到哪|办了没|办好了|办得|处理|查|联系|打电话|回电话|落实|采纳|石沉大海)|(?:查|问)(?:一下|下)?(?:我的?|我们)?(?:提的|交的|之前的)?(?:建议|意见)的?(?:进度|结果|办理情况)|[a-z]{1,6}\d{4}-?\d{6}[\s\S]{0,20}?(?:进度|结果|回复|有没有|咋样|怎么样|到哪|办了)/iu;

/**
 * The label a rule is sure of, or undefined. `start` is only given to short messages without content,
 * so that "我想提个建议：在五桥增设公交线路" still reaches the model as a suggestion.
 */
export function sureRule(text: string): Exclude<ScopeLabel, 'public'> | undefined {
  const norm = normalizeText(text);
  const compact = compactText(text);
  const han = hanCount(compact);
  // Emoji, punctuation or nothing at all: the welcome says what the bot is for. WeChat sends its own
  // emoji as codes in brackets ([微笑], [OK]).
  if (compact.length === 0 || /^(?:\s*\[[^\]\s]{1,6}\]\s*)+$/u.test(text)) return 'start';
  // A bare number (a menu answered before any menu was shown): the welcome shows the menu.
  if (/^\s*\d{1,2}\s*[.。]?\s*$/u.test(text)) return 'start';
  if (ABUSE.test(norm)) return 'abuse';
  // English (a visitor, a student): the model reads Chinese, so the intent is read here. A short message
  // that only says it wants to suggest gets the welcome; one that proposes something is a suggestion.
  if (han === 0 && ENGLISH_SUGGESTION.test(norm)) {
    const intentOnly = ENGLISH_INTENT.test(norm) && norm.split(/\s+/).filter(Boolean).length <= 16;
    return intentOnly || norm.split(/\s+/).filter(Boolean).length <= 10 ? 'start' : 'suggestion';
  }
  // A longer English message that is not selling anything: a visitor's proposal, judged by the office.
  if (han === 0 && (norm.match(/[a-z]{2,}/gi) ?? []).length >= 6 && !ENGLISH_SPAM.test(norm)) return 'suggestion';
  // Latin letters or digits only, not a greeting: keyboard mashing or a test ("asdf", "1111").
  if (han === 0 && !GREETING.test(compact) && /^[a-z0-9]+$/u.test(compact) && !/^(jianyi|suggest)/u.test(compact)) return 'spam';
  if (SPAM.test(norm) && !/建议/.test(norm.replace(/https?:\/\/\S+/g, ''))) return 'spam';
  if (SPAM.test(norm) && /(加|\+)\s*(v|vx|微信|qq)|刷单|日赚|代开.{0,4}发票|博彩/iu.test(norm)) return 'spam';
  if (isEmergency(text)) return 'help';
  if (GREETING.test(compact)) return 'start';
  if (han <= 16 && /^(我)?(又|还是|现在)?(想好了|想通了)?(我)?(还是|又|再)(想|要)(提|来提|提一个|提个)(了|嘛|噻|哈)?$/u.test(compact.replace(/^我又想好了|^想好了/u, ''))) return 'start';
  if (han <= 16 && START_INTENT.test(compact)) {
    // Only the intent itself, maybe with a greeting: no matter named yet.
    const residue = compact
      .replace(START_INTENT, '')
      .replace(/^(你好|您好|在吗|请问|麻烦问下|麻烦|那个|嗯|哦|喂)+/u, '')
      .replace(/(你好|您好|谢谢|可以吗|行吗|吗|呢|呀|啊|哈|的|了|一下|怎么弄|怎么办|怎么操作|在哪|在哪里|去哪|找谁|给谁)+$/u, '');
    if (hanCount(residue) <= 4) return 'start';
  }
  // Asking after one's own suggestion: a question about the campaign (its answer says how to follow one up).
  if (PROGRESS_QUERY.test(norm)) return 'consultation';
  if (WAGE_ARREARS.test(norm) && !WAGE_MEASURE.test(norm)) return 'complaint';
  // One's own social insurance not paid (单位三年没给我交社保): a labour complaint, for 12333.
  if (OWN_INSURANCE.test(norm) && !WAGE_MEASURE.test(norm)) return 'complaint';
  if (TIPOFF.test(norm) && !/^建议|建议(在|对|把|将|设立|建立|开通|增设|加强|完善|推行)/u.test(norm)) return 'tipoff';
  return undefined;
}
