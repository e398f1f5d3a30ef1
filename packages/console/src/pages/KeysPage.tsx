/**
 * Key management: the key-encryption keys (metadata only) with how many customer data keys each
 * wraps, the re-wrap jobs, and rotation. While a job runs the page polls quietly until it ends.
 */
import { ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Popconfirm, Progress, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, type KekInfo, type KekState, type KeysOverview, type RewrapJob, type RewrapJobStatus } from '../api';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime, shortId } from '../format';
import { useI18n } from '../i18n';
import { useProblemReporter, useSuccess } from '../problems';
import { useSession } from '../session';

const POLL_MS = 1000;

const STATE_COLOR: Record<KekState, string> = { current: 'green', active: 'blue', retired: 'default' };
const JOB_BADGE: Record<RewrapJobStatus, 'processing' | 'success' | 'error'> = {
  running: 'processing',
  completed: 'success',
  failed: 'error',
};

export function KeysPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const report = useProblemReporter();
  const success = useSuccess();
  const reportRef = useRef(report);
  reportRef.current = report;

  const [data, setData] = useState<KeysOverview>({ keks: [], rewrapJobs: [] });
  const [loading, setLoading] = useState(true);
  const [rotating, setRotating] = useState(false);
  /** The job started from this page, to announce when it completes. */
  const watched = useRef<string | null>(null);
  const seq = useRef(0);

  /** `quiet`: a poll, no spinner. */
  const load = useCallback(async (quiet = false) => {
    const mine = ++seq.current;
    if (!quiet) setLoading(true);
    try {
      const next = await api.listKeys();
      if (mine === seq.current) setData(next);
    } catch (err) {
      if (mine === seq.current) reportRef.current(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const running = data.rewrapJobs.some((j) => j.status === 'running');

  // Poll while a job runs (also when the page was opened mid-job).
  useEffect(() => {
    if (!running) return;
    const timer = window.setTimeout(() => void load(true), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [running, data, load]);

  // Announce the end of the job started here.
  useEffect(() => {
    const job = data.rewrapJobs.find((j) => j.id === watched.current);
    if (job && job.status !== 'running') {
      watched.current = null;
      if (job.status === 'completed') success(t('keys.rotate.completed', { done: job.done, total: job.total }));
    }
  }, [data, success, t]);

  const rotate = async () => {
    setRotating(true);
    try {
      const job = await api.rotateKeys();
      watched.current = job.id;
      success(t('keys.rotate.started', { version: job.toVersion, total: job.total }));
      await load(true);
    } catch (err) {
      report(err);
    } finally {
      setRotating(false);
    }
  };

  const keks = useMemo(() => [...data.keks].sort((a, b) => b.version - a.version), [data.keks]);

  const kekColumns: ColumnsType<KekInfo> = [
    {
      title: t('keys.version'),
      dataIndex: 'version',
      width: 110,
      render: (v: number) => <Typography.Text strong>v{v}</Typography.Text>,
    },
    {
      title: t('keys.state'),
      dataIndex: 'state',
      width: 110,
      render: (v: KekState) => (
        <Tag color={STATE_COLOR[v]} data-testid={`kek-state-${v}`}>
          {t(`keys.state.${v}`)}
        </Tag>
      ),
    },
    { title: t('keys.algorithm'), dataIndex: 'algorithm', render: (v: string) => <span className="custos-mono">{v}</span> },
    { title: t('keys.provider'), dataIndex: 'provider', render: (v: string) => <span className="custos-mono">{v}</span> },
    { title: t('common.created'), dataIndex: 'createdAt', width: 180, render: (v: string | null) => formatDateTime(v) },
    {
      title: t('keys.wrapped'),
      dataIndex: 'wrappedDataKeys',
      width: 150,
      align: 'right',
      render: (v: number) => <Typography.Text type={v ? undefined : 'secondary'}>{v.toLocaleString()}</Typography.Text>,
    },
  ];

  const jobColumns: ColumnsType<RewrapJob> = [
    {
      title: t('keys.job.id'),
      dataIndex: 'id',
      width: 120,
      render: (v: string) => (
        <Typography.Text className="custos-mono" title={v}>
          {shortId(v)}
        </Typography.Text>
      ),
    },
    { title: t('keys.job.toVersion'), dataIndex: 'toVersion', width: 110, render: (v: number) => <Tag variant="outlined">v{v}</Tag> },
    {
      title: t('keys.job.progress'),
      key: 'progress',
      render: (_: unknown, j) => {
        const percent = j.total > 0 ? Math.floor((j.done / j.total) * 100) : j.status === 'running' ? 0 : 100;
        return (
          <Progress
            data-testid={`job-progress-${j.id}`}
            percent={percent}
            size="small"
            status={j.status === 'failed' ? 'exception' : j.status === 'running' ? 'active' : 'success'}
            format={() => `${j.done}/${j.total}`}
            style={{ minWidth: 180, marginBottom: 0 }}
          />
        );
      },
    },
    {
      title: t('keys.job.status'),
      dataIndex: 'status',
      width: 120,
      render: (v: RewrapJobStatus) => <Badge status={JOB_BADGE[v]} text={t(`keys.job.status.${v}`)} data-testid={`job-status-${v}`} />,
    },
    { title: t('keys.job.startedAt'), dataIndex: 'startedAt', width: 180, render: (v: string) => formatDateTime(v) },
    { title: t('keys.job.finishedAt'), dataIndex: 'finishedAt', width: 180, render: (v: string | null) => formatDateTime(v) },
  ];

  return (
    <>
      <PageHeader
        title={t('keys.title')}
        subtitle={t('keys.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => void load()} data-testid="keys-refresh">
              {t('common.refresh')}
            </Button>
            {can('key.manage') ? (
              <Popconfirm
                title={t('keys.rotate.confirmTitle')}
                description={<div style={{ maxWidth: 320 }}>{t('keys.rotate.confirm')}</div>}
                okText={t('keys.rotate')}
                cancelText={t('common.cancel')}
                okButtonProps={{ 'data-testid': 'keys-rotate-confirm' }}
                onConfirm={() => rotate()}
                placement="bottomRight"
              >
                <Button
                  type="primary"
                  icon={<SyncOutlined spin={rotating} />}
                  loading={rotating}
                  disabled={running}
                  data-testid="keys-rotate"
                >
                  {t('keys.rotate')}
                </Button>
              </Popconfirm>
            ) : null}
          </>
        }
      />
      <Card title={t('keys.keks')} style={{ marginBottom: 16 }} styles={{ body: { padding: 0 } }}>
        <Table<KekInfo>
          data-testid="keys-kek-table"
          rowKey="version"
          loading={loading}
          columns={kekColumns}
          dataSource={keks}
          pagination={false}
          onRow={(k) => ({ 'data-testid': 'kek-row', 'data-version': k.version, 'data-state': k.state }) as object}
        />
      </Card>
      <Card
        title={t('keys.jobs')}
        extra={
          running ? (
            <Typography.Text type="secondary" data-testid="keys-polling">
              <SyncOutlined spin style={{ marginInlineEnd: 6 }} />
              {t('keys.polling')}
            </Typography.Text>
          ) : null
        }
        styles={{ body: { padding: 0 } }}
      >
        <Table<RewrapJob>
          data-testid="keys-job-table"
          rowKey="id"
          loading={loading}
          columns={jobColumns}
          dataSource={data.rewrapJobs}
          pagination={false}
          locale={{ emptyText: t('keys.jobs.empty') }}
          onRow={(j) => ({ 'data-testid': 'job-row', 'data-id': j.id, 'data-status': j.status }) as object}
        />
      </Card>
    </>
  );
}
