/**
 * A suggestion pasted as a filled-in form, one "label：value" per line (主题：乡村振兴 / 标题：… / 建议内容：…
 * / 姓名：… / 电话：…), as people copy it from the paper or web form. Pure: returns the fields found, by the
 * answer keys of the citizen flow, when at least three labels are there; otherwise undefined.
 *
 * @example
 *   parseLabelledForm('标题：关于…的建议\n建议内容：…\n姓名：张三\n电话：13812345678')
 *   // { title: '关于…的建议', proposal: '…', name: '张三', phone: '13812345678' }
 */
export type FormField = 'theme' | 'title' | 'category' | 'proposal' | 'feasibility' | 'name' | 'phone' | 'unit';

const LABELS: ReadonlyArray<[FormField, RegExp]> = [
  ['theme', /^(征集)?主题$/u],
  ['title', /^(建议)?(标题|题目)$/u],
  ['category', /^(建议)?(类别|类型|分类)$/u],
  ['proposal', /^(建议内容|具体建议|建议正文|正文|内容|建议|具体内容|建议事项)$/u],
  ['feasibility', /^(可行性|可行性分析|可行性说明|可行性论证)$/u],
  ['name', /^(姓名|名字|建议人|建议人姓名|真实姓名)$/u],
  ['phone', /^(联系电话|电话|手机|手机号|手机号码|联系方式|电话号码)$/u],
  ['unit', /^(工作单位|单位|所在单位|单位名称)$/u],
];

/** A title written without its label, as the first line of a pasted suggestion. */
const UNLABELLED_TITLE = /^关于.{2,40}(的)?(建议|意见|提议)[。.]?$/u;

const LINE = /^\s*[【\[]?([\p{Script=Han}]{2,8})[】\]]?\s*[:：]\s*(.*)$/u;

/** A label and its colon inside a line (姓名：… 电话：… 标题：… typed on one line in a chat). */
const INLINE_LABEL =
  /(?<=[\s，,。；;])(?=(?:征集主题|主题|建议标题|标题|题目|建议类别|类别|类型|分类|建议内容|具体建议|建议正文|正文|具体内容|内容|建议事项|可行性分析|可行性说明|可行性论证|可行性|建议人姓名|真实姓名|姓名|名字|建议人|联系电话|电话号码|手机号码|手机号|手机|电话|联系方式|工作单位|所在单位|单位名称|单位)\s*[:：])/gu;

export function parseLabelledForm(text: string): Partial<Record<FormField, string>> | undefined {
  const out: Partial<Record<FormField, string>> = {};
  let current: FormField | undefined;
  for (const raw of text.replace(INLINE_LABEL, '\n').split(/\r?\n/)) {
    // Labels are matched on the NFKC form (full-width colons); values keep what the citizen typed.
    const m = LINE.exec(raw.normalize('NFKC'));
    const v = m ? raw.slice(raw.search(/[:：]/u) + 1).trim() : '';
    const field = m ? LABELS.find(([, re]) => re.test(m[1]!))?.[0] : undefined;
    if (m && field && out[field] === undefined) {
      current = field;
      out[field] = v;
      continue;
    }
    // A line without a label continues the field above it (a proposal of several paragraphs); before any
    // label, a line that is a title (关于…的建议) is the title.
    if (current && raw.trim()) out[current] = `${out[current]}\n${raw.trim()}`.trim();
    else if (!current && out.title === undefined && UNLABELLED_TITLE.test(raw.trim())) out.title = raw.trim();
  }
  for (const k of Object.keys(out) as FormField[]) if (!out[k]) delete out[k];
  return Object.keys(out).length >= 3 ? out : undefined;
}
