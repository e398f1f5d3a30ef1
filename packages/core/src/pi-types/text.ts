/** Free text: no validation; the mask keeps only the first character. Never chosen by detection. */
import { definePiType, VALID } from './define.js';
import { baseNormalize, keepCount, maskMiddle } from './normalize-fns.js';
import type { MaskOptions, PiType } from './types.js';

export const textType: PiType = definePiType({
  id: 'text',
  label: { 'zh-CN': '文本', en: 'Free text' },
  defaultMask: { keepFirst: 1, keepLast: 0 },
  normalize: baseNormalize,
  validateNormalized: () => VALID,
  detectNormalized: () => 0,
  maskNormalized: (n: string, o?: MaskOptions) => maskMiddle(n, keepCount(o?.keepFirst, 1), keepCount(o?.keepLast, 0)),
});
