import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { activeCampaign, ConfigError, defaultConfigFile, envSchema, loadConfig, parseFileConfig } from '../../src/infra/config.js';
import { maskPhones } from '../../src/infra/logger.js';

const defaultText = readFileSync(defaultConfigFile, 'utf8');
const withChange = (change: (cfg: any) => void): string => {
  const cfg = YAML.parse(defaultText);
  change(cfg);
  return YAML.stringify(cfg);
};

describe('configuration', () => {
  test('the default file carries the 2021 Wanzhou campaign as the seed describes it', () => {
    const cfg = loadConfig({});
    const [campaign] = cfg.campaigns;
    expect(campaign?.themes.map((t) => t.name)).toEqual(['乡村振兴', '成渝地区双城经济圈建设']);
    expect(campaign?.acceptsUnrelatedRequests).toBe(false);
    expect(cfg.generalTheme.name).toBe('日常建议');
    expect(cfg.units.find((u) => u.id === cfg.collectingOffice)?.name).toBe('区信访办');
    expect(cfg.units.filter((u) => u.coOrganizer).map((u) => u.name)).toEqual(['区发展改革委', '区农业农村委', '区教委', '区国资委', '区乡村振兴局']);
    expect(activeCampaign(cfg, new Date('2021-06-10T09:00:00+08:00'))?.id).toBe('wz2021');
    expect(activeCampaign(cfg, new Date('2021-10-20T09:00:00+08:00'))).toBeUndefined();
  });

  test('no configured Chinese text has a stray space between characters (YAML folding joins lines with one)', () => {
    const texts: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') texts.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(YAML.parse(defaultText));
    const stray = texts.filter((t) => /[\p{Script=Han}，。；：、）] +[\p{Script=Han}（]/u.test(t));
    expect(stray).toEqual([]);
  });

  test.each([
    ['a missing referral', (c: any) => delete c.scope.referrals.complaint, 'scope.referrals.complaint'],
    ['an unknown collecting office', (c: any) => (c.collectingOffice = 'nowhere'), 'collectingOffice: unit "nowhere" is not in units'],
    ['a campaign that ends before it starts', (c: any) => (c.campaigns[0].end = '2021-01-01T00:00:00+08:00'), 'campaigns.0.end: start must be before end'],
    ['a malformed reference prefix', (c: any) => (c.service.referencePrefix = 'wz-'), 'service.referencePrefix: must be 1-6 capital letters'],
    ['a theme without a name', (c: any) => delete c.campaigns[0].themes[1].name, 'campaigns.0.themes.1.name'],
  ])('a bad file fails with a message naming the key: %s', (_name, change, expected) => {
    expect(() => parseFileConfig(withChange(change), 'test.yaml')).toThrow(ConfigError);
    expect(() => parseFileConfig(withChange(change), 'test.yaml')).toThrow(expected);
  });

  test('bad environment values name the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ WECOM_AES_KEY: 'short' })).toThrow(/WECOM_AES_KEY: must be the 43-character EncodingAESKey/);
    expect(() => loadConfig({ JIANYAN_NOW: 'yesterday' })).toThrow(/JIANYAN_NOW/);
    expect(() => loadConfig({ CONFIG_FILE: '/nonexistent/jianyan.yaml' })).toThrow(/Cannot read CONFIG_FILE/);
  });

  test('.env.example lists every environment variable of the schema, with values the schema accepts', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    for (const key of Object.keys(envSchema.shape)) expect(example, key).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
    const set = Object.fromEntries(example.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(envSchema.safeParse(set).success).toBe(true);
  });

  test('README documents every environment variable and says the two commands near its top', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of Object.keys(envSchema.shape)) expect(readme, key).toContain(`\`${key}\``);
    const top = readme.split('\n').slice(0, 40).join('\n');
    expect(top).toContain('npm ci && npm start');
    expect(top).toContain('npm test');
  });

  test('dev chat is on without WeCom credentials and off with them unless forced', () => {
    expect(loadConfig({}).devChatEnabled).toBe(true);
    const wecom = { WECOM_CORP_ID: 'ww1', WECOM_TOKEN: 't', WECOM_AES_KEY: 'a'.repeat(43), WECOM_SECRET: 's' };
    expect(loadConfig(wecom).devChatEnabled).toBe(false);
    expect(loadConfig({ ...wecom, DEV_CHAT: '1' }).devChatEnabled).toBe(true);
  });
});

describe('logs', () => {
  test.each([
    ['13812345678', '138****5678'],
    ['电话 +86 138-1234-5678 谢谢', '电话 138****5678 谢谢'],
    ['座机 023-58123456', '座机 023-****56'],
  ])('phone numbers are masked: %s', (raw, masked) => {
    expect(maskPhones(raw)).toBe(masked);
  });
});
