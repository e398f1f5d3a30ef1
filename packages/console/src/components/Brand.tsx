import { SafetyCertificateFilled } from '@ant-design/icons';
import { useI18n } from '../i18n';

/** The product mark: shield, "Custos" and the subtitle. */
export function Brand({
  dark = false,
  compact = false,
  size = 'normal',
}: {
  dark?: boolean;
  compact?: boolean;
  size?: 'normal' | 'large';
}) {
  const { t } = useI18n();
  const large = size === 'large';
  return (
    <div data-testid="brand" style={{ display: 'flex', alignItems: 'center', gap: large ? 14 : 10, minWidth: 0 }}>
      <SafetyCertificateFilled style={{ fontSize: large ? 40 : 26, color: dark ? '#4096ff' : '#1668dc', flex: 'none' }} />
      {compact ? null : (
        <div style={{ lineHeight: 1.25, minWidth: 0, whiteSpace: 'nowrap' }}>
          <div style={{ fontSize: large ? 26 : 18, fontWeight: 600, letterSpacing: 0.5, color: dark ? '#fff' : 'rgba(0,0,0,0.88)' }}>
            {t('app.name')}
          </div>
          <div style={{ fontSize: large ? 14 : 12, color: dark ? 'rgba(255,255,255,0.65)' : 'rgba(0,0,0,0.45)' }}>{t('app.subtitle')}</div>
        </div>
      )}
    </div>
  );
}
