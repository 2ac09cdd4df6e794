/** All audit Redis keys in one place (as BullMQ's queue-keys). */
export function auditKeys(prefix: string): { log: string; head: string } {
  return { log: `${prefix}:audit:log`, head: `${prefix}:audit:head` };
}

/** The head is "<seq>:<hash>" of the last entry; empty before the first. */
export function formatHead(seq: number, hash: string): string {
  return `${seq}:${hash}`;
}

export function parseHead(head: string | null): { seq: number; hash: string } | undefined {
  if (!head) return undefined;
  const i = head.indexOf(':');
  return { seq: Number(head.slice(0, i)), hash: head.slice(i + 1) };
}
