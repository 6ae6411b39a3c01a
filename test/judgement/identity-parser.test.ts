import { describe, expect, test } from 'vitest';
import { extractIdentity, parsePhone } from '../../src/judgement/index.js';

describe('parsePhone', () => {
  test.each([
    ['13812345678', '13812345678', 'mobile'],
    ['138 1234 5678', '13812345678', 'mobile'],
    ['138-1234-5678', '13812345678', 'mobile'],
    ['+86 138 1234 5678', '13812345678', 'mobile'],
    ['+86-13812345678', '13812345678', 'mobile'],
    ['0086 13812345678', '13812345678', 'mobile'],
    ['8613812345678', '13812345678', 'mobile'],
    ['１３８１２３４５６７８', '13812345678', 'mobile'],
    ['电话：13912345678', '13912345678', 'mobile'],
    ['023-58123456', '023-58123456', 'landline'],
    ['02358123456', '023-58123456', 'landline'],
    ['(023) 5812 3456', '023-58123456', 'landline'],
    ['（０２３）５８１２３４５６', '023-58123456', 'landline'],
    ['58123456', '023-58123456', 'landline'],
    ['+86 23 5812 3456', '023-58123456', 'landline'],
    ['028-85123456', '028-85123456', 'landline'],
    ['0818-2123456', '0818-2123456', 'landline'],
  ])('%s → %s (%s)', (input, value, kind) => {
    expect(parsePhone(input)).toEqual({ ok: true, value, kind });
  });

  test.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['我没有电话', 'bad_chars'],
    ['138abc45678', 'bad_chars'],
    ['1381234567', 'wrong_length'],
    ['138123456789', 'wrong_length'],
    ['12345678901', 'bad_prefix'],
    ['023-5812345', 'wrong_length'],
    ['023-18123456', 'bad_prefix'],
    ['+1 415 555 0100', 'bad_prefix'],
    ['4008001234', 'bad_prefix'],
    ['12345', 'wrong_length'],
  ])('refuses %j: %s', (input, reason) => {
    expect(parsePhone(input)).toEqual({ ok: false, reason });
  });
});

describe('extractIdentity', () => {
  test.each([
    ['张志刚，13812345678，万州区高笋塘街道办事处', { name: '张志刚', phone: '13812345678', unit: '万州区高笋塘街道办事处' }],
    ['姓名：李四 电话 023-58123456 单位：万州二中', { name: '李四', phone: '023-58123456', unit: '万州二中' }],
    ['我叫王五，在万州区教委上班，电话13900001111', { name: '王五', phone: '13900001111', unit: '万州区教委' }],
    ['建议人：欧阳明\n联系电话：139 0000 1111\n工作单位：万州区龙都街道', { name: '欧阳明', phone: '13900001111', unit: '万州区龙都街道' }],
    ['刘德华 13612345678 重庆三峡学院', { name: '刘德华', phone: '13612345678', unit: '重庆三峡学院' }],
    ['陈静/退休/15823456789', { name: '陈静', phone: '15823456789', unit: '退休' }],
    ['１５８２３４５６７８９，赵敏，分水镇人民政府', { name: '赵敏', phone: '15823456789', unit: '分水镇人民政府' }],
  ])('%j', (text, fields) => {
    expect(extractIdentity(text)).toEqual(fields);
  });

  test('a message with only a phone number yields only the phone', () => {
    expect(extractIdentity('我的电话是 138-0000-1234')).toEqual({ phone: '13800001234' });
  });

  test('text without identity yields nothing', () => {
    expect(extractIdentity('好的谢谢')).toEqual({});
  });
});
