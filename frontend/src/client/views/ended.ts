// The page shown when a call has ended: why, and what to do next.

import { h, type Localizer, userText } from '../dom';
import type { EndReason } from '../signaling';
import { endMsg, mayRejoin } from './status';

/** endedView explains the end of a call and offers to join again or go to the lobby. */
export function endedView(l: Localizer, room: string, reason: EndReason, capacity: number, actions: { rejoin(): void; lobby(): void }): HTMLElement {
  const [title, text] = endMsg(reason);
  const rejoin = h(l, 'button', { class: 'button primary big', attrs: { type: 'button', 'data-action': 'rejoin' }, l10n: { text: 'end.rejoin' } });
  rejoin.addEventListener('click', actions.rejoin);
  rejoin.hidden = !mayRejoin(reason);
  const lobby = h(l, 'button', { class: 'button big', attrs: { type: 'button', 'data-action': 'lobby' }, l10n: { text: 'end.lobby' } });
  lobby.addEventListener('click', actions.lobby);
  return h(l, 'section', { class: 'card ended', attrs: { role: 'alert', 'data-reason': reason.kind === 'refused' ? reason.code : reason.kind } }, [
    h(l, 'h1', { l10n: { text: title } }),
    h(l, 'p', { class: 'room-line' }, [h(l, 'span', { class: 'muted', l10n: { text: 'end.roomLabel' } }), userText(' '), h(l, 'strong', {}, [userText(room)])]),
    h(l, 'p', { l10n: { text: [text, { room, capacity }] } }),
    h(l, 'div', { class: 'actions' }, [rejoin, lobby]),
  ]);
}
