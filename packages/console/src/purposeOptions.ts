import { useMemo } from 'react';
import { api, type Purpose } from './api';
import { purposeLabel } from './format';
import { useI18n } from './i18n';
import { useSession } from './session';
import { useLoad } from './useLoad';

export interface PurposeOption {
  value: string;
  label: string;
}

/**
 * The purposes a department can be assigned (P5.1): the active purposes of the register. Only
 * registered purposes can be assigned; a reveal names one the user's department holds (see
 * `api.listMyPurposes`). A code without a loaded purpose is labelled by `purposeLabel`.
 */
export function usePurposeOptions(): { options: PurposeOption[]; label: (code: string) => string } {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const active = useLoad<Purpose[]>(() => api.listPurposes({ status: 'active' }), [], can('purpose.read'));
  return useMemo(() => {
    const options = active.data.map((p) => ({ value: p.code, label: p.name[lang] || p.code }));
    const byCode = new Map(options.map((o) => [o.value, o.label]));
    return { options, label: (code: string) => byCode.get(code) ?? purposeLabel(code, t) };
  }, [active.data, lang, t]);
}
