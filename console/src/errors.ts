// AWS errors as the console shows them: the error code and AWS's own message, unchanged.

export interface ShownError {
  code: string;
  message: string;
  /** The request field the message names, when it names one (e.g. "streamName"), lower-cased. */
  field?: string;
}

const FIELD = /at '([A-Za-z.]+)'|(?:parameter|field|member) ['"]?([A-Za-z]+)/;

export function showError(e: unknown): ShownError {
  const err = e as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  let code = err?.Code ?? err?.name ?? 'Error';
  let message = err?.message ?? String(e);
  if (message === 'Failed to fetch' || code === 'TypeError') {
    code = 'NetworkError';
    message = 'The server did not answer (' + message + ')';
  }
  const m = FIELD.exec(message);
  const field = m ? (m[1] ?? m[2]).split('.').pop()!.toLowerCase() : undefined;
  return { code, message, field };
}

/** Whether an error names this form field, e.g. fieldOf(err, 'StreamName'). */
export function namesField(e: ShownError | null | undefined, field: string): boolean {
  if (!e) return false;
  if (e.field) return e.field === field.toLowerCase();
  return e.message.toLowerCase().includes(field.toLowerCase());
}
