/**
 * Consent statistics per purpose: granted / withdrawn / expired consents and the customers they
 * cover, with plain AntD progress bars (no chart library).
 */
import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Progress, Row, Space, Statistic, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import { api, type ConsentStatistic } from '../api';
import { PageHeader } from '../components/PageHeader';
import { localized } from '../format';
import { useI18n } from '../i18n';
import { useLoad } from '../useLoad';

const COLORS = { granted: '#52c41a', withdrawn: '#fa8c16', expired: '#bfbfbf' } as const;
type Kind = keyof typeof COLORS;

export function ConsentStatsPage() {
  const { t, lang } = useI18n();
  const stats = useLoad<ConsentStatistic[]>(api.getConsentStatistics, []);

  const totals = useMemo(
    () =>
      stats.data.reduce(
        (acc, s) => ({
          granted: acc.granted + s.granted,
          withdrawn: acc.withdrawn + s.withdrawn,
          expired: acc.expired + s.expired,
          customers: acc.customers + s.customers,
        }),
        { granted: 0, withdrawn: 0, expired: 0, customers: 0 },
      ),
    [stats.data],
  );

  const bar = (s: ConsentStatistic, kind: Kind) => {
    const all = s.granted + s.withdrawn + s.expired;
    const value = s[kind];
    const percent = all > 0 ? Math.round((value / all) * 1000) / 10 : 0;
    return (
      <Tooltip title={t('consentStats.share', { percent })}>
        <Progress
          data-testid={`consent-stats-bar-${s.purposeCode}-${kind}`}
          percent={percent}
          size="small"
          strokeColor={COLORS[kind]}
          status="normal"
          format={() => value.toLocaleString()}
          style={{ minWidth: 140, marginBottom: 0 }}
        />
      </Tooltip>
    );
  };

  const columns: ColumnsType<ConsentStatistic> = [
    {
      title: t('consentStats.purpose'),
      dataIndex: 'purposeCode',
      render: (v: string, s) => (
        <Space orientation="vertical" size={0}>
          <span>{localized(s.purposeName, lang) || v}</span>
          <Typography.Text type="secondary" className="custos-mono">
            {v}
          </Typography.Text>
        </Space>
      ),
      sorter: (a, b) => a.purposeCode.localeCompare(b.purposeCode),
    },
    {
      title: t('consentStatus.granted'),
      key: 'granted',
      render: (_: unknown, s) => bar(s, 'granted'),
      sorter: (a, b) => a.granted - b.granted,
    },
    {
      title: t('consentStatus.withdrawn'),
      key: 'withdrawn',
      render: (_: unknown, s) => bar(s, 'withdrawn'),
      sorter: (a, b) => a.withdrawn - b.withdrawn,
    },
    {
      title: t('consentStatus.expired'),
      key: 'expired',
      render: (_: unknown, s) => bar(s, 'expired'),
      sorter: (a, b) => a.expired - b.expired,
    },
    {
      title: t('consentStats.customers'),
      dataIndex: 'customers',
      width: 120,
      align: 'right',
      render: (v: number) => <Typography.Text strong>{v.toLocaleString()}</Typography.Text>,
      sorter: (a, b) => a.customers - b.customers,
      defaultSortOrder: 'descend',
    },
  ];

  return (
    <>
      <PageHeader
        title={t('consentStats.title')}
        subtitle={t('consentStats.subtitle')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void stats.reload()} data-testid="consent-stats-refresh">
            {t('common.refresh')}
          </Button>
        }
      />
      <Row gutter={16} style={{ marginBottom: 16 }}>
        {(['granted', 'withdrawn', 'expired'] as const).map((k) => (
          <Col xs={12} md={6} key={k}>
            <Card size="small">
              <Statistic
                title={t(`consentStatus.${k}`)}
                value={totals[k]}
                styles={{ content: { color: k === 'expired' ? undefined : COLORS[k] } }}
                data-testid={`consent-stats-total-${k}`}
              />
            </Card>
          </Col>
        ))}
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('consentStats.customersTotal')} value={totals.customers} data-testid="consent-stats-total-customers" />
          </Card>
        </Col>
      </Row>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<ConsentStatistic>
          data-testid="consent-stats-table"
          rowKey="purposeCode"
          size="middle"
          loading={stats.loading}
          columns={columns}
          dataSource={stats.data}
          pagination={false}
          onRow={(s) => ({ 'data-testid': `consent-stats-row-${s.purposeCode}` }) as object}
        />
      </Card>
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>
        {t('consentStats.note')}
      </Typography.Paragraph>
    </>
  );
}
