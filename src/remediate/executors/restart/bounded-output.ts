/** Default cap per stream: enough for a diagnosis, small enough for a job record (issue 4 §3). */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 64 * 1024;

/** Keeps the first `limitBytes` of a stream and counts the rest, so a noisy command cannot eat memory. */
export class BoundedOutput {
  readonly #limitBytes: number;
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;

  constructor(limitBytes = DEFAULT_OUTPUT_LIMIT_BYTES) {
    this.#limitBytes = limitBytes;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    const room = this.#limitBytes - this.#kept;
    if (room <= 0) return;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(part);
    this.#kept += part.length;
  }

  get truncated(): boolean {
    return this.#total > this.#kept;
  }

  get totalBytes(): number {
    return this.#total;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  toJSON(): { text: string; bytes: number; truncated: boolean } {
    return { text: this.text(), bytes: this.#total, truncated: this.truncated };
  }
}
