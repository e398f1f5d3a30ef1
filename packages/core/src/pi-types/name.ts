/**
 * Person names. Chinese: 2-20 Han characters, optionally with the middle dot "·" of minority
 * and transliterated names. Latin: letters, spaces, hyphen, apostrophe, period.
 */
import { definePiType, invalid, VALID } from './define.js';
import { baseNormalize, codePointLength, collapseSpaces, keepCount, MASK_CHAR, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiType, PiValidationResult } from './types.js';

/** Double (two-character) surnames kept whole by the default name mask. */
export const doubleSurnames: ReadonlySet<string> = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '钟离',
  '司空',
  '端木',
  '澹台',
  '公冶',
  '太史',
  '申屠',
  '呼延',
  '南宫',
  '独孤',
  '闻人',
  '西门',
  '百里',
  '万俟',
  '赫连',
  '拓跋',
  '东郭',
  '单于',
  '第五',
  '公羊',
  '濮阳',
]);

/** Common single-character surnames (detection evidence only; any Han name validates). */
const COMMON_SURNAMES: ReadonlySet<string> = new Set(
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝'.split(
    '',
  ),
);

const HAN = /\p{Script=Han}/u;
const HAN_NAME = /^[\p{Script=Han}·]+$/u;
const DOT_VARIANTS = /[.\u2022\u30fb\uff65\u2027\u2219\u22c5]/g;
const WHITESPACE = /\s+/g;
const LATIN_NAME = /^[\p{Script=Latin}\p{M} .'\u2019-]+$/u;
const LATIN_START = /^\p{Script=Latin}/u;
const LATIN_END = /[\p{Script=Latin}\p{M}.]$/u;
const LATIN_WORDS = /^\p{Lu}[\p{L}\p{M}'\u2019.-]*(?: \p{Lu}[\p{L}\p{M}'\u2019.-]*){1,3}$/u;
const MIDDLE_DOT = '·';
const MAX_LATIN = 100;

function normalizeName(value: string): string {
  const s = baseNormalize(value);
  if (!HAN.test(s)) return collapseSpaces(s);
  // Chinese names: spaces are noise; unify the middle-dot variants to U+00B7.
  return s.replace(WHITESPACE, '').replace(DOT_VARIANTS, MIDDLE_DOT);
}

function validateName(n: string): PiValidationResult {
  if (n.length === 0) return invalid('empty');
  if (HAN.test(n)) {
    if (!HAN_NAME.test(n)) return invalid('invalid_character');
    const len = codePointLength(n);
    if (len < 2 || len > 20) return invalid('invalid_length');
    if (n.startsWith(MIDDLE_DOT) || n.endsWith(MIDDLE_DOT) || n.includes('··')) return invalid('invalid_format');
    return VALID;
  }
  if (n.length > MAX_LATIN) return invalid('invalid_length');
  if (!LATIN_NAME.test(n)) return invalid('invalid_character');
  if (n.length < 2) return invalid('invalid_length');
  if (!LATIN_START.test(n) || !LATIN_END.test(n)) return invalid('invalid_format');
  return VALID;
}

function detectName(n: string): number {
  if (!validateName(n).valid) return 0;
  if (HAN.test(n)) {
    if (n.includes(MIDDLE_DOT)) return 0.6;
    const len = codePointLength(n);
    if (len > 4) return 0.3;
    const knownSurname = doubleSurnames.has(n.slice(0, 2)) || COMMON_SURNAMES.has(n.charAt(0));
    return knownSurname ? 0.65 : 0.45;
  }
  return LATIN_WORDS.test(n) ? 0.55 : 0.3;
}

function maskName(n: string, o?: MaskOptions): string {
  if (n.length === 0) return '';
  if (HAN.test(n)) {
    const chars = Array.from(n);
    const surname = doubleSurnames.has(n.slice(0, 2)) ? 2 : 1;
    // Never reveal the whole name: at least one character is masked.
    const keep = Math.min(keepCount(o?.keepFirst, surname), chars.length - 1);
    return chars.slice(0, keep).join('') + MASK_CHAR.repeat(chars.length - keep);
  }
  const words = n.split(' ');
  if (words.length === 1) return maskMiddle(n, 1, 0);
  let out = '';
  for (let i = 0; i < words.length - 1; i++) {
    const first = String.fromCodePoint((words[i] ?? '').codePointAt(0) ?? 42);
    out += `${first}. `;
  }
  return out + (words[words.length - 1] ?? '');
}

export const personNameType: PiType = definePiType({
  id: 'person_name',
  label: { 'zh-CN': '姓名', en: 'Person name' },
  defaultMask: {},
  normalize: normalizeName,
  validateNormalized: validateName,
  detectNormalized: detectName,
  maskNormalized: maskName,
});
