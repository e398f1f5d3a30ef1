import { TranslationOutlined } from '@ant-design/icons';
import { Segmented, Space } from 'antd';
import { useI18n, type Lang } from '../i18n';

const OPTIONS: { label: string; value: Lang }[] = [
  { label: '中文', value: 'zh-CN' },
  { label: 'English', value: 'en' },
];

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <Space size={6} aria-label={t('app.language')}>
      <TranslationOutlined style={{ color: 'rgba(0,0,0,0.45)' }} />
      <Segmented<Lang>
        data-testid="lang-switch"
        size="small"
        value={lang}
        onChange={setLang}
        options={OPTIONS.map((o) => ({ ...o, label: <span data-testid={`lang-${o.value}`}>{o.label}</span> }))}
      />
    </Space>
  );
}
