/**
 * Bench 2: N concurrent citizens (1,000; quick: 100) each completing the whole suggestion flow over the dev
 * channel (`POST /dev/chat`) against a worker process (`src/main.ts`, Redis sessions, embedded engine). Each
 * citizen has its own suggestion (titles and proposals vary by place, problem and measure, so the
 * similar-suggestion step does not dominate) and follows whatever the bot replies, by `state`
 * (test/abuse/citizen-driver.ts), not a fixed script.
 *
 * Figures: completions per second, p50/p99 turn latency, and Redis memory per open conversation: all
 * citizens first walk to the middle of the flow (the proposal recorded), then `INFO memory` used_memory is
 * read and compared with before they started, and divided by N (target under 2 KB); MEMORY USAGE of the
 * session keys alone is given too. Baseline from the same run: the same N clients, each making as many
 * sequential round trips to GET /healthz of the same worker as it made turns.
 *
 *   npx tsx bench/conversations.bench.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCitizen, type CitizenAnswers } from '../test/abuse/citizen-driver.js';
import { startTestRedis } from '../test/helpers/redis-server.js';
import { startWorker } from '../test/helpers/service-process.js';
import { figure, percentile, round, type Figure } from './lib.js';

export interface ConversationsResult {
  name: 'conversations';
  citizens: number;
  turns: number;
  completed: number;
  seconds: number;
  figures: Figure[];
}

const PLACES = ['五桥片区', '江南新区', '龙都街道', '高笋塘', '天城镇', '白岩路', '太白街道', '周家坝', '牌楼街道', '钟鼓楼', '百安坝', '沙河街道', '陈家坝', '双河口', '长岭镇', '分水镇', '李河镇', '武陵镇', '甘宁镇', '新田镇'];
const TOPICS: Array<{ title: string; problem: string; measure: (n: number) => string; cost: (n: number) => string }> = [
  { title: '增设早晚高峰公交班次', problem: '公交每30分钟一班，早晚高峰学生和上班族挤不上车', measure: (n) => `在7:00-9:00把班次加密到每${5 + (n % 10)}分钟一班`, cost: (n) => `调用公交公司现有${2 + (n % 4)}辆备用车，不需新购车辆` },
  { title: '安装太阳能路灯', problem: '主干道没有路灯，夜里老人和孩子出行不安全', measure: (n) => `沿主干道每${30 + (n % 40)}米安装一盏太阳能路灯`, cost: (n) => `每盏约${2 + (n % 3)}千元，由村集体和乡镇共同出资` },
  { title: '建设社区养老服务站', problem: '独居老人多，白天没人照看，吃饭就医都不方便', measure: (n) => `利用闲置用房建一个${50 + (n % 100)}平方米的养老服务站，提供助餐和日间照料`, cost: (n) => `改造约${10 + (n % 20)}万元，可申请民政补助` },
  { title: '规范农贸市场周边停车', problem: '赶集日车辆乱停，堵住消防通道，出行很难', measure: (n) => `在市场周边划设${20 + (n % 50)}个临时停车位并安排协管员`, cost: (n) => `划线和标牌约${1 + (n % 5)}万元，协管员可用公益岗位` },
  { title: '增加学校周边安全设施', problem: '学校门口车流大，没有减速带和护栏，学生过马路危险', measure: (n) => `在校门前后${50 + (n % 50)}米设减速带、护栏和上下学护学岗`, cost: (n) => `设施约${3 + (n % 6)}万元，护学岗由家长志愿者轮值` },
  { title: '整治河道垃圾', problem: '河道里塑料垃圾多，下雨后堵塞排水，气味很大', measure: (n) => `每周清理${1 + (n % 3)}次，并在河岸设${5 + (n % 10)}个垃圾收集点`, cost: (n) => `保洁可并入现有环卫合同，每年约${4 + (n % 5)}万元` },
  { title: '发展乡村民宿', problem: '村里空置农房多，游客来了没有地方住，收入留不下来', measure: (n) => `选${3 + (n % 8)}户空置农房改造成民宿，由合作社统一经营`, cost: (n) => `每户改造约${8 + (n % 7)}万元，可用乡村振兴衔接资金` },
  { title: '开通农产品电商直播', problem: '柑橘等农产品卖不上价，销路主要靠收购商', measure: (n) => `在镇上建直播间，每月培训${10 + (n % 30)}名农户直播带货`, cost: (n) => `设备约${2 + (n % 4)}万元，可与快递网点共用场地` },
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '胡', '朱', '郭', '何', '罗', '高', '林'];
const GIVEN = ['建国', '秀英', '志强', '丽华', '小红', '海燕', '明', '静', '伟', '芳', '军', '磊', '洋', '勇', '敏', '杰', '娟', '涛', '超', '霞', '晓东', '春梅'];
const WORKPLACES = ['万州区某某公司', '万州区第二中学', '龙都街道社区', '万州区人民医院', '个体经营户', '天城镇农业合作社', '退休职工'];

/** A distinct, plausible suggestion for citizen `i`. */
export function suggestionFor(i: number): CitizenAnswers {
  const place = PLACES[i % PLACES.length]!;
  const topic = TOPICS[Math.floor(i / PLACES.length) % TOPICS.length]!;
  const n = Math.floor(i / (PLACES.length * TOPICS.length)) + i;
  return {
    title: `关于${place}${topic.title}的建议（${n}）`,
    proposal: `${place}${topic.problem}。建议${topic.measure(n)}，并定期听取居民意见。`,
    feasibility: `${topic.cost(n)}，预计${1 + (n % 6)}个月内见效。`,
    identity: `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}，13${5 + (i % 4)}${String(23456781 + i * 7919).slice(-8)}，${WORKPLACES[i % WORKPLACES.length]}`,
  };
}

type Turn = { state: string; replies: { text: string; options?: { id: string; label: string }[] }[]; reference?: string };

async function post(base: string, user: string, text: string): Promise<{ turn: Turn; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/dev/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }), signal: AbortSignal.timeout(60_000) });
  const turn = (await res.json()) as Turn;
  if (res.status !== 200) throw new Error(`dev chat ${res.status}: ${JSON.stringify(turn)}`);
  return { turn, ms: performance.now() - t0 };
}

function usedMemory(info: string): number {
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

export async function run({ quick = false, citizens = quick ? 100 : 1000 }: { quick?: boolean; citizens?: number } = {}): Promise<ConversationsResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jy-bench-conv-'));
  const redis = await startTestRedis();
  const worker = await startWorker({ env: { REDIS_URL: redis.url, DATA_DIR: dir, LOG_LEVEL: 'error' } });
  const r = redis.client();
  try {
    // Warm up (JIT, connections, indexes) with one citizen outside the figures.
    {
      const c = createCitizen(suggestionFor(999_999));
      let t = (await post(worker.base, 'warmup', '我想提建议')).turn;
      for (let i = 0; i < 30 && c.next(t) !== undefined; i++) t = (await post(worker.base, 'warmup', c.next(t)!)).turn;
    }
    await r.call('MEMORY', 'PURGE').catch(() => undefined);
    const memBefore = usedMemory(await r.info('memory'));

    const latencies: number[] = [];
    const submitLatencies: number[] = [];
    const turnsOf: number[] = new Array(citizens).fill(0);
    const drivers = Array.from({ length: citizens }, (_, i) => createCitizen(suggestionFor(i)));
    const last: Turn[] = new Array(citizens);
    const say = async (i: number, text: string) => {
      const { turn, ms } = await post(worker.base, `citizen-${i}`, text);
      latencies.push(ms);
      if (turn.state === 'submitted') submitLatencies.push(ms);
      turnsOf[i]!++;
      if (process.env.BENCH_DEBUG && i === 0) console.error(`> ${text}\n< [${turn.state}] ${turn.replies.map((x) => x.text).join(' | ')}`);
      last[i] = turn;
      return turn;
    };

    // Phase 1: every citizen walks to the middle of the flow (the proposal recorded), all at once.
    const t0 = performance.now();
    await Promise.all(
      drivers.map(async (c, i) => {
        let t = await say(i, '我想提建议');
        for (let k = 0; k < 30; k++) {
          const text = c.next(t);
          if (text === undefined) return;
          t = await say(i, text);
          if (t.state === 'proposal' && /已记录/.test(t.replies.map((x) => x.text).join(''))) return;
        }
      }),
    );
    const phase1 = performance.now() - t0;
    const memMid = usedMemory(await r.info('memory'));
    const sessionKeys = (await r.keys('*session:dev:citizen-*')).slice(0, 200);
    const sessionBytes = await Promise.all(sessionKeys.map(async (k) => Number(await r.call('MEMORY', 'USAGE', k))));
    const open = last.filter((t) => t && t.state !== 'submitted').length;

    // Phase 2: every citizen finishes.
    const t1 = performance.now();
    await Promise.all(
      drivers.map(async (c, i) => {
        let t = last[i]!;
        for (let k = 0; k < 30; k++) {
          const text = c.next(t);
          if (text === undefined || c.stuck()) return;
          t = await say(i, text);
        }
      }),
    );
    const seconds = (phase1 + performance.now() - t1) / 1000;
    const completed = last.filter((t) => t.state === 'submitted' && t.reference).length;
    const turns = latencies.length;

    // Baseline: the same clients making the same number of sequential round trips to GET /healthz.
    const baseLat: number[] = [];
    const b0 = performance.now();
    await Promise.all(
      turnsOf.map(async (n) => {
        for (let k = 0; k < n; k++) {
          const s = performance.now();
          const res = await fetch(`${worker.base}/healthz`);
          await res.arrayBuffer();
          baseLat.push(performance.now() - s);
        }
      }),
    );
    const baseSeconds = (performance.now() - b0) / 1000;

    const perConv = (memMid - memBefore) / Math.max(1, open);
    const sessionAvg = sessionBytes.reduce((a, b) => a + b, 0) / Math.max(1, sessionBytes.length);
    return {
      name: 'conversations',
      citizens,
      turns,
      completed,
      seconds: round(seconds, 2),
      figures: [
        figure({ name: 'completed suggestions per second', value: round(completed / seconds), unit: 'completions/s', baseline: { name: `citizens started (${citizens}) per second of the run`, value: round(citizens / seconds) }, target: 'every citizen completes', met: completed === citizens }),
        figure({ name: 'turns per second (POST /dev/chat)', value: round(turns / seconds), unit: 'turns/s', baseline: { name: 'GET /healthz round trips/s, same clients and counts', value: round(turns / baseSeconds) } }),
        figure({ name: 'turn latency p50', value: round(percentile(latencies, 0.5), 2), unit: 'ms', baseline: { name: '/healthz p50', value: round(percentile(baseLat, 0.5), 2) } }),
        figure({ name: 'turn latency p99', value: round(percentile(latencies, 0.99), 2), unit: 'ms', baseline: { name: '/healthz p99', value: round(percentile(baseLat, 0.99), 2) } }),
        figure({ name: 'submitting turn latency p50 (store, route, link similar)', value: round(percentile(submitLatencies, 0.5), 2), unit: 'ms', baseline: { name: 'all turns p50', value: round(percentile(latencies, 0.5), 2) } }),
        figure({ name: `Redis used_memory per open conversation (${open} drafts at the proposal step)`, value: Math.round(perConv), unit: 'bytes', baseline: { name: 'target', value: 2048 }, target: '< 2 KB', met: perConv < 2048 }),
        figure({ name: 'MEMORY USAGE of one session key (mean of up to 200)', value: Math.round(sessionAvg), unit: 'bytes', baseline: { name: 'used_memory per open conversation', value: Math.round(perConv) } }),
      ],
    };
  } finally {
    await worker.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const n = process.argv.find((a) => a.startsWith('--citizens='));
  const res = await run({ quick, ...(n ? { citizens: Number(n.split('=')[1]) } : {}) });
  console.log(JSON.stringify(res, null, 2));
  process.exit(0);
}
