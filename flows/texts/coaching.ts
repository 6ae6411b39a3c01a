/**
 * Coaching replies: one short sentence saying what is missing, phrased after the seed's requirements
 * (针对性、可行性、实用性；避免“大、空、虚”，避免标题式，避免一句话；一事一议；四类建议各自的要求).
 */
import type { PhoneResult, ProposalDomain, QualityProblem } from '../../src/judgement/judgement-types.js';
import type { SuggestionCategory } from '../../src/domain/suggestion-types.js';
import { categoryTexts } from './categories.js';

const keepGoing = '补充后请回复“完成”；想重写请回复“重写”。';

/** A worked example from the citizen's own field, shown with coaching on a one-liner or a slogan. */
export const domainExamples: Record<ProposalDomain, string> = {
  transport: '五桥到江南新区的公交早高峰30分钟一班，挤不上车，建议7点到9点加密到10分钟一班',
  education: '村小到镇中学要走一个多小时山路，建议周五下午和周日下午各开一趟接送学生的校车',
  health: '社区卫生服务中心晚上不开门，建议每周一、三、五开夜间门诊到晚上9点，由城区医院医生轮班',
  welfare: '村里独居老人多，建议给80岁以上独居老人装一键呼叫器，连到村医和子女的手机上',
  housing: '老旧小区没有电梯，建议加装电梯政府补贴三分之一，其余由住户按楼层分摊',
  energy: '小区充电桩不够，有人拉飞线充电很危险，建议在车棚再加装20个充电口，按度收费',
  environment: '沙河沿线餐馆油烟扰民，建议对安装油烟净化器的餐馆每家补贴2000元，未安装的限期整改',
  agriculture: '镇上脆李丰收时卖不上价，建议统一注册地理标志，按大小分级包装，由合作社统一销售',
  economy: '小微企业办事常卡在手续上，建议设一部企业服务电话，企业反映的问题3个工作日内答复',
  governance: '上班族平时请不到假办事，建议政务服务中心周六上午开放社保和户籍两个窗口',
  sanitation: '滨江路散步的人多但只有一个公厕，建议在两个公交站旁各建一座，晚上10点前开放',
  culture: '区图书馆晚上6点就关门，建议延长到晚上9点，周一闭馆改为轮休',
  water: '村里的自来水管冬天常冻裂，建议入冬前统一检查，把裸露的管子换成防冻管',
  safety: '江边有几段没有护栏，夏天常有孩子下水，建议加装护栏，每隔100米挂一个救生圈',
  market: '菜市场地面常年积水，建议改造排水沟、铺防滑地砖，并在入口设公平秤和投诉电话',
};

/** The reply for a proposal's quality problem, tuned to its kind and field when known. */
export function proposalCoaching(problem: QualityProblem, category?: SuggestionCategory, domain?: ProposalDomain): string {
  const kind = category ? categoryTexts[category] : undefined;
  const example = domain && (problem === 'one_sentence' || problem === 'vague') ? `例如：“${domainExamples[domain]}。”` : '';
  switch (problem) {
    case 'empty':
      return '还没有收到建议内容，请写出现状或问题，以及您建议的具体做法。';
    case 'title_only':
      return `这看起来像一个标题。请展开写：现状或问题是什么，您建议具体怎么做。${keepGoing}`;
    case 'one_sentence':
      return `内容只有一句话，承办单位难以办理。${kind ? kind.hint : '请补充具体情况和做法（在哪里、做什么、怎么做）'}。${example}${keepGoing}`;
    case 'vague':
      return `内容偏“大、空、虚”，多为口号，缺少具体措施。${kind ? `${kind.requirement}，${kind.hint}` : '请写出具体在哪里、做什么、怎么做'}。${example}${keepGoing}`;
    case 'multiple_matters':
      return '一条建议请只提一件事（一事一议）。请保留最主要的一件，其他的可以提交后另提一条。回复“重写”可清空重写。';
    case 'no_measure':
      return `您描述了问题，但还没有提出解决办法。${kind ? kind.requirement : '解决问题类建议要提出思路举措'}，请补充您建议怎么做。${keepGoing}`;
    case 'unlawful':
      return '建议内容要符合法律法规和党的路线、方针、政策，请调整相关内容。回复“重写”可清空重写。';
  }
}

/** Said when a soft problem may be insisted past. */
export const insistHint = '如果您确认按现在的内容提交，也可以选择“坚持按现在的内容提交”。';

export const titleCoaching = {
  tooShort: '标题太短了，请用一句话概括建议的核心，例如：关于在五桥片区增设公交线路的建议。',
  multiline: '标题请写成一行，具体内容稍后再写。',
} as const;

export const feasibilityCoaching = {
  tooShort: `请多写几句：实施需要哪些条件或资源、大致成本、预期效果。${keepGoing}`,
} as const;

export const limitTexts = {
  message: (max: number, got: number) => `这条消息有${got}个字，超过了单条${max}字的上限，请分几条发送。`,
  total: (label: string, max: number) => `${label}最多${max}个字，加上这条就超出了，请精简后再发这一段。`,
  field: (label: string, max: number, got: number) => `${label}最多${max}个字，您发来的有${got}个字，请精简后再发。`,
} as const;

export const identityCoaching = {
  phone: (reason: Exclude<PhoneResult, { ok: true }>['reason']) =>
    ({
      empty: '没有识别到电话号码，请发送手机号或座机号。',
      bad_chars: '电话号码里有无法识别的字符，请只发送数字，例如 13812345678 或 023-58123456。',
      wrong_length: '电话号码位数不对：手机号是11位，座机请带区号（如 023-58123456）。',
      bad_prefix: '这个号码不是有效的手机号或座机号（手机号以1开头，座机以区号0开头），请核对后再发。',
      placeholder: '这个号码看起来不是真实的电话。承办单位需要能联系到您，请发送您本人的手机号或座机号。',
    })[reason],
  nameInvalid: '请发送您的真实姓名（2到30个字），例如：王建国。',
  /** Why a name is not taken (the seed: 注明真实姓名). */
  name: {
    surname_only: '请发送您的全名（姓和名），例如“王建国”；只有姓，承办单位无法核实和联系您。',
    title: '这像是一个称呼，不是姓名。请发送您的真实全名，例如“王建国”，承办单位需要据此联系和答复您。',
    placeholder: '按征集要求需要注明真实姓名，不能匿名；姓名只用于联系和答复您，不会公开。请发送您的全名，例如“王建国”。',
    refers_back: '每条建议需要单独填写姓名，我看不到您以前填过的内容。请直接发送您的全名，例如“王建国”。',
    invalid: '请发送您的真实姓名（2到30个字），例如：王建国。',
  },
  /** A citizen who will not give a phone: why it is needed, and who else can help. */
  phoneRefused: (contact: { name: string; phone: string; hours: string }) =>
    `留电话是为了承办单位在办理时能联系到您、办完能答复您，这是征集的要求（手机或座机都可以）。如果实在不方便留，也可以联系${contact.name}（电话${contact.phone}，${contact.hours}），或请所在镇乡、街道的信访代理员代您录入。`,
  unitInvalid: '请发送您的工作单位名称；没有单位可填写“无”。',
} as const;
