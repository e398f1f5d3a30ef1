import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NOTICE } from '../test/fixtures.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { WIDGET_TEXT, emptyFormState, formLabels, formSnapshot, inputTypeFor, prepareSubmission, problemTarget } from './consent-form.js';

describe('inputTypeFor', () => {
  it('maps PI types to input types', () => {
    expect(inputTypeFor('email')).toBe('email');
    expect(inputTypeFor('cn_mobile')).toBe('tel');
    expect(inputTypeFor('date')).toBe('date');
    expect(inputTypeFor('name')).toBe('text');
    expect(inputTypeFor('cn_resident_id')).toBe('text');
    expect(inputTypeFor(null)).toBe('text');
  });
});

describe('prepareSubmission', () => {
  it('refuses an unticked general consent box', () => {
    const r = prepareSubmission(NOTICE, { ...emptyFormState(), values: { email: 'a@example.com' } });
    expect(r).toEqual({ ok: false, problems: [{ field: 'consent', reason: 'consent_required' }] });
  });

  it('refuses a filled sensitive field whose separate box is not ticked', () => {
    const r = prepareSubmission(NOTICE, {
      values: { email: 'a@example.com', health: '良好' },
      general: true,
      separate: { biometric: true },
    });
    expect(r).toEqual({ ok: false, problems: [{ field: 'health', reason: 'separate_consent_required' }] });
  });

  it('reports every problem at once', () => {
    const r = prepareSubmission(NOTICE, { values: { health: 'x', biometric: 'y' }, general: false, separate: {} });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.field)).toEqual(['health', 'biometric', 'consent']);
  });

  it('sends trimmed non-empty values; scope is the general fields sent; separate one per ticked box', () => {
    const r = prepareSubmission(NOTICE, {
      values: { name: '  张三 ', cn_mobile: '13800138000', email: '', health: '良好', birth_date: '   ' },
      general: true,
      separate: { health: true, biometric: false },
    });
    expect(r).toEqual({
      ok: true,
      body: {
        purposeCode: 'membership',
        noticeId: NOTICE.notice.id,
        fields: { name: '张三', cn_mobile: '13800138000', health: '良好' },
        consent: { method: 'checkbox', scope: ['name', 'cn_mobile'], separate: [{ type: 'sensitive', category: 'health' }] },
      },
    });
  });

  it('never sends a sensitive value without its separate consent, and ignores values of fields the purpose does not have', () => {
    const r = prepareSubmission(NOTICE, { values: { name: 'A', not_a_field: 'x' }, general: true, separate: { biometric: true } });
    expect(r.ok && r.body.fields).toEqual({ name: 'A' });
    expect(r.ok && r.body.consent.separate).toEqual([{ type: 'sensitive', category: 'biometric' }]);
  });
});

describe('formSnapshot', () => {
  it('records the notice, the language, every label shown and every box', () => {
    const state = { values: { name: 'A', health: 'x' }, general: true, separate: { health: true } };
    expect(formSnapshot(NOTICE, 'en', state)).toEqual({
      noticeId: NOTICE.notice.id,
      contentHash: NOTICE.notice.contentHash,
      lang: 'en',
      labels: {
        fields: {
          name: 'Name',
          cn_mobile: 'Mobile number',
          email: 'Email',
          birth_date: 'Date of birth',
          health: 'Health (sensitive personal information)',
          biometric: 'Biometric data (sensitive personal information)',
        },
        general: WIDGET_TEXT.en.generalLabel,
        separate: {
          health: 'I separately consent to the processing of my Health',
          biometric: 'I separately consent to the processing of my Biometric data',
        },
      },
      ticked: { general: true, separate: { health: true, biometric: false } },
    });
  });

  it('does not depend on the values entered, only on what was shown and ticked', () => {
    const a = formSnapshot(NOTICE, 'zh-CN', { values: { name: 'A' }, general: true, separate: {} });
    const b = formSnapshot(NOTICE, 'zh-CN', { values: { name: 'B', email: 'b@example.com' }, general: true, separate: { health: false } });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    const c = formSnapshot(NOTICE, 'zh-CN', { values: {}, general: true, separate: { health: true } });
    expect(canonicalJson(c)).not.toBe(canonicalJson(a));
    expect(canonicalJson(formSnapshot(NOTICE, 'en', { values: {}, general: true, separate: {} }))).not.toBe(canonicalJson(a));
  });

  it('hashes to the SHA-256 of its canonical JSON', async () => {
    const snap = formSnapshot(NOTICE, 'zh-CN', { values: {}, general: true, separate: { biometric: true } });
    const text = canonicalJson(snap);
    expect(text.startsWith('{"contentHash":"aaaa')).toBe(true);
    expect(text).toContain('"lang":"zh-CN"');
    expect(text).toContain('"separate":{"biometric":true,"health":false}');
    expect(text).toContain('"health":"我单独同意处理我的健康状况"');
    await expect(sha256Hex(text)).resolves.toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('labels sensitive fields as sensitive in both languages', () => {
    expect(formLabels(NOTICE, 'zh-CN').fields.health).toBe('健康状况（敏感个人信息）');
    expect(formLabels(NOTICE, 'zh-CN').fields.name).toBe('姓名');
  });
});

describe('problemTarget', () => {
  const codes = NOTICE.purpose.fields.map((f) => f.code);
  it('places problems next to their field or the general consent box', () => {
    expect(problemTarget('health', codes)).toBe('health');
    expect(problemTarget('fields.cn_mobile', codes)).toBe('cn_mobile');
    expect(problemTarget('consent', codes)).toBe('consent');
    expect(problemTarget('consent.scope', codes)).toBe('consent');
  });
  it('leaves the rest to the status region', () => {
    expect(problemTarget('noticeId', codes)).toBeNull();
    expect(problemTarget('x', codes)).toBeNull();
    expect(problemTarget('consentx', codes)).toBeNull();
  });
});
