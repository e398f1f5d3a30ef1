/**
 * Small pieces shared by the consent pages: status tags, shortened hashes, and the names of
 * users, departments and channels for the ids the consent API returns.
 */
import { Tag, Tooltip, Typography } from 'antd';
import { useCallback, useMemo } from 'react';
import { api, type Channel, type ConsentStatus, type Department, type NoticeStatus, type PurposeStatus, type User } from '../api';
import { localized, shortHash } from '../format';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

const PURPOSE_STATUS_COLOR: Record<PurposeStatus, string> = {
  draft: 'default',
  submitted: 'gold',
  approved: 'blue',
  active: 'green',
  retired: 'default',
};

export function PurposeStatusTag({ value }: { value: PurposeStatus }) {
  const { t } = useI18n();
  return (
    <Tag
      color={PURPOSE_STATUS_COLOR[value]}
      variant={value === 'retired' ? 'outlined' : undefined}
      data-testid={`purpose-status-${value}`}
      style={value === 'retired' ? { color: 'rgba(0,0,0,0.45)' } : undefined}
    >
      {t(`purposeStatus.${value}`)}
    </Tag>
  );
}

const NOTICE_STATUS_COLOR: Record<NoticeStatus, string> = { draft: 'gold', published: 'green', superseded: 'default' };

export function NoticeStatusTag({ value }: { value: NoticeStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={NOTICE_STATUS_COLOR[value]} data-testid={`notice-status-${value}`}>
      {t(`noticeStatus.${value}`)}
    </Tag>
  );
}

const CONSENT_STATUS_COLOR: Record<ConsentStatus, string> = { granted: 'green', withdrawn: 'orange', expired: 'default' };

export function ConsentStatusTag({ value }: { value: ConsentStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={CONSENT_STATUS_COLOR[value]} data-testid={`consent-status-${value}`}>
      {t(`consentStatus.${value}`)}
    </Tag>
  );
}

/** A hex hash: shortened, the whole value in a tooltip and on copy. */
export function HashText({ value, testId }: { value: string | null | undefined; testId?: string }) {
  const { t } = useI18n();
  if (!value) return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
  return (
    <Tooltip title={<span className="custos-hash">{value}</span>}>
      <Typography.Text className="custos-mono" copyable={{ text: value }} data-testid={testId}>
        {shortHash(value)}
      </Typography.Text>
    </Tooltip>
  );
}

/** User id -> display name (when the user list may be read), else the id as it is. */
export function useUserNames(): (id: string | null | undefined) => string {
  const { can, user } = useSession();
  const users = useLoad<User[]>(api.listUsers, [], can('user.read'));
  const byId = useMemo(() => new Map(users.data.map((u) => [u.id, u.displayName])), [users.data]);
  return useCallback(
    (id) => {
      if (!id) return '—';
      if (id === user.id) return user.displayName;
      return byId.get(id) ?? id;
    },
    [byId, user],
  );
}

export function useDepartments() {
  const { can } = useSession();
  return useLoad<Department[]>(api.listDepartments, [], can('department.read'));
}

/** Channel id -> "name (code)" in the UI language, when channels may be read. */
export function useChannelNames(): { channels: Channel[]; name: (id: string | null | undefined) => string } {
  const { can } = useSession();
  const { lang } = useI18n();
  const channels = useLoad<Channel[]>(api.listChannels, [], can('channel.read'));
  const byId = useMemo(() => new Map(channels.data.map((c) => [c.id, c])), [channels.data]);
  const name = useCallback(
    (id: string | null | undefined) => {
      if (!id) return '—';
      const c = byId.get(id);
      return c ? `${localized(c.name, lang) || c.code} (${c.code})` : id;
    },
    [byId, lang],
  );
  return { channels: channels.data, name };
}
