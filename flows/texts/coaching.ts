/**
 * Coaching replies: one short sentence saying what is missing, phrased after the seed's requirements
 * (针对性、可行性、实用性；避免“大、空、虚”，避免标题式，避免一句话；一事一议；四类建议各自的要求).
 */
import type { PhoneResult, QualityProblem } from '../../src/judgement/judgement-types.js';
import type { SuggestionCategory } from '../../src/domain/suggestion-types.js';
import { categoryTexts } from './categories.js';

const keepGoing = '补充后请回复“完成”；想重写请回复“重写”。';

/** The reply for a proposal's quality problem, tuned to its kind when known. */
export function proposalCoaching(problem: QualityProblem, category?: SuggestionCategory): string {
  const kind = category ? categoryTexts[category] : undefined;
  switch (problem) {
    case 'empty':
      return '还没有收到建议内容，请写出现状或问题，以及您建议的具体做法。';
    case 'title_only':
      return `这看起来像一个标题。请展开写：现状或问题是什么，您建议具体怎么做。${keepGoing}`;
    case 'one_sentence':
      return `内容只有一句话，承办单位难以办理。${kind ? kind.hint : '请补充具体情况和做法（在哪里、做什么、怎么做）'}。${keepGoing}`;
    case 'vague':
      return `内容偏“大、空、虚”，多为口号，缺少具体措施。${kind ? `${kind.requirement}，${kind.hint}` : '请写出具体在哪里、做什么、怎么做'}。${keepGoing}`;
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
    })[reason],
  nameInvalid: '请发送您的真实姓名（2到30个字），例如：张三。',
  unitInvalid: '请发送您的工作单位名称；没有单位可填写“无”。',
} as const;
