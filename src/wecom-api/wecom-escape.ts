/**
 * Citizen-written text made inert before it goes into a message for staff. WeCom renders app and robot
 * markdown (links `[text](url)`, `<font>`, `<@userid>` mentions, emphasis, headings, quotes) and app text
 * messages render `<a href>` links: a citizen's title must never become a link or markup sent by the
 * official bot. Markup characters are replaced by their full-width forms, which read the same in Chinese
 * text and which no renderer treats as markup (WeCom's markdown subset has no backslash escapes to rely on).
 *
 * @example
 * markdownInert('[紧急：点此重新登录](http://evil.example/x)'); // '［紧急：点此重新登录］（http://evil.example/x）'
 * textInert('<a href="http://evil.example">点此</a>');          // '＜a href="http://evil.example"＞点此＜/a＞'
 */
const markdownChars: Record<string, string> = {
  '[': '［',
  ']': '］',
  '(': '（',
  ')': '）',
  '<': '＜',
  '>': '＞',
  '*': '＊',
  _: '＿',
  '`': '｀',
  '#': '＃',
  '~': '～',
  '|': '｜',
  '!': '！',
  '\\': '＼',
};
const markdownPattern = /[[\]()<>*_`#~|!\\]/g;

/** For markdown (group robot, app markdown): every markup character full-width, and one line. */
export function markdownInert(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(markdownPattern, (c) => markdownChars[c] ?? c);
}

/** For app text messages and card fields: tags (`<a href>`) cannot form. */
export function textInert(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '＜' : '＞'));
}
