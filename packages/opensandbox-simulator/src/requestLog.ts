/** A bounded log of the API requests the simulator received (control requests excluded). */
import { LoggedRequest } from './types';

/** Header that carries the API key; its value is never logged. */
export const API_KEY_HEADER = 'open-sandbox-api-key';

/** Keeps the most recent `capacity` requests, oldest first. */
export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(private readonly capacity = 1000) {}

  /** Records a request (headers are copied with the API key redacted) and returns the entry. */
  add(entry: LoggedRequest): LoggedRequest {
    const headers = { ...entry.headers };
    if (headers[API_KEY_HEADER] !== undefined)
      headers[API_KEY_HEADER] = '[REDACTED]';
    const stored = { ...entry, headers };
    this.entries.push(stored);
    if (this.entries.length > this.capacity) this.entries.shift();
    return stored;
  }

  list(): LoggedRequest[] {
    return this.entries.map(e => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
