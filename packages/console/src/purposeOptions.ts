import { useMemo } from 'react';
import { USE_PURPOSES, api, type Purpose } from './api';
import { purposeLabel } from './format';
import { useI18n } from './i18n';
import { useSession } from './session';
import { useLoad } from './useLoad';

export interface PurposeOption {
  value: string;
  label: string;
  /** A registered purpose (consent-checked on reveal), not one of the built-in use purposes. */
  registered: boolean;
}

/**
 * The purposes a department can be assigned and a reveal can name (P5.1): the active registered
 * purposes (whose consent must cover the fields) and the built-in use purposes.
 */
export function usePurposeOptions(): { options: PurposeOption[]; label: (code: string) => string } {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const active = useLoad<Purpose[]>(() => api.listPurposes({ status: 'active' }), [], can('purpose.read'));
  return useMemo(() => {
    const registered = active.data.map((p) => ({ value: p.code, label: p.name[lang] || p.code, registered: true }));
    const builtIn = USE_PURPOSES.filter((p) => !registered.some((r) => r.value === p)).map((p) => ({
      value: p,
      label: purposeLabel(p, t),
      registered: false,
    }));
    const all = [...registered, ...builtIn];
    const byCode = new Map(all.map((o) => [o.value, o.label]));
    return { options: all, label: (code: string) => byCode.get(code) ?? purposeLabel(code, t) };
  }, [active.data, lang, t]);
}
