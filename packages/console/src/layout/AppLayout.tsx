import {
  AlertOutlined,
  ApartmentOutlined,
  AimOutlined,
  AuditOutlined,
  BarChartOutlined,
  ContactsOutlined,
  FileProtectOutlined,
  HddOutlined,
  DatabaseOutlined,
  ExportOutlined,
  FormOutlined,
  InboxOutlined,
  SafetyCertificateOutlined,
  ShareAltOutlined,
  ShopOutlined,
  FieldTimeOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  NodeIndexOutlined,
  NotificationOutlined,
  ProfileOutlined,
  SwapOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Avatar, Button, Divider, Layout, Menu, Result, Space, Tag, Typography, theme } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { roleLabel } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { ApprovalInboxPage } from '../pages/ApprovalInboxPage';
import { AuditPage } from '../pages/AuditPage';
import { CataloguePage } from '../pages/CataloguePage';
import { ChannelsPage } from '../pages/ChannelsPage';
import { ConsentStatsPage } from '../pages/ConsentStatsPage';
import { CustomersPage } from '../pages/CustomersPage';
import { DepartmentsPage } from '../pages/DepartmentsPage';
import { ExportsPage } from '../pages/ExportsPage';
import { GrantsPage } from '../pages/GrantsPage';
import { KeysPage } from '../pages/KeysPage';
import { MediaPage } from '../pages/MediaPage';
import { RecipientsPage } from '../pages/RecipientsPage';
import { ImpactAssessmentsPage } from '../pages/ImpactAssessmentsPage';
import { TransferCampaignsPage } from '../pages/TransferCampaignsPage';
import { DisclosuresPage } from '../pages/DisclosuresPage';
import { ProcessingRecordsPage } from '../pages/ProcessingRecordsPage';
import { NoticesPage } from '../pages/NoticesPage';
import { PurposesPage } from '../pages/PurposesPage';
import { RetentionPage } from '../pages/RetentionPage';
import { SharesPage } from '../pages/SharesPage';
import { UseApplicationsPage } from '../pages/UseApplicationsPage';
import { UsersPage } from '../pages/UsersPage';
import { ROUTES, matchRoute, mayOpen, navigate, useHashPath, type RouteKey } from '../router';
import { useSession } from '../session';

const NAV: Record<RouteKey, { label: MessageKey; icon: ReactNode; page: () => ReactNode }> = {
  customers: { label: 'nav.customers', icon: <ContactsOutlined />, page: () => <CustomersPage /> },
  purposes: { label: 'nav.purposes', icon: <AimOutlined />, page: () => <PurposesPage /> },
  notices: { label: 'nav.notices', icon: <FileProtectOutlined />, page: () => <NoticesPage /> },
  channels: { label: 'nav.channels', icon: <NodeIndexOutlined />, page: () => <ChannelsPage /> },
  consentStats: { label: 'nav.consentStats', icon: <BarChartOutlined />, page: () => <ConsentStatsPage /> },
  useApplications: { label: 'nav.useApplications', icon: <FormOutlined />, page: () => <UseApplicationsPage /> },
  approvals: { label: 'nav.approvals', icon: <InboxOutlined />, page: () => <ApprovalInboxPage /> },
  grants: { label: 'nav.grants', icon: <SafetyCertificateOutlined />, page: () => <GrantsPage /> },
  exports: { label: 'nav.exports', icon: <ExportOutlined />, page: () => <ExportsPage /> },
  media: { label: 'nav.media', icon: <HddOutlined />, page: () => <MediaPage /> },
  recipients: { label: 'nav.recipients', icon: <ShopOutlined />, page: () => <RecipientsPage /> },
  impactAssessments: { label: 'nav.impactAssessments', icon: <AlertOutlined />, page: () => <ImpactAssessmentsPage /> },
  shares: { label: 'nav.shares', icon: <ShareAltOutlined />, page: () => <SharesPage /> },
  transfers: { label: 'nav.transfers', icon: <SwapOutlined />, page: () => <TransferCampaignsPage /> },
  disclosures: { label: 'nav.disclosures', icon: <NotificationOutlined />, page: () => <DisclosuresPage /> },
  processingRecords: { label: 'nav.processingRecords', icon: <ProfileOutlined />, page: () => <ProcessingRecordsPage /> },
  retention: { label: 'nav.retention', icon: <FieldTimeOutlined />, page: () => <RetentionPage /> },
  users: { label: 'nav.users', icon: <TeamOutlined />, page: () => <UsersPage /> },
  departments: { label: 'nav.departments', icon: <ApartmentOutlined />, page: () => <DepartmentsPage /> },
  catalogue: { label: 'nav.catalogue', icon: <DatabaseOutlined />, page: () => <CataloguePage /> },
  keys: { label: 'nav.keys', icon: <KeyOutlined />, page: () => <KeysPage /> },
  audit: { label: 'nav.audit', icon: <AuditOutlined />, page: () => <AuditPage /> },
};

const COLLAPSE_KEY = 'custos.sider.collapsed';

export function AppLayout() {
  const { t, lang } = useI18n();
  const { user, can, logout } = useSession();
  const path = useHashPath();
  const { token } = theme.useToken();
  const [collapsed, setCollapsed] = useState(() => window.localStorage.getItem(COLLAPSE_KEY) === '1');

  const allowed = ROUTES.filter((r) => mayOpen(r, can));
  const route = matchRoute(path);

  // `#/` or an unknown path: go to the first module this user may open.
  useEffect(() => {
    if (!route && allowed[0]) navigate(allowed[0].path, { replace: true });
  }, [route, allowed]);

  const toggle = () => {
    setCollapsed((c) => {
      window.localStorage.setItem(COLLAPSE_KEY, c ? '0' : '1');
      return !c;
    });
  };

  let content: ReactNode;
  if (allowed.length === 0) {
    content = <Result status="info" title={t('common.noModules')} data-testid="no-modules" />;
  } else if (!route) {
    content = null; // redirecting
  } else if (!mayOpen(route, can)) {
    content = (
      <Result
        status="403"
        title="403"
        subTitle={t('common.forbidden')}
        extra={
          <Button type="primary" onClick={() => allowed[0] && navigate(allowed[0].path)}>
            {t('common.backHome')}
          </Button>
        }
      />
    );
  } else {
    // key: a fresh page state when switching modules
    content = <div key={route.key}>{NAV[route.key].page()}</div>;
  }

  return (
    <Layout style={{ minHeight: '100%' }} data-testid="app-layout">
      <Layout.Sider
        width={224}
        collapsedWidth={64}
        collapsible
        collapsed={collapsed}
        trigger={null}
        style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
      >
        <div
          style={{
            height: 64,
            display: 'flex',
            alignItems: 'center',
            padding: collapsed ? '0 19px' : '0 20px',
            borderBottom: '1px solid rgba(255,255,255,0.08)',
            overflow: 'hidden',
          }}
        >
          <Brand dark compact={collapsed} />
        </div>
        <Menu
          theme="dark"
          mode="inline"
          data-testid="side-menu"
          style={{ borderInlineEnd: 0, marginTop: 8 }}
          selectedKeys={route ? [route.key] : []}
          onClick={({ key }) => {
            const r = ROUTES.find((x) => x.key === key);
            if (r) navigate(r.path);
          }}
          items={allowed.map((r) => ({
            key: r.key,
            icon: NAV[r.key].icon,
            label: <span data-testid={`nav-${r.key}`}>{t(NAV[r.key].label)}</span>,
          }))}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            display: 'flex',
            alignItems: 'center',
            gap: 16,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
            position: 'sticky',
            top: 0,
            zIndex: 10,
          }}
        >
          <Button type="text" aria-label="toggle menu" icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />} onClick={toggle} />
          <Typography.Text strong style={{ fontSize: 15 }}>
            {route && mayOpen(route, can) ? t(NAV[route.key].label) : ''}
          </Typography.Text>
          <div style={{ flex: 1 }} />
          <LanguageSwitch />
          <Divider orientation="vertical" />
          <Space size={10} data-testid="current-user">
            <Avatar size="small" style={{ backgroundColor: token.colorPrimary }} icon={<UserOutlined />} />
            <Typography.Text strong data-testid="current-user-name">
              {user.displayName}
            </Typography.Text>
            <Space size={4} wrap={false} data-testid="current-user-roles">
              {user.roles.map((r) => (
                <Tag key={r} color="blue" variant="filled" style={{ marginInlineEnd: 0 }}>
                  {roleLabel(r, lang, t)}
                </Tag>
              ))}
            </Space>
          </Space>
          <Button data-testid="logout" icon={<LogoutOutlined />} onClick={() => void logout()}>
            {t('header.logout')}
          </Button>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>{content}</Layout.Content>
        <Layout.Footer style={{ textAlign: 'center', color: token.colorTextTertiary, fontSize: 12, padding: '12px 24px 20px' }}>
          Custos · {t('app.subtitle')}
        </Layout.Footer>
      </Layout>
    </Layout>
  );
}
