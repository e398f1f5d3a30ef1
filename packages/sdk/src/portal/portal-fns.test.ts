import { describe, expect, it } from 'vitest';
import type { PortalConsent } from '../types.js';
import { PORTAL_TEXT, answerKey, detectContact, groupConsents, normaliseCode } from './portal-fns.js';

describe('detectContact', () => {
  it('recognises email addresses', () => {
    expect(detectContact(' a.b@example.com ')).toEqual({ piType: 'email', value: 'a.b@example.com' });
    expect(detectContact('a@b')).toBeNull();
    expect(detectContact('a @b.com')).toBeNull();
  });
  it('recognises mainland mobile numbers, with or without +86, spaces or dashes', () => {
    expect(detectContact('13800138000')).toEqual({ piType: 'cn_mobile', value: '13800138000' });
    expect(detectContact('+86 138-0013-8000')).toEqual({ piType: 'cn_mobile', value: '13800138000' });
    expect(detectContact('8613800138000')).toEqual({ piType: 'cn_mobile', value: '13800138000' });
    expect(detectContact('1380013800')).toBeNull();
    expect(detectContact('23800138000')).toBeNull();
    expect(detectContact('')).toBeNull();
  });
});

describe('normaliseCode', () => {
  it('accepts six digits only', () => {
    expect(normaliseCode('123456')).toBe('123456');
    expect(normaliseCode(' 123 456 ')).toBe('123456');
    expect(normaliseCode('12345')).toBeNull();
    expect(normaliseCode('12345a')).toBeNull();
    expect(normaliseCode('1234567')).toBeNull();
  });
});

const consent = (purposeCode: string, category: string, over: Partial<PortalConsent> = {}): PortalConsent => ({
  purposeCode,
  purposeName: { 'zh-CN': `用途${purposeCode}`, en: `Purpose ${purposeCode}` },
  purposeVersion: 1,
  category,
  categoryName: { 'zh-CN': category, en: category },
  separate: false,
  status: 'granted',
  givenAt: '2025-01-01T00:00:00Z',
  withdrawnAt: null,
  noticeId: 'n',
  noticeHash: 'h',
  ...over,
});

describe('groupConsents', () => {
  it('groups by purpose in the order listed and says whether anything is left to withdraw', () => {
    const groups = groupConsents([
      consent('a', 'email'),
      consent('b', 'name', { status: 'withdrawn', withdrawnAt: '2025-02-01T00:00:00Z' }),
      consent('a', 'health', { separate: true, purposeVersion: 2, purposeName: { 'zh-CN': '新名称', en: 'New name' } }),
      consent('b', 'email', { status: 'expired' }),
    ]);
    expect(groups.map((g) => [g.purposeCode, g.consents.map((c) => c.category), g.anyGranted, g.purposeVersion])).toEqual([
      ['a', ['email', 'health'], true, 2],
      ['b', ['name', 'email'], false, 1],
    ]);
    expect(groups[0]?.purposeName.en).toBe('New name');
  });
  it('has status texts in both languages', () => {
    expect(PORTAL_TEXT['zh-CN'].status).toEqual({ granted: '已同意', withdrawn: '已撤回', expired: '已过期' });
    expect(PORTAL_TEXT.en.status.withdrawn).toBe('Withdrawn');
  });
});

describe('transfer notice texts', () => {
  it('name every reason and answer in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const tx = PORTAL_TEXT[lang];
      expect(Object.keys(tx.reasons).sort()).toEqual(['acquisition', 'division', 'merger', 'other']);
      expect(Object.keys(tx.answers).sort()).toEqual(['consent', 'legal_basis', 'none', 'object']);
      expect(tx.confirmTransfer.object.body('乙方')).toContain('乙方');
    }
    expect(PORTAL_TEXT['zh-CN'].transfers).toBe('数据转移通知');
    expect(PORTAL_TEXT.en.transfers).toBe('Transfer notices');
    expect(answerKey({ answer: null })).toBe('none');
    expect(answerKey({ answer: 'object' })).toBe('object');
  });
});
