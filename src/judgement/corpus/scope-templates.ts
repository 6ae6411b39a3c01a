/**
 * Template families for the scope corpus: each family has a label and produces varied messages by
 * filling slots. Each message carries its phrasing group (a family's sentence pattern); whole groups are
 * split between train and held-out (scope-corpus.ts), so the held-out figures measure phrasings the model
 * has not seen rather than the same sentence with another place name.
 */
import type { ScopeLabel } from '../scope-rules.js';
import { pick, roughen } from './corpus-tools.js';

export interface TemplateFamily {
  id: string;
  label: ScopeLabel;
  count: number;
  /** A message and its phrasing group (the sentence pattern it was filled from), which decides its split. */
  make: (rand: () => number) => { text: string; group: string };
}

const STREETS = ['高笋塘', '太白', '牌楼', '双河口', '龙都', '周家坝', '沙河', '钟鼓楼', '百安坝', '五桥', '陈家坝', '天城', '江南新区'];
const TOWNS = ['分水镇', '武陵镇', '龙驹镇', '甘宁镇', '长岭镇', '新田镇', '白羊镇', '孙家镇', '李河镇', '罗田镇', '恒合土家族乡', '长滩镇', '大周镇', '熊家镇', '太龙镇', '燕山乡', '梨树乡', '弹子镇', '铁峰乡', '后山镇'];
const VILLAGES = ['青山村', '柏林村', '大石村', '新民村', '石桥村', '茶园村', '楠木村', '双龙村', '黄柏村', '瓦窑村'];
const ROADS = ['北山大道', '白岩路', '沙龙路', '国本路', '江南大道', '万州大道', '太白路', '高笋塘广场', '天城大道', '五桥百安移民新区'];

/** In-scope suggestions: a matter (problem), a measure and its purpose, on the two themes and others. */
export const MATTERS: Array<{ problem: string; measure: string; purpose: string }> = [
  { problem: '{town}的玫瑰香橙每年丰收时卖不出好价钱', measure: '在镇上建一个产地冷链仓储点，联合电商平台开展直播带货', purpose: '帮果农把橙子卖出去、卖上价' },
  { problem: '{town}很多村的古红桔品牌知名度不高', measure: '统一注册“万州古红桔”区域公用品牌，制定分级包装标准', purpose: '提高产品溢价' },
  { problem: '农村留守老人日常照料缺人手', measure: '在{village}试点村级互助养老点，由低龄老人照顾高龄老人并按时长积分', purpose: '让老人在村里就能得到照顾' },
  { problem: '{town}的农村生活污水直排现象还比较普遍', measure: '按院落建设小型一体化污水处理设施，并由村集体负责日常运维', purpose: '改善农村人居环境' },
  { problem: '村里年轻人外出务工，土地撂荒比较多', measure: '由村集体经济组织牵头把撂荒地统一流转，引进种植大户发展中药材', purpose: '壮大村集体经济' },
  { problem: '乡村医生年龄偏大、后继乏人', measure: '实行“县聘乡用、乡聘村用”，对到村卫生室工作的年轻医生给予住房补贴', purpose: '让村民看病不出村' },
  { problem: '{town}有不少闲置农房', measure: '引导村集体把闲置农房改造成民宿，统一运营，收益按比例分给农户', purpose: '发展乡村旅游' },
  { problem: '脱贫户中有一部分人家庭收入不稳定', measure: '建立防返贫监测预警台账，每月由网格员入户核查一次', purpose: '防止规模性返贫' },
  { problem: '农村客运班车班次少', measure: '在{town}开通“赶场专线”，逢场天增加早晚两个班次', purpose: '方便村民赶场和就医' },
  { problem: '农技培训内容和农民需要对不上', measure: '按产业分片开办“田间课堂”，请种植能手现场教学', purpose: '让培训真正有用' },
  { problem: '村里的传统民俗和手艺慢慢没人会了', measure: '把{town}的非遗项目纳入中小学兴趣课，每年举办一次非遗展演', purpose: '传承传统文化' },
  { problem: '农产品检测认证费用高', measure: '由区里统一采购检测服务，对合作社的绿色食品认证费用给予补贴', purpose: '减轻合作社负担' },
  { problem: '万州到成都的货运时间还比较长', measure: '加快推进成达万高铁建设，并在新田港开通至成都的铁水联运班列', purpose: '融入成渝地区双城经济圈' },
  { problem: '川渝两地办事还要来回跑', measure: '扩大“川渝通办”事项清单，在区政务服务中心设立川渝通办专窗', purpose: '让群众少跑腿' },
  { problem: '异地就医报销手续麻烦', measure: '推动成渝两地医保异地就医直接结算覆盖到所有乡镇卫生院', purpose: '方便在成都务工的万州人看病' },
  { problem: '万州的中小企业融资难', measure: '建立成渝地区信用信息共享平台，推出“信用贷”产品', purpose: '优化营商环境' },
  { problem: '三峡学院的科研成果在本地转化少', measure: '由区科技局牵头建设校地协同创新中心，对成果转化项目给予资金支持', purpose: '推动科技创新' },
  { problem: '万州和开州、云阳之间产业同质化', measure: '建立万开云产业协同发展联席会议机制，统一规划园区产业定位', purpose: '推动一体化发展' },
  { problem: '新田港的集装箱货源不足', measure: '对经西部陆海新通道出口的本地企业给予运费补贴', purpose: '把港口用起来' },
  { problem: '企业开办还要准备很多纸质材料', measure: '推行企业开办“一网通办”，实现营业执照、公章、税务一次办结', purpose: '提高办事效率' },
  { problem: '本地高校毕业生留在万州的比例不高', measure: '设立青年人才驿站，为来万求职的毕业生提供7天免费住宿', purpose: '留住年轻人才' },
  { problem: '{street}片区早晚高峰公交车非常挤', measure: '在{road}增开高峰区间车，早上7点到8点半加密到5分钟一班', purpose: '方便学生和上班族' },
  { problem: '{street}一带停车位严重不足', measure: '利用{road}附近的闲置地块建设立体停车场，并开发停车位共享小程序', purpose: '缓解停车难' },
  { problem: '{road}附近的学校门口上下学时段很堵', measure: '在学校门口划设家长临时停车区，并安排交警和志愿者错峰疏导', purpose: '保障学生安全' },
  { problem: '老旧小区没有电梯，老人上下楼困难', measure: '对{street}的老旧小区加装电梯给予每台15万元补助，简化审批流程', purpose: '方便老年人出行' },
  { problem: '滨江路晚上路灯太暗', measure: '把{road}沿江步道的路灯更换为LED灯，并增加10处监控', purpose: '让晚上散步的市民更安全' },
  { problem: '小区垃圾分类桶形同虚设', measure: '在{street}试点定时定点投放，配备督导员，对分类好的家庭发放积分兑换生活用品', purpose: '真正推动垃圾分类' },
  { problem: '新能源汽车越来越多但充电桩少', measure: '在{street}各公共停车场按10%的比例配建充电桩', purpose: '方便市民充电' },
  { problem: '社区老年人不会用智能手机办事', measure: '在各社区服务中心保留人工窗口，并组织大学生志愿者开设手机课堂', purpose: '帮助老人跨越数字鸿沟' },
  { problem: '{street}的菜市场卫生条件较差', measure: '对菜市场进行提档升级改造，增设排水沟和公共卫生间', purpose: '改善群众买菜环境' },
  { problem: '城区无障碍设施不连贯', measure: '对{road}的人行道进行无障碍改造，盲道被占用的要及时清理', purpose: '方便残疾人出行' },
  { problem: '双职工家庭孩子放学后没人管', measure: '在中小学推行课后延时托管服务，费用由财政补贴一部分', purpose: '解决家长的后顾之忧' },
  { problem: '长江岸线一些地方有人乱扔垃圾', measure: '在{road}沿江设置分类垃圾桶和提示牌，组织志愿者每周巡河', purpose: '保护长江生态' },
  { problem: '社区纠纷调解力量不足', measure: '在每个社区设立“老娘舅”调解室，聘请退休法官和律师参与', purpose: '把矛盾化解在基层' },
  { problem: '万州烤鱼名气大但缺乏统一标准', measure: '由行业协会制定万州烤鱼团体标准，打造烤鱼美食街', purpose: '带动餐饮和旅游' },
  { problem: '到大瀑布群等景区的交通不方便', measure: '开通城区到景区的旅游专线，节假日每小时一班', purpose: '发展全域旅游' },
];

const SUGGESTION_FORMS: Array<(m: { problem: string; measure: string; purpose: string }) => string> = [
  (m) => `建议${m.measure}，${m.purpose}。`,
  (m) => `${m.problem}，建议${m.measure}。`,
  (m) => `我有个建议：${m.problem}，能不能${m.measure}，这样可以${m.purpose}。`,
  (m) => `${m.problem}。希望政府能${m.measure}，${m.purpose}。`,
  (m) => `关于${m.purpose}的建议：${m.measure}。`,
  (m) => `提个建议，${m.measure}，${m.purpose}`,
  (m) => `我觉得应该${m.measure}。现在${m.problem}，这样做能${m.purpose}。`,
  (m) => `您好，${m.problem}，建议${m.measure}，谢谢！`,
];

export function fillPlaces(rand: () => number, s: string): string {
  return s
    .replace(/\{town\}/g, () => pick(rand, TOWNS))
    .replace(/\{village\}/g, () => pick(rand, VILLAGES))
    .replace(/\{street\}/g, () => pick(rand, STREETS))
    .replace(/\{road\}/g, () => pick(rand, ROADS));
}

const suggestionFamilies: TemplateFamily[] = SUGGESTION_FORMS.map((form, formIndex) => ({
  id: `suggestion-form-${formIndex}`,
  label: 'suggestion' as const,
  count: 36,
  make: (rand: () => number) => {
    const i = Math.floor(rand() * MATTERS.length);
    return { text: roughen(rand, fillPlaces(rand, form(MATTERS[i]!))), group: `suggestion-form-${formIndex}` };
  },
}));

type Gen = (rand: () => number) => string;
function family(id: string, label: ScopeLabel, count: number, gens: Gen[]): TemplateFamily {
  return {
    id,
    label,
    count,
    make: (rand) => {
      // The same draw as pick(rand, gens), keeping the index as the phrasing group.
      const g = Math.floor(rand() * gens.length);
      const text = roughen(rand, fillPlaces(rand, gens[g]!(rand)));
      return { text, group: `${id}:${g}` };
    },
  };
}

const NOISES = ['工地晚上12点还在施工', '楼下烧烤店油烟直接往楼上灌', '广场舞音响每天晚上开到十点多', '隔壁KTV半夜还在唱歌', '菜市场门口天天占道经营', '小区门口的垃圾三天没人清运', '楼下餐馆把污水直接倒进雨水管'];
const COMPLAINT_TAILS = ['根本没法睡觉，请你们管一管！', '打了几次电话都没人管', '投诉了好多次都没有用', '希望相关部门赶紧处理', '你们到底管不管？', '请尽快派人来处理', '已经持续一个多月了'];

const complaintFamilies: TemplateFamily[] = [
  family('complaint-nuisance', 'complaint', 45, [
    (r) => `我们{street}${pick(r, ['某小区', '这边', '家旁边'])}${pick(r, NOISES)}，${pick(r, COMPLAINT_TAILS)}`,
    (r) => `投诉：${pick(r, NOISES)}，${pick(r, COMPLAINT_TAILS)}`,
    (r) => `${pick(r, NOISES)}，${pick(r, COMPLAINT_TAILS)}`,
  ]),
  family('complaint-service', 'complaint', 40, [
    (r) => `${pick(r, ['区政务中心', '{street}街道办', '社保窗口', '派出所户籍窗口', '不动产登记中心'])}的工作人员${pick(r, ['态度太差了', '上班时间玩手机', '让我来回跑了三趟', '推来推去没人办'])}，我要投诉`,
    (r) => `${pick(r, ['物业', '开发商', '出租车司机', '快递公司', '燃气公司'])}${pick(r, ['乱收费', '拒载', '服务太差', '多收了我钱', '一直不给维修'])}，${pick(r, COMPLAINT_TAILS)}`,
    (r) => `{road}的路灯坏了${pick(r, ['好几天', '半个月', '一个多月'])}了，晚上黑漆漆的，${pick(r, COMPLAINT_TAILS)}`,
    (r) => `${pick(r, ['老板拖欠我们工资', '工地包工头欠了我们半年工钱', '公司三个月没发工资了'])}，${pick(r, ['找谁都不管', '怎么要都要不到', '请帮我们讨个说法'])}`,
  ]),
];

const PERSONAL = ['我家的低保', '我爸的养老金', '我妈的高龄补贴', '我的失业金', '我家的拆迁补偿款', '我的医保报销', '我家的危房改造补助', '我的工伤认定', '我儿子的入学', '我家的宅基地审批'];
const petitionFamilies: TemplateFamily[] = [
  family('petition-personal', 'petition', 50, [
    (r) => `${pick(r, PERSONAL)}${pick(r, ['到现在还没批下来', '被取消了', '一直没有到账', '少发了好几个月', '拖了快一年了'])}，${pick(r, ['请帮我解决一下', '我该怎么办', '希望领导重视', '麻烦帮我问问'])}`,
    (r) => `建议政府${pick(r, ['给我家', '帮我', '尽快给我们家', '重新给我'])}${pick(r, ['解决低保', '落实拆迁补偿', '办理危房改造', '补发养老金', '安排公租房', '解决孩子读书的问题'])}`,
    (r) => `我是{town}的村民，${pick(r, ['我家的地被村里占了', '我家房子被隔壁修房子震裂了', '我的承包地被别人强占了', '我家的林地补偿款被村干部扣了'])}，${pick(r, ['希望政府给个说法', '请求帮忙解决', '建议领导下来看看'])}`,
    (r) => `${pick(r, ['我在{street}买的房子', '我家的房子', '我们那栋楼'])}${pick(r, ['五年了还办不了房产证', '漏水开发商不管', '质量有问题'])}，${pick(r, ['希望政府帮我们维权', '建议有关部门给我们解决', '请领导关注'])}`,
  ]),
  family('petition-status', 'petition', 30, [
    (r) => `为啥${pick(r, ['我的社保', '我的公积金', '我的补贴', '我的退休金', '我的粮食补贴'])}还没到账`,
    (r) => `${pick(r, ['我反映的问题', '我去年写的信访件', '我上次提交的申请'])}${pick(r, ['怎么还没有回复', '到现在都没人处理', '石沉大海了'])}？`,
    (r) => `我${pick(r, ['老公', '父亲', '儿子'])}${pick(r, ['在工地受伤了', '被单位无故辞退了', '的工伤赔偿一直没落实'])}，${pick(r, ['请帮帮我们', '求政府做主', '希望得到公正处理'])}`,
  ]),
];

const consultationFamilies: TemplateFamily[] = [
  family('consult-procedure', 'consultation', 50, [
    (r) => `请问${pick(r, ['新生儿落户', '居住证', '老年优待证', '营业执照', '不动产登记', '医保异地备案', '公积金提取', '灵活就业社保缴费', '残疾证', '准生证'])}${pick(r, ['怎么办理', '需要带什么材料', '在哪里办', '可以网上办吗', '要多长时间'])}？`,
    (r) => `${pick(r, ['想问一下', '咨询一下', '请教一下', '麻烦问下'])}，${pick(r, ['城乡居民医保今年交多少钱', '退休年龄是怎么规定的', '农村建房要办什么手续', '孩子上小学要准备哪些资料', '失业保险金能领多久'])}`,
    (r) => `${pick(r, ['身份证丢了', '驾驶证到期了', '社保卡坏了', '户口要迁回老家'])}，${pick(r, ['去哪里补办', '怎么弄', '需要什么手续', '能不能在{street}办'])}？`,
  ]),
  family('consult-policy', 'consultation', 30, [
    (r) => `${pick(r, ['现在的购房补贴政策', '农村危房改造的标准', '高龄津贴的发放标准', '返乡创业的扶持政策', '个体户的税收优惠'])}是什么样的？${pick(r, ['', '谢谢', '在哪里能查到'])}`,
    (r) => `我${pick(r, ['符合', '能不能申请', '有没有资格享受'])}${pick(r, ['公租房', '低保', '创业担保贷款', '技能培训补贴'])}${pick(r, ['吗', '？', '，条件是什么'])}`,
  ]),
];

const tipoffFamilies: TemplateFamily[] = [
  family('tipoff', 'tipoff', 40, [
    (r) => `举报{village}${pick(r, ['村支书', '村主任', '会计'])}${pick(r, ['贪污扶贫款', '优亲厚友评低保', '虚报冒领补贴', '私分集体资金'])}`,
    (r) => `${pick(r, ['实名举报', '我要举报', '匿名举报'])}：{street}${pick(r, ['有一家黑诊所', '有人在搞传销', '有个赌博窝点', '有工厂晚上偷排污水', '有人非法集资'])}，${pick(r, ['请去查一下', '地址我可以提供', '希望严肃处理'])}`,
    (r) => `{town}${pick(r, ['某领导', '某干部', '国土所的人'])}${pick(r, ['收红包', '公车私用', '违规吃喝', '充当保护伞'])}，${pick(r, ['大家都知道', '我有证据', '你们管不管'])}`,
  ]),
];

const helpFamilies: TemplateFamily[] = [
  // Emergencies (110/119/120/122): someone in danger now.
  family('help', 'help', 40, [
    (r) => `${pick(r, ['我爷爷', '家里老人', '我妈妈'])}${pick(r, ['走失了', '出门到现在没回来', '有老年痴呆跑出去了'])}，${pick(r, ['怎么办', '求帮忙找一下', '穿的灰色外套'])}`,
    (r) => `${pick(r, ['我被困在电梯里了', '家门口的山体在往下滑', '河水涨上来了，我们被困在屋里', '路塌了，有车子陷进去了'])}，${pick(r, ['怎么办', '快来人', '快派人'])}`,
  ]),
  // Personal hardship: a request for oneself, for the petition channels and the township (not an emergency).
  family('hardship', 'petition', 30, [
    (r) => `${pick(r, ['求助', '急', '求帮忙'])}！${pick(r, ['家里孩子得了白血病', '我老公出车祸住院了', '家里房子被泥石流冲垮了'])}，${pick(r, ['实在拿不出钱了', '现在没地方住', '有没有什么救助'])}`,
    (r) => `${pick(r, ['我一个人带两个孩子', '我失业半年了', '我刚出院没有收入'])}，${pick(r, ['生活很困难', '房租都交不起了', '吃饭都成问题'])}，${pick(r, ['能不能帮帮我', '有什么救助吗', '请政府帮帮我'])}`,
  ]),
];

const chitchatFamilies: TemplateFamily[] = [
  family('chitchat', 'chitchat', 45, [
    (r) => pick(r, ['今天天气怎么样', '你是机器人吗', '你叫什么名字', '讲个笑话', '吃饭了没', '哈哈哈哈', '你好可爱', '万州烤鱼哪家好吃', '周末去哪里耍', '你几岁了', '无聊，陪我聊聊天', '你会唱歌吗', '今天星期几', '我好困', '👍👍', '在干嘛呢']),
    (r) => `${pick(r, ['今天', '明天', '周末'])}${pick(r, ['万州', '重庆', '我们这边'])}${pick(r, ['会下雨吗', '热不热', '天气好不好'])}`,
    (r) => `${pick(r, ['你们', '你'])}${pick(r, ['是真人还是机器', '每天都上班吗', '工资高不高', '是哪个部门的'])}？`,
  ]),
];

const spamFamilies: TemplateFamily[] = [
  family('spam', 'spam', 35, [
    (r) => `${pick(r, ['兼职刷单', '手机打字员', '宝妈兼职'])}，${pick(r, ['日赚300', '日结', '在家就能做'])}，${pick(r, ['加微信', '加v', '+vx'])}${pick(r, ['ab12345', 'wx88888', 'zq6666'])}`,
    (r) => `${pick(r, ['正规发票代开', '无抵押贷款秒批', '高仿名表低价出售', '彩票计划群免费进'])}，${pick(r, ['详情咨询', '联系', '加扣扣'])}${pick(r, ['139****8888', '微信zz99', 'qq12345678'])}`,
    (r) => `${pick(r, ['点击领取', '恭喜您获得', '限时免费领取'])}${pick(r, ['红包', '话费', '优惠券'])} ${pick(r, ['http://t.cn/abc', 'www.xx88.com', 'https://xx.cn/a'])}`,
    (r) => pick(r, ['asdfghjkl', '1111111', '啊啊啊啊啊啊', '。。。。。', 'ddddd', '？？？？', 'qwerty', '...']),
  ]),
];

const abuseFamilies: TemplateFamily[] = [
  family('abuse', 'abuse', 30, [
    (r) => `${pick(r, ['你们这些狗官', '一群废物', '垃圾政府', '你个傻逼机器人', '脑残'])}${pick(r, ['', '，什么都不管', '，滚', '！！！', '，去死吧'])}`,
    (r) => `${pick(r, ['操你妈', '妈的', '他妈的'])}${pick(r, ['，什么破系统', '，又不回复', '，搞什么'])}`,
  ]),
];

const startFamilies: TemplateFamily[] = [
  family('start', 'start', 60, [
    (r) => pick(r, ['你好', '您好', '在吗', '你好，在吗', '有人吗', 'hello', '哈喽', '早上好', '下午好']),
    (r) => `${pick(r, ['', '你好，', '您好，', '请问'])}${pick(r, ['我想提个建议', '我要提建议', '怎么提建议', '我有个建议', '我想建言献策', '我想参加人民建议征集', '我有几点想法想反映给政府', '建议在哪里提交', '我想给政府提点意见建议'])}`,
    (r) => pick(r, ['提建议', '建议', '我有建议', '我要建言', '参加征集活动', '人民建议征集', '我想说说乡村振兴的想法', '关于成渝双城经济圈我有点想法']),
  ]),
];

/** All template families of the scope corpus. */
export const SCOPE_TEMPLATE_FAMILIES: TemplateFamily[] = [
  ...suggestionFamilies,
  ...complaintFamilies,
  ...petitionFamilies,
  ...consultationFamilies,
  ...tipoffFamilies,
  ...helpFamilies,
  ...chitchatFamilies,
  ...spamFamilies,
  ...abuseFamilies,
  ...startFamilies,
];
