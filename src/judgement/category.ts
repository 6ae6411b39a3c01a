/**
 * The seed's four kinds of suggestion (完善政策、改进工作、解决问题、创新体制机制), inferred from cue words.
 * Used to pre-select the kind the citizen confirms; `undefined` when the text gives no clear signal.
 */
import type { SuggestionCategory } from '../domain/suggestion-types.js';
import { normalizeText } from './text-normalize.js';

const CUES: Record<SuggestionCategory, Array<[RegExp, number]>> = {
  policy: [
    [/政策|制度|条例|规定|办法|标准|法规/g, 2],
    [/补贴|补助|津贴|减免|优惠|门槛|放宽|覆盖|纳入|报销比例|参保|扶持/g, 1.5],
    [/出台|制定|修订|完善.{0,6}(政策|制度|规定|办法)/g, 2],
  ],
  work: [
    [/改进|优化|提升|提高|规范|加强.{0,4}(管理|监管|服务|宣传|培训)|整改/g, 1.5],
    [/流程|窗口|服务态度|办事效率|效率|作风|培训|宣传|考核|督查|督办|跑腿|一站式|工作/g, 1.2],
  ],
  problem: [
    [/问题|解决|难题|隐患|拥堵|堵车|积水|破损|坑洼|漏水|噪音|污染|脏乱|不方便|难/g, 1.2],
    [/增设|安装|修建|修复|维修|改造|硬化|拓宽|新建|设置|配备|开通|延长|清理|整治/g, 1.5],
    [/路灯|公交|站台|红绿灯|斑马线|停车|垃圾|厕所|护栏|道路|桥|管网|下水道/g, 1],
  ],
  innovation: [
    [/体制|机制|创新|模式|试点|改革|联动|协同|一体化|共建|共享|平台|数字化|智慧|互联网\+|大数据|积分制|合作社\+|飞地/g, 2],
    [/探索|推行|建立.{0,8}(机制|体系|平台|联盟|模式)|可复制|推广/g, 1.5],
  ],
};

/**
 * Guesses the kind of a suggestion from its title and proposal text.
 *
 * @example inferCategory('建议建立成渝两地医保异地结算一体化机制') // 'innovation'
 */
export function inferCategory(text: string): SuggestionCategory | undefined {
  const t = normalizeText(text);
  const scores = (Object.keys(CUES) as SuggestionCategory[]).map((cat) => {
    let score = 0;
    for (const [re, w] of CUES[cat]) score += (t.match(re)?.length ?? 0) * w;
    return { cat, score };
  });
  scores.sort((a, b) => b.score - a.score);
  const [best, second] = scores;
  if (!best || best.score < 1.5) return undefined;
  if (second && best.score - second.score < 0.5) return undefined;
  return best.cat;
}
