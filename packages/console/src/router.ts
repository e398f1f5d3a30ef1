/**
 * A tiny hash router: the route is the part of `location.hash` after `#`, e.g. `#/audit`.
 * Hash routing needs no server-side fallback, so the server can serve `dist/` as plain files.
 */
import { useSyncExternalStore } from 'react';

export type RouteKey =
  | 'customers'
  | 'purposes'
  | 'notices'
  | 'channels'
  | 'consentStats'
  | 'useApplications'
  | 'approvals'
  | 'grants'
  | 'exports'
  | 'media'
  | 'recipients'
  | 'impactAssessments'
  | 'shares'
  | 'transfers'
  | 'disclosures'
  | 'processingRecords'
  | 'retention'
  | 'users'
  | 'departments'
  | 'catalogue'
  | 'keys'
  | 'audit';

export interface RouteDef {
  key: RouteKey;
  path: `/${string}`;
  /** The permission needed to see the menu item and open the page; a list means any one of them. */
  permission: string | readonly string[];
}

/** May a user with these permissions open the route? */
export function mayOpen(route: RouteDef, can: (permission: string) => boolean): boolean {
  return typeof route.permission === 'string' ? can(route.permission) : route.permission.some(can);
}

/** In menu order; a user lands on the first one they may open. */
export const ROUTES: readonly RouteDef[] = [
  { key: 'customers', path: '/customers', permission: 'customer.read' },
  { key: 'purposes', path: '/purposes', permission: 'purpose.read' },
  // The contract names no notice-read permission; notices belong to purpose versions.
  { key: 'notices', path: '/notices', permission: 'purpose.read' },
  { key: 'channels', path: '/channels', permission: 'channel.read' },
  { key: 'consentStats', path: '/consent-statistics', permission: 'consent.read' },
  // Approved internal use (P5.2, P5.3).
  { key: 'useApplications', path: '/use-applications', permission: 'use.apply' },
  { key: 'approvals', path: '/approvals', permission: 'use.review' },
  { key: 'grants', path: '/grants', permission: ['use.apply', 'use.review', 'use.read'] },
  { key: 'exports', path: '/exports', permission: ['use.apply', 'use.read'] },
  { key: 'media', path: '/storage-media', permission: 'medium.read' },
  // Third parties and impact assessments (P6.1, P6.3).
  { key: 'recipients', path: '/recipients', permission: 'recipient.read' },
  { key: 'impactAssessments', path: '/impact-assessments', permission: 'impact.read' },
  // Sharing with third parties (P6.1).
  { key: 'shares', path: '/share-requests', permission: ['share.request', 'share.review', 'share.read'] },
  // Transfers (P6.1), public disclosure (P6.2) and the processing-records register (P1.1).
  { key: 'transfers', path: '/transfer-campaigns', permission: ['transfer.manage', 'transfer.approve', 'processing.read'] },
  { key: 'disclosures', path: '/disclosures', permission: ['disclosure.request', 'disclosure.review', 'processing.read'] },
  { key: 'processingRecords', path: '/processing-records', permission: 'processing.read' },
  { key: 'retention', path: '/retention', permission: 'retention.read' },
  { key: 'users', path: '/users', permission: 'user.read' },
  { key: 'departments', path: '/departments', permission: 'department.read' },
  { key: 'catalogue', path: '/catalogue', permission: 'catalogue.read' },
  { key: 'keys', path: '/keys', permission: 'key.read' },
  { key: 'audit', path: '/audit', permission: 'audit.read' },
];

function currentPath(): string {
  const raw = window.location.hash.replace(/^#/, '');
  const path = raw.split('?')[0] ?? '';
  return path.startsWith('/') ? path : `/${path}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current hash path (`/` when there is none); re-renders on navigation. */
export function useHashPath(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '/');
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const hash = `#${path.startsWith('/') ? path : `/${path}`}`;
  if (window.location.hash === hash) return;
  if (opts.replace) {
    const url = `${window.location.pathname}${window.location.search}${hash}`;
    window.history.replaceState(window.history.state, '', url);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

export function matchRoute(path: string): RouteDef | undefined {
  return ROUTES.find((r) => path === r.path || path.startsWith(`${r.path}/`));
}

export function hrefFor(route: RouteDef): string {
  return `#${route.path}`;
}

/** The path segments after the route's own path: `/customers/abc` -> `['abc']`. */
export function subPath(route: RouteDef, path: string): string[] {
  return path
    .slice(route.path.length)
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function customerPath(id: string): string {
  return `/customers/${encodeURIComponent(id)}`;
}

export function exportPath(grantId?: string): string {
  return grantId ? `/exports/new/${encodeURIComponent(grantId)}` : '/exports';
}
