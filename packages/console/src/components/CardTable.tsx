import { Card, Empty, Table, type TableProps } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

/**
 * The console's list table: in a borderless card, 20 rows a page with the total, and a message
 * when empty. Other Table props pass through.
 */
export function CardTable<T extends object>({ emptyText, ...props }: TableProps<T> & { emptyText: ReactNode }) {
  const { t } = useI18n();
  return (
    <Card styles={{ body: { padding: 0 } }}>
      <Table<T>
        size="middle"
        locale={{ emptyText: <Empty description={emptyText} /> }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }) }}
        {...props}
      />
    </Card>
  );
}
