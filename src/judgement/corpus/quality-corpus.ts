/**
 * The labelled quality corpus: proposals that are acceptable or show one problem (one sentence, title
 * only, 大空虚, several matters, a problem with no measure, contrary to law or policy). Hand-written cases
 * plus slot-filled ones built from the scope corpus' matters. Written to corpus/quality.jsonl.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { QualityProblem } from '../judgement-types.js';
import { fnv1a, parseLabelled, pick, prng } from './corpus-tools.js';
import { fillPlaces, MATTERS } from './scope-templates.js';

export type QualityLabel = 'ok' | Exclude<QualityProblem, 'empty'>;

export interface QualityExample {
  text: string;
  label: QualityLabel;
  source: 'hand' | 'template';
}

const QUALITY_LABELS: readonly QualityLabel[] = ['ok', 'one_sentence', 'title_only', 'vague', 'multiple_matters', 'no_measure', 'unlawful'];
const TRAIN_DIR = new URL('./train/', import.meta.url);
const TEST_URL = new URL('./test/quality-test.txt', import.meta.url);

function asQualityLabel(l: string, where: string): QualityLabel {
  if (!(QUALITY_LABELS as readonly string[]).includes(l)) throw new Error(`unknown quality label [${l}] in ${where}`);
  return l as QualityLabel;
}

function parseQualityFile(url: URL, where: string): Array<{ text: string; label: QualityLabel }> {
  return parseLabelled(readFileSync(url, 'utf8')).map((e) => ({ text: e.text, label: asQualityLabel(e.label, where) }));
}

/** The frozen test split of proposals (corpus/test/quality-test.txt), written before any tuning. */
export function readQualityTestSplit(): Array<{ text: string; label: QualityLabel }> {
  return parseQualityFile(TEST_URL, 'quality-test.txt');
}

function handQualityPasses(): Array<{ text: string; label: QualityLabel }> {
  const files = readdirSync(TRAIN_DIR).filter((f) => f.startsWith('quality-') && f.endsWith('.txt')).sort();
  return files.flatMap((f) => parseQualityFile(new URL(f, TRAIN_DIR), f));
}

export const QUALITY_CORPUS_URL = new URL('./quality.jsonl', import.meta.url);

const HAND: Record<QualityLabel, string[]> = {
  ok: [
    '建议在五桥片区增设公交线路，方便学生上下学',
    '建议在高笋塘广场增设两处公共厕所。周末人流量大，现有厕所排长队，可以利用广场东侧的空地建设。',
    '建议万州北站出租车上客区加装遮雨棚，下雨天旅客排队等车全身淋湿。',
    '建议社区卫生服务中心周末开放半天，上班族平时没时间去打疫苗、做体检。',
    '太白路和白岩路交叉口没有左转信号灯，车辆抢行容易出事故，建议增设左转箭头灯。',
    '建议在龙驹镇建设一个农产品集配中心，统一分拣包装，再通过冷链车每天发往主城。村民可以入股分红。',
    '建议区图书馆开设周末少儿阅读课，由志愿者轮流讲故事。',
    '建议政务服务中心设“办不成事”反映窗口，群众办事遇到卡壳可以当场反映、当场协调。',
    '建议对万州至达州、开州的城际公交实行一卡通，票价统一，方便三地群众往来。',
    '建议把滨江路周末晚上7点到10点改成步行街，摆放夜市摊位，统一管理卫生。',
    '农村集中供水管网老化，经常停水。建议分年度改造，先改漏损最严重的分水、龙驹两个镇，所需资金纳入乡村振兴项目库。',
    '建议在中小学推广“校园农场”，每个学校划出一小块地让学生种菜，配合劳动教育课。',
    '建议给出租车安装统一的电子计价和投诉二维码，乘客扫码就能评价和投诉。',
    '建议建立成渝两地科技创新券互认互通机制，万州企业可以用创新券购买成都高校的检测服务。',
    '建议学校门口的斑马线加装行人过街感应灯。',
    '建议在农村推广“积分超市”：村民参加环境整治、志愿服务获得积分，积分可在村里的超市兑换日用品，由村集体和爱心企业出资。',
  ],
  one_sentence: [
    '建议加强农村道路建设。',
    '希望重视留守儿童问题',
    '建议改善交通',
    '建议多关心老年人',
    '希望政府多为老百姓办实事',
    '建议提高教师待遇。',
    '建议加强环境保护',
    '建议发展乡村旅游。',
    '建议优化营商环境',
    '希望物价降一降',
    '建议解决停车难的问题',
    '建议多修点路',
    '建议加强管理。',
    '应该提高农民收入',
    '建议多搞点活动',
  ],
  title_only: [
    '关于加强农村道路建设的建议',
    '关于发展万州柑橘产业的几点建议',
    '乡村振兴建议',
    '成渝双城经济圈建设',
    '五桥公交线路',
    '关于老旧小区加装电梯的建议',
    '停车难问题',
    '关于优化营商环境的思考',
    '农村养老问题',
    '建言献策',
    '关于建设万达开川渝统筹发展示范区的对策',
    '留守儿童关爱',
  ],
  vague: [
    '大力推进乡村振兴，全面提升群众幸福感，切实做好各项工作',
    '要坚持以人民为中心的发展思想，全面贯彻新发展理念，推动高质量发展，不断满足人民日益增长的美好生活需要。',
    '建议进一步加强领导，统筹协调，形成合力，确保各项工作落地见效。',
    '要深入贯彻落实重要讲话精神，主动作为，担当作为，凝心聚力，奋力开创新局面。',
    '建议全力打造成渝地区双城经济圈重要增长极，加快推进高质量发展，全方位提升城市能级。',
    '乡村振兴是一项系统工程，要高度重视、统筹谋划、久久为功，不断推动农业全面升级、农村全面进步、农民全面发展。',
    '建议持续优化营商环境，着力激发市场主体活力，积极营造良好的发展氛围，助力经济高质量发展。',
    '要补齐短板，做大做强特色产业，守正创新，推动乡村振兴取得新成效，谱写新篇章。',
  ],
  multiple_matters: [
    '一是建议增设五桥公交线路；二是建议学校食堂降价；三是建议医院延长挂号时间',
    '建议在高笋塘增设停车场。另外，小区垃圾分类也要加强，还有医院看病太难了建议多招医生。',
    '我有三个建议：1.公交车高峰加班次；2.农村建冷链仓储点；3.政务中心周末开放。',
    '建议北山大道路灯换成LED。此外建议中小学推行课后托管，还有建议农产品统一品牌。',
    '第一，建议滨江路增设公厕；第二，建议给乡村医生发补贴；第三，建议企业开办一网通办。',
    '建议在沙河建充电桩，顺便说一下，农村留守老人也需要有人照顾，建议搞互助养老点。',
  ],
  no_measure: [
    '五桥的公交车太少了，学生上学很不方便，每天早上都挤不上车。',
    '我们村的路一下雨就全是泥，老人孩子出门很困难。',
    '现在农产品价格太低了，种橙子根本不赚钱，好多人都不种了。',
    '医院挂号排队要排一个上午，看病太难了。',
    '老城区停车位太少，经常找半个小时都找不到车位。',
    '万州到成都的交通还是不够方便，开车要五个小时，高铁也没有直达的。',
    '农村年轻人都出去打工了，村里只剩老人和小孩，土地大量撂荒。',
    '滨江路晚上很黑，路灯很多都不亮，走夜路很害怕。',
    '营商环境还有很多问题，办事的时候经常被推来推去。',
    '小区里的垃圾桶总是满的，臭气熏天，夏天更严重。',
  ],
  unlawful: [
    '建议放开长江禁捕，让渔民恢复捕鱼，毕竟渔民也要生活。',
    '建议允许农民在基本农田上建厂房，这样土地能多赚钱。',
    '建议宅基地可以自由买卖给城里人，盘活农村闲置房屋。',
    '建议在万州开放赌场，学澳门那样发展博彩业带动旅游。',
    '建议取消对酒驾的处罚，农村人喝点酒骑个摩托车很正常。',
    '建议禁止外地人来万州就业，把工作岗位留给本地人。',
    '建议把经常上访的人都抓起来，维护社会稳定。',
    '建议允许村干部经商办企业，这样才有动力带领大家致富。',
    '建议放开秸秆焚烧，农民处理秸秆太麻烦了。',
    '建议在进村的路口设卡收过路费，用来修路。',
  ],
};

/** Slot-filled cases built from the matters of the scope corpus. */
function templated(rand: () => number): Array<{ text: string; label: QualityLabel; key: string }> {
  const out: Array<{ text: string; label: QualityLabel; key: string }> = [];
  MATTERS.forEach((m, i) => {
    const key = `matter:${i}`;
    const f = (s: string) => fillPlaces(rand, s);
    out.push({ text: f(`${m.problem}。建议${m.measure}，${m.purpose}。`), label: 'ok', key });
    out.push({ text: f(`建议${m.measure}。`), label: 'ok', key });
    out.push({ text: f(`${m.problem}。`), label: 'no_measure', key });
    out.push({ text: f(`关于${m.purpose}的建议`), label: 'title_only', key });
    out.push({
      text: f(`${pick(rand, ['建议高度重视', '要切实加强', '建议全面推进', '希望大力推动'])}${m.purpose.replace(/^(帮|让|把|推动|提高|改善|方便|防止)/u, '')}工作，${pick(rand, ['统筹谋划，形成合力，确保取得实效', '坚持高质量发展，不断提升群众获得感幸福感', '积极营造良好氛围，推动各项工作落地见效'])}。`),
      label: 'vague',
      key,
    });
    const other = MATTERS[(i + 7) % MATTERS.length]!;
    out.push({ text: f(`一是建议${m.measure}；二是建议${other.measure}。`), label: 'multiple_matters', key });
  });
  return out;
}

/**
 * The training corpus of proposals: hand-written ones, then templated ones capped per label at the
 * label's hand-written count (templates add volume but are never most of a label). Test texts are dropped.
 */
export function buildQualityCorpus(): QualityExample[] {
  const seen = new Set<string>(readQualityTestSplit().map((e) => e.text));
  const out: QualityExample[] = [];
  const hand = [
    ...(Object.entries(HAND) as Array<[QualityLabel, string[]]>).flatMap(([label, texts]) => texts.map((text) => ({ text, label }))),
    ...handQualityPasses(),
  ];
  const handPerLabel = new Map<QualityLabel, number>();
  for (const { text, label } of hand) {
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, label, source: 'hand' });
    handPerLabel.set(label, (handPerLabel.get(label) ?? 0) + 1);
  }
  const templatedPerLabel = new Map<QualityLabel, number>();
  for (const { text, label } of templated(prng(fnv1a('quality')))) {
    if (seen.has(text)) continue;
    const n = templatedPerLabel.get(label) ?? 0;
    if (n >= (handPerLabel.get(label) ?? 0)) continue;
    seen.add(text);
    templatedPerLabel.set(label, n + 1);
    out.push({ text, label, source: 'template' });
  }
  return out;
}

export function readQualityCorpus(): QualityExample[] {
  return readFileSync(QUALITY_CORPUS_URL, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as QualityExample);
}
