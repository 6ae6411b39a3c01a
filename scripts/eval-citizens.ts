/**
 * The lead's independent evaluation (written before any tuning, never tuned on): scripted citizens who ask,
 * hesitate, correct and wander, and a set of first messages, run against the whole service through the dev
 * chat. Prints per-dialogue verdicts and per-class figures; writes every transcript for reading.
 *
 *   npm run eval:citizens [-- --out DIR]
 *
 * The data (scripts/eval-data/) was written by the lead in one pass before looking at the merged bot's
 * behaviour; a few fixes were made after reading its transcripts since, so it is no longer untouched: a
 * new, separately written set is the honest measure.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const here = import.meta.dirname;
const dataDir = process.env.EVAL_DATA ?? path.join(here, 'eval-data');
const outDir = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1]! : path.join(tmpdir(), 'jianyan-eval');
mkdirSync(outDir, { recursive: true });

const dbDir = mkdtempSync(path.join(tmpdir(), 'jianyan-eval-db-'));
process.env.DATA_DIR = dbDir;
process.env.JIANYAN_NOW ??= '2021-07-01T10:00:00+08:00';
process.env.LOG_LEVEL = 'silent';
delete process.env.REDIS_URL;
delete process.env.MONGODB_URI;
for (const k of Object.keys(process.env)) if (k.startsWith('WECOM_')) delete process.env[k];

const { startService } = await import('../src/main.js');
const svc = await startService({ listen: false });

type Reply = { text: string; options?: { id: string; label: string }[] };
type ChatResult = { replies: Reply[]; state: string; reference?: string };

const PACE_MS = Number(process.env.EVAL_PACE_MS ?? 3100); // a person's pace: under the 20-per-minute sender limit
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function say(user: string, text: string): Promise<ChatResult> {
  const res = await svc.app.inject({ method: 'POST', url: '/dev/chat', payload: { user, text } });
  if (res.statusCode !== 200) return { replies: [{ text: `[HTTP ${res.statusCode}] ${res.body.slice(0, 200)}` }], state: 'http_error' };
  return res.json() as ChatResult;
}
const render = (r: ChatResult) => r.replies.map((x) => x.text + (x.options?.length ? `\n    [${x.options.map((o, i) => `${i + 1}.${o.label}`).join(' ')}]` : '')).join('\n  ');

interface Citizen {
  id: string;
  persona: string;
  first: string;
  facts: {
    theme?: string;
    title?: string;
    category?: string;
    proposal?: string[];
    done?: string;
    feasibility?: string[];
    identity?: string[];
    confirm?: string;
  };
  noise: Record<string, string[]>;
  expect: Record<string, unknown>;
}

const LONG = Array.from({ length: 16 }, (_, i) =>
  `第${i + 1}点：万州乡村产业要因地制宜，柑橘、柠檬、茶叶、中药材和生态养殖要分区布局，建立从种植、加工到销售的完整链条，` +
  `每个镇要明确一到两个主导产业，配套建设冷链、仓储、电商和品牌推广，村集体经济组织牵头组织农户入股分红，` +
  `区级部门在资金、技术和人才上给予持续支持，并建立考核机制，按年度评估产业发展成效，确保农民持续增收。`,
);

async function runCitizen(c: Citizen) {
  const user = `eval-${c.id}-${Date.now()}`;
  const lines: string[] = [`# ${c.id} — ${c.persona}`];
  const problems: string[] = [];
  let turns = 0;
  let coachingTurns = 0;
  const noiseReplies: string[] = [];
  let last = await say(user, c.first);
  turns++;
  lines.push(`> ${c.first}`, `  ${render(last)}`, `  (state: ${last.state})`);
  const firstReply = render(last);
  const queue: string[] = [];
  const triggered = new Set<string>();
  const sentFact: Record<string, number> = {};
  const facts = { ...c.facts, ...(c.facts.proposal?.[0] === 'LONG' ? { proposal: LONG } : {}) };
  let friction = 0;
  const hasFacts = Object.keys(c.facts).length > 0;
  while (hasFacts && turns < 45 && !['submitted', 'out_of_scope', 'cancelled', 'http_error'].includes(last.state)) {
    await sleep(PACE_MS);
    const step = last.state;
    let text: string | undefined;
    const opts = last.replies.flatMap((r) => r.options ?? []);
    const scopeAsk = opts.some((o) => /提建议/.test(o.label)) && opts.some((o) => /诉求|投诉|反映/.test(o.label));
    if (queue.length) {
      text = queue.shift()!;
    } else if (!triggered.has(step) && (c.noise[step]?.length ?? 0) > 0) {
      triggered.add(step);
      queue.push(...c.noise[step]!);
      text = queue.shift()!;
    } else if (scopeAsk) {
      // Someone who came to make a suggestion presses 提建议.
      text = opts.find((o) => /提建议/.test(o.label))!.label;
      coachingTurns++;
    } else {
      const n = sentFact[step] ?? 0;
      sentFact[step] = n + 1;
      const pick = (arr: string[] | undefined, done?: string) => (arr && n < arr.length ? arr[n] : done);
      switch (step) {
        case 'theme': text = n < 2 ? facts.theme : '1'; break;
        case 'title': text = facts.title; break;
        case 'category': text = n < 2 ? facts.category : '不确定'; break;
        case 'proposal':
        case 'feasibility': {
          const chunks = step === 'proposal' ? facts.proposal : facts.feasibility;
          text = pick(chunks, facts.done ?? '完成');
          // A person whose own word for "done" was not understood does what the bot says.
          if (chunks && n > chunks.length) {
            const insist = opts.find((o) => /坚持/.test(o.label));
            text = insist && n > chunks.length + 1 ? insist.label : '完成';
            friction++;
          }
          break;
        }
        case 'identity': {
          text = pick(facts.identity);
          if (text === undefined) {
            // Asked for one field: answer it plainly, as a person would.
            const ask = last.replies.map((r) => r.text).join('');
            const e = c.expect as { name?: string; phone?: string; unitIncludes?: string };
            text = /姓名|名字/.test(ask) ? e.name : /电话|手机|号码/.test(ask) ? e.phone : /单位/.test(ask) ? (e.unitIncludes ?? '无') : undefined;
            if (text !== undefined) friction++;
          }
          break;
        }
        case 'confirm': text = n === 0 ? facts.confirm : '确认'; break;
        default: break;
      }
      // The same single answer asked again: the bot did not take it.
      if (['theme', 'title', 'category'].includes(step) && n > 0) friction++;
      if (text === undefined) {
        // An unexpected question: press the option that continues the suggestion, else say so in words.
        const cont = opts.find((o) => /提建议|继续|坚持|确认|是/.test(o.label));
        text = cont ? cont.label : n > 6 ? '算了' : '继续';
        coachingTurns++;
      }
    }
    last = await say(user, text);
    turns++;
    const r = render(last);
    if (Object.values(c.noise).flat().includes(text)) noiseReplies.push(r);
    lines.push(`> ${text}`, `  ${r}`, `  (state: ${last.state})`);
  }
  const e = c.expect;
  const doc = last.reference ? ((await svc.app.inject({ url: `/api/suggestions/${last.reference}`, headers: { authorization: `Bearer ${svc.adminToken}` } })).json() as Record<string, any>) : undefined;
  if (e.submitted === true && !doc) problems.push(`not submitted (ended ${last.state} after ${turns} turns)`);
  if (e.submitted === false && doc) problems.push('a suggestion was stored');
  if (e.submittedOrHeld && !doc && last.state !== 'submitted') problems.push('neither submitted nor held');
  if (doc) {
    const has = (field: string, s: string) => String(field ?? '').includes(s);
    if (e.name && doc.proposer?.name !== e.name) problems.push(`name stored as ${JSON.stringify(doc.proposer?.name)}`);
    if (e.phone && String(doc.proposer?.phone ?? '').replace(/\D/g, '') !== e.phone) problems.push(`phone stored as ${JSON.stringify(doc.proposer?.phone)}`);
    if (e.unitIncludes && !has(doc.proposer?.unit, e.unitIncludes as string)) problems.push(`unit stored as ${JSON.stringify(doc.proposer?.unit)}`);
    if (e.titleIncludes && !has(doc.title, e.titleIncludes as string)) problems.push(`title stored as ${JSON.stringify(doc.title)}`);
    if (e.proposalIncludes && !has(doc.proposal, e.proposalIncludes as string)) problems.push('proposal lost content');
    if (e.feasibilityIncludes && !has(doc.feasibility, e.feasibilityIncludes as string)) problems.push(`feasibility stored as ${JSON.stringify(doc.feasibility)}`);
    for (const x of (e.proposalExcludes as string[]) ?? []) if (has(doc.proposal, x)) problems.push(`proposal polluted with "${x}"`);
    for (const x of (e.feasibilityExcludes as string[]) ?? []) if (has(doc.feasibility, x)) problems.push(`feasibility polluted with "${x}"`);
    const minChars = c.facts.proposal?.[0] === 'LONG' ? LONG.join('').length - 40 : (e.proposalMinChars as number | undefined);
    if (minChars && String(doc.proposal).length < minChars) problems.push(`proposal cut to ${String(doc.proposal).length} of ${minChars}+ chars`);
    if (e.notAutoRouted && (doc.assignments?.length ?? 0) > 0) problems.push('a slogan was auto-routed to a unit');
    lines.push(`STORED: ${JSON.stringify({ ref: doc.reference, status: doc.status, title: doc.title, proposer: doc.proposer, proposal: String(doc.proposal).slice(0, 120), feasibility: doc.feasibility, flags: doc.flags ?? doc.quality ?? doc.screening, units: doc.assignments?.map((a: any) => a.unit) })}`);
  }
  if (e.firstReplyIncludesAny && !(e.firstReplyIncludesAny as string[]).some((x) => firstReply.includes(x))) problems.push('first reply lacks the expected help');
  for (const x of (e.firstReplyExcludes as string[]) ?? []) if (firstReply.includes(x)) problems.push(`first reply says "${x}"`);
  if (e.noiseReplyIncludesAny && !noiseReplies.some((r) => (e.noiseReplyIncludesAny as string[]).some((x) => r.includes(x)))) problems.push('the emergency got no emergency numbers');
  if (e.maxCoachingTurns !== undefined && coachingTurns > (e.maxCoachingTurns as number)) problems.push(`${coachingTurns} unexpected questions`);
  for (const r of noiseReplies) if (/已记录（共/.test(r)) problems.push(`an aside or question was recorded as content: ${r.slice(0, 60)}`);
  if (turns >= 45) problems.push('did not finish in 45 turns');
  if (friction + coachingTurns > 3) problems.push(`too much friction (${friction} answers not taken, ${coachingTurns} unexpected questions)`);
  lines.push(problems.length ? `VERDICT: BAD — ${problems.join('; ')}` : `VERDICT: good (${turns} turns)`);
  writeFileSync(path.join(outDir, `${c.id}.txt`), lines.join('\n') + '\n');
  return { id: c.id, good: problems.length === 0, problems, turns, friction };
}

const citizens = JSON.parse(readFileSync(path.join(dataDir, 'citizens.json'), 'utf8')) as Citizen[];
// Every citizen at once, each at a person's pace.
const results = await Promise.all(citizens.map((c) => runCitizen(c)));
console.log('Scripted citizens (independent set)');
for (const r of results) console.log(`  ${r.good ? 'good' : 'BAD '} ${r.id}${r.good ? '' : ` — ${r.problems.join('; ')}`}`);
console.log(`  good experience: ${results.filter((r) => r.good).length}/${results.length}`);

// First messages: how the very first reply treats each kind.
const rows = readFileSync(path.join(dataDir, 'first-messages.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]);
const verdicts: Record<string, { n: number; ok: number; asked: number; bad: string[] }> = {};
const fm: string[] = [];
let i = 0;
for (const [kind, text] of rows) {
  const r = await say(`eval-first-${i++}`, text);
  const all = render(r);
  const opts = r.replies.flatMap((x) => x.options ?? []).map((o) => o.label).join('|');
  const asked = /提建议/.test(opts) && /诉求|投诉|反映/.test(opts);
  const emergency = /110|119|120|122/.test(all);
  const refused = r.state === 'out_of_scope' || /12345|12333|12369|12388|12315|信访/.test(all) || (!asked && !/theme|title|category|proposal|feasibility|identity/.test(r.state));
  const welcomed = r.state === 'theme' || /请选择建议的主题/.test(all);
  const continued = /theme|title|category|proposal|feasibility|identity|confirm/.test(r.state) && !asked;
  let ok: boolean;
  switch (kind) {
    case 'suggestion': ok = continued; break;
    case 'greeting': ok = welcomed && !/12345/.test(all); break;
    case 'campaign_q': ok = !/12345/.test(all) && r.state !== 'out_of_scope'; break;
    case 'ads': case 'abuse': ok = !asked && !continued; break;
    case 'consultation': ok = !asked && !continued && /12345/.test(all); break;
    case 'petition': ok = !asked && !continued && /信访|12345/.test(all) && !/12333/.test(text) ; break;
    case 'complaint': ok = !asked && !continued && /12345|12369|12315|12333/.test(all); break;
    case 'tipoff': ok = !asked && !continued && /12388|110|12345|纪委|监委/.test(all); break;
    case 'emergency': ok = emergency; break;
    default: ok = false;
  }
  void refused;
  const v = (verdicts[kind] ??= { n: 0, ok: 0, asked: 0, bad: [] });
  v.n++;
  if (ok) v.ok++;
  else v.bad.push(text);
  if (asked) v.asked++;
  fm.push(`[${kind}] ${ok ? 'ok ' : 'BAD'} > ${text}\n  ${all}\n  (state: ${r.state})`);
}
writeFileSync(path.join(outDir, 'first-messages.txt'), fm.join('\n') + '\n');
console.log('First messages (independent set): handled as expected / asked the two-button question');
for (const [k, v] of Object.entries(verdicts)) console.log(`  ${k.padEnd(13)} ${v.ok}/${v.n}  asked ${v.asked}${v.bad.length ? `  bad: ${v.bad.slice(0, 4).join(' | ')}` : ''}`);
console.log(`transcripts in ${outDir}`);
await svc.close();
rmSync(dbDir, { recursive: true, force: true });
process.exit(0);
