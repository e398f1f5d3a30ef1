import { createContext, useContext } from 'react';
import type { CurrentUser } from './api';

export interface Session {
  user: CurrentUser;
  can: (permission: string) => boolean;
  logout: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession must be used inside the signed-in shell');
  return s;
}
