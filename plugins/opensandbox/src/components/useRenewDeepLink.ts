import { useEffect } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The query parameter of a detail page link that opens the renew dialog (`?renew=1`). */
export const RENEW_PARAM = 'renew';

/**
 * The renew deep link of the detail page (expiry warning notifications link to
 * `.../sandboxes/<id>?renew=1`): once the sandbox is loaded and the renew permission is known,
 * opens the renew dialog when the user may renew (`allowed`), and drops the parameter from the URL
 * either way (replacing the history entry), so a reload or Back does not open it again.
 */
export function useRenewDeepLink(options: {
  /** The sandbox is loaded. */
  ready: boolean;
  /** The renew permission answered (allowed or not). */
  decided: boolean;
  /** The user may renew this sandbox, and it has an expiry to renew. */
  allowed: boolean;
  open: () => void;
}): void {
  const { ready, decided, allowed, open } = options;
  const [params, setParams] = useSearchParams();
  const wanted =
    params.get(RENEW_PARAM) === '1' || params.get(RENEW_PARAM) === 'true';
  useEffect(() => {
    if (!wanted || !ready || !decided) return;
    if (allowed) open();
    setParams(
      previous => {
        const next = new URLSearchParams(previous);
        next.delete(RENEW_PARAM);
        return next;
      },
      { replace: true },
    );
    // `open` is a new function each render; the parameter is consumed once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, ready, decided, allowed, setParams]);
}
