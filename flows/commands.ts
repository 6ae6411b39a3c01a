/**
 * Global commands: the words a citizen may type at any step, with their synonyms. A message that is one of
 * these words is a command and is never stored as an answer.
 */

/** The commands the engine understands everywhere. */
export type CommandName = 'help' | 'back' | 'edit' | 'cancel' | 'restart' | 'resume' | 'query';

export interface CommandSpec {
  name: CommandName;
  /** Whole-message words (compared after normalising: trimmed, half-width, no trailing punctuation). */
  words: string[];
  /** Words that may be followed by an argument: `修改 标题`, `查询 WZ2021-000001`. */
  prefixes?: string[];
}

export const commands: readonly CommandSpec[] = [
  { name: 'help', words: ['帮助', 'help', '?', '怎么用', '菜单', '使用说明'] },
  { name: 'back', words: ['返回', '上一步', '返回上一步', '后退'] },
  { name: 'edit', words: ['修改'], prefixes: ['修改', '更改'] },
  { name: 'cancel', words: ['取消', '退出', '不提了', '取消提交'] },
  { name: 'restart', words: ['重新开始', '重来', '从头开始', '重新填写'] },
  { name: 'resume', words: ['继续', '继续填写', '恢复'] },
  { name: 'query', words: ['查询', '查进度', '查询进度', '我的建议'], prefixes: ['查询', '查'] },
];

export { proxyEntryWords } from './texts/agent.js';

/** Step-local control words: not global commands, but never stored as an answer either. */
export const controlWords = {
  /** Keeps the answer a step already holds when the citizen comes back to it (返回, 修改). */
  keep: ['不改', '不用改', '不变', '保持', '保持原样', '不修改', '不用修改', '没问题', '就这样', '不用了'],
  /** Ends a multi-message answer (proposal, feasibility). */
  done: ['完成', '写完了', '好了', '结束', '发完了', '就这些', 'ok'],
  /** Clears what a multi-message step has collected so far. */
  rewrite: ['重写', '清空', '重新写'],
  /** Submits a collected answer despite soft coaching (once). */
  insist: ['坚持按现在的内容提交', '坚持提交', '坚持', '就这样提交', '就这样', '就这样吧', '就这么提交', '就这样,提交', '不改了'],
  /** Confirms at the review step. */
  confirm: ['确认', '确认提交', '提交', '确定', '没问题', '是', '对'],
  /** Says yes / no to an aside (cancel?). */
  yes: ['是', '确定', '确认', '对', '好', '好的', '是的'],
  no: ['否', '不', '不是', '算了', '不用'],
  /** Thanks and other closings. */
  thanks: ['谢谢', '谢谢你', '谢谢你们', '多谢', '感谢', '好的谢谢', '好的 谢谢', '晓得了', '知道了', '收到', '明白了'],
  /** Putting a draft off to another time, said within a reply (下回接着填, 等我想好了再说). */
  later: ['下回', '下次', '改天', '回头再', '以后再', '先保存', '保存起', '先走了', '想好了再', '想好再', '不要删', '别删', '莫删'],
  /** Agreeing with what the bot suggested (看起来属于…类，如无误请回复3), besides a plain yes. */
  agree: ['嗯', '嗯嗯', '要得', '可以', '行', '对的', '没错', '是这个', '就是这个', '好嘛', 'ok', '用这个', '就用这个', '用这个吧', '就这个'],
  /** Answers to 您是想提建议，还是反映个人诉求？ besides the option labels. */
  scopeSuggest: ['建议', '提建议', '我想提建议'],
  scopePetition: ['诉求', '个人诉求'],
} as const;

/** Normalises a message for comparing with command words and option labels. */
export function normaliseWord(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .replace(/[\s]+/g, ' ')
    .replace(/^[“"'‘「【\s]+|[”"'’」】。.!！~～\s]+$/g, '')
    .toLowerCase();
}

export type CommandMatch = { name: CommandName; arg?: string };

/** A citizen asking what became of their suggestion, in words. */
const PROGRESS_QUESTION =
  /(我|我们|我家)(的|上次|上个月|前几天|之前|以前|去年)?.{0,8}(提|交|反映|写)(的|过的|了的|过)?(那个|那条)?.{0,12}建议.{0,16}(怎么样|咋样|咋个|如何|进度|回复|答复|结果|办了|处理|到哪|有消息|没消息|没得消息|没人管)|(我|我们)的建议.{0,12}(怎么样|咋样|咋个|如何|进度|回复|答复|结果|办了|处理|到哪|有消息|没消息|没得消息)|(刚才|刚刚|上次|前面|之前|那天)(提|交|发)?(的)?(那个|那条)(建议)?.{0,8}(怎么样|咋样|咋个样|如何|进度|回复|结果|办了|消息)|(查|问)(一下|一哈|下)?(我的)?(建议)?(的)?进度|来查进度|办理进度|办到哪/u;

/** The command a message is, if any. `修改标题` and `修改 标题` both give `{ name: 'edit', arg: '标题' }`. */
export function matchCommand(text: string): CommandMatch | undefined {
  const w = normaliseWord(text);
  if (!w) return undefined;
  for (const c of commands) if (c.words.includes(w)) return { name: c.name };
  // Asking after one's own suggestion in plain words (我上个月提的建议咋个还没回复, 我是来查进度的).
  if (w.length <= 60 && PROGRESS_QUESTION.test(w)) return { name: 'query' };
  for (const c of commands) {
    for (const p of c.prefixes ?? []) {
      if (w.startsWith(p) && w.length > p.length) {
        const arg = w.slice(p.length).replace(/^[\s:：,，]+/, '').trim();
        // A short argument only: `修改标题` is a command, `改进老旧小区的停车…` is an answer.
        if (arg && arg.length <= (c.name === 'query' ? 32 : 8)) {
          // `查询公积金政策` is a question, not a reference lookup.
          if (c.name === 'query' && !/^[a-z0-9-]{4,32}$/i.test(arg)) continue;
          return { name: c.name, arg };
        }
      }
    }
  }
  return undefined;
}

const ordinalWords: Record<string, string> = { 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9', 十: '10' };
const englishOrdinals: Record<string, string> = { first: '1', one: '1', second: '2', two: '2', third: '3', three: '3', fourth: '4', four: '4', fifth: '5', five: '5' };

/** An answer to a menu without its ordinal decoration: `第2项`, `第二个`, `选三`, `the first one` → the number. */
export function optionAnswer(text: string): string {
  const w = normaliseWord(text)
    .replace(/(?<=\S)[嘛吧哦哈噻呀啊]+$/u, '')
    .replace(/^(?:我)?选(?:择)?\s*/, '')
    .replace(/^第/, '')
    .replace(/[项个条号]$/, '');
  const zh = ordinalWords[w];
  if (zh) return zh;
  const en = /^(?:the\s+|option\s+|number\s+|no\.?\s*)?([a-z]+)(?:\s+one)?$/.exec(w);
  return (en && englishOrdinals[en[1]!]) ?? w;
}

/** True when the message is exactly one of `words`. */
export function isWord(text: string, words: readonly string[]): boolean {
  return words.includes(normaliseWord(text));
}
