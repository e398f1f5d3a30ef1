import type { Lang } from './types.js';

/** Picks the UI language from an attribute or query value: anything starting with `en` is English, everything else zh-CN. */
export function normaliseLang(value: string | null | undefined): Lang {
  return value && /^en\b/i.test(value) ? 'en' : 'zh-CN';
}

type Messages = Record<string, [zh: string, en: string]>;

/** Customer-facing messages for the API's reason codes (problems[].reason and consent-check reasons). */
const REASONS: Messages = {
  separate_consent_required: [
    '提供此项敏感个人信息需要您单独勾选同意',
    'Tick the separate consent box to provide this sensitive information',
  ],
  consent_required: ['请阅读告知并勾选同意后再提交', 'Please read the notice and tick the consent box before submitting'],
  not_in_purpose: ['此项信息不在本用途的收集范围内', 'This information is not collected for this purpose'],
  bad_check_digit: ['校验位不正确，请检查号码', 'The check digit is wrong; please check the number'],
  not_current: ['告知内容已更新，请重新阅读并确认后再提交', 'The notice has changed; please read it again and confirm before submitting'],
  missing: ['此项为必填项', 'This is required'],
  required: ['此项为必填项', 'This is required'],
  invalid: ['格式不正确', 'This is not in a valid format'],
  invalid_format: ['格式不正确', 'This is not in a valid format'],
  bad_format: ['格式不正确', 'This is not in a valid format'],
  too_long: ['内容过长', 'This is too long'],
  too_short: ['内容过短', 'This is too short'],
  bad_length: ['长度不正确', 'This has the wrong length'],
  no_consent: ['尚未取得同意', 'No consent has been given'],
  withdrawn: ['同意已撤回', 'Consent was withdrawn'],
  expired: ['同意已过期', 'Consent has expired'],
  reconsent_required: ['用途已变更，需要重新取得同意', 'The purpose has changed; consent must be given again'],
  purpose_not_active: ['该用途当前未启用', 'This purpose is not active'],
};

/** The message for a reason code in `lang`; a code without one is returned as it is. */
export function reasonMessage(reason: string, lang: Lang): string {
  const m = hasReasonMessage(reason) ? REASONS[reason] : undefined;
  return m ? m[lang === 'en' ? 1 : 0] : reason;
}

/** Whether {@link reasonMessage} has a translation for `reason`. */
export function hasReasonMessage(reason: string): boolean {
  return Object.prototype.hasOwnProperty.call(REASONS, reason);
}
