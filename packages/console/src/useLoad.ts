import { useCallback, useEffect, useRef, useState } from 'react';
import { useProblemReporter } from './problems';

export interface Loaded<T> {
  data: T;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Load data when the component mounts (and on `reload()`); failures are reported with an AntD
 * message and leave the previous data in place. With `enabled: false` nothing is fetched (the
 * user lacks the permission for an auxiliary list).
 */
export function useLoad<T>(load: () => Promise<T>, initial: T, enabled = true): Loaded<T> {
  const [data, setData] = useState<T>(initial);
  const [loading, setLoading] = useState(enabled);
  const report = useProblemReporter();
  // Refs, so a language switch (which renews `report`) does not refetch.
  const reportRef = useRef(report);
  reportRef.current = report;
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);

  const reload = useCallback(async () => {
    if (!enabled) return;
    const mine = ++seq.current;
    setLoading(true);
    try {
      const next = await loadRef.current();
      if (mine === seq.current) setData(next);
    } catch (err) {
      if (mine === seq.current) reportRef.current(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [enabled]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, loading, reload };
}
