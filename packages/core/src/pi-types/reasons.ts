/**
 * Validation reason codes (snake_case, machine-friendly) and their zh-CN / en messages.
 * Reasons and messages never contain the value that was validated.
 */
export type PiLocale = 'zh-CN' | 'en';

export interface PiLocalizedText {
  readonly 'zh-CN': string;
  readonly en: string;
}

export const reasonMessages = {
  empty: { 'zh-CN': '值为空', en: 'The value is empty' },
  too_long: { 'zh-CN': '值过长', en: 'The value is too long' },
  too_short: { 'zh-CN': '值过短', en: 'The value is too short' },
  invalid_length: { 'zh-CN': '长度不正确', en: 'The value has the wrong length' },
  invalid_format: { 'zh-CN': '格式不正确', en: 'The value does not have the expected format' },
  invalid_character: { 'zh-CN': '包含不允许的字符', en: 'The value contains characters that are not allowed' },
  check_digit_mismatch: { 'zh-CN': '校验码不正确', en: 'The check digit does not match' },
  invalid_province_code: {
    'zh-CN': '省级行政区划代码无效',
    en: 'The province-level region code is not valid',
  },
  invalid_region_code: { 'zh-CN': '行政区划代码结构无效', en: 'The region code is not structurally valid' },
  invalid_birth_date: { 'zh-CN': '出生日期无效', en: 'The birth date is not a valid calendar date' },
  birth_date_too_early: { 'zh-CN': '出生日期早于1900年', en: 'The birth date is before 1900' },
  birth_date_in_future: { 'zh-CN': '出生日期晚于今天', en: 'The birth date is in the future' },
  invalid_prefix: { 'zh-CN': '号段或前缀无效', en: 'The number prefix is not valid' },
  invalid_area_code: { 'zh-CN': '区号无效', en: 'The area code is not valid' },
  missing_at: { 'zh-CN': '缺少“@”', en: 'The e-mail address has no single "@"' },
  invalid_local_part: { 'zh-CN': '邮箱用户名部分无效', en: 'The local part of the e-mail address is not valid' },
  invalid_domain: { 'zh-CN': '邮箱域名无效', en: 'The domain of the e-mail address is not valid' },
  invalid_date: { 'zh-CN': '日期无效', en: 'The date is not a valid calendar date' },
  unknown_pi_type: { 'zh-CN': '未知的个人信息类型', en: 'The personal-information type is unknown' },
  unrecognized: {
    'zh-CN': '无法识别为任何个人信息类型',
    en: 'The value was not recognised as any personal-information type',
  },
} as const satisfies Record<string, PiLocalizedText>;

export type PiReasonCode = keyof typeof reasonMessages;

/** Human text for a reason code in the given locale (default zh-CN). */
export function reasonMessage(code: PiReasonCode, locale: PiLocale = 'zh-CN'): string {
  return reasonMessages[code][locale];
}
