/** Contract-shaped sample data shared by the suites. */
import type { NoticeElements, PublishedNotice } from '../src/types.js';

const zh: NoticeElements = {
  purpose: '为您开通并提供会员服务',
  method: '通过本页面表单收集，加密存储',
  scope: '姓名、手机号码、电子邮箱、出生日期；可选：健康状况、生物识别信息',
  retention: '会员关系结束后 3 年',
  scenarios: '会员积分、生日礼遇',
  controllerName: '示例零售有限公司',
  controllerContact: 'privacy@example.com',
  rights: '您可以查阅、复制、更正、删除您的个人信息，并可随时撤回同意。',
  sensitive: [
    { field: 'health', necessity: '为您推荐合适的健康套餐', impact: '泄露可能导致歧视' },
    { field: 'biometric', necessity: '用于到店刷脸核验身份', impact: '一旦泄露无法更改' },
  ],
};

const en: NoticeElements = {
  purpose: 'To open and run your membership',
  method: 'Collected with this form, stored encrypted',
  scope: 'Name, mobile number, email, date of birth; optional: health, biometric data',
  retention: '3 years after the membership ends',
  scenarios: 'Points and birthday offers',
  controllerName: 'Example Retail Ltd.',
  controllerContact: 'privacy@example.com',
  rights: 'You may access, copy, correct and delete your personal information, and withdraw consent at any time.',
  sensitive: [
    { field: 'health', necessity: 'To recommend suitable health packages', impact: 'A leak could lead to discrimination' },
    { field: 'biometric', necessity: 'To verify you by face in store', impact: 'It cannot be changed once leaked' },
  ],
};

export const NOTICE: PublishedNotice = {
  purpose: {
    code: 'membership',
    version: 2,
    name: { 'zh-CN': '会员服务', en: 'Membership' },
    legalBasis: 'consent',
    fields: [
      { code: 'name', name: { 'zh-CN': '姓名', en: 'Name' }, piType: 'name', sensitivity: 'general' },
      { code: 'cn_mobile', name: { 'zh-CN': '手机号码', en: 'Mobile number' }, piType: 'cn_mobile', sensitivity: 'general' },
      { code: 'email', name: { 'zh-CN': '电子邮箱', en: 'Email' }, piType: 'email', sensitivity: 'general' },
      { code: 'birth_date', name: { 'zh-CN': '出生日期', en: 'Date of birth' }, piType: 'date', sensitivity: 'general' },
      { code: 'health', name: { 'zh-CN': '健康状况', en: 'Health' }, piType: null, sensitivity: 'sensitive' },
      { code: 'biometric', name: { 'zh-CN': '生物识别信息', en: 'Biometric data' }, piType: null, sensitivity: 'sensitive' },
    ],
  },
  notice: {
    id: '7f0c6f4e-5f3b-4d1e-9a55-0b9d2c1e8a11',
    version: 1,
    contentHash: 'a'.repeat(64),
    publishedAt: '2025-01-02T03:04:05.000Z',
    content: { 'zh-CN': zh, en },
  },
};
