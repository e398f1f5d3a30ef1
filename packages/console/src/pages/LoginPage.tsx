import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { ApiProblem, api, type CurrentUser } from '../api';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useI18n } from '../i18n';
import { applyFieldProblems, useProblemReporter } from '../problems';

interface LoginForm {
  username: string;
  password: string;
}

export function LoginPage({ onSignedIn }: { onSignedIn: (user: CurrentUser) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<LoginForm>();
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const report = useProblemReporter();

  const submit = async (values: LoginForm) => {
    setSubmitting(true);
    setProblem(null);
    try {
      const res = await api.login(values.username.trim(), values.password);
      onSignedIn(res.user);
    } catch (err) {
      if (err instanceof ApiProblem && err.status !== 0) {
        // 401 wrong credentials, 423 locked, 429 rate limited: show the server's detail in place.
        setProblem(err);
        applyFieldProblems(form, err.errors);
        form.setFieldValue('password', '');
      } else {
        report(err);
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="custos-login-bg" data-testid="login-page">
      <div style={{ display: 'flex', justifyContent: 'flex-end', padding: '16px 24px' }}>
        <LanguageSwitch />
      </div>
      <div style={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center', padding: '0 16px 64px' }}>
        <div style={{ width: 400, maxWidth: '100%' }}>
          <div style={{ display: 'flex', justifyContent: 'center', marginBottom: 28 }}>
            <Brand size="large" />
          </div>
          <Card styles={{ body: { padding: '32px 32px 8px' } }} style={{ boxShadow: '0 6px 24px rgba(0, 21, 41, 0.08)' }}>
            <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 4 }}>
              {t('login.welcome')}
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>
              {t('login.tagline')}
            </Typography.Paragraph>
            {problem ? (
              <Alert
                data-testid="login-error"
                data-status={problem.status}
                type="error"
                showIcon
                style={{ marginBottom: 20 }}
                title={problem.detail ?? problem.title}
              />
            ) : null}
            <Form<LoginForm> form={form} layout="vertical" requiredMark={false} onFinish={submit} size="large" autoComplete="on">
              <Form.Item
                name="username"
                label={t('login.username')}
                rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('login.username') }) }]}
              >
                <Input data-testid="login-username" prefix={<UserOutlined />} autoComplete="username" autoFocus />
              </Form.Item>
              <Form.Item
                name="password"
                label={t('login.password')}
                rules={[{ required: true, message: t('common.required', { field: t('login.password') }) }]}
              >
                <Input.Password data-testid="login-password" prefix={<LockOutlined />} autoComplete="current-password" />
              </Form.Item>
              <Form.Item>
                <Button data-testid="login-submit" type="primary" htmlType="submit" block loading={submitting}>
                  {t('login.submit')}
                </Button>
              </Form.Item>
            </Form>
          </Card>
          <Typography.Paragraph type="secondary" style={{ textAlign: 'center', marginTop: 20, fontSize: 12 }}>
            {t('login.footer')}
          </Typography.Paragraph>
        </div>
      </div>
    </div>
  );
}
