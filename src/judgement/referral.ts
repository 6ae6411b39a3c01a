/**
 * Which referral a refused message gets: the channel that fits its kind and, within a kind, its matter.
 * 12333 only for wages and social insurance, 12369 for pollution, 12315 for consumer disputes, 12388 for
 * discipline (officials), 110/119/120/122 for emergencies, 信访 for personal petitions, 12345 otherwise;
 * questions about the campaign itself get the campaign's own answer, and questions after one's own suggestion
 * how to follow it up. Pure; the texts live in config
 * (`scope.referrals`).
 */
import type { OutOfScopeKind } from './judgement-types.js';
import { referralKeys } from '../infra/config.js';
import { PROGRESS_QUERY } from './scope-rules.js';
import { normalizeText } from './text-normalize.js';

/** Keys of `scope.referrals` in the config: the out-of-scope kinds plus the channels within them. */
export const REFERRAL_KEYS = referralKeys;
export type ReferralKey = (typeof REFERRAL_KEYS)[number];

/** Wages, labour relations and social insurance (人社: 12333). Medical insurance (医保局) is not one. */
const WAGES =
  /工资|工钱|薪水|薪资|欠薪|讨薪|劳务费|提成|加班费|高温补贴|社保|社会保险|养老保险|养老金|退休金|失业金|失业保险|工伤|劳动合同|劳动仲裁|辞退|开除|解雇|经济补偿|工龄/u;
/** Pollution (生态环境: 12369). */
const ENVIRONMENT =
  /污染|排污|污水|废水|废气|废渣|废液|黑烟|臭气|臭味|臭得|恶臭|扬尘|粉尘|灰大|偷排|直排|排放|化工厂|垃圾焚烧|油烟|噪声污染|辐射|死鱼|鱼都死/u;
/** Consumer disputes (市场监管: 12315). */
const CONSUMER =
  /商家|店家|老板不退|退款|退钱|退货|退押金|假货|翻新机|过期|变质|坏的|质量太差|保修|售后|充值卡|预付|办的卡|年卡|网上买|网购|买的|超市|外卖|快递|乱收费|多收|宰客|缺斤少两|地沟油|假酒|假药|假烟|劣质/u;
/** What an official did wrong with money or power (with DISCIPLINE naming the official). */
const OFFICIAL_MISCONDUCT = /撤了|撤职|处分|喝酒|不上班|打麻将|赌博|吃喝|乱收费|收了?.{0,6}钱|收红包|收好处|贪|挪用|截留|吃拿卡要|优亲厚友|以权|私分|不知道去哪|去向不明/u;

/** Officials and public money (纪检监察: 12388). */
const DISCIPLINE =
  /干部|书记|支书|村主任|村长|主任|会计|局长|科长|处长|乡长|镇长|县长|区长|领导|公职|公务员|民警|城管|老师|校长|医生收|公款|公车|贪污|受贿|索贿|行贿|收红包|收好处|收了钱|吃空饷|大吃大喝|吃吃喝喝|优亲厚友|挪用|截留|吃拿卡要|纪委|以权|职务/u;
/** The campaign itself: its scope, deadline, rewards, how to take part or follow up. */
const CAMPAIGN = /建议征集|征集活动|提建议|提的建议|提交的建议|建议.{0,4}(回复|进度|截止|奖|要求|字数|多少字)|只能提|只收|乡村振兴和成渝|这个活动|实名|匿名/u;

/**
 * The referral for a refused message.
 *
 * @example referralFor('complaint', '老板欠了我三个月工资') // 'wages'
 * @example referralFor('tipoff', '村支书把扶贫款拿去修房子') // 'discipline'
 * @example referralFor('consultation', '只能提乡村振兴和成渝的吗？') // 'campaign'
 */
export function referralFor(kind: OutOfScopeKind, text: string): ReferralKey {
  const t = normalizeText(text);
  switch (kind) {
    case 'complaint':
      // An official's misconduct (刘书记乱收费) is for discipline inspection, even when money is involved.
      if (DISCIPLINE.test(t) && OFFICIAL_MISCONDUCT.test(t)) return 'discipline';
      if (WAGES.test(t)) return 'wages';
      if (ENVIRONMENT.test(t)) return 'environment';
      if (CONSUMER.test(t)) return 'consumer';
      return 'complaint';
    case 'petition':
      return WAGES.test(t) && !/低保|救助|补助|住房|房子|宅基地|拆迁|征地/u.test(t) ? 'wages' : 'petition';
    case 'tipoff':
      if (DISCIPLINE.test(t)) return 'discipline';
      if (ENVIRONMENT.test(t)) return 'environment';
      if (CONSUMER.test(t)) return 'consumer';
      return 'tipoff';
    case 'consultation':
      // How one's own suggestion is getting on: how to follow it up, and whom to ask about one made elsewhere.
      if (PROGRESS_QUERY.test(t)) return 'progress';
      if (CAMPAIGN.test(t)) return 'campaign';
      if (WAGES.test(t)) return 'wages';
      return 'consultation';
    default:
      return kind;
  }
}
