import { describe, expect, it } from 'vitest';
import { hasReasonMessage, normaliseLang, reasonMessage } from './messages.js';

describe('reasonMessage', () => {
  it('gives zh-CN and English messages for the contract reason codes', () => {
    for (const reason of ['separate_consent_required', 'not_in_purpose', 'consent_required', 'bad_check_digit', 'not_current']) {
      expect(hasReasonMessage(reason)).toBe(true);
      const zh = reasonMessage(reason, 'zh-CN');
      const en = reasonMessage(reason, 'en');
      expect(zh).not.toBe(reason);
      expect(en).not.toBe(reason);
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
      expect(en).toMatch(/^[\x20-\x7e]+$/);
    }
    expect(reasonMessage('separate_consent_required', 'zh-CN')).toBe('提供此项敏感个人信息需要您单独勾选同意');
    expect(reasonMessage('bad_check_digit', 'en')).toBe('The check digit is wrong; please check the number');
  });

  it('shows unknown codes as they are, including names of Object.prototype members', () => {
    expect(reasonMessage('some_new_reason', 'zh-CN')).toBe('some_new_reason');
    expect(reasonMessage('some_new_reason', 'en')).toBe('some_new_reason');
    for (const odd of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      expect(hasReasonMessage(odd)).toBe(false);
      expect(reasonMessage(odd, 'en')).toBe(odd);
    }
  });
});

describe('normaliseLang', () => {
  it('defaults to zh-CN and recognises English', () => {
    expect(normaliseLang(null)).toBe('zh-CN');
    expect(normaliseLang(undefined)).toBe('zh-CN');
    expect(normaliseLang('')).toBe('zh-CN');
    expect(normaliseLang('zh-CN')).toBe('zh-CN');
    expect(normaliseLang('fr')).toBe('zh-CN');
    expect(normaliseLang('en')).toBe('en');
    expect(normaliseLang('en-GB')).toBe('en');
    expect(normaliseLang('EN')).toBe('en');
    expect(normaliseLang('english')).toBe('zh-CN');
  });
});
