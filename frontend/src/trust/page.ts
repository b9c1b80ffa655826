// The /trust page's pure parts: which device this is, where the join page
// is, what /api/tls says, and the install steps of each platform.

import type { TrustKey } from '../i18n/trust';

/** Platform is a kind of device with its own install steps. */
export type Platform = 'ios' | 'android' | 'windows' | 'macos' | 'linux';

/** CA_NAME is how the certificate authority is named on devices ("Signalbox Local CA (<computer>)"). */
export const CA_NAME = 'Signalbox Local CA';

/** Guide is one platform's install steps, and which file it takes. */
export interface Guide {
  platform: Platform;
  title: TrustKey;
  steps: TrustKey[];
  file: 'crt' | 'pem';
}

/** GUIDES lists the platforms in the order the page shows them. */
export const GUIDES: readonly Guide[] = [
  { platform: 'ios', title: 'ios.title', steps: ['ios.1', 'ios.2', 'ios.3'], file: 'crt' },
  { platform: 'android', title: 'android.title', steps: ['android.1', 'android.2', 'android.3'], file: 'crt' },
  { platform: 'windows', title: 'windows.title', steps: ['windows.1', 'windows.2', 'windows.3', 'windows.4'], file: 'crt' },
  { platform: 'macos', title: 'macos.title', steps: ['macos.1', 'macos.2', 'macos.3'], file: 'crt' },
  { platform: 'linux', title: 'linux.title', steps: ['linux.1', 'linux.2', 'linux.3'], file: 'pem' },
];

/** CA_URLS are the server's downloads of the CA (signaling/httpserver/tls.go). */
export const CA_URLS = { crt: '/trust/ca.crt', pem: '/trust/ca.pem' } as const;

/**
 * detectPlatform guesses the device from its user agent. iPadOS reports
 * itself as a Mac: a Mac with a touch screen is an iPad.
 */
export function detectPlatform(userAgent: string, maxTouchPoints: number): Platform {
  if (/iPhone|iPad|iPod/.test(userAgent)) return 'ios';
  if (/Macintosh/.test(userAgent) && maxTouchPoints > 1) return 'ios';
  if (/Android/.test(userAgent)) return 'android';
  if (/Windows/.test(userAgent)) return 'windows';
  if (/Macintosh|Mac OS X/.test(userAgent)) return 'macos';
  return 'linux';
}

/** isLoopbackHost reports whether a URL's hostname is this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * joinHref is the link back to the join page: over HTTPS on the same host
 * and port when this page came over plain HTTP from another device (the
 * server serves /trust over plain HTTP so it opens before the device
 * trusts anything), else the same origin.
 */
export function joinHref(protocol: string, hostname: string, host: string): string {
  if (protocol === 'http:' && !isLoopbackHost(hostname)) return `https://${host}/`;
  return '/';
}

/** TLSInfo is /api/tls. */
export interface TLSInfo {
  /** https: the server speaks HTTPS; secure: this request came over it. */
  https: boolean;
  secure: boolean;
  /** ca: the server has a local CA to install; fingerprint is its SHA-256. */
  ca: boolean;
  fingerprint?: string;
}

/** parseTLSInfo checks the shape of /api/tls, or returns null. */
export function parseTLSInfo(v: unknown): TLSInfo | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.https !== 'boolean' || typeof o.secure !== 'boolean' || typeof o.ca !== 'boolean') return null;
  if (o.fingerprint !== undefined && typeof o.fingerprint !== 'string') return null;
  return { https: o.https, secure: o.secure, ca: o.ca, fingerprint: o.fingerprint as string | undefined };
}

/** fingerprintLines splits "AB:CD:…" (32 bytes) into lines of 8 bytes, easier to compare by eye. */
export function fingerprintLines(fp: string): string[] {
  const bytes = fp.split(':');
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) out.push(bytes.slice(i, i + 8).join(':'));
  return out;
}
