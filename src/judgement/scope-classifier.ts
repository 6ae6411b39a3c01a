/**
 * Scope judgement of a first message (or a proposal text): a genuine suggestion, a start intent, one of
 * the out-of-scope kinds, or unsure (the bot then asks 您是想提建议，还是反映个人诉求？). Pure, sync, no I/O.
 */
import type { OutOfScopeKind, ScopeVerdict } from './judgement-types.js';
import { sureRule, type ScopeLabel } from './scope-rules.js';
import { normalizeText } from './text-normalize.js';

const CUES: Array<[ScopeLabel, RegExp]> = [
  ['petition', /我家|我的|我爸|我妈|本人|给我|帮我|我们家|低保|赔偿|补偿款|拆迁款|工资|社保.{0,4}(没|还没)|退休金/u],
  ['complaint', /投诉|扰民|太吵|噪音|乱收费|不作为|态度差|欠薪|拖欠|没人管|管一管/u],
  ['consultation', /请问|怎么办理|如何办理|需要什么材料|在哪里办|咨询|能不能办|多久|什么时候/u],
  ['help', /求助|帮帮|急需|没钱|困难/u],
  ['chitchat', /哈哈|天气|吃饭|你是谁|机器人|无聊/u],
  ['suggestion', /建议|希望|提议|应该|可以考虑|增设|设置|开通|建立|推动|完善|加强|优化/u],
];

/**
 * Judges whether a message is within the campaign's scope.
 *
 * @example judgeScope('建议在五桥片区增设公交线路，方便学生上下学') // { kind: 'suggestion', … }
 * @example judgeScope('你好') // { kind: 'start', … }
 */
export function judgeScope(text: string): ScopeVerdict {
  const sure = sureRule(text);
  if (sure) return toVerdict(sure, 0.99);
  const t = normalizeText(text);
  const hits = CUES.filter(([, re]) => re.test(t)).map(([label]) => label);
  const oos = hits.filter((h): h is OutOfScopeKind => h !== 'suggestion' && h !== 'start');
  if (hits.includes('suggestion') && oos.length === 0) return { kind: 'suggestion', confidence: 0.7 };
  if (oos.length === 1 && !hits.includes('suggestion')) return toVerdict(oos[0]!, 0.7);
  return { kind: 'unsure', candidates: oos.length > 0 ? oos : ['petition'], confidence: 0.4 };
}

function toVerdict(label: ScopeLabel, confidence: number): ScopeVerdict {
  if (label === 'suggestion' || label === 'start') return { kind: label, confidence };
  return { kind: 'out_of_scope', category: label, confidence };
}
