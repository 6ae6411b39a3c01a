/**
 * Configuration: environment variables plus a YAML file (config/default.yaml, or CONFIG_FILE), each checked
 * by a zod schema once at start-up. The frozen result is passed into the parts; nothing else reads
 * process.env. A bad value stops start-up with a message naming the key and the problem.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

/** Environment variables: secrets, URLs, ports. Every one is documented in README.md and .env.example. */
export const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'test', 'production']).default('development')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  MONGODB_URI: z.preprocess(emptyToUndefined, z.string().startsWith('mongodb').optional()),
  REDIS_URL: z.preprocess(emptyToUndefined, z.string().startsWith('redis').optional()),
  ADMIN_TOKEN: optionalString,
  CONFIG_FILE: optionalString,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** An ISO time that fixes the clock's start (campaign windows, deadlines, quotas). */
  JIANYAN_NOW: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time, e.g. 2021-07-01T09:00:00+08:00')
      .optional(),
  ),
  /** 1 lets the embedded engine start under NODE_ENV=production (not recommended; use MONGODB_URI). */
  EMBEDDED_MONGO_ALLOW_PRODUCTION: z.preprocess(emptyToUndefined, z.enum(['0', '1']).optional()),
  /** The terminal chat's user id (`npm run chat`); default `terminal`. */
  CHAT_USER: z.preprocess(emptyToUndefined, z.string().min(1).max(64).optional()),
  /** Force the dev chat endpoint on even when WeCom is configured. */
  DEV_CHAT: z.preprocess(emptyToUndefined, z.enum(['0', '1']).optional()),
  WECOM_CORP_ID: optionalString,
  WECOM_TOKEN: optionalString,
  WECOM_AES_KEY: z.preprocess(emptyToUndefined, z.string().length(43, 'must be the 43-character EncodingAESKey').optional()),
  WECOM_AGENT_ID: z.preprocess(emptyToUndefined, z.coerce.number().int().positive().optional()),
  WECOM_SECRET: optionalString,
  WECOM_KF_SECRET: optionalString,
  WECOM_API_BASE: z.preprocess(emptyToUndefined, z.url().default('https://qyapi.weixin.qq.com')),
  /** WeCom callbacks whose timestamp is further than this from now are refused (replay protection). */
  WECOM_CALLBACK_MAX_SKEW_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(30).max(86_400).default(300)),
  /** Comma-separated open_kfid allow-list for 微信客服; empty = every kf account bound to the app. */
  WECOM_KF_OPEN_KFIDS: optionalString,
  /**
   * Which proxies' X-Forwarded-For is believed: unset = none (req.ip is the socket's peer), `loopback`, a
   * comma-separated list of addresses/CIDRs, or a hop count. Never `true` (any client could claim any IP).
   */
  TRUST_PROXY: optionalString,
  /** Slow-client protection (ms): whole request, headers, idle keep-alive, and the socket idle timeout. */
  HTTP_REQUEST_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).max(600_000).default(30_000)),
  HTTP_HEADERS_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).max(600_000).default(10_000)),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).max(600_000).default(5_000)),
  HTTP_IDLE_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).max(600_000).default(15_000)),
  /** Most simultaneous connections one process keeps open; more are closed at once. */
  HTTP_MAX_CONNECTIONS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(10).max(1_000_000).default(2_000)),
  /** Failed sign-ins (wrong or missing token) allowed per client address per minute; more get 429. */
  ADMIN_AUTH_FAILURES_PER_MINUTE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(10)),
  /** WeCom's web sign-in page for staff (QR code); the console's 企业微信登录 sends the browser there. */
  WECOM_LOGIN_URL: z.preprocess(emptyToUndefined, z.url().default('https://login.work.weixin.qq.com/wwlogin/sso/login')),
  /** WeCom's OAuth page, used instead when the console is opened inside the WeCom client (phones). */
  WECOM_OAUTH_URL: z.preprocess(emptyToUndefined, z.url().default('https://open.weixin.qq.com/connect/oauth2/authorize')),
  /** The console's public origin (https://jianyan.example.gov.cn), for WeCom's redirect back; default: the request's. */
  CONSOLE_PUBLIC_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  /**
   * An OpenAI-compatible chat-completions endpoint (on-premise Qwen, DeepSeek…) consulted as a second
   * opinion on first messages the local scope model is unsure about. Unset → off.
   */
  LLM_BASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  LLM_API_KEY: optionalString,
  LLM_MODEL: z.preprocess(emptyToUndefined, z.string().min(1).default('qwen2.5-7b-instruct')),
  /** Strict timeout of one call; past it the local decision stands. */
  LLM_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(30_000).default(2500)),
});
export type Env = z.infer<typeof envSchema>;

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time');

const themeSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().min(1),
  /** Words that suggest this theme for a forwarded record (agents' proxy entry). */
  keywords: z.array(z.string().min(1)).optional(),
  /** Words citizens use for this theme when they answer the theme menu (农村的, 成渝那个). */
  aliases: z.array(z.string().min(1)).default([]),
});

const campaignSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    start: isoDate,
    end: isoDate,
    acceptsUnrelatedRequests: z.boolean().default(false),
    requirements: z.array(z.string()).default([]),
    themes: z.array(themeSchema).min(1),
  })
  .refine((c) => Date.parse(c.start) < Date.parse(c.end), { message: 'start must be before end', path: ['end'] });

const unitSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(['office', 'department', 'town', 'street', 'other']),
  coOrganizer: z.boolean().default(false),
  /** WeCom member userids of the unit's handlers. */
  wecomUserIds: z.array(z.string()).default([]),
  /** Group robot webhook key, if the unit has a group robot. */
  robotKey: z.string().optional(),
  /** Other names the unit is known by (a town's former name, e.g. 高峰镇 for 高峰街道); routing finds them in the text. */
  aliases: z.array(z.string().min(2)).optional(),
  /** A town's (街道, 镇, 乡) villages and communities (村, 社区): one named in a suggestion brings the town in. */
  places: z.array(z.string().min(2)).optional(),
});

/** A WeCom member (self-built app) and the role they have here. */
const memberSchema = z.object({
  userid: z.string().min(1),
  name: z.string().min(1),
  role: z.enum(['agent', 'unit', 'office']),
  unit: z.string().min(1),
});

/**
 * An agent (信访代理员, the seed's 人民建议征集信息员) and the accounts they write from. Members with role
 * `agent` are agents too; the admin API adds more at run time (src/agents).
 */
export const agentSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a plain id (letters, digits, _ . -)'),
    name: z.string().min(1).max(30),
    unit: z.string().min(1),
    phone: z.string().optional(),
    /** Self-built app member userid. */
    wecomUserId: z.string().min(1).optional(),
    /** 微信客服 customer ids (external_userid) the agent writes from. */
    kfExternalUserIds: z.array(z.string().min(1)).default([]),
    /** Dev chat / terminal user names (`POST /dev/chat` `user`), for trying proxy entry locally. */
    devUsers: z.array(z.string().min(1)).default([]),
  })
  .strict();

/**
 * Proxy-entry quotas (the seed 一(五)1 and 二(四)2). `routine`: for units of `kinds`, each quarter needs an
 * entry occasion (a day with at least `minPerOccasion` proxy entries) in each of `months` (1-3: the month's
 * place in the quarter). `campaigns`: each such unit enters `minValuable` valuable campaign suggestions by
 * `deadline`; with `offsetting`, valuable campaign suggestions its own people submitted count towards the
 * routine months too (冲抵).
 */
export const quotasSchema = z
  .object({
    routine: z
      .array(z.object({ kinds: z.array(z.enum(['department', 'town', 'street', 'other'])).min(1), months: z.array(z.number().int().min(1).max(3)).min(1) }))
      .default([
        { kinds: ['town', 'street'], months: [1, 3] },
        { kinds: ['department'], months: [2] },
      ]),
    minPerOccasion: z.number().int().min(1).default(1),
    campaigns: z.array(z.object({ campaign: z.string().min(1), deadline: isoDate, minValuable: z.number().int().min(1).default(1) })).default([]),
    offsetting: z.boolean().default(true),
    /** Other names a unit's people write as their 工作单位 (matched for offsetting), by unit id. */
    unitAliases: z.record(z.string(), z.array(z.string().min(2))).default({}),
    reminders: z
      .object({
        enabled: z.boolean().default(true),
        /** From this day of a required month, an agent whose unit has no entry yet is reminded (once). */
        dayOfMonth: z.number().int().min(1).max(28).default(20),
      })
      .default({ enabled: true, dayOfMonth: 20 }),
  })
  .strict();

/** Routing rules (src/routing): which units handle a suggestion. The first matching rule decides. */
const routingRuleSchema = z
  .object({
    /** A name for reports and history ("rural → 农业农村委 + 乡村振兴局"); defaults to the rule's position. */
    id: z.string().min(1).optional(),
    /** Theme id from a campaign (or the general theme); omitted = any theme. */
    theme: z.string().min(1).optional(),
    /** Only suggestions of this category (policy, work, problem, innovation). */
    category: z.enum(['policy', 'work', 'problem', 'innovation']).optional(),
    /** Only when the title or proposal contains at least one of these words. */
    keywords: z.array(z.string().min(1)).optional(),
    units: z.array(z.string().min(1)).min(1),
  })
  .strict();

export const routingSchema = z
  .object({
    /** `auto`: a matched rule assigns at once; `screening`: every suggestion waits for the office to assign it. */
    mode: z.enum(['auto', 'screening']).default('auto'),
    rules: z.array(routingRuleSchema).default([]),
    /** Words that mark a suggestion as concerning the whole city (全市): it goes to the office for recommendation. */
    cityLevelKeywords: z.array(z.string().min(1)).default([]),
    /**
     * A town (街道, 镇, 乡) named in the text, or one of its `places`, is added as co-handler (or handles the
     * suggestion alone when no rule matched); a name several towns share goes to the office's screening.
     */
    placeRouting: z.boolean().default(true),
    /** Words that contain a place name without naming the place (创新乡镇 is not 新乡镇): ignored by place routing. */
    placeStopwords: z.array(z.string().min(2)).default([]),
  })
  .strict();

/** Handling deadlines (src/handling/deadlines.ts). */
export const deadlinesSchema = z
  .object({
    /** Days a unit has to accept (受理) an assigned suggestion. */
    acceptDays: z.number().int().min(1).default(3),
    /** Days a unit has to answer, counted from the assignment. */
    answerDays: z.number().int().min(1).default(15),
    /** Count working days (Mon–Fri minus holidays plus makeup days) instead of calendar days. */
    workingDays: z.boolean().default(true),
    /** Public holidays (YYYY-MM-DD, service timezone) that are not working days. */
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')).default([]),
    /** Weekend days that are working days (调休), YYYY-MM-DD. */
    makeupWorkdays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')).default([]),
    /** Remind the unit this many days (calendar) before the answer is due. */
    remindDaysBefore: z.number().int().min(0).default(2),
    /** How often a worker runs the deadline sweep. */
    sweepIntervalSeconds: z.number().int().min(5).default(300),
  })
  .strict();

/** Notification delivery (src/notifications/dispatcher.ts). */
export const notificationsSchema = z
  .object({
    /** Give up (dead letter) after this many attempts. */
    maxAttempts: z.number().int().min(1).max(50).default(8),
    /** First retry delay; doubles each attempt up to maxBackoffSeconds. */
    backoffSeconds: z.number().min(0).default(5),
    maxBackoffSeconds: z.number().min(1).default(3600),
    /** How long a worker holds a claimed notification before another may take it over. */
    leaseSeconds: z.number().int().min(5).default(60),
    pollIntervalMs: z.number().int().min(50).default(1000),
    /** Characters of the proposal shown on a unit's card. */
    excerptChars: z.number().int().min(20).max(200).default(60),
    /** `source.desc` of the cards units receive. */
    cardSource: z.string().min(1).default('人民建议征集'),
    /** The console's public address (https://…/console/): a card's attachments line then opens the suggestion there. */
    consoleUrl: z.url().optional(),
  })
  .strict();

/** Photos, voice, video, files and locations citizens send with a suggestion (src/attachments). */
export const attachmentsSchema = z
  .object({
    /** Attachments kept with one draft (further ones are refused politely). */
    maxPerSuggestion: z.number().int().min(1).max(50).default(9),
    /** Largest file kept, by kind, in bytes (WeCom passes images and voice up to 2 MB, video 10 MB, files 20 MB). */
    maxBytes: z
      .object({
        image: z.number().int().min(1).default(2 * 1024 * 1024),
        voice: z.number().int().min(1).default(2 * 1024 * 1024),
        video: z.number().int().min(1).default(10 * 1024 * 1024),
        file: z.number().int().min(1).default(10 * 1024 * 1024),
      })
      .strict()
      .default({ image: 2 * 1024 * 1024, voice: 2 * 1024 * 1024, video: 10 * 1024 * 1024, file: 10 * 1024 * 1024 }),
    /** Content types (sniffed from the bytes) kept for files; images, voice and video must sniff as such. */
    fileTypes: z
      .array(z.string().min(3))
      .default(['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/msword', 'application/vnd.ms-excel', 'application/x-cfb', 'image/jpeg', 'image/png', 'application/zip']),
    /** How long the first download may take while the citizen waits for the acknowledgement. */
    inlineFetchMs: z.number().int().min(0).default(3000),
    /** The background download job: attempts before giving up (media expire at WeCom after 3 days). */
    maxAttempts: z.number().int().min(1).max(50).default(8),
    backoffSeconds: z.number().min(0).default(10),
    maxBackoffSeconds: z.number().min(1).default(3600),
    leaseSeconds: z.number().int().min(5).default(120),
    pollIntervalMs: z.number().int().min(50).default(2000),
  })
  .strict();

/** Award tiers (表彰奖励) of the city's 2020—2022 people's-suggestion awards, and the years they cover. */
export const awardsSchema = z
  .object({
    /** How many tiers the notice announces (it may name fewer: the config carries what is known). */
    announcedTiers: z.number().int().min(1).optional(),
    /** Award years a nomination may name. */
    years: z.array(z.number().int().min(2000).max(2100)).default([]),
    tiers: z
      .array(z.object({ id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case id'), name: z.string().min(1), amountYuan: z.number().int().min(0) }).strict())
      .default([]),
  })
  .strict();

/** The admin API: unit tokens (each sees and acts only on its own unit's suggestions) and reporting rules. */
export const adminApiSchema = z
  .object({
    /** Bearer tokens of handling units. Keep real tokens out of the repo: set them in the deployed CONFIG_FILE. */
    unitTokens: z.array(z.object({ unit: z.string().min(1), token: z.string().min(24, 'must be at least 24 characters') }).strict()).default([]),
    /** Answer outcomes that count as adopted (采纳) in statistics and award eligibility. */
    adoptedOutcomes: z.array(z.string().min(1)).default(['adopted', 'partially_adopted']),
    /** Evaluation ratings that count as satisfied (满意率). */
    satisfiedRatings: z.array(z.string().min(1)).default(['satisfied', 'basically_satisfied']),
    /** 递呈单位 on the city form of a recommended suggestion. */
    citySubmitTo: z.string().min(1).default('万州区政府'),
    /** Largest number of rows an export (.xlsx / CSV) or a statistics run reads. */
    maxExportRows: z.number().int().min(1).max(200_000).default(20_000),
    /** How long a console sign-in lasts (the session cookie and the server-side session). */
    sessionHours: z.number().min(0.25).max(24 * 7).default(10),
  })
  .strict();

/**
 * Keys of `scope.referrals`: the out-of-scope kinds, plus the channels within them that
 * src/judgement/referral.ts chooses (wages → 12333, environment → 12369, consumer → 12315,
 * discipline → 12388, campaign → the campaign's own answer, progress → how to follow up one's own suggestion).
 */
export const referralKeys = [
  'help',
  'complaint',
  'petition',
  'consultation',
  'tipoff',
  'chitchat',
  'spam',
  'abuse',
  'wages',
  'environment',
  'consumer',
  'discipline',
  'campaign',
  'progress',
] as const;

export const fileConfigSchema = z
  .object({
    service: z.object({
      referencePrefix: z.string().regex(/^[A-Z]{1,6}$/, 'must be 1-6 capital letters'),
      timezone: z.string().default('Asia/Shanghai'),
      draftTtlDays: z.number().int().min(1).max(90).default(7),
      limits: z.object({
        titleMaxChars: z.number().int().positive(),
        proposalMaxChars: z.number().int().positive(),
        feasibilityMaxChars: z.number().int().positive(),
        messageMaxChars: z.number().int().positive(),
        nameMaxChars: z.number().int().positive(),
        unitMaxChars: z.number().int().positive(),
      }),
      contact: z.object({ name: z.string(), phone: z.string(), hours: z.string() }),
      /**
       * 转人工: who takes a 微信客服 conversation when a citizen asks for a person, and when. Within these
       * hours the session is handed to the first servicer that WeCom accepts (kf/service_state/trans);
       * outside them, or on other channels, the citizen gets the contact above.
       */
      handoff: z
        .object({
          servicerUserIds: z.array(z.string().min(1)).default([]),
          /** ISO weekdays (1 = Monday … 7 = Sunday) the office answers. */
          days: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]),
          /** Local times (service.timezone), e.g. ["09:00-12:00", "14:00-17:30"]. */
          hours: z.array(z.string().regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'must look like 09:00-12:00')).default(['09:00-12:00', '14:00-17:30']),
        })
        .default({ servicerUserIds: [], days: [1, 2, 3, 4, 5], hours: ['09:00-12:00', '14:00-17:30'] }),
    }),
    /**
     * Questions about the campaign itself, answered wherever a citizen asks them and listed in 帮助. The ids
     * are those of the turn corpus (src/conversation/understanding/corpus): the recogniser learns which id a
     * question asks from it.
     */
    faq: z
      .array(z.object({ id: z.string().regex(/^[a-z_]+$/), question: z.string().min(1), answer: z.string().min(1) }).strict())
      .default([]),
    collectingOffice: z.string().min(1),
    campaigns: z.array(campaignSchema).default([]),
    generalTheme: themeSchema,
    units: z.array(unitSchema).min(1),
    members: z.array(memberSchema).default([]),
    agents: z.array(agentSchema).default([]),
    /** District leaders (区领导) who sign in to the console to read and give instructions (批示). */
    leaders: z.array(z.object({ userid: z.string().min(1), name: z.string().min(1) }).strict()).default([]),
    quotas: quotasSchema.default(quotasSchema.parse({})),
    /** WeCom channel settings: overrides of the channel's own sentences, and the app reply format. */
    wecom: z
      .object({
        texts: z
          .object({
            kfWelcome: z.string().min(1),
            unknownMember: z.string().min(1),
            apology: z.string().min(1),
            unsupportedMessage: z.string().min(1),
            optionsHint: z.string().min(1),
          })
          .partial()
          .default({}),
        appReplyFormat: z.enum(['text', 'markdown']).default('text'),
      })
      .optional(),
    routing: routingSchema.default({ mode: 'auto', rules: [], cityLevelKeywords: [], placeRouting: true, placeStopwords: [] }),
    deadlines: deadlinesSchema.default(deadlinesSchema.parse({})),
    notifications: notificationsSchema.default(notificationsSchema.parse({})),
    awards: awardsSchema.default(awardsSchema.parse({})),
    attachments: attachmentsSchema.default(attachmentsSchema.parse({})),
    adminApi: adminApiSchema.default(adminApiSchema.parse({})),
    scope: z.object({
      referrals: z.object(Object.fromEntries(referralKeys.map((k) => [k, z.string().min(1)])) as {
        [K in (typeof referralKeys)[number]]: z.ZodString;
      }),
    }),
  })
  .superRefine((cfg, ctx) => {
    const unitIds = new Set(cfg.units.map((u) => u.id));
    if (!unitIds.has(cfg.collectingOffice)) {
      ctx.addIssue({ code: 'custom', path: ['collectingOffice'], message: `unit "${cfg.collectingOffice}" is not in units` });
    }
    cfg.members.forEach((m, i) => {
      if (!unitIds.has(m.unit)) ctx.addIssue({ code: 'custom', path: ['members', i, 'unit'], message: `unit "${m.unit}" is not in units` });
    });
    const accounts = new Map<string, string>();
    cfg.agents.forEach((a, i) => {
      if (!unitIds.has(a.unit)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'unit'], message: `unit "${a.unit}" is not in units` });
      if (cfg.agents.findIndex((o) => o.id === a.id) !== i) ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent id "${a.id}"` });
      const mine = [...(a.wecomUserId ? [`wecom-app:${a.wecomUserId}`] : []), ...a.kfExternalUserIds.map((k) => `wecom-kf:${k}`), ...a.devUsers.map((d) => `dev:${d}`)];
      for (const key of mine) {
        const other = accounts.get(key);
        if (other && other !== a.id) ctx.addIssue({ code: 'custom', path: ['agents', i], message: `account ${key} is also agent "${other}"` });
        accounts.set(key, a.id);
      }
    });
    cfg.quotas.campaigns.forEach((c, i) => {
      if (!cfg.campaigns.some((x) => x.id === c.campaign)) ctx.addIssue({ code: 'custom', path: ['quotas', 'campaigns', i, 'campaign'], message: `campaign "${c.campaign}" is not in campaigns` });
    });
    Object.keys(cfg.quotas.unitAliases).forEach((u) => {
      if (!unitIds.has(u)) ctx.addIssue({ code: 'custom', path: ['quotas', 'unitAliases', u], message: `unit "${u}" is not in units` });
    });
    const themeIds = new Set([cfg.generalTheme.id, ...cfg.campaigns.flatMap((c) => c.themes.map((t) => t.id))]);
    cfg.routing.rules.forEach((r, i) => {
      if (r.theme && !themeIds.has(r.theme)) ctx.addIssue({ code: 'custom', path: ['routing', 'rules', i, 'theme'], message: `theme "${r.theme}" is in no campaign` });
      r.units.forEach((u, j) => {
        if (!unitIds.has(u)) ctx.addIssue({ code: 'custom', path: ['routing', 'rules', i, 'units', j], message: `unit "${u}" is not in units` });
      });
    });
    cfg.adminApi.unitTokens.forEach((t, i) => {
      if (!unitIds.has(t.unit)) ctx.addIssue({ code: 'custom', path: ['adminApi', 'unitTokens', i, 'unit'], message: `unit "${t.unit}" is not in units` });
      if (cfg.adminApi.unitTokens.findIndex((o) => o.token === t.token) !== i) {
        ctx.addIssue({ code: 'custom', path: ['adminApi', 'unitTokens', i, 'token'], message: 'the same token is given to two units' });
      }
    });
    const tierIds = cfg.awards.tiers.map((t) => t.id);
    tierIds.forEach((id, i) => {
      if (tierIds.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['awards', 'tiers', i, 'id'], message: `duplicate tier id "${id}"` });
    });
    const seen = new Set<string>();
    cfg.units.forEach((u, i) => {
      if (seen.has(u.id)) ctx.addIssue({ code: 'custom', path: ['units', i, 'id'], message: `duplicate unit id "${u.id}"` });
      seen.add(u.id);
    });
  });
export type FileConfig = z.infer<typeof fileConfigSchema>;
export type Campaign = FileConfig['campaigns'][number];
export type Theme = z.infer<typeof themeSchema>;
export type Unit = FileConfig['units'][number];

/** The least length of a production token (ADMIN_TOKEN; unit tokens already need 24). */
export const MIN_TOKEN_CHARS = 24;

/**
 * Why a token is too weak for production, or undefined when it is strong enough: at least 24 characters
 * and not one repeated character or a run like `aaaa…` / `1234…` (at least 8 distinct characters).
 */
export function weakTokenReason(token: string): string | undefined {
  if (token.length < MIN_TOKEN_CHARS) return `must be at least ${MIN_TOKEN_CHARS} characters (e.g. \`openssl rand -base64 24\`)`;
  if (new Set(token).size < 8) return 'must not be a repetitive string: use a random one (e.g. `openssl rand -base64 24`)';
  return undefined;
}

export interface AppConfig extends FileConfig {
  env: Env;
  /** True when WeCom credentials are present (the app or 微信客服 callbacks are served). */
  wecomEnabled: boolean;
  /** True when POST /dev/chat is served. */
  devChatEnabled: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describeIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  return `Invalid configuration in ${source}:\n${lines.join('\n')}`;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const defaultConfigFile = path.join(repoRoot, 'config', 'default.yaml');
/**
 * Demo additions (a demo agent for the dev chat), merged into the default file outside production when
 * CONFIG_FILE is unset. A deployment's CONFIG_FILE never gets them.
 */
export const demoConfigFile = path.join(repoRoot, 'config', 'demo.yaml');

/** Parses and validates a YAML config text. Throws ConfigError naming each bad key. */
export function parseFileConfig(text: string, source = 'config'): FileConfig {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`Invalid configuration in ${source}: not valid YAML (${(err as Error).message})`);
  }
  const result = fileConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(source, result.error));
  return result.data;
}

/** Loads env + file config once. `env` defaults to process.env; only this function reads it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<AppConfig> {
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) throw new ConfigError(describeIssues('environment', envResult.error));
  const e = envResult.data;
  const file = e.CONFIG_FILE ? path.resolve(e.CONFIG_FILE) : defaultConfigFile;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read CONFIG_FILE ${file}: ${(err as Error).message}`);
  }
  if (!e.CONFIG_FILE && e.NODE_ENV !== 'production') text = withDemo(text);
  const fileConfig = parseFileConfig(text, file);
  const production = e.NODE_ENV === 'production';
  if (production) {
    const problems: string[] = [];
    if (e.ADMIN_TOKEN) {
      const weak = weakTokenReason(e.ADMIN_TOKEN);
      if (weak) problems.push(`  - ADMIN_TOKEN: ${weak}`);
    }
    fileConfig.adminApi.unitTokens.forEach((t, i) => {
      const weak = weakTokenReason(t.token);
      if (weak) problems.push(`  - adminApi.unitTokens.${i}.token: ${weak}`);
    });
    if (problems.length) throw new ConfigError(`Invalid configuration for production:\n${problems.join('\n')}`);
  }
  const wecomEnabled = Boolean(e.WECOM_CORP_ID && e.WECOM_TOKEN && e.WECOM_AES_KEY);
  return deepFreeze({
    ...fileConfig,
    env: e,
    wecomEnabled,
    // In production the dev chat (anyone may post as anyone) is served only when DEV_CHAT=1 says so.
    devChatEnabled: e.DEV_CHAT === '1' || (!production && !wecomEnabled && e.DEV_CHAT !== '0'),
  });
}

/** The default file's text with config/demo.yaml's agents and members appended (outside production). */
function withDemo(text: string): string {
  let demoText: string;
  try {
    demoText = readFileSync(demoConfigFile, 'utf8');
  } catch {
    return text;
  }
  const base = YAML.parse(text) as Record<string, unknown> | null;
  const demo = YAML.parse(demoText) as Record<string, unknown> | null;
  if (!base || !demo) return text;
  for (const key of ['agents', 'members'] as const) {
    const extra = demo[key];
    if (Array.isArray(extra)) base[key] = [...((base[key] as unknown[] | undefined) ?? []), ...extra];
  }
  return YAML.stringify(base);
}

/** Config for tests: the default file with overrides applied to the env. */
export function loadTestConfig(env: Record<string, string> = {}): Readonly<AppConfig> {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The campaign whose window contains `now`, if any. */
export function activeCampaign(cfg: Pick<FileConfig, 'campaigns'>, now: Date): Campaign | undefined {
  const t = now.getTime();
  return cfg.campaigns.find((c) => Date.parse(c.start) <= t && t <= Date.parse(c.end));
}
