import type { Location } from 'react-router-dom';

/**
 * Router state carrying a one-time success message to the page navigated to, e.g.
 * `navigate(link, { state: { notice: 'Sandbox "demo" created.' } })` after a create, or to the
 * list after a delete.
 */
export interface NoticeState {
  notice?: string;
}

/** The notice a navigation carried (`location.state.notice`), if any. */
export function consumeNotice(
  location: Pick<Location, 'state'>,
): string | undefined {
  const notice = (location.state as NoticeState | null | undefined)?.notice;
  return typeof notice === 'string' && notice ? notice : undefined;
}
