import { App as AntdApp, ConfigProvider, Spin, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import 'dayjs/locale/zh-cn';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiProblem, api, setApiLanguage, setUnauthenticatedListener, type CurrentUser } from './api';
import { I18nProvider, useI18n } from './i18n';
import { AppLayout } from './layout/AppLayout';
import { LoginPage } from './pages/LoginPage';
import { useProblemReporter, useSuccess } from './problems';
import { SessionContext, type Session } from './session';

const FONT_FAMILY = [
  '-apple-system',
  'BlinkMacSystemFont',
  "'Segoe UI'",
  "'PingFang SC'",
  "'Hiragino Sans GB'",
  "'Microsoft YaHei'",
  "'Noto Sans CJK SC'",
  "'Noto Sans SC'",
  "'WenQuanYi Micro Hei'",
  "'Helvetica Neue'",
  'Arial',
  'sans-serif',
].join(', ');

export function Root() {
  return (
    <I18nProvider>
      <Themed />
    </I18nProvider>
  );
}

function Themed() {
  const { lang } = useI18n();
  useEffect(() => setApiLanguage(lang), [lang]);
  return (
    <ConfigProvider
      locale={lang === 'zh-CN' ? zhCN : enUS}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: { colorPrimary: '#1668dc', borderRadius: 6, fontFamily: FONT_FAMILY },
        components: {
          Layout: { headerBg: '#ffffff', headerHeight: 56, headerPadding: '0 24px', siderBg: '#001529' },
        },
      }}
    >
      <AntdApp>
        <Shell />
      </AntdApp>
    </ConfigProvider>
  );
}

type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; user: CurrentUser };

function Shell() {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const report = useProblemReporter();
  const success = useSuccess();
  const { t } = useI18n();

  const reportRef = useRef(report);
  reportRef.current = report;

  // On load: is there a session cookie? 401 means no (or an expired one) -> login page.
  useEffect(() => {
    let cancelled = false;
    api
      .me()
      .then((user) => !cancelled && setState({ status: 'signed-in', user }))
      .catch((err: unknown) => {
        if (cancelled) return;
        if (!(err instanceof ApiProblem && err.status === 401)) reportRef.current(err);
        setState({ status: 'anonymous' });
      });
    return () => {
      cancelled = true;
    };
  }, []);

  // Any later 401 (session expired or revoked) returns to the login page.
  useEffect(() => {
    setUnauthenticatedListener(() => setState({ status: 'anonymous' }));
    return () => setUnauthenticatedListener(null);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
      success(t('header.loggedOut'));
    } catch (err) {
      report(err);
    } finally {
      setState({ status: 'anonymous' });
    }
  }, [report, success, t]);

  const session = useMemo<Session | null>(() => {
    if (state.status !== 'signed-in') return null;
    const perms = new Set(state.user.permissions);
    return { user: state.user, can: (p) => perms.has(p), logout };
  }, [state, logout]);

  if (state.status === 'loading') {
    return (
      <div style={{ height: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
        <Spin size="large" />
      </div>
    );
  }
  if (!session) {
    return <LoginPage onSignedIn={(user) => setState({ status: 'signed-in', user })} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <AppLayout />
    </SessionContext.Provider>
  );
}
