import { describe, expect, it } from 'vitest';
import {
  campaignCounts,
  DEFAULT_NOTICE_TEMPLATE,
  decryptPackage,
  deliveryStatus,
  encryptPackage,
  letterDocument,
  mayTransfer,
  newReference,
  packageLines,
  pickChannel,
  REASON_TEXT,
  renderNotice,
  sha256Hex,
  templateProblems,
} from './transfers-fns.js';

const facts = {
  reason: REASON_TEXT.acquisition!,
  recipientName: '乙方科技有限公司',
  recipientContact: 'dpo@b.example.cn',
  purpose: '继续提供会员服务',
  scope: { 'zh-CN': '姓名、手机号码', en: 'Name, Mobile phone number' },
  reference: 'T-ABCD-EFGH',
  deadline: new Date('2030-06-30T00:00:00Z'),
};

describe('transfer notices', () => {
  it('the default template names recipient, contact, purpose, scope and how to object, in both languages', () => {
    expect(templateProblems(DEFAULT_NOTICE_TEMPLATE)).toEqual([]);
    const n = renderNotice(DEFAULT_NOTICE_TEMPLATE, facts);
    for (const lang of ['zh-CN', 'en'] as const) {
      expect(n[lang]).toContain('乙方科技有限公司');
      expect(n[lang]).toContain('dpo@b.example.cn');
      expect(n[lang]).toContain('继续提供会员服务');
      expect(n[lang]).toContain('T-ABCD-EFGH');
      expect(n[lang]).toContain('2030-06-30');
      expect(n[lang]).not.toMatch(/\{[A-Za-z]+\}/);
    }
    expect(n['zh-CN']).toContain('姓名、手机号码');
    expect(n['zh-CN']).toContain('客户自助门户');
    expect(n.en).toContain('Name, Mobile phone number');
    expect(n.en).toContain('self-service portal');
  });

  it('refuses a template without the required elements or with unknown placeholders', () => {
    const problems = templateProblems({ 'zh-CN': '我们将转移您的信息给{recipientName}。{foo}', en: DEFAULT_NOTICE_TEMPLATE.en });
    expect(problems.map((p) => p.reason)).toEqual([
      'missing_{recipientContact}',
      'missing_{purpose}',
      'missing_{scope}',
      'missing_{objection}',
      'unknown_{foo}',
    ]);
    expect(problems.every((p) => p.field === 'noticeTemplate.zh-CN')).toBe(true);
  });

  it('picks the first channel the customer has an address for, and reads delivery status', () => {
    expect(pickChannel(['email', 'sms', 'letter'], new Set(['sms', 'letter']))).toBe('sms');
    expect(pickChannel(['letter', 'email'], new Set(['email', 'letter']))).toBe('letter');
    expect(pickChannel(['email'], new Set(['sms']))).toBe('none');
    expect(deliveryStatus('email', 'pending')).toBe('queued');
    expect(deliveryStatus('sms', 'delivered')).toBe('delivered');
    expect(deliveryStatus('sms', 'failed')).toBe('failed');
    expect(deliveryStatus('letter', null)).toBe('letter');
    expect(deliveryStatus('none', null)).toBe('no_address');
  });

  it('transfers only on consent or another legal basis', () => {
    expect(mayTransfer('consent')).toBe(true);
    expect(mayTransfer('legal_basis')).toBe(true);
    expect(mayTransfer('object')).toBe(false);
    expect(mayTransfer(null)).toBe(false);
  });

  it('counts every state of a campaign', () => {
    const c = campaignCounts([
      { delivery: 'delivered', answer: 'consent', outcome: 'transferred', active: true },
      { delivery: 'queued', answer: 'object', outcome: 'excluded_objected', active: true },
      { delivery: 'letter', answer: 'legal_basis', outcome: 'transferred', active: true },
      { delivery: 'no_address', answer: null, outcome: 'excluded_no_answer', active: true },
      { delivery: 'failed', answer: 'consent', outcome: null, active: false },
    ]);
    expect(c).toEqual({
      inScope: 5,
      notified: 4,
      delivered: 2,
      queued: 1,
      failed: 2,
      letters: 1,
      noAddress: 1,
      consented: 2,
      objected: 1,
      legalBasis: 1,
      noAnswer: 1,
      transferred: 2,
      unavailable: 1,
    });
  });

  it('makes readable, distinct references', () => {
    const refs = new Set(Array.from({ length: 200 }, newReference));
    expect(refs.size).toBe(200);
    for (const r of refs) expect(r).toMatch(/^T-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });
});

describe('letter batches and the handover package', () => {
  it('renders one letter per page, in reference order, deterministically', () => {
    const text = { 'zh-CN': '中文通知', en: 'English notice' };
    const a = { reference: 'T-BBBB-0000', name: '张三', address: '上海市浦东新区世纪大道100号', text };
    const b = { reference: 'T-AAAA-0000', name: null, address: '北京市朝阳区建国路1号', text };
    const doc = letterDocument('并购', [a, b]);
    expect(doc.split('\f')).toHaveLength(2);
    expect(doc.indexOf('T-AAAA-0000')).toBeLessThan(doc.indexOf('T-BBBB-0000'));
    expect(sha256Hex(doc)).toBe(sha256Hex(letterDocument('并购', [b, a])));
  });

  it('encrypts the package under a passphrase; the plain hash survives the round trip', () => {
    const plain = packageLines([
      { customerId: 'b', fields: { name: '李四' } },
      { customerId: 'a', fields: { mobile: '13312345678', name: '张三' } },
    ]);
    expect(plain.split('\n')[0]).toBe('{"customerId":"a","fields":{"mobile":"13312345678","name":"张三"}}');
    const env = encryptPackage(plain, 'correct horse battery staple', { N: 1024, r: 8, p: 1 });
    expect(env.ciphertext).not.toContain('张三');
    const back = decryptPackage(env, 'correct horse battery staple');
    expect(sha256Hex(back)).toBe(sha256Hex(plain));
    expect(() => decryptPackage(env, 'wrong passphrase entirely')).toThrow();
  });
});
