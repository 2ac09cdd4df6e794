import { isIP } from 'node:net';

/** net.SplitHostPort / JoinHostPort / ParseIP as Prometheus' stripPort and stripDomain use them. */

/** Host and port of "host:port" or "[v6]:port"; undefined where Go returns an error. */
export function splitHostPort(hostPort: string): { host: string; port: string } | undefined {
  const i = hostPort.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0 || end + 1 !== i) return undefined;
    host = hostPort.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostPort.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (hostPort.slice(j).includes('[') || hostPort.slice(k).includes(']')) return undefined;
  return { host, port: hostPort.slice(i + 1) };
}

export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** net.ParseIP accepts no zone ("%eth0") and no leading zeros in IPv4 octets. */
export function isGoIP(text: string): boolean {
  if (text.includes('%')) return false;
  if (isIP(text) === 4) return !/(^|\.)0\d/.test(text);
  return isIP(text) === 6;
}

export function stripPort(hostPort: string): string {
  return splitHostPort(hostPort)?.host ?? hostPort;
}

export function stripDomain(hostPort: string): string {
  const split = splitHostPort(hostPort);
  const host = split?.host ?? hostPort;
  if (isGoIP(host)) return hostPort;
  const short = host.split('.')[0] as string;
  return split && split.port !== '' ? joinHostPort(short, split.port) : short;
}
