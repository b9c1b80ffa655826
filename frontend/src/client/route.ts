// Page routes: `/` is the lobby, `/r/<room>` a room link.

/** Route is the page the location asks for. */
export type Route = { view: 'lobby' } | { view: 'room'; room: string };

/** ROOM_MAX is the longest room name the server accepts (docs/protocol.md, Names). */
export const ROOM_MAX = 64;

/** parseRoute reads a location pathname. */
export function parseRoute(pathname: string): Route {
  const m = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (!m) return { view: 'lobby' };
  let room: string;
  try {
    room = decodeURIComponent(m[1]!);
  } catch {
    return { view: 'lobby' };
  }
  room = cleanRoomName(room);
  return room ? { view: 'room', room } : { view: 'lobby' };
}

/** roomPath is the link to a room. */
export function roomPath(room: string): string {
  return `/r/${encodeURIComponent(room)}`;
}

/** cleanRoomName normalises a name the way the server does before checking it. */
export function cleanRoomName(name: string): string {
  return name.normalize('NFC').trim();
}

/** RoomNameProblem is why a room name would be refused, or null. */
export type RoomNameProblem = 'empty' | 'too-long' | 'bad-chars' | null;

/** checkRoomName mirrors the server's rule so the lobby can explain before joining. */
export function checkRoomName(name: string): RoomNameProblem {
  const n = cleanRoomName(name);
  if (n === '') return 'empty';
  if ([...n].length > ROOM_MAX) return 'too-long';
  if (/[\p{Cc}\p{Cf}]/u.test(n)) return 'bad-chars';
  return null;
}
