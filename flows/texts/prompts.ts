/** The questions of the citizen's suggestion flow, and the short re-asks. */

export const prompts = {
  welcome: '您好！这里是万州区人民建议征集助手，感谢您为发展建言献策。提交一条建议大约需要5分钟。',
  welcomeWithDraft: '您好！已收到您的建议内容，先为它补充几项信息。',
  theme: '请选择建议的主题（回复编号或名称）：',
  themeInvalid: '请回复上面选项的编号或名称。',
  generalOnly: (name: string) => `当前没有进行中的专题征集，您的建议将作为“${name}”受理。`,
  title: '请用一句话写出建议的标题，例如：关于在五桥片区增设公交线路的建议。',
  category: '这条建议属于哪一类？',
  categoryGuess: (name: string, n: number) => `根据标题，看起来属于“${name}”类，如无误请回复${n}。`,
  categoryInvalid: '请回复上面选项的编号或名称；拿不准可选“不确定”。',
  categoryUnsure: '不确定',
  categoryUnsureWords: ['不晓得', '不知道', '不清楚', '搞不清楚', '说不清', '不懂', '不会选', '随便', '都可以', '不太清楚'],
  proposal: (requirement?: string) =>
    `请写出建议内容：现状或问题是什么、您建议具体怎么做。${requirement ? `（${requirement}）` : ''}\n内容较长可分几条发送，全部发完后请回复“完成”。`,
  /** An agent's forwarded record taken as the proposal: quoted, and checked at once. */
  proposalAdopted: (excerpt: string) => `已采用前面发来的内容作为建议内容：“${excerpt}”`,
  proposalPrefilledShort: (excerpt: string) => `您前面发来的内容已记为建议内容：“${excerpt}”`,
  proposalPrefilled: (excerpt: string, total: number) =>
    `您前面发来的内容已记为建议内容（共${total}字）：“${excerpt}”\n还有要补充的请接着发，没有了请回复“完成”；要整段重写请回复“重写”。`,
  feasibility:
    '请简要说明建议的可行性：实施需要哪些条件、大致成本或资源、预期效果。可分几条发送，发完后请回复“完成”。',
  identityIntro:
    '最后，请提供您的真实姓名、联系电话和工作单位，可一条发送，例如：张××，138××××××××，万州区某某公司。（信息仅用于办理和回复您的建议）',
  askName: '请问您的姓名是？',
  askPhone: '请留一个联系电话（手机或座机），便于承办单位联系您。',
  askUnit: '请问您的工作单位是？（没有单位可填写“无”或所在村/社区）',
  collected: (total: number) => `已记录（共${total}字）。可继续补充，写完请回复“完成”。`,
  review: '请核对您的建议：',
  reviewFooter: '无误请回复“确认”提交；要修改某项，请回复“修改 标题”等；不提交了请回复“取消”。',
  reviewInvalid: '请回复“确认”提交，“修改 某项”修改，或“取消”。',
  editWhich: '请问要修改哪一项？',
  editUnknown: (field: string) => `没有找到“${field}”这一项。`,
  editing: (label: string, current?: string) =>
    current ? `好的，请重新填写${label}（目前是：“${current}”；不改了请回复“返回”）。` : `好的，请重新填写${label}。`,
  collectEmpty: '还没有收到内容，请先发送，发完后再回复“完成”。',
  rewriteDone: '已清空，请重新发送。',
  keptAhead: (label: string) => `已先记下这段话，稍后作为${label}使用。`,
  /** Name and phone sent while another step was asked: kept for the identity step, not added to the text. */
  keptDetails: (fields: string[]) => `已先记下您的${fields.join('、')}，最后核对时可以看到。`,
  shortAnswer: (label: string, max: number) => `这一步请发送简短的${label}（不超过${max}字）。`,
  notHere: '这一步不需要回复这个词。',
  textOnly: '我只能看懂文字，请用文字回复。',
  sendLabel: (label: string) => `请直接发送${label}。`,
  notHereSend: (label: string) => `这一步不需要回复这个词，请直接发送${label}。`,
  collectSend: (label: string) => `请发送${label}，发完后回复“完成”。`,
  keepQuestion: (text: string, label: string) => `收到：“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”。这句要记入${label}吗？`,
  keepDropped: '好的，这句不记入。',
  /** Several matters in one text (一事一议): which one to go on with; the others are offered after submitting. */
  partChoice: (count: number) =>
    `您说的是${count === 2 ? '两' : count}件事。按照“一事一议”，一条建议只提一件事：请选择先提哪一件（回复编号），其余的提交后我会提醒您接着提。`,
  partAgain: '请回复编号选一件先提；如果这些其实是同一件事，请回复“放在一条里”。',
  partChosen: (part: string) => `好的，这一条先提：“${part.length > 40 ? `${part.slice(0, 40)}…` : part}”。`,
  partsTogether: '好的，按一条建议提交。',
  partsKeptTogether: '好的，先按一条建议提交，工作人员会帮您分开办理。',
  /** A menu's option named in the first message: taken, and said so. */
  optionTaken: (label: string, option: string) => `${label}已选“${option}”。`,
  /** A title drafted from what the citizen said the suggestion is about, when asked to write it. */
  draftTitle: (topic: string) => `关于${topic}的建议`,
  titleOffer: (title: string) => `标题可以这样写：“${title}”。用这个吗？也可以直接发送您自己想的标题。`,
  laterPart: (part: string) => `您刚才还提到：“${part.length > 40 ? `${part.slice(0, 40)}…` : part}”。要接着把它作为一条新建议提交吗？`,
  laterDeclined: '好的。以后想提的时候，直接发来就可以。',
  detailsCarried: '姓名、电话和单位沿用上一条的，最后核对时可以修改。',
  titleKept: (title: string) => `已把“${title}”作为建议标题。`,
  formFilled: (labels: string[]) => `已按您发来的内容填好：${labels.join('、')}。`,
  yesNo: { yes: '是', no: '否' },
  /** An aside (好的, 等一下, 你好) at a step: nothing is stored, the question is asked again. */
  aside: '好的，不着急，已填写的内容都会保留。',
  /** Coming back to a step already answered (返回, 修改): what it holds, and how to keep it. */
  currentValue: (label: string, value: string) => `目前的${label}是：“${value}”。直接发送新的${label}即可修改；不用改请回复“不改”。`,
  currentCollected: (label: string, excerpt: string, total: number) =>
    `目前的${label}（共${total}字）：“${excerpt}”\n可以继续补充；要整段重写请回复“重写”；不用改请回复“完成”。`,
  keptRestored: (label: string, excerpt: string, total: number) =>
    `您之前在这一步写的${label}已保留（共${total}字）：“${excerpt}”\n可以继续补充，写完请回复“完成”。`,
  currentFields: (lines: string[]) => `目前填写的是：${lines.join('，')}。要改哪一项，直接发送新的内容（如新的电话号码）；不用改请回复“不改”。`,
  corrected: (label: string, value: string) => `好的，已把${label}改为“${value}”。`,
  deleted: (quote: string) => `好的，已删去“${quote.length > 30 ? `${quote.slice(0, 30)}…` : quote}”。`,
  added: (label: string, value: string) => `好的，已把“${value}”补充到${label}。`,
  /** A question no FAQ entry answers. */
  questionUnknown: '这个问题我暂时回答不了，您可以回复“转人工”，或发送“帮助”查看常见问题。',
  /** How to answer each step, for "这样写可以不？" and the like. */
  stepHelp: {
    theme: '主题决定建议交给哪些部门办理：农村、农业方面的选“乡村振兴”，成渝合作、产业、交通物流方面的选“成渝地区双城经济圈建设”，其他身边事、民生事选“日常建议”。选错了以后也可以改。',
    title: '标题用一句话概括您的建议就行，例如“关于在五桥片区增设公交线路的建议”，10到30个字比较合适。',
    category: '类别只是帮助分办，选错了不影响受理：提出政策怎么完善的选“完善政策”，某项工作怎么改进的选“改进工作”，针对具体问题提办法的选“解决问题”，新的制度办法选“创新体制机制”，拿不准就选“不确定”。',
    proposal: '建议内容写清楚两点就可以：现状或问题是什么，您建议具体怎么做（在哪里、谁来做、怎么做）。一条建议只说一件事，不限字数，可分几条发送，写完回复“完成”。',
    feasibility: '可行性就是说说这件事为什么办得成：需要哪些条件、大概花多少钱或从哪里来、办了以后有什么效果。说个大概就行，写完回复“完成”。',
    name: '请填写您本人的真实全名（姓和名），例如“王建国”；帮家人提的，请填建议人本人的姓名。',
    phone: '手机或座机都可以，座机请带区号，例如 13812345678 或 023-58123456。',
    unit: '填写您工作的单位即可；没有单位的可以写“无”“退休”“个体户”，或“村民”加所在村（社区）。',
    confirm: '请看一下上面的内容是否正确：无误回复“确认”提交，要改某一项回复“修改 标题”等。',
  } as Record<string, string>,
  /** A correction names an answer not given yet. */
  notAnsweredYet: (label: string) => `${label}还没有填写，稍后会问到。`,
} as const;

export const optionLabels = {
  submit: '确认提交',
  edit: '修改',
  cancel: '取消',
  insist: '坚持按现在的内容提交',
  suggest: '提建议',
  petition: '反映个人诉求',
  resume: '继续填写',
  restart: '重新开始',
  cancelYes: '确定取消',
  cancelNo: '继续填写',
  keepYes: '记入',
  keepNo: '不用记',
  restartYes: '确定重新开始',
  cancelLater: '先保存，下次再填',
  partsTogether: '放在一条里',
  laterPartYes: '接着提这一件',
  titleYes: '用这个标题',
  titleNo: '我自己写',
  laterPartNo: '不用了',
} as const;

/** Worked examples, shown after three failed tries on a step. */
export const examples = {
  theme: '例如回复“1”，或直接回复主题名称“乡村振兴”。',
  title: '例如：关于在五桥片区增设早晚高峰公交班次的建议。',
  category: '例如回复“3”表示“解决问题”；拿不准可回复“不确定”。',
  proposal:
    '例如：“五桥片区到江南新区的公交每30分钟一班，早晚高峰学生、上班族挤不上车。建议在7:00-9:00、17:00-19:00把班次加密到每10分钟一班，并在五桥中学站增设候车亭。”写完后回复“完成”。',
  feasibility: '例如：“可调用现有2辆备用车，不需新购车辆；候车亭约2万元；预计高峰候车时间减少一半。”写完后回复“完成”。',
  identity: '例如：张××，138××××××××，万州区某某公司。',
} as const;
