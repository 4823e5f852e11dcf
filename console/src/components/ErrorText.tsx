import type { ShownError } from '../errors';

/** AWS's error next to the field or form it is about; role=alert so screen readers hear it. */
export function ErrorText({ error, id }: { error: ShownError | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" id={id}>
      <strong>{error.code}</strong>: {error.message}
    </p>
  );
}
